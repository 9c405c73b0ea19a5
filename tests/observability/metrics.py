"""Reading metrics back the way Prometheus does: from `/metrics`' text."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from planner.observability import exposition

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(text: str) -> Samples:
    """Every sample of an exposition: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for one not there yet (a counter never incremented)."""
    return float(samples.get((name, tuple(sorted(labels.items()))), 0.0))


def current(*, state: bool = False) -> Samples:
    """What a scrape of this process would read now."""
    body, _ = exposition.render(exposition.registry(state=state), "")
    return scrape(body.decode())
