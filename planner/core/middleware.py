"""Middleware that belongs to no single area."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers

from planner.core.readiness import readiness

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
REQUIRED = ("database",)  # readiness fails without these; the rest only degrade it


class HealthCheckMiddleware:
    """Answers `/healthz` and `/readyz` before host validation and HTTPS redirects.

    Probes call them on localhost over plain HTTP; that must not depend on ALLOWED_HOSTS or
    on the TLS proxy in front. `/healthz` is liveness: the process answers requests (a
    restart would not bring back a database). `/readyz` is readiness: 503 when the
    database does not answer, without which no page can be served. The cache and the broker
    are reported too, but their outage is "degraded", not unready: pages go on without
    them (the cache falls back to the process's memory, the ledgers keep what was to be
    sent), and a load balancer that took every replica out because Redis blinked would
    turn that into an outage. Which service is down is named, never why (the log has it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            return JsonResponse({"status": "ok"})
        if request.path == READY_PATH:
            checks = readiness()
            ready = all(checks[name] for name in REQUIRED)
            status = "ok" if all(checks.values()) else "degraded" if ready else "unavailable"
            body = {"status": status}
            body.update({name: "ok" if up else "down" for name, up in checks.items()})
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)


class VaryOnHtmxMiddleware:
    """Marks every page as varying by `HX-Request`: views answer htmx with a partial and a
    plain request with the whole page from one URL, so no cache (the browser's back
    button, a proxy) may hand one in place of the other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        return response
