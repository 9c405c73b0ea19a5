from django.urls import path

from planner.reminders import views

plan = "teams/<slug:team_slug>/plans/<int:plan_id>/reminders/"

urlpatterns = [
    path(plan, views.reminder_schedule, name="reminder_schedule"),
    path(plan + "test/", views.reminder_test, name="reminder_test"),
    path(plan + "retry/", views.reminder_retry, name="reminder_retry"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="reminder_unsubscribe"),
    path("accounts/reminders/", views.reminder_preferences, name="reminder_preferences"),
]
