from django.urls import path

from planner.accounts import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_switch, name="set_language"),
]
