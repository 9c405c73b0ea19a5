"""Request metrics: django-prometheus' middleware, recording the series the dashboard and
alerts read and not the rest.

Its middleware records eleven series a request (by method, by transport, by charset, by
template, body sizes in 30 buckets each way...), which together cost a cheap page a fifth
of its time. What an operator reads: requests and responses before the middleware stack
with its latency, responses by status, view and method, the latency histogram by view and
method, and exceptions by type and view. `RequestMetrics` registers only those (through
django-prometheus' `register_metric` hook, so names, labels and buckets stay its own);
the two middlewares record only those.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django_prometheus.middleware import (
    Metrics,
    PrometheusAfterMiddleware,
    PrometheusBeforeMiddleware,
)
from django_prometheus.utils import Time, TimeSince

RECORDED = frozenset(
    {
        # Before the middleware stack (PrometheusBeforeMiddleware).
        "django_http_requests_before_middlewares_total",
        "django_http_responses_before_middlewares_total",
        "django_http_requests_latency_including_middlewares_seconds",
        "django_http_requests_unknown_latency_including_middlewares_total",
        # After it (RequestMetricsMiddleware).
        "django_http_responses_total_by_status_view_method",
        "django_http_requests_latency_seconds_by_view_method",
        "django_http_exceptions_total_by_type",
        "django_http_exceptions_total_by_view",
    }
)


class RequestMetrics(Metrics):  # type: ignore[misc]
    """django-prometheus' request metrics, only those in RECORDED registered."""

    def register_metric(
        self, metric_cls: Any, name: str, documentation: str, labelnames: Any = (), **kwargs: Any
    ) -> Any:
        if name not in RECORDED:
            return None
        return super().register_metric(metric_cls, name, documentation, labelnames, **kwargs)


class BeforeMiddleware(PrometheusBeforeMiddleware):  # type: ignore[misc]
    metrics_cls = RequestMetrics


class RequestMetricsMiddleware(PrometheusAfterMiddleware):  # type: ignore[misc]
    metrics_cls = RequestMetrics

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
