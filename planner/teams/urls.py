from django.urls import path

from planner.teams import views

urlpatterns = [
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<slug:team_slug>/", views.team_detail, name="team_detail"),
    path("teams/<slug:team_slug>/settings/", views.team_settings, name="team_settings"),
    path("teams/<slug:team_slug>/leave/", views.team_leave, name="team_leave"),
    path(
        "teams/<slug:team_slug>/invitations/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "teams/<slug:team_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "teams/<slug:team_slug>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "teams/<slug:team_slug>/members/<int:member_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "teams/<slug:team_slug>/members/<int:member_id>/hours/",
        views.member_hours,
        name="member_hours",
    ),
    path(
        "teams/<slug:team_slug>/members/<int:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("invitations/<str:token>/", views.invitation_open, name="invitation"),
]
