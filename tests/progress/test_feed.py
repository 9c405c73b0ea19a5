"""The feed as the dashboard and a task's page show it: who (a member, a name an import
kept, or "Someone"), when in the reader's time zone, and the task or KPI it is about."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client

from planner.plans.models import Activity, ActivityKind, Plan
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db

AT = datetime(2027, 3, 2, 13, 5, tzinfo=UTC)  # 14:05 in Zurich, a Tuesday


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=5)


def test_the_dashboard_feed_names_who_links_the_task_and_reads_the_readers_clock(
    client: Client, lead, engineer, team, plan
):
    task = plan.tasks.order_by("pk").first()
    target = plan.kpi_targets.order_by("pk").first()
    assert task is not None
    assert target is not None
    Activity.objects.filter(plan=plan).delete()
    Activity.objects.bulk_create(
        [
            Activity(plan=plan, task=task, actor=engineer, kind=ActivityKind.DONE, at=AT),
            Activity(
                plan=plan,
                task=task,
                actor=None,
                kind=ActivityKind.REOPENED,
                at=AT,
                detail={"actor_name": "Jürg <Müller>", "via": "CI pipeline"},
            ),
            Activity(
                plan=plan,
                task=task,
                actor=None,
                kind=ActivityKind.SKIPPED,
                at=AT,
                detail={"reason": "done <elsewhere>"},
            ),
            Activity(
                plan=plan,
                kpi_target=target,
                actor=lead,
                kind=ActivityKind.MEASURED,
                at=AT,
                detail={"value": 144},
            ),
        ]
    )
    engineer.time_zone = "Europe/Zurich"
    engineer.save()
    client.force_login(engineer)
    cache.clear()
    body = client.get(f"/teams/{team.slug}/progress/").content.decode()
    feed = body[
        body.index('<ol class="feed">') : body.index("</ol>", body.index('<ol class="feed">'))
    ]
    url = f"/teams/{team.slug}/plans/{plan.pk}/tasks/{task.pk}/"
    title = task.title["en"]
    assert feed.count('<time datetime="2027-03-02T14:05:00+0100">Tue 2 Mar, 14:05</time>') == 4
    assert f'{engineer.display_name} ticked off <a href="{url}">{title}</a>' in feed
    # An imported entry keeps its person's name, escaped like everything else.
    assert f'Jürg &lt;Müller&gt; reopened <a href="{url}">{title}</a>' in feed
    assert "(through CI pipeline)" in feed
    assert f'Someone skipped <a href="{url}">{title}</a>: <q>done &lt;elsewhere&gt;</q>' in feed
    assert f"{lead.display_name} measured {target.title['en']}: 144" in feed

    # A task's own history does not link the task it is on.
    page = client.get(url).content.decode()
    history = page[page.index('<ol class="feed">') :]
    assert f"{engineer.display_name} ticked it off" in history
    assert f'href="{url}"' not in history[: history.index("</ol>")]
