from django.urls import path

from planner.calendars import views

urlpatterns = [
    path("accounts/calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>/my-tasks.ics", views.calendar_mine, name="calendar_mine"),
    path(
        "calendar/<str:token>/teams/<slug:team_slug>.ics",
        views.calendar_team,
        name="calendar_team",
    ),
]
