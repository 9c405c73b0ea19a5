"""Which metrics a PromQL expression reads, and the metrics Planner exports."""

from __future__ import annotations

import re


def _exported() -> frozenset[str]:
    """Every series name Planner exports, read from the live registry as a scrape names
    them (counters with `_total`, histograms by family): prometheus-client's default
    registry (planner/core/metrics.py, django-prometheus' request and database metrics)
    and the gauges web reads at scrape time (planner/observability/collectors.py)."""
    from prometheus_client import REGISTRY

    from planner.observability.collectors import BrokerCollector, DatabaseCollector
    from planner.observability.requests import RequestMetrics

    RequestMetrics.get_instance()  # registered by the middleware at its first request
    families = [
        *REGISTRY.collect(),
        *DatabaseCollector().describe(),
        *BrokerCollector().describe(),
    ]
    return frozenset(
        f"{family.name}_total" if family.type == "counter" else family.name for family in families
    )


EXPORTED = _exported()

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
