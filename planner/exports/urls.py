from django.urls import path

from planner.exports import views

plan = "teams/<slug:team_slug>/plans/<int:plan_id>/"

urlpatterns = [
    path(plan + "export.csv", views.plan_export_csv, name="plan_export_csv"),
    path(plan + "export.md", views.plan_export_markdown, name="plan_export_markdown"),
    path(plan + "report/", views.plan_report, name="plan_report"),
    path("teams/<slug:team_slug>/export.json", views.team_export, name="team_export"),
    path("teams/<slug:team_slug>/import/", views.team_import, name="team_import"),
]
