"""Reminder emails end to end, on the real servers: PostgreSQL, a Celery worker process on
Redis, and an SMTP server (aiosmtpd) that records every message it is handed.

What the SMTP server received is counted raw, deduplicated by nothing: each member gets
the boundary's email exactly once, and a resend after a crash carries the same Message-ID.
"""

from __future__ import annotations

import asyncio
import email
import signal
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from planner.accounts.models import User
from planner.celery import app as celery_app
from planner.plans.models import Plan
from planner.reminders import selectors, services
from planner.reminders.models import Delivery, DeliveryState, Reminder, ReminderState
from planner.reminders.tasks import dispatch_due, sweep_stuck
from planner.teams.models import Team
from tests.factories import MembershipFactory
from tests.faults import free_port
from tests.integration.threads import run_at_once
from tests.integration.workers import start_worker
from tests.progress.plans import running_plan
from tests.servers import REDIS_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds any one wait may take before the test fails
RETRIES = 10  # REMINDER_RETRIES of the worker: 0.5 s doubling is ~8 minutes in all

T = TypeVar("T")


# --- The SMTP server ---------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    to: str
    message_id: str
    subject: str


@dataclass
class Inbox:
    """The aiosmtpd handler: records each message once its data has arrived, before it
    answers. With `hold_first` it then keeps the first sender waiting for the answer."""

    messages: list[Received] = field(default_factory=list)
    hold_first: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(
                Received(
                    to=str(message["To"]),
                    message_id=str(message["Message-ID"]),
                    subject=str(message["Subject"]),
                )
            )
            hold = self.hold_first and len(self.messages) == 1
        if hold:
            self.holding.set()
            while not self.released.is_set():  # the event loop stays free meanwhile
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    def by_recipient(self) -> dict[str, list[str]]:
        """Recipient -> the Message-IDs of everything they received, in arrival order."""
        result: dict[str, list[str]] = defaultdict(list)
        for message in self.received():
            result[message.to].append(message.message_id)
        return dict(result)


class MailServer:
    """An SMTP server on a fixed free port of 127.0.0.1, started when the test says so."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Any = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        self.inbox.released.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """Not started: a test starts it (or starts it late, as the server that was down)."""
    server = MailServer()
    yield server
    server.stop()


# --- The broker and the worker -----------------------------------------------------------


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """The tests' own Redis database, emptied before and after."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def _drop_broker_connections() -> None:
    """Forget the app's connection pool and routing, so the next send uses the current
    conf (the pools themselves stay open in kombu's registry, to be found again)."""
    celery_app.__dict__["_pool"] = None
    celery_app.__dict__.pop("amqp", None)


@pytest.fixture
def queue(broker: redis.Redis) -> Iterator[str]:
    """The test process sends real messages to Redis, on a queue of its own (so that no
    other worker on the same Redis database takes them)."""
    name = f"reminders-test-{uuid.uuid4().hex[:8]}"
    keys = (
        "task_always_eager",
        "broker_url",
        "broker_transport_options",
        "task_default_queue",
    )
    saved = {key: celery_app.conf[key] for key in keys}
    _drop_broker_connections()
    celery_app.conf.update(
        task_always_eager=False,
        broker_url=REDIS_URL,
        broker_transport_options={},
        task_default_queue=name,
    )
    yield name
    _drop_broker_connections()
    celery_app.conf.update(saved)


