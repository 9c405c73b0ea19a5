"""The questionnaire, and a plan draft from a whole self-assessment sent at once."""

from __future__ import annotations

import pytest

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.models import Plan, PlanStatus
from planner.playbook.loader import get_playbook
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

URL = "/teams/ml-platform/assessments"


def test_the_questionnaire_lists_every_question_of_the_playbook(reader, team):
    body = reader.get("/questionnaire").json()
    asked = {q["id"] for s in body["questionnaire"]["sections"] for q in s["questions"]}
    assert asked == set(get_playbook().questions)
    assert body["version"] == get_playbook().version


def test_answers_give_a_draft_plan(api, now, team):
    answer = api.post(URL, {"answers": MANUAL, "length": 14})
    assert answer.status_code == 201, answer.content
    draft = answer.json()
    assert draft["status"] == "draft"
    assert draft["length"] == 14
    assert draft["start_date"] is None  # the lead picks day 1 when starting it
    assert [p["first_day"] for p in draft["phases"]] == [1, 4, 8, 11]
    plan = Plan.objects.get(pk=draft["id"])
    assert plan.tasks.exists()
    assert plan.kpi_targets.exists()
    assert plan.assessment is not None
    assert plan.assessment.completed_at is not None
    listed = api.get(f"/teams/ml-platform/plans/{plan.pk}/tasks?page_size=500").json()
    assert listed["count"] == plan.tasks.count()


def test_missing_and_wrong_answers_are_named_and_nothing_is_stored(api, now, team):
    answers = {**MANUAL, "avg_latency_ms": "fast"}
    del answers["deploy_method"]
    answer = api.post(URL, {"answers": answers, "not_applicable": ["nope"]})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"answers.deploy_method", "answers.avg_latency_ms", "not_applicable.nope"} <= fields
    assert not Assessment.objects.exists()
    assert not Plan.objects.exists()


def test_an_engineer_or_a_read_token_may_not_draft_a_plan(client, now, team, engineer, reader):
    client.force_login(engineer)  # Django's test client skips the CSRF check
    assert Api(None, client).post(URL, {"answers": MANUAL}).status_code == 403
    assert reader.post(URL, {"answers": MANUAL}).status_code == 403
    assert not Plan.objects.exists()


def test_a_running_plan_is_left_alone(api, plan):
    answer = api.post(URL, {"answers": MANUAL})
    assert answer.status_code == 201
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.ACTIVE
    assert Plan.objects.filter(status=PlanStatus.DRAFT).count() == 1
