"""Engineers tick, reopen, skip, take and annotate tasks; each change is in the feed."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from planner.plans.models import Activity, Plan, PlanStatus, PlanTask, TaskStatus
from planner.progress.selectors import my_tasks_page, summaries
from tests.factories import MembershipFactory, TeamFactory
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=3)


@pytest.fixture
def mine(plan: Plan, engineer) -> PlanTask:
    task = plan.tasks.get(catalogue_id="goals_define_kpis")
    task.assignee = engineer
    task.save()
    return task


def url(task: PlanTask, action: str = "") -> str:
    return f"/teams/{task.plan.team.slug}/plans/{task.plan_id}/tasks/{task.pk}/{action}"


def kinds(task: PlanTask) -> list[str]:
    return list(
        Activity.objects.filter(task=task).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_tick_without_javascript_redirects_back_and_records_who_and_when(
    client: Client, engineer, mine
):
    client.force_login(engineer)
    response = client.post(url(mine), {"action": "done", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE
    assert mine.closed_by == engineer
    assert mine.closed_at is not None
    assert kinds(mine) == ["done"]
    # Ticking again changes nothing and records nothing.
    client.post(url(mine), {"action": "done", "next": "/"})
    assert kinds(mine) == ["done"]


def test_tick_with_htmx_answers_with_the_row_and_out_of_band_counters(
    client: Client, engineer, mine
):
    client.force_login(engineer)
    response = client.post(
        url(mine), {"action": "done", "next": "/"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="my-task-{mine.pk}"' in body
    assert "my-task done" in body
    assert 'id="my-counts" data-hx-swap-oob="true"' in body
    assert f'id="plan-bar-{mine.plan_id}" data-hx-swap-oob="true"' in body
    assert "<html" not in body
    # The pressed button is gone after the swap: the row says what happened, for a reader.
    assert '<p class="visually-hidden" role="status">Task ticked off.</p>' in body
    undo = client.post(url(mine), {"action": "reopen", "next": "/"}, headers={"HX-Request": "true"})
    assert "my-task open" in undo.content.decode()
    assert 'role="status">Task reopened.</p>' in undo.content.decode()
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN
    assert mine.closed_by is None
    assert kinds(mine) == ["done", "reopened"]


def test_a_tick_answers_with_its_own_plan_bar_and_counts_over_all_teams(
    client: Client, engineer, mine, monkeypatch, django_assert_num_queries
):
    """A member of several teams: the tick's answer updates the counters, which count
    their tasks in every plan, and the ticked plan's bar; the other bars do not change, and
    the answer does not compute them (nor the open tasks nobody has taken)."""
    other_team = TeamFactory.create()
    MembershipFactory.create(team=other_team, user=engineer)
    other = running_plan(other_team, MembershipFactory.create(team=other_team).user, day=3)
    other.tasks.filter(day__lte=3).update(assignee=engineer)
    client.force_login(engineer)
    page = client.get("/").context["mine"]
    assert {s.plan.pk for s in page.plans} == {mine.plan_id, other.pk}
    summarised: list[list[int]] = []
    real = summaries.plan_summaries

    def spy(plans, now):
        summarised.append([plan.pk for plan in plans])
        return real(plans, now)

    monkeypatch.setattr(my_tasks_page, "plan_summaries", spy)
    # Neither the open tasks nobody took nor the team again (the membership has it).
    with django_assert_num_queries(12):
        response = client.post(
            url(mine), {"action": "done", "next": "/"}, headers={"HX-Request": "true"}
        )
    body = response.content.decode()
    assert f'id="plan-bar-{mine.plan_id}" data-hx-swap-oob="true"' in body
    assert f'id="plan-bar-{other.pk}"' not in body
    assert summarised == [[mine.plan_id]]
    # The counters count the tasks of both plans, as the page itself does after the tick.
    counts = re.compile(r'<p class="counts" id="my-counts".*?</p>', re.S)
    after = counts.search(client.get("/").content.decode())
    tick = counts.search(body)
    assert after is not None
    assert tick is not None
    assert tick.group(0).replace(' data-hx-swap-oob="true"', "") == after.group(0)


def test_next_pointing_elsewhere_is_ignored(client: Client, engineer, mine):
    client.force_login(engineer)
    response = client.post(url(mine), {"action": "done", "next": "https://evil.example.com/"})
    assert response["Location"] == url(mine)


def test_task_of_another_team_is_404_and_unchanged(client: Client, outsider, mine):
    client.force_login(outsider)
    assert client.post(url(mine), {"action": "done"}).status_code == 404
    assert client.get(url(mine)).status_code == 404
    # Even through a team the outsider does belong to.
    other = TeamFactory.create()
    MembershipFactory.create(team=other, user=outsider)
    foreign = f"/teams/{other.slug}/plans/{mine.plan_id}/tasks/{mine.pk}/"
    assert client.post(foreign, {"action": "done"}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN


def test_a_post_without_a_known_action_is_refused(client: Client, engineer, mine):
    client.force_login(engineer)
    assert client.post(url(mine), {"action": "finish"}).status_code == 400
    assert client.post(url(mine)).status_code == 400
    assert client.get(url(mine), {"action": "done"}).status_code == 200  # reading changes nothing
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN
    assert kinds(mine) == []


def test_finished_plan_refuses_ticks_with_a_message(client: Client, engineer, mine):
    Plan.objects.filter(pk=mine.plan_id).update(status=PlanStatus.FINISHED)
    client.force_login(engineer)
    response = client.post(url(mine), {"action": "done", "next": "/"}, follow=True)
    assert "This plan is finished: its tasks and KPIs can no longer change." in (
        response.content.decode()
    )
    htmx = client.post(url(mine), {"action": "done"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 409
    assert "can no longer change" in htmx.content.decode()
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN
    assert kinds(mine) == []


def test_skip_needs_a_reason_and_the_assignee_or_a_lead(
    client: Client, engineer, lead, team, plan, mine
):
    client.force_login(engineer)
    response = client.post(url(mine), {"action": "skip", "reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN

    someone_elses = plan.tasks.exclude(pk=mine.pk).filter(phase=1).first()
    someone_elses.assignee = lead
    someone_elses.save()
    response = client.post(
        url(someone_elses), {"action": "skip", "reason": "no", "next": "/"}, follow=True
    )
    assert "Only the task&#x27;s assignee or a lead can skip it." in response.content.decode()

    client.post(
        url(mine), {"action": "skip", "reason": "Covered by the platform team", "next": "/"}
    )
    mine.refresh_from_db()
    assert (mine.status, mine.skip_reason) == (TaskStatus.SKIPPED, "Covered by the platform team")
    entry = Activity.objects.get(task=mine)
    assert entry.detail == {"reason": "Covered by the platform team"}


def test_reason_over_the_limit_is_refused_at_the_field(client: Client, engineer, mine):
    client.force_login(engineer)
    response = client.post(url(mine), {"action": "skip", "reason": "x" * 501})
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()


def test_take_an_unassigned_task_but_not_someone_elses(client: Client, engineer, lead, plan):
    free = plan.tasks.filter(phase=2).first()
    PlanTask.objects.filter(pk=free.pk).update(assignee=None)
    client.force_login(engineer)
    client.post(url(free), {"action": "take", "next": "/"})
    free.refresh_from_db()
    assert free.assignee == engineer
    client.force_login(lead)
    page = client.post(url(free), {"action": "take", "next": "/"}, follow=True).content.decode()
    assert "has already taken this task" in page
    free.refresh_from_db()
    assert free.assignee == engineer


def test_note_and_evidence_link_are_saved_and_a_bad_link_is_refused_at_the_field(
    client: Client, engineer, mine
):
    client.force_login(engineer)
    bad = client.post(
        url(mine, "notes/"), {"note": "Done", "evidence_url": "not a url", "revision": 0}
    )
    assert bad.status_code == 400
    assert "Enter a full web address" in bad.content.decode()
    for scheme in ("javascript:alert(1)", "ftp://example.com/x"):
        refused = client.post(
            url(mine, "notes/"), {"note": "Done", "evidence_url": scheme, "revision": 0}
        )
        assert refused.status_code == 400
    mine.refresh_from_db()
    assert (mine.note, mine.evidence_url) == ("", "")

    good = client.post(
        url(mine, "notes/"),
        {"note": "Merged", "evidence_url": "https://git.example.com/mr/7", "revision": 0},
    )
    assert good.status_code == 302
    mine.refresh_from_db()
    assert (mine.note, mine.evidence_url, mine.notes_revision) == (
        "Merged",
        "https://git.example.com/mr/7",
        1,
    )
    assert kinds(mine) == ["noted"]


def test_note_over_the_size_limit_is_refused(client: Client, engineer, mine):
    client.force_login(engineer)
    response = client.post(url(mine, "notes/"), {"note": "x" * 2001, "revision": 0})
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    mine.refresh_from_db()
    assert mine.note == ""


def test_a_note_based_on_an_older_text_does_not_overwrite_the_newer_one(
    client: Client, engineer, lead, mine
):
    client.force_login(lead)
    client.post(url(mine, "notes/"), {"note": "Lead's text", "revision": 0})
    client.force_login(engineer)
    stale = client.post(url(mine, "notes/"), {"note": "Engineer's text", "revision": 0})
    body = stale.content.decode()
    assert stale.status_code == 409
    assert "Someone else saved this note meanwhile" in body
    assert "Lead&#x27;s text" in body
    assert "Engineer&#x27;s text" in body
    mine.refresh_from_db()
    assert mine.note == "Lead's text"


def test_task_page_shows_steps_why_prerequisites_and_history(client: Client, engineer, mine):
    client.force_login(engineer)
    client.post(url(mine), {"action": "done"})
    page = client.get(url(mine)).content.decode()
    assert "How to do it" in page
    assert mine.steps[0]["en"] in page
    assert mine.why["en"][:40] in page
    review = mine.plan.tasks.get(catalogue_id="goals_review_strategy")
    assert review.catalogue_id in mine.prerequisites
    assert f'href="{url(review)}"' in page
    assert "ticked it off" in page


def test_a_task_whose_prerequisite_is_open_says_so_and_can_still_be_ticked(
    client: Client, engineer, mine
):
    review = mine.plan.tasks.get(catalogue_id="goals_review_strategy")
    PlanTask.objects.filter(pk=review.pk).update(status=TaskStatus.OPEN)
    client.force_login(engineer)
    page = client.get(url(mine)).content.decode()
    assert "It builds on a task that is still open" in page
    assert f'href="{url(review)}">{review.title_text}</a>' in page
    client.post(url(mine), {"action": "done"})
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE  # a hint, not a lock
    PlanTask.objects.filter(pk=review.pk).update(status=TaskStatus.DONE)
    mine.refresh_from_db()
    PlanTask.objects.filter(pk=mine.pk).update(status=TaskStatus.OPEN)
    assert "still open" not in client.get(url(mine)).content.decode()


def test_engineer_cannot_edit_plan_structure(client: Client, engineer, mine):
    client.force_login(engineer)
    prefix = f"task-{mine.pk}-"
    data = {prefix + "title": "Mine now", prefix + "day": 2}
    assert client.post(url(mine, "edit/"), data).status_code == 403
    mine.refresh_from_db()
    assert mine.title_text != "Mine now"


def test_draft_plan_tasks_cannot_be_ticked(client: Client, engineer, mine):
    Plan.objects.filter(pk=mine.plan_id).update(status=PlanStatus.DRAFT)
    client.force_login(engineer)
    page = client.post(url(mine), {"action": "done", "next": "/"}, follow=True).content.decode()
    assert "This plan has not started yet." in page
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN
