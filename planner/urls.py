"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from planner.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("planner.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("planner.progress.urls")),
    path("", include("planner.reminders.urls")),
    path("", include("planner.teams.urls")),
    path("", include("planner.assessment.urls")),
    path("", include("planner.plans.urls")),
]
