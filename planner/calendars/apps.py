from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    """iCalendar feeds of plans, under a secret link each person can reset."""

    name = "planner.calendars"
    label = "calendars"
