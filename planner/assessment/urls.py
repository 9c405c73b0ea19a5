from django.urls import path

from planner.assessment import views

prefix = "teams/<slug:team_slug>/assessment/"

urlpatterns = [
    path(prefix, views.assessment_intro, name="assessment_intro"),
    path(prefix + "result/", views.assessment_result, name="assessment_result"),
    path(prefix + "<slug:section_id>/", views.assessment_step, name="assessment_step"),
]
