"""How webhooks hear of changes below them: a feed entry committed (connected in
WebhooksConfig.ready). Plans write the entry in the change's transaction; this only
queues a look at it once that commits, and only when the plan's team has a webhook (the
sweep in `tasks.dispatch` covers a miss)."""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction

from planner.plans.models import Activity
from planner.webhooks.events import FROM_ACTIVITY
from planner.webhooks.tasks import activity_committed


def activity_recorded(sender: Any, *, instance: Activity, created: bool, **_: Any) -> None:
    if created and instance.kind in FROM_ACTIVITY:
        transaction.on_commit(
            functools.partial(activity_committed, instance.pk, instance.plan_id), robust=True
        )
