"""Request metrics: django-prometheus' middleware, recording the series the dashboard and
alerts read and not the rest.

Its after-middleware records nine series a request (by method, by transport, by charset,
by template, body sizes in 30 buckets each way...), which together cost a cheap page a
fifth of its time. Responses by status, view and method, the latency histogram by view
and method, and exceptions by type and view are what an operator reads; the metric
objects, their names and labels stay django-prometheus' own.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django_prometheus.middleware import PrometheusAfterMiddleware
from django_prometheus.utils import Time, TimeSince


class RequestMetricsMiddleware(PrometheusAfterMiddleware):  # type: ignore[misc]
    def process_request(self, request: HttpRequest) -> None:
        request.prometheus_after_middleware_event = Time()  # type: ignore[attr-defined]

    def process_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        return None

    def process_template_response(self, request: HttpRequest, response: Any) -> Any:
        return response

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        method = self._method(request)
        view = self._get_view_name(request)
        self.metrics.responses_by_status_view_method.labels(
            status=str(response.status_code), view=view, method=method
        ).inc()
        started = getattr(request, "prometheus_after_middleware_event", None)
        if started is not None:
            self.metrics.requests_latency_by_view_method.labels(view=view, method=method).observe(
                TimeSince(started)
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Count it by type and view. Its latency is left to `process_response`, which
        the 500 page still passes through (django-prometheus observes it in both, twice)."""
        view = self._get_view_name(request)
        self.metrics.exceptions_by_type.labels(type=type(exception).__name__).inc()
        self.metrics.exceptions_by_view.labels(view=view).inc()
