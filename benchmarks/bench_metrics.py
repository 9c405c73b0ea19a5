"""What metrics cost a request: the minimal view with the metrics middleware against the
same view without it, in one run (issue 17: at least 0.8).

Both clients are anonymous, so the view runs no query and the figure is the middleware's
own cost (django-prometheus' counters and latency histograms), written as production
writes them: to PROMETHEUS_MULTIPROC_DIR's memory-mapped files (`benchmarks/__main__`
sets a scratch one).
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client, override_settings

from benchmarks.harness import Figure, compare

METRICS_MIDDLEWARE = (
    "planner.observability.middleware.MetricsMiddleware",
    "planner.observability.requests.BeforeMiddleware",
    "planner.observability.requests.RequestMetricsMiddleware",
)


def run() -> list[Figure]:
    without = [name for name in settings.MIDDLEWARE if name not in METRICS_MIDDLEWARE]
    assert len(without) == len(settings.MIDDLEWARE) - len(METRICS_MIDDLEWARE)
    with override_settings(ROOT_URLCONF="benchmarks.bench_pages"):
        metered = Client()
        metered.get("/bench/minimal/")  # the handler loads its middleware now
        plain = Client()
        with override_settings(MIDDLEWARE=without):
            plain.get("/bench/minimal/")

        def get(client: Client) -> None:
            response = client.get("/bench/minimal/")
            assert response.status_code == 200

        return [
            compare(
                "minimal view, metrics on",
                lambda: get(metered),
                "metrics off",
                lambda: get(plain),
            )
        ]
