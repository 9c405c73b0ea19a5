"""The `planner` template helpers: values that never wrap away from their units."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from planner.progress.templatetags.planner import band_of, band_text, with_unit


def test_a_value_and_its_unit_are_joined_by_no_break_spaces():
    assert with_unit(180, "ms") == "180\u00a0ms"
    with translation.override("de"):
        assert with_unit(2, "per_month") == "2\u00a0pro\u00a0Monat"
        assert with_unit(2.5, "mb") == "2,5\u00a0MB"


def test_a_band_never_wraps_at_its_dash_or_before_its_unit():
    target = SimpleNamespace(band=(50, 75), band_high=75, unit="percent")
    for text in (band_text(target), band_of(50, target)):
        assert " " not in text
        assert "\u2060–\u2060" in text
        assert text.endswith("75\u00a0%")
