"""Which metrics a PromQL expression reads, and the metrics Planner exports."""

from __future__ import annotations

import re

# Mirrors planner/core/metrics.py, planner/observability/collectors.py and
# django-prometheus: counters and gauges by the name a query uses, histograms by family
# name (metric_names() maps _bucket, _sum and _count to it).
EXPORTED = frozenset(
    {
        # django-prometheus, web and worker
        "django_http_requests_total_by_view_transport_method_total",
        "django_http_responses_total_by_status_view_method_total",
        "django_http_requests_latency_seconds_by_view_method",
        "django_http_requests_latency_including_middlewares_seconds",
        "django_http_exceptions_total_by_type_total",
        "django_db_query_duration_seconds",
        "django_db_execute_total",
        "django_db_errors_total",
        # web
        "planner_cache_requests_total",
        "planner_cache_duration_seconds",
        "planner_plan_activities_total",
        "planner_plans",
        "planner_plan_tasks",
        "planner_reminder_oldest_due_seconds",
        "planner_deliveries_waiting",
        "planner_database_up",
        "planner_broker_up",
        "planner_celery_queue_length",
        # worker
        "planner_celery_tasks_total",
        "planner_celery_task_duration_seconds",
        "planner_reminder_deliveries_total",
        "planner_reminder_dispatch_lag_seconds",
        "planner_webhook_deliveries_total",
    }
)

# PromQL words that look like identifiers but name no metric. Functions and aggregations
# are also recognised by the "(" after them; this list covers them where a clause sits
# between (`sum by (le) (...)`) and the words that never take one.
KEYWORDS = frozenset(
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
        "bottomk", "topk", "quantile", "by", "without", "on", "ignoring", "group_left",
        "group_right", "offset", "bool", "and", "or", "unless", "atan2", "inf", "nan",
    }
)  # fmt: skip
HISTOGRAM_SERIES = re.compile(r"_(bucket|sum|count)$")


def metric_names(expr: str) -> set[str]:
    """The metrics a PromQL expression reads, histograms by family name."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', " ", expr)  # strings
    text = re.sub(r"\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\]", " ", text)  # Grafana variables
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries: [5m], [1h:1m]
    clause = r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"
    text = re.sub(clause, " ", text)  # label lists
    text = re.sub(r"\boffset\s+-?\w+|@\s*[\w.()]+", " ", text)  # offset 1h, @ start()
    # Numbers (1, 0.95, 1e3, 0x1f) before identifiers, so `e3` is not read as one.
    text = re.sub(r"(?<![\w:])(0x[0-9a-fA-F]+|\d+(\.\d*)?([eE][+-]?\d+)?)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in KEYWORDS:
            continue
        names.add(HISTOGRAM_SERIES.sub("", word))
    return names
