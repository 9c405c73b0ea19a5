"""English dates as the app writes them everywhere ("Sun 29 Nov 2026, 16:39"), not Django's
US defaults ("Nov. 29, 2026, 4:39 p.m."). German keeps Django's formats."""

DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday, as the plan's weeks
