"""`/metrics`, answered before host checks and HTTPS redirects, like `/healthz`.

Prometheus scrapes a pod or container by its address over plain HTTP (`web:8000`), a
host name ALLOWED_HOSTS does not list; access is decided by the bearer key or the
scraper's address instead (planner.observability.access).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseNotFound

from planner.observability import access, exposition

METRICS_PATH = "/metrics"


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != METRICS_PATH:
            return self.get_response(request)
        if not access.allowed(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_AUTHORIZATION", ""),
            token=settings.METRICS_TOKEN,
            networks=settings.METRICS_ALLOWED_NETWORKS,
        ):
            if settings.METRICS_TOKEN:
                response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
                response["WWW-Authenticate"] = 'Bearer realm="metrics"'
                return response
            return HttpResponseNotFound("Not Found\n", content_type="text/plain")
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        body, content_type = exposition.render(
            exposition.registry(state=True), request.META.get("HTTP_ACCEPT", "")
        )
        response = HttpResponse(body, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response
