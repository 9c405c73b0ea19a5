from django.urls import path, re_path

from planner.api import views
from planner.api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", views.not_found),
    path("teams/<slug:team_slug>/api-tokens/", views.token_list, name="api_tokens"),
    path(
        "teams/<slug:team_slug>/api-tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="api_token_revoke",
    ),
]
