"""Planner's own Prometheus metrics: what the app counts as it works.

Every area records into these from its writes; `/metrics` (planner.observability) and the
worker's metrics port export them. Names and units follow Prometheus' conventions
(`_total` counters, `_seconds` durations, base units). With `PROMETHEUS_MULTIPROC_DIR`
set (gunicorn, the Celery worker's pool) every process writes its values to a file there
and a scrape adds them up; without it (tests, `make run`) they live in the process.

What is counted here happens once (a feed entry, a delivery's outcome, a task run);
what is a state (plans running, tasks open, deliveries queued) is read from the database
at scrape time instead, so it is right however many processes there are.
"""

from __future__ import annotations

import os
from pathlib import Path

# An empty PROMETHEUS_MULTIPROC_DIR turns multiprocess mode off: a one-off command in an
# image whose ENV sets it (Kubernetes cannot unset a variable, only empty it). Left empty,
# prometheus-client would still choose multiprocess mode and write its files to the
# working directory. This module is imported by the settings, before prometheus-client.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR") == "":
    del os.environ["PROMETHEUS_MULTIPROC_DIR"]

from prometheus_client import Counter, Histogram, disable_created_metrics

# In multiprocess mode every metric writes to a file in this folder from its creation on
# (some at import, just below): a process started without it (beat, a one-off command in
# the web image) would fail at its first import.
if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(folder).mkdir(parents=True, exist_ok=True)

# No `_created` series beside every counter and histogram: Prometheus does not need them
# and they double what a scrape carries.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Durations of what a person waits for: a page, a query, a cache call.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)
# From a phase boundary's due time to its email going out: beat looks every few minutes,
# a mail server that refuses delays it by retries (minutes to hours).
LAG_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600, 86400)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

PLAN_ACTIVITIES = Counter(
    "planner_plan_activities",
    "Changes recorded in plans' feeds, by kind (done: a task ticked off; measured: a KPI "
    "value recorded), counted when their transaction commits.",
    ["kind"],
)

REMINDER_DELIVERIES = Counter(
    "planner_reminder_deliveries",
    "Phase-boundary reminder emails by outcome: sent; retried (refused for now, tried "
    "again later); failed (refused for good or out of retries); skipped (opted out or no "
    "address).",
    ["outcome"],
)

REMINDER_DISPATCH_LAG = Histogram(
    "planner_reminder_dispatch_lag_seconds",
    "Seconds from a phase boundary's due time to its reminder email being sent.",
    buckets=LAG_BUCKETS,
)

WEBHOOK_DELIVERIES = Counter(
    "planner_webhook_deliveries",
    "Webhook and chat deliveries by outcome (sent, retried, failed) and channel.",
    ["channel", "outcome"],
)

CELERY_TASKS = Counter(
    "planner_celery_tasks",
    "Celery task runs by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)

CELERY_TASK_DURATION = Histogram(
    "planner_celery_task_duration_seconds",
    "Seconds a Celery task ran, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)

CACHE_REQUESTS = Counter(
    "planner_cache_requests",
    "Cache calls by operation and result (hit, miss, ok, fallback: answered from the "
    "process's memory because Redis was down).",
    ["operation", "result"],
)

CACHE_DURATION = Histogram(
    "planner_cache_duration_seconds",
    "Seconds a cache call took, by operation, including a fallback after a Redis error.",
    ["operation"],
    buckets=QUERY_BUCKETS,
)


# Known outcomes start at 0, so that the first failure is an increase Prometheus sees
# (a series born at 1 has no increase) and alerts need no special case for it.
for _outcome in ("sent", "retried", "failed", "skipped"):
    REMINDER_DELIVERIES.labels(_outcome)
for _channel in ("webhook", "slack", "teams"):
    for _outcome in ("sent", "retried", "failed"):
        WEBHOOK_DELIVERIES.labels(_channel, _outcome)


def count_deliveries(counter: Counter, counts: dict[str, int], **labels: str) -> None:
    """Add a batch's outcomes ({"sent": 3, "later": 1, ...}) to a delivery counter."""
    for key, outcome in (
        ("sent", "sent"),
        ("later", "retried"),
        ("failed", "failed"),
        ("skipped", "skipped"),
    ):
        if counts.get(key):
            counter.labels(outcome=outcome, **labels).inc(counts[key])
