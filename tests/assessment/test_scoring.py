"""Maturity per area from answers, default targets, and the answers behind each gap."""

from __future__ import annotations

from planner.assessment.scoring import area_scores, gaps
from planner.playbook.loader import get_playbook
from tests.assessment.test_answers import complete

PLAYBOOK = get_playbook()


def _by_area(scores):
    return {s.area: s for s in scores}


def test_manual_team_scores_low_and_targets_one_level_up():
    scores = _by_area(area_scores(PLAYBOOK, complete()))
    infrastructure = scores["infrastructure"]
    # iac_tool none (0) and drift unknown (0): level 0, target 1.
    assert (infrastructure.current, infrastructure.target) == (0, 1)
    assert scores["monitoring"].current == 1  # logs only


def test_mature_answers_score_high():
    scores = _by_area(area_scores(PLAYBOOK, complete(iac_tool="terraform", drift="prevented")))
    assert scores["infrastructure"].current == 4  # round((3 + 4) / 2)
    assert scores["infrastructure"].target == 4


def test_target_can_be_set_per_area_and_is_kept_within_the_scale():
    scores = _by_area(
        area_scores(PLAYBOOK, complete(), targets={"infrastructure": 3, "monitoring": 9})
    )
    assert scores["infrastructure"].target == 3
    assert scores["monitoring"].target == 4


def test_not_applicable_area_has_no_gap_but_goals_always_apply():
    scores = _by_area(
        area_scores(PLAYBOOK, complete(), not_applicable=frozenset({"infrastructure", "goals"}))
    )
    assert not scores["infrastructure"].applicable
    assert not scores["infrastructure"].has_gap
    assert scores["goals"].applicable


def test_gaps_point_at_the_answers_below_target():
    answers = complete()
    found = gaps(PLAYBOOK, answers, area_scores(PLAYBOOK, answers))
    questions = {(g.area, g.question) for g in found}
    assert ("infrastructure", "iac_tool") in questions
    assert ("infrastructure", "drift") in questions
    assert all(g.score < g.target for g in found)
