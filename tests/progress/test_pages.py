"""The progress pages: what they show, who sees them, and what they cost in queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from planner.plans.models import Plan, PlanTask, TaskStatus
from planner.progress import selectors
from planner.progress.models import KpiMeasurement
from tests.factories import MembershipFactory, TeamFactory
from tests.progress.plans import add_tasks, running_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=10)


def measure(plan: Plan, count: int) -> None:
    targets = list(plan.kpi_targets.all())
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            target=targets[i % len(targets)],
            value=targets[i % len(targets)].baseline,
            measured_at=timezone.now() - timedelta(hours=i + 1),
        )
        for i in range(count)
    )


def small_plan(team, lead, engineer) -> Plan:
    plan = running_plan(team, lead, day=10)
    plan.tasks.all().delete()
    add_tasks(plan, 10, [lead, engineer])
    measure(plan, 5)
    return plan


@pytest.mark.parametrize("path", ["/", "/teams/", "/teams/{slug}/progress/"])
def test_query_count_is_the_same_for_10_and_300_tasks(
    client: Client,
    lead,
    engineer,
    team,
    path,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    plan = small_plan(team, lead, engineer)
    url = path.format(slug=team.slug)
    client.force_login(engineer)
    client.get(url)  # warm the session
    cache.clear()  # the dashboard's body is cached: count the queries that compute it
    with django_assert_max_num_queries(50) as small:
        assert client.get(url).status_code == 200
    add_tasks(plan, 290, [lead, engineer])
    measure(plan, 495)
    assert plan.tasks.count() == 300
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_pinned_query_counts(client: Client, lead, engineer, team, django_assert_num_queries):
    small_plan(team, lead, engineer)
    client.force_login(engineer)
    dashboard = f"/teams/{team.slug}/progress/"
    for url, count in [("/", 7), ("/teams/", 6), (dashboard, 11)]:
        client.get(url)
        cache.clear()
        with django_assert_num_queries(count):
            client.get(url)
    # Once computed, the dashboard's body comes from the cache.
    with django_assert_num_queries(4):
        client.get(dashboard)


def test_cached_dashboard_follows_every_change(client: Client, lead, engineer, team, plan):
    url = f"/teams/{team.slug}/progress/"
    task = plan.tasks.filter(day__lt=10, assignee=engineer).order_by("day").first()
    assert task is not None
    client.force_login(engineer)
    before = client.get(url).content.decode()
    assert "ticked off <a href" not in before
    client.post(f"/teams/{team.slug}/plans/{plan.pk}/tasks/{task.pk}/", {"action": "done"})
    assert f"{engineer.display_name} ticked off" in client.get(url).content.decode()

    client.post(
        "/accounts/profile/",
        {"name": "Renamed Engineer", "language": "en", "time_zone": "Europe/Zurich"},
    )
    assert "Renamed Engineer ticked off" in client.get(url).content.decode()

    newcomer = MembershipFactory.create(team=team).user
    assert newcomer.display_name in client.get(url).content.decode()

    client.post("/accounts/language/", {"language": "de", "next": "/"})
    assert "Fortschritt" in client.get(url).content.decode()

    with time_machine.travel(timezone.now() + timedelta(days=5)):
        later = client.get(url)
    assert later.context["board"].day == 15
    # The timeline, cached apart from the body, follows the day too (in German by now).
    assert "die Linie markiert heute, Tag 15." in later.content.decode()


def _kpi_section(body: str) -> str:
    return body[body.index('aria-labelledby="kpis-title"') : body.index('id="activity-title"')]


def test_a_tick_rebuilds_the_dashboard_around_its_cached_kpi_cards(
    client: Client, lead, engineer, team, django_assert_num_queries
):
    plan = small_plan(team, lead, engineer)
    url = f"/teams/{team.slug}/progress/"
    task = plan.tasks.filter(assignee=engineer, status=TaskStatus.OPEN).first()
    assert task is not None
    client.force_login(engineer)
    cache.clear()
    with django_assert_num_queries(11):  # as pinned above: body and KPI cards built
        before = client.get(url).content.decode()
    client.post(task.get_absolute_url(), {"action": "done"}, headers={"HX-Request": "true"})
    # The body is rebuilt (the tick is in the feed); the KPI cards' two queries are not run.
    with django_assert_num_queries(9):
        after = client.get(url).content.decode()
    assert f"{engineer.display_name} ticked off" in after
    assert _kpi_section(after) == _kpi_section(before)

    # A measurement changes the cards: they are rebuilt with it.
    target = plan.kpi_targets.order_by("pk").first()
    assert target is not None
    # Noon on the plan's day 9, a day before "today" (day 10), whatever the hour of the run.
    assert plan.start_date is not None
    noon = team.start_of(plan.start_date + timedelta(days=8)) + timedelta(hours=12)
    when = timezone.localtime(noon, ZoneInfo(engineer.time_zone))
    client.post(
        f"/teams/{team.slug}/plans/{plan.pk}/kpis/{target.pk}/measurements/",
        {"value": "7", "measured_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert KpiMeasurement.objects.filter(target=target, value=7).exists()
    fresh = client.get(url).content.decode()
    assert _kpi_section(fresh) != _kpi_section(after)


def test_the_dashboard_lists_overdue_tasks_with_their_page_and_who_has_them(
    client: Client, lead, engineer, team, plan
):
    plan.tasks.update(assignee=None)
    first, second = plan.tasks.filter(day__lt=10).order_by("day", "position", "pk")[:2]
    PlanTask.objects.filter(pk=first.pk).update(assignee=engineer)
    client.force_login(lead)
    body = client.get(f"/teams/{team.slug}/progress/").content.decode()
    overdue = body[body.index('id="overdue-title"') : body.index('id="workload-title"')]
    for task, who in ((first, engineer.display_name), (second, "unassigned")):
        url = f"/teams/{team.slug}/plans/{plan.pk}/tasks/{task.pk}/"
        meta = f'<span class="meta">Day {task.day} · {who}</span>'
        assert f'<a href="{url}">{task.title_text}</a> {meta}' in overdue


def test_my_tasks_groups_by_due_date_and_offers_unassigned_tasks(
    client: Client, lead, engineer, team, plan
):
    plan.tasks.update(assignee=None)
    overdue, today, later = plan.tasks.order_by("pk")[:3]
    for task, day in ((overdue, 3), (today, 10), (later, 29)):  # today is day 10
        PlanTask.objects.filter(pk=task.pk).update(assignee=engineer, start_day=day, day=day)
    client.force_login(engineer)
    response = client.get("/")
    mine = response.context["mine"]
    assert [row.pk for row in mine.overdue] == [overdue.pk]
    assert [row.pk for row in mine.today] == [today.pk]
    assert [row.pk for row in mine.later] == [later.pk]
    assert mine.available_count == plan.tasks.count() - 3
    body = response.content.decode()
    first = plan.tasks.filter(assignee=None).order_by("day", "position").first()
    take = f'action="/teams/{team.slug}/plans/{plan.pk}/tasks/{first.pk}/" class="tick-form">'
    assert take in body
    assert body.count('name="action" value="take"') == len(mine.available)


def test_dashboard_shows_status_rule_overdue_owners_workload_and_feed(
    client: Client, lead, engineer, team, plan
):
    overdue = plan.tasks.filter(day__lt=10).order_by("day").first()
    overdue.assignee = engineer
    overdue.save()
    client.force_login(engineer)
    client.post(f"/teams/{team.slug}/plans/{plan.pk}/tasks/{overdue.pk}/", {"action": "done"})
    client.force_login(lead)
    response = client.get(f"/teams/{team.slug}/progress/")
    body = response.content.decode()
    board = response.context["board"]
    assert board.day == 10
    assert board.phase == 2
    assert "more than 15% under the effort due before today" in body
    assert board.standing.schedule == "behind"
    assert f"{engineer.display_name} ticked off" in body
    assert "Workload per member" in body
    assert board.overdue_count == plan.tasks.filter(day__lt=10, status=TaskStatus.OPEN).count()
    assert '<title id="burnup-svg-title">' in body
    assert "<caption>Burn-up by plan day</caption>" in body


def test_dashboard_is_404_for_outsiders_and_empty_without_a_plan(
    client: Client, outsider, lead, team
):
    client.force_login(outsider)
    assert client.get(f"/teams/{team.slug}/progress/").status_code == 404
    client.force_login(lead)
    body = client.get(f"/teams/{team.slug}/progress/").content.decode()
    assert "This team has no running plan yet." in body


def test_lead_finishes_the_plan_and_engineers_cannot(client: Client, lead, engineer, team, plan):
    url = f"/teams/{team.slug}/plans/{plan.pk}/finish/"
    client.force_login(engineer)
    assert client.post(url).status_code == 403
    client.force_login(lead)
    client.post(url)
    plan.refresh_from_db()
    assert plan.status == "finished"
    body = client.get(f"/teams/{team.slug}/progress/").content.decode()
    assert "finished the plan" in body


def test_all_my_teams_lists_each_team_and_sorts(client: Client, lead, engineer, team, plan):
    quiet = TeamFactory.create(name="Aardvark Quiet")
    MembershipFactory.create(team=quiet, user=lead, role="lead")
    busy = TeamFactory.create(name="Zebra Busy")
    MembershipFactory.create(team=busy, user=lead, role="lead")
    zebra = running_plan(busy, lead, day=5)
    zebra.tasks.filter(day__lt=5).update(status=TaskStatus.DONE, closed_at=timezone.now())
    client.force_login(lead)
    names = [row.team.name for row in client.get("/teams/").context["rows"]]
    assert names == ["Aardvark Quiet", "ML Platform", "Zebra Busy"]
    rows = client.get("/teams/?sort=progress&dir=desc").context["rows"]
    assert next(row.team.name for row in rows) == "Zebra Busy"
    assert rows[-1].summary is None  # no plan sorts last
    body = client.get("/teams/?sort=status").content.decode()
    assert 'aria-sort="ascending"' in body
    assert "No running plan." in body
    assert client.get("/teams/?sort=bogus").status_code == 200


def test_all_my_teams_counts_kpi_targets_reached_and_measured(client: Client, lead, plan):
    targets = list(plan.kpi_targets.order_by("pk"))
    band = next(t for t in targets if t.band is not None)
    reached, measured = [t for t in targets if t.band is None][:2]
    low, high = band.band
    # Noon on the plan's day 9, a day before "today" (day 10), whatever the hour of the run.
    noon = plan.team.start_of(plan.start_date + timedelta(days=8)) + timedelta(hours=12)
    # A single target reached, one measured short of it, a band KPI inside its band.
    for target, value in ((reached, reached.target), (measured, measured.baseline)):
        KpiMeasurement.objects.create(target=target, value=value, measured_at=noon)
    KpiMeasurement.objects.create(target=band, value=(low + high) / 2, measured_at=noon)
    client.force_login(lead)
    row = next(r for r in client.get("/teams/").context["rows"] if r.summary)
    assert row.kpis_total == len(targets)
    assert row.kpis_measured == 3
    assert row.kpis_reached == 2
    assert f"2 of {len(targets)} reached, 3 measured" in client.get("/teams/").content.decode()


def test_lead_pauses_resumes_and_moves_day_one(client: Client, lead, engineer, team, plan):
    base = f"/teams/{team.slug}/plans/{plan.pk}/"
    client.force_login(engineer)
    assert client.post(base + "pause/").status_code == 403
    assert client.post(base + "move/", {"start_date": "2030-01-01"}).status_code == 403
    client.force_login(lead)
    page = client.post(base + "pause/", follow=True).content.decode()
    assert "The plan is paused" in page
    plan.refresh_from_db()
    assert (plan.status, plan.next_reminder_at) == ("paused", None)
    task = plan.tasks.first()
    client.force_login(engineer)
    refused = client.post(f"{base}tasks/{task.pk}/", {"action": "done", "next": "/"}, follow=True)
    assert "This plan is paused. Its lead can resume it." in refused.content.decode()
    client.force_login(lead)
    client.post(base + "resume/")
    plan.refresh_from_db()
    assert plan.status == "active"
    old_start = plan.start_date
    bad = client.post(base + "move/", {"start_date": "1999-01-01"}, follow=True)
    assert "the plan would be over" in bad.content.decode()
    assert client.post(base + "move/", {"start_date": "soon"}, follow=True).status_code == 200
    plan.refresh_from_db()
    assert plan.start_date == old_start
    new_start = old_start + timedelta(days=2)
    client.post(base + "move/", {"start_date": new_start.isoformat()})
    plan.refresh_from_db()
    assert plan.start_date == new_start
    feed = client.get(f"/teams/{team.slug}/progress/").content.decode()
    assert f"moved day 1 to {new_start.isoformat()}" in feed
    assert "paused the plan" in feed


def test_a_request_across_midnight_caches_the_dashboard_of_the_day_it_began(
    client: Client, lead, engineer, team, monkeypatch
):
    # 23:59:59 in Zurich, then midnight passes while the page is being built.
    with time_machine.travel(datetime(2027, 2, 1, 22, 59, 59, tzinfo=UTC), tick=False) as clock:
        running_plan(team, lead, day=3)
        key = selectors.dashboard_key

        def key_then_midnight(plan: Plan, today: object) -> str:
            made = key(plan, today)  # type: ignore[arg-type]
            clock.shift(timedelta(seconds=2))
            return made

        monkeypatch.setattr(selectors, "dashboard_key", key_then_midnight)
        client.force_login(engineer)
        board = client.get(f"/teams/{team.slug}/progress/").context["board"]
    assert (board.today, board.day) == (datetime(2027, 2, 1).date(), 3)


@pytest.mark.parametrize(
    ("now", "today", "coming", "later"),
    [
        # Saturday 2027-02-06, 10:00 in Zurich: the next seven days run to Saturday 13.
        (datetime(2027, 2, 6, 9, 0, tzinfo=UTC), [], [7, 8, 9, 13], [14]),
        # Sunday 2027-02-07, 23:30 in Zurich (still Sunday in UTC): tomorrow is not "later".
        (datetime(2027, 2, 7, 22, 30, tzinfo=UTC), [7], [8, 9, 13, 14], []),
        # Monday 2027-02-08, 00:30 in Zurich but Sunday in UTC: Monday in Zurich.
        (datetime(2027, 2, 7, 23, 30, tzinfo=UTC), [8], [9, 13, 14], []),
    ],
)
def test_my_tasks_groups_the_next_seven_days_in_the_teams_time_zone(
    client: Client, lead, engineer, team, now, today, coming, later
):
    with time_machine.travel(now, tick=False):
        plan = running_plan(team, lead, day=1, now=datetime(2027, 2, 1, 7, tzinfo=UTC))
        plan.tasks.update(assignee=None)
        # Due on Sunday 7, Monday 8, Tuesday 9, Saturday 13 and Sunday 14 February.
        days = (7, 8, 9, 13, 14)
        for task, day in zip(plan.tasks.order_by("pk")[: len(days)], days, strict=True):
            PlanTask.objects.filter(pk=task.pk).update(assignee=engineer, day=day)
        client.force_login(engineer)
        mine = client.get("/").context["mine"]
    assert sorted({row.day for row in mine.today}) == today
    assert sorted({row.day for row in mine.coming}) == coming
    assert sorted({row.day for row in mine.later}) == later


def test_todays_marks_stay_clear_of_the_phase_labels_and_inside_the_burn_up_plot(
    client: Client, lead, team, plan
):
    client.force_login(lead)
    response = client.get(f"/teams/{team.slug}/progress/")
    body = response.content.decode()
    timeline = body[
        body.index('<svg class="timeline"') : body.index(
            "</svg>", body.index('<svg class="timeline"')
        )
    ]
    marks = re.findall(r'<line [^>]*y1="([\d.]+)" y2="([\d.]+)" class="today"/>', timeline)
    assert marks  # day 10 of the plan is marked
    # The bars and their labels take y 8 to 36: today's ticks sit above and below them.
    assert all(float(y2) <= 8 or float(y1) >= 36 for y1, y2 in marks)
    chart = response.context["board"].burn_chart
    assert chart.today_x is not None
    assert chart.plot_left <= float(chart.today_x) <= chart.plot_right
