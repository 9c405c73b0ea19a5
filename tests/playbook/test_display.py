"""Numbers with their unit, as "why" lines and KPI cards show them."""

from __future__ import annotations

from planner.playbook.display import number_text


def test_one_hour_is_singular_in_both_languages():
    assert number_text(1, "hours").model_dump() == {"en": "1 hour", "de": "1 Stunde"}
    assert number_text(2.5, "hours").model_dump() == {"en": "2.5 hours", "de": "2,5 Stunden"}


def test_count_has_no_unit_and_percent_keeps_its_sign():
    assert number_text(25, "count").en == "25"
    assert number_text(90, "percent").de == "90 %"
