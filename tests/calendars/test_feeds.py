"""iCalendar feeds under a secret, resettable link: phases and tasks on their days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar, Event

from planner.calendars.models import CalendarLink
from planner.plans.models import PlanTask
from planner.teams.models import hash_token
from tests.factories import MembershipFactory, TeamFactory
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db

# 10:00 in Zurich on Monday 1 February 2027; the plan started on its day 1 that morning.
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def _create_link(client: Client) -> str:
    page = client.post("/accounts/calendar/").content.decode()
    found = re.search(r'value="https?://[^"]+/calendar/([^/"]+)/my-tasks\.ics"', page)
    assert found, page
    return found.group(1)


def _events(body: bytes) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(body)
    return {
        str(event.get("uid")): {
            "summary": str(event.get("summary")),
            "start": event.start,
            "end": event.end,
        }
        for event in calendar.walk("VEVENT")
        if isinstance(event, Event)
    }


def test_my_feed_holds_the_phases_and_my_tasks_on_their_days(client: Client, lead, engineer, team):
    with time_machine.travel(NOW, tick=False):
        plan = running_plan(team, lead, day=1)
        plan.tasks.update(assignee=lead)
        mine = plan.tasks.order_by("day", "pk").first()
        assert mine is not None
        PlanTask.objects.filter(pk=mine.pk).update(assignee=engineer, start_day=3, day=4)
        client.force_login(engineer)
        token = _create_link(client)
        response = Client().get(f"/calendar/{token}/my-tasks.ics")  # no session: a calendar app
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    phase_two = next(e for uid, e in events.items() if uid.startswith(f"plan-{plan.pk}-phase-2@"))
    assert phase_two["start"] == date(2027, 2, 8)  # day 8 in the team's calendar
    assert "phase 2, Infrastructure automation" in str(phase_two["summary"])
    task = events[next(uid for uid in events if uid.startswith(f"task-{mine.pk}@"))]
    assert (task["start"], task["end"]) == (date(2027, 2, 3), date(2027, 2, 5))  # days 3-4
    others = [
        uid for uid in events if uid.startswith("task-") and not uid.startswith(f"task-{mine.pk}@")
    ]
    assert others == []  # only the tasks assigned to me


def test_only_the_digest_is_stored_and_resetting_ends_the_old_link(client: Client, engineer, team):
    client.force_login(engineer)
    first = _create_link(client)
    assert CalendarLink.objects.get(user=engineer).token_hash == hash_token(first)
    second = _create_link(client)
    assert Client().get(f"/calendar/{first}/my-tasks.ics").status_code == 404
    assert Client().get(f"/calendar/{second}/my-tasks.ics").status_code == 200
    assert Client().get("/calendar/not-a-token/my-tasks.ics").status_code == 404
    # The link is shown once: coming back shows no link, only the reset.
    again = client.get("/accounts/calendar/").content.decode()
    assert second not in again
    assert "Reset the calendar links" in again


def test_a_team_feed_is_for_members_only(client: Client, lead, engineer, outsider, team):
    with time_machine.travel(NOW, tick=False):
        plan = running_plan(team, lead, day=1)
    client.force_login(engineer)
    token = _create_link(client)
    feed = Client().get(f"/calendar/{token}/teams/{team.slug}.ics")
    assert feed.status_code == 200
    tasks = [uid for uid in _events(feed.content) if uid.startswith("task-")]
    assert len(tasks) == plan.tasks.count()  # the whole team's plan
    other = TeamFactory.create(slug="elsewhere")
    MembershipFactory.create(team=other, user=outsider, role="lead")
    assert Client().get(f"/calendar/{token}/teams/elsewhere.ics").status_code == 404


def test_the_feed_speaks_the_owners_language(client: Client, lead, engineer, team):
    engineer.language = "de"
    engineer.save()
    with time_machine.travel(NOW, tick=False):
        running_plan(team, lead, day=1)
        client.force_login(engineer)
        token = _create_link(client)
        body = Client().get(f"/calendar/{token}/teams/{team.slug}.ics").content
    summaries = [str(e.get("summary")) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert "ML Platform: Phase 2, Automatisierung der Infrastruktur" in summaries
    assert b"DTSTART;VALUE=DATE:" in body  # all-day events: dates, not times
