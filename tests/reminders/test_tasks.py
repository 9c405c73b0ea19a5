"""Which tasks are acknowledged only after they ran: those the ledger makes safe to run twice."""

from __future__ import annotations

from planner.celery import app
from planner.reminders import tasks
from planner.webhooks import tasks as webhooks


def test_only_tasks_safe_to_run_twice_are_acknowledged_after_they_ran():
    assert not app.conf.task_acks_late  # not for every task
    assert {name for name, task in app.tasks.items() if task.acks_late} == {
        tasks.dispatch.name,
        tasks.sweep.name,
        tasks.send_deliveries.name,
        # Webhooks: the ledger makes them safe to run twice as well.
        webhooks.dispatch.name,
        webhooks.record_activity.name,
        webhooks.send_deliveries.name,
    }
    assert tasks.send_deliveries.reject_on_worker_lost
    assert not tasks.send_test.acks_late  # a test email is not in the ledger
