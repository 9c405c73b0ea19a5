"""The metrics text a scrape gets: every process's counters, and the state read now."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from planner.observability.collectors import BrokerCollector, DatabaseCollector


class _Each(Collector):
    """Another registry's metrics, added to a registry made for one scrape."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        yield from self.source.collect()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def registry(*, state: bool) -> CollectorRegistry:
    """The counters of every process writing to PROMETHEUS_MULTIPROC_DIR (or this
    process's, without it) and, with `state`, the database and broker gauges."""
    scrape = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
    else:
        scrape.register(_Each(REGISTRY))
    if state:
        scrape.register(DatabaseCollector())
        scrape.register(BrokerCollector())
    return scrape


def render(source: CollectorRegistry, accept: Iterable[str] | str) -> tuple[bytes, str]:
    """The exposition in the format the scraper asked for: body and content type."""
    encoder, content_type = choose_encoder(accept if isinstance(accept, str) else ",".join(accept))
    return encoder(source), content_type
