from django.urls import path

from planner.progress import views

task = "teams/<slug:team_slug>/plans/<int:plan_id>/tasks/<int:task_id>/"

urlpatterns = [
    path("teams/", views.teams_overview, name="teams_overview"),
    path("teams/<slug:team_slug>/progress/", views.team_progress, name="team_progress"),
    path(
        "teams/<slug:team_slug>/plans/<int:plan_id>/finish/",
        views.plan_finish,
        name="plan_finish",
    ),
    path(
        "teams/<slug:team_slug>/plans/<int:plan_id>/kpis/<int:target_id>/measurements/",
        views.kpi_measurements,
        name="kpi_measurements",
    ),
    path(task, views.task_detail, name="task_detail"),
    path(task + "notes/", views.task_notes, name="task_notes"),
]
