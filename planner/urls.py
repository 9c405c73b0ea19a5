"""URL configuration."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from planner.progress import views as progress_views

# Staff sign in where everyone does: allauth's login, with its rate limits and lockout.
# The admin's own form would allow unlimited password guessing.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", progress_views.home, name="home"),
    path("accounts/", include("planner.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("planner.progress.urls")),
    path("", include("planner.reminders.urls")),
    path("", include("planner.calendars.urls")),
    path("", include("planner.api.urls")),
    path("", include("planner.webhooks.urls")),
    path("", include("planner.exports.urls")),
    path("", include("planner.teams.urls")),
    path("", include("planner.assessment.urls")),
    path("", include("planner.plans.urls")),
]