def worker_database_url() -> str:
    """The database the test process uses (test_...), as a URL for the worker."""
    db = connection.settings_dict
    user = quote(str(db["USER"] or ""), safe="")
    password = str(db["PASSWORD"] or "")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(str(db['NAME']), safe='')}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    name: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Workers:
    """Celery worker processes (solo pool) sending email to the given SMTP port."""

    def __init__(self, queue: str, folder: Path) -> None:
        self.queue = queue
        self.folder = folder
        self.started: list[Worker] = []
        self.killed: list[Worker] = []

    def start(self, email_port: int) -> Worker:
        number = len(self.started) + 1
        name = f"reminders-{number}-{self.queue}@test"
        log = self.folder / f"worker-{number}.log"
        env = {
            "DEBUG": "true",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(email_port),
            "REMINDER_RETRIES": str(RETRIES),
            "REMINDER_RETRY_SECONDS": "0.5",
        }
        process = start_worker(
            env, log, "--pool=solo", f"--hostname={name}", f"--queues={self.queue}"
        )
        worker = Worker(process, name, log)
        self.started.append(worker)
        wait_for(lambda: " ready." in worker.output(), f"{name} to be ready", self)
        return worker

    def kill(self, worker: Worker) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no clean-up."""
        self.killed.append(worker)
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=10)

    def check(self) -> None:
        for worker in self.started:
            if worker not in self.killed and worker.process.poll() is not None:
                raise AssertionError(f"{worker.name} exited:\n{worker.output()[-4000:]}")

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.output()[-3000:]}" for w in self.started)

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.started:
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=10)


@pytest.fixture
def workers(queue: str, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(queue, tmp_path)
    yield running
    running.stop_all()


def wait_for(condition: Callable[[], T], what: str, workers: Workers | None = None) -> T:
    """Poll `condition` until it is truthy; fail after DEADLINE with the workers' logs."""
    deadline = time.monotonic() + DEADLINE
    while True:
        value = condition()
        if value:
            return value
        if workers is not None:
            workers.check()
        if time.monotonic() > deadline:
            logs = workers.logs() if workers is not None else ""
            raise AssertionError(f"Timed out waiting for {what}.\n{logs}")
        time.sleep(0.1)


# --- The plan and its ledger -------------------------------------------------------------


def add_members(team: Team, count: int) -> list[User]:
    return [MembershipFactory.create(team=team).user for _ in range(count)]


def due_plan(team: Team, lead: User) -> tuple[Plan, datetime]:
    """An active plan on day 10 and a moment a minute after its latest passed boundary,
    with the plan due for the dispatcher at that moment."""
    plan = running_plan(team, lead, day=10)
    started = plan.started_at
    assert started is not None
    passed = [due for due in selectors.schedule_of(plan) if due.at <= started]
    now = passed[-1].at + timedelta(minutes=1)
    Plan.objects.filter(pk=plan.pk).update(next_reminder_at=now)  # due at `now`
    plan.refresh_from_db()
    assert plan.next_reminder_at == now
    return plan, now


def member_emails(team: Team) -> set[str]:
    return set(User.objects.filter(memberships__team=team).values_list("email", flat=True))


def deliveries(plan: Plan) -> list[Delivery]:
    return list(Delivery.objects.filter(reminder__plan=plan).select_related("reminder"))


def all_sent(plan: Plan, count: int) -> bool:
    rows = deliveries(plan)
    return len(rows) == count and all(d.state == DeliveryState.SENT for d in rows)


def broker_drained(client: redis.Redis, queue: str) -> bool:
    """No message waiting in the queue and none taken but not yet acknowledged."""
    waiting = sum(client.llen(key) for key in client.scan_iter(match=f"{queue}*", _type="list"))
    return waiting == 0 and client.hlen("unacked") == 0


def assert_one_message_id_each(plan: Plan, received: dict[str, list[str]]) -> None:
    """Every recipient's messages carry one Message-ID: their delivery's."""
    expected = {d.email: d.message_id for d in deliveries(plan)}
    assert set(received) == set(expected)
    for recipient, message_ids in received.items():
        assert set(message_ids) == {expected[recipient]}, recipient


# --- The tests ---------------------------------------------------------------------------


def test_two_dispatchers_at_once_send_each_member_one_email(
    team: Team,
    lead: User,
    mail_server: MailServer,
    workers: Workers,
    broker: redis.Redis,
    queue: str,
) -> None:
    add_members(team, 2)
    members = member_emails(team)
    plan, now = due_plan(team, lead)
    mail_server.start()
    workers.start(mail_server.port)

    outcomes = run_at_once(lambda: dispatch_due(now), lambda: dispatch_due(now))

    results = [o for o in outcomes if isinstance(o, services.DispatchResult)]
    assert len(results) == 2, outcomes
    assert sum(r.sent for r in results) == 1
    assert sum(r.deliveries for r in results) == len(members)
    wait_for(lambda: all_sent(plan, len(members)), "every delivery to be sent", workers)
    wait_for(lambda: broker_drained(broker, queue), "the queue to be drained", workers)

    received = mail_server.inbox.by_recipient()
    assert sorted(received) == sorted(members)
    assert all(len(ids) == 1 for ids in received.values()), received
    assert len(mail_server.inbox.received()) == len(members)
    assert_one_message_id_each(plan, received)
    reminders = list(Reminder.objects.filter(plan=plan, state=ReminderState.DISPATCHED))
    assert len(reminders) == 1
    assert reminders[0].due_at == now - timedelta(minutes=1)
    rows = deliveries(plan)
    assert sorted(d.email for d in rows) == sorted(members)
    assert all(d.reminder_id == reminders[0].pk and d.attempts == 1 for d in rows)
    assert len({m.subject for m in mail_server.inbox.received()}) == 1


