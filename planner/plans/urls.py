from django.urls import path

from planner.plans import views

prefix = "teams/<slug:team_slug>/plans/<int:plan_id>/"

urlpatterns = [
    path("teams/<slug:team_slug>/plans/new/", views.plan_create, name="plan_create"),
    path(prefix, views.plan_detail, name="plan_detail"),
    path(prefix + "start/", views.plan_start, name="plan_start"),
    path(prefix + "archive/", views.plan_archive, name="plan_archive"),
    path(prefix + "pause/", views.plan_pause, name="plan_pause"),
    path(prefix + "resume/", views.plan_resume, name="plan_resume"),
    path(prefix + "move/", views.plan_move_start, name="plan_move_start"),
    path(prefix + "tasks/", views.plan_task_add, name="plan_task_add"),
    # GET tasks/<task_id>/ is the task's page, served by planner.progress.
    path(prefix + "tasks/<int:task_id>/edit/", views.plan_task_edit, name="plan_task_edit"),
    path(prefix + "tasks/<int:task_id>/remove/", views.plan_task_remove, name="plan_task_remove"),
    path(prefix + "tasks/<int:task_id>/backlog/", views.plan_task_push, name="plan_task_push"),
    path(prefix + "backlog/<int:item_id>/pull/", views.backlog_pull, name="backlog_pull"),
    path(prefix + "kpis/<int:target_id>/", views.kpi_target_edit, name="kpi_target_edit"),
]
