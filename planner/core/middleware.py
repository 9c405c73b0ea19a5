"""Middleware that belongs to no single area."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers `/healthz` before host validation and HTTPS redirects.

    Container health checks call it on localhost over plain HTTP; that must not depend on
    ALLOWED_HOSTS or on the TLS proxy in front. It proves the database answers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy
            return JsonResponse({"status": "error", "database": str(error)}, status=503)
        return JsonResponse({"status": "ok"})