def test_worker_killed_while_sending_resends_with_the_same_message_id(
    team: Team, lead: User, mail_server: MailServer, workers: Workers
) -> None:
    add_members(team, 2)
    members = member_emails(team)
    plan, now = due_plan(team, lead)
    mail_server.inbox.hold_first = True
    mail_server.start()
    first = workers.start(mail_server.port)

    assert dispatch_due(now).deliveries == len(members)
    wait_for(mail_server.inbox.holding.is_set, "the first message to reach the server", workers)
    workers.kill(first)  # while the server holds back its answer to the first message
    held = mail_server.inbox.received()[0]
    stuck = Delivery.objects.get(reminder__plan=plan, state=DeliveryState.SENDING)
    assert stuck.email == held.to
    assert held.message_id == stuck.message_id
    mail_server.inbox.released.set()

    # The sweep as it runs once the stuck margin has passed, then a new worker. (Sweeping
    # at a faked later moment while a live worker sends would put that delivery back too.)
    later = timezone.now() + timedelta(minutes=settings.REMINDER_STUCK_MINUTES, seconds=1)
    swept = sweep_stuck(later)
    assert swept.unstuck == 1
    assert Delivery.objects.get(pk=stuck.pk).state == DeliveryState.PENDING
    workers.start(mail_server.port)

    wait_for(lambda: all_sent(plan, len(members)), "every delivery to be sent", workers)
    received = mail_server.inbox.by_recipient()
    assert sorted(received) == sorted(members)
    # The one cut off is received twice, as the same message; everyone else once.
    assert {to: len(ids) for to, ids in received.items()} == {
        to: 2 if to == held.to else 1 for to in members
    }
    assert_one_message_id_each(plan, received)
    stuck.refresh_from_db()
    assert stuck.attempts == 2
    assert all(d.attempts == 1 for d in deliveries(plan) if d.pk != stuck.pk)


def test_mail_server_down_then_up_delivers_everything_once(
    team: Team,
    lead: User,
    mail_server: MailServer,
    workers: Workers,
    broker: redis.Redis,
    queue: str,
) -> None:
    add_members(team, 1)
    members = member_emails(team)
    plan, now = due_plan(team, lead)
    workers.start(mail_server.port)  # nothing listens on it yet

    assert dispatch_due(now).deliveries == len(members)

    def waiting_for_retry() -> bool:
        rows = deliveries(plan)
        return len(rows) == len(members) and all(
            d.state == DeliveryState.PENDING and d.attempts >= 1 and d.reason for d in rows
        )

    wait_for(waiting_for_retry, "every delivery to fail once and wait for a retry", workers)
    assert not mail_server.inbox.received()
    reasons = {d.reason for d in deliveries(plan)}
    assert all(reason.startswith("ConnectionRefusedError") for reason in reasons), reasons

    mail_server.start()
    wait_for(lambda: all_sent(plan, len(members)), "every delivery to be sent", workers)
    wait_for(lambda: broker_drained(broker, queue), "the queue to be drained", workers)

    received = mail_server.inbox.by_recipient()
    assert sorted(received) == sorted(members)
    assert all(len(ids) == 1 for ids in received.values()), received
    assert len(mail_server.inbox.received()) == len(members)
    assert_one_message_id_each(plan, received)
    rows = deliveries(plan)
    assert all(d.attempts >= 2 and d.reason == "" and d.sent_at for d in rows)
