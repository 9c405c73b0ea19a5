"""Phase-boundary reminders: the dispatcher's cost against the number of plans, and the
email delivery pipeline against Django and `smtplib` sending the same messages.

Goals (from the issues):
- Dispatching 1,000 due plans among 10,000 active ones costs at most 1.5x dispatching
  1,000 due plans alone: as rates (plans dispatched per second), a ratio of at least 0.67.
- Emails go through the whole pipeline (the send task: claim each delivery, build its
  email with Django, send it through Django's SMTP backend, one connection a batch, mark
  it sent) at least half as fast as Django building the same messages and plain `smtplib`
  sending them over one connection, with no ledger: a ratio of at least 0.5.

Celery publishes to the in-memory transport (`memory://`), so the send tasks are really
queued; the emails go to a local `aiosmtpd` server that counts them.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from aiosmtpd.controller import Controller
from celery.signals import after_task_publish
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address
from kombu.transport import memory

from benchmarks.harness import Figure
from planner.accounts.models import User
from planner.celery import app as celery_app
from planner.plans.models import KpiTarget, Plan, PlanStatus, PlanTask, TaskStatus
from planner.progress.models import KpiMeasurement
from planner.reminders import emails
from planner.reminders.models import Delivery, DeliveryState, Reminder, ReminderState
from planner.reminders.schedule import boundaries, local_moment
from planner.reminders.tasks import SEND_BATCH, dispatch_due, send_deliveries
from planner.teams.models import Membership, Role, Team

PREFIX = "bench-rem"
TIME_ZONE = "Europe/Zurich"
ZONE = zoneinfo.ZoneInfo(TIME_ZONE)
PHASES = [[1, 7], [8, 14], [15, 21], [22, 30]]
LENGTH = 30
MEMBERS = 3  # per team in the dispatch cases
DUE = 1_000
NOT_DUE = 9_000
ROUNDS = 3  # each case is timed this many times; the best round counts

MAIL_MEMBERS = 40  # one delivery per member and boundary: 40 x 5 = 200
MAIL_TASKS = 30
MAIL_TARGETS = 4
MAIL_MEASUREMENTS = 60
MAIL_TODAY = 17  # the plan day it is today in the email case
MAIL_ROUNDS = 5  # each rate is the best of this many rounds: single rounds vary by ±30%
NO_PASSWORD = make_password(None)  # unusable: nobody signs in; hashing would be slow


# -- Celery: publish to the in-memory transport and count what is published -----------


class Published:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, sender: object = None, **_: object) -> None:
        if sender == send_deliveries.name:
            self.count += 1


def _queued() -> int:
    queue = memory.Channel.queues.get(celery_app.conf.task_default_queue)
    return 0 if queue is None else int(queue.qsize())


def _purge() -> None:
    for queue in memory.Channel.queues.values():
        while not queue.empty():
            queue.get_nowait()


@contextmanager
def _memory_broker() -> Iterator[Published]:
    conf = celery_app.conf
    saved = {
        key: conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    conf.update(
        task_always_eager=False,
        broker_url="memory://localhost/",  # with a hostname, or kombu warns
        broker_transport_options={},
    )
    published = Published()
    after_task_publish.connect(published, weak=False)
    try:
        yield published
    finally:
        after_task_publish.disconnect(published)
        _purge()
        for key, value in saved.items():
            conf[key] = value
        # Forget the connection and producer pools bound to the in-memory transport, as
        # Celery does after a fork, so that later publishing uses the restored broker.
        pool: Any = celery_app.pool
        pool.force_close_all()
        celery_app._after_fork()  # type: ignore[attr-defined]


# -- Dispatch ------------------------------------------------------------------------


def _moment(start: date, day: int) -> datetime:
    return local_moment(start, day, ZONE, settings.REMINDER_HOUR)


def _plans(first: int, count: int, start: date, next_at: datetime) -> list[int]:
    """`count` teams of MEMBERS members, each running a plan that started on `start`
    whose kick-off is already in the ledger and that the dispatcher looks at `next_at`."""
    numbers = range(first, first + count)
    teams = Team.objects.bulk_create(
        Team(name=f"Bench reminders {n}", slug=f"{PREFIX}-{n}", time_zone=TIME_ZONE)
        for n in numbers
    )
    users = User.objects.bulk_create(
        User(email=f"{PREFIX}-{n}-{m}@example.org", name=f"Member {m} of {n}", password=NO_PASSWORD)
        for n in numbers
        for m in range(MEMBERS)
    )
    Membership.objects.bulk_create(
        Membership(
            team=team,
            user=users[t * MEMBERS + m],
            role=Role.LEAD if m == 0 else Role.ENGINEER,
        )
        for t, team in enumerate(teams)
        for m in range(MEMBERS)
    )
    plans = Plan.objects.bulk_create(
        Plan(
            team=team,
            status=PlanStatus.ACTIVE,
            length=LENGTH,
            phases=PHASES,
            playbook_version="bench",
            start_date=start,
            created_by=users[t * MEMBERS],
            next_reminder_at=next_at,
        )
        for t, team in enumerate(teams)
    )
    kick_off = _moment(start, 1)
    Reminder.objects.bulk_create(
        Reminder(plan=plan, key="kickoff", due_at=kick_off, state=ReminderState.SKIPPED)
        for plan in plans
    )
    return [plan.pk for plan in plans]


def _dispatch_ms(
    now: datetime, due_ids: list[int], due_at: datetime, published: Published
) -> float:
    """The best of ROUNDS timed `dispatch_due(now)` runs over the due plans (recording
    them in the ledger, then queueing their send tasks), each from the same state: the
    plans' phase-2 reminder not yet in the ledger, nothing queued."""
    best = float("inf")
    for _ in range(ROUNDS):
        Reminder.objects.filter(plan_id__in=due_ids, key="phase-2").delete()
        Plan.objects.filter(pk__in=due_ids).update(next_reminder_at=due_at)
        _purge()
        published.count = 0
        started = time.perf_counter()
        result = dispatch_due(now)
        elapsed = time.perf_counter() - started
        assert (result.plans, result.sent, result.skipped) == (len(due_ids), len(due_ids), 0), (
            result
        )
        assert result.deliveries == len(due_ids) * MEMBERS, result
        # One send task per reminder: a team's deliveries go out as one batch.
        assert published.count == len(due_ids), (published.count, len(due_ids))
        assert _queued() == len(due_ids), (_queued(), len(due_ids))
        best = min(best, elapsed)
    return best * 1000


def _dispatch_figure() -> Figure:
    today = datetime.now(UTC).date()
    # Noon UTC: after 09:00 in Zurich whatever the season.
    now = datetime.combine(today, clock(12), tzinfo=UTC)
    due_start = today - timedelta(days=7)  # day 8 today: phase 2 starts this morning
    due_at = _moment(due_start, 8)
    later_start = today - timedelta(days=3)  # day 4 today: phase 2 is four days away
    assert due_at <= now < _moment(later_start, 8)

    with _memory_broker() as published:
        due_ids = _plans(0, DUE, due_start, due_at)
        alone = _dispatch_ms(now, due_ids, due_at, published)
        _plans(DUE, NOT_DUE, later_start, _moment(later_start, 8))
        assert Plan.objects.filter(status=PlanStatus.ACTIVE).count() >= DUE + NOT_DUE
        among = _dispatch_ms(now, due_ids, due_at, published)
    total = DUE + NOT_DUE
    return Figure(
        f"dispatch {DUE:,} due of {total:,} active plans ({among:.0f} ms, "
        f"{among / alone:.2f}x the time)",
        DUE / among * 1000,
        f"{DUE:,} due of {DUE:,} ({alone:.0f} ms)",
        DUE / alone * 1000,
        unit="plans/s",
    )


# -- Email delivery ------------------------------------------------------------------


class Counter:
    """An SMTP handler that accepts and counts every message."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _smtp_server() -> Iterator[tuple[Counter, int]]:
    counter = Counter()
    port = _free_port()
    # aiosmtpd logs every SMTP command, Celery every task it runs, at INFO.
    logs = [logging.getLogger(name) for name in ("mail.log", "celery.app.trace")]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.WARNING)
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
    saved = {name: getattr(settings, name) for name in names}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield counter, port
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        controller.stop()
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)


def _mail_plan() -> list[Delivery]:
    """A running plan (day 17 of 30) of 30 tasks, 40 named members and 4 KPI targets with
    measurements, every boundary in the ledger with a pending delivery per member."""
    now = datetime.now(UTC)
    start_date = datetime.now(ZONE).date() - timedelta(days=MAIL_TODAY - 1)
    start = datetime.combine(start_date, clock(8), tzinfo=ZONE)
    team = Team.objects.create(
        name="Bench reminder mail", slug=f"{PREFIX}-mail", time_zone=TIME_ZONE
    )
    members = User.objects.bulk_create(
        User(email=f"{PREFIX}-mail-{n}@example.org", name=f"Engineer {n}", password=NO_PASSWORD)
        for n in range(MAIL_MEMBERS)
    )
    Membership.objects.bulk_create(
        Membership(team=team, user=user, role=Role.LEAD if n == 0 else Role.ENGINEER)
        for n, user in enumerate(members)
    )
    plan = Plan.objects.create(
        team=team,
        status=PlanStatus.ACTIVE,
        length=LENGTH,
        phases=PHASES,
        playbook_version="bench",
        start_date=start_date,
        created_by=members[0],
        started_at=start,
        next_reminder_at=None,  # not the dispatcher's: its deliveries are made here
    )
    tasks = []
    for n in range(MAIL_TASKS):
        day = 1 + n * LENGTH // MAIL_TASKS
        assignee = members[n % 10]
        done = day < MAIL_TODAY and n % 4 != 1
        tasks.append(
            PlanTask(
                plan=plan,
                catalogue_id=f"bench-{n}",
                area="monitoring",
                phase=next(i for i, (a, b) in enumerate(PHASES, 1) if a <= day <= b),
                start_day=day,
                day=day,
                position=n,
                assignee=assignee,
                effort_hours=Decimal("2.0"),
                title={"en": f"Set up alerting step {n}", "de": f"Alarmierung Schritt {n}"},
                status=TaskStatus.DONE if done else TaskStatus.OPEN,
                closed_at=start + timedelta(days=day - 1, hours=2) if done else None,
                closed_by=assignee if done else None,
            )
        )
    PlanTask.objects.bulk_create(tasks)
    targets = KpiTarget.objects.bulk_create(
        KpiTarget(
            plan=plan,
            kpi_id=f"bench-latency-{n}",
            area="monitoring",
            title={"en": f"Latency {n}", "de": f"Latenz {n}"},
            unit="ms",
            direction="lower",
            baseline=200,
            target=120,
            minimum=1,
            maximum=60000,
        )
        for n in range(MAIL_TARGETS)
    )
    step = timedelta(days=MAIL_TODAY - 2) / MAIL_MEASUREMENTS
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            target=targets[n % MAIL_TARGETS],
            value=200 - 60 * n / MAIL_MEASUREMENTS,
            measured_at=start + step * n,
            recorded_by=members[n % 10],
        )
        for n in range(MAIL_MEASUREMENTS)
    )
    reminders = Reminder.objects.bulk_create(
        Reminder(
            plan=plan,
            key=b.key,
            due_at=_moment(start_date, b.day),
            state=ReminderState.DISPATCHED,
            created_at=now,
        )
        for b in boundaries(PHASES, LENGTH)
    )
    Delivery.objects.bulk_create(
        Delivery(reminder=reminder, user=user, email=user.email, next_attempt_at=now)
        for reminder in reminders
        for user in members
    )
    return list(
        Delivery.objects.filter(reminder__plan=plan)
        .select_related("reminder__plan__team", "user")
        .order_by("pk")
    )


def _best_rate(count: int, prepare: Callable[[], None], send_all: Callable[[], None]) -> float:
    best = 0.0
    for _ in range(MAIL_ROUNDS):
        prepare()
        started = time.perf_counter()
        send_all()
        best = max(best, count / (time.perf_counter() - started))
    return best


def _email_figure() -> Figure:
    deliveries = _mail_plan()
    ids = [d.pk for d in deliveries]
    # The batches the dispatcher queues: each reminder's deliveries, SEND_BATCH at most.
    batches: list[list[int]] = []
    for reminder_id in sorted({d.reminder_id for d in deliveries}):
        of_reminder = [d.pk for d in deliveries if d.reminder_id == reminder_id]
        for start in range(0, len(of_reminder), SEND_BATCH):
            batches.append(of_reminder[start : start + SEND_BATCH])

    def build_all() -> list[EmailMessage]:
        """Every delivery's email, built as the task builds them: one `ReminderMail` per
        reminder, an `EmailMultiAlternatives` per recipient."""
        mails: dict[int, emails.ReminderMail] = {}
        built: list[EmailMessage] = []
        for d in deliveries:
            assert d.user is not None
            reminder = d.reminder
            if reminder.pk not in mails:
                plan = reminder.plan
                boundary = emails.boundary_of(plan, reminder.key)
                mails[reminder.pk] = emails.ReminderMail(plan, boundary)
            built.append(mails[reminder.pk].email(d.user, message_id=d.message_id))
        return built

    with _smtp_server() as (counter, port):

        def reset() -> None:
            Delivery.objects.filter(pk__in=ids).update(
                state=DeliveryState.PENDING, attempts=0, claimed_at=None, sent_at=None
            )

        def run_tasks() -> None:
            for batch in batches:
                counts = send_deliveries.apply(args=(batch,)).get()
                assert counts["sent"] == len(batch), (batch, counts)

        def run_django_smtplib() -> None:
            # Django builds each message as the task does (MIME included); plain smtplib
            # sends it: no ledger, no claim, no Celery, no mail backend. The gap to the
            # task is the price of exactly once.
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for message in build_all():
                    smtp.sendmail(
                        sanitize_address(message.from_email, "utf-8"),
                        [sanitize_address(to, "utf-8") for to in message.to],
                        # As Django's SMTP backend writes it; the stubs know only
                        # email.message.Message.as_bytes, not Django's override.
                        message.message().as_bytes(linesep="\r\n"),  # type: ignore[call-arg]
                    )

        task_rate = _best_rate(len(ids), reset, run_tasks)
        sent = Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENT).count()
        assert sent == len(ids), (sent, len(ids))
        plain_rate = _best_rate(len(deliveries), lambda: None, run_django_smtplib)
        expected = MAIL_ROUNDS * (len(ids) + len(deliveries))
        assert counter.count == expected, (counter.count, expected)
    return Figure(
        f"send task: claim, build with Django, send, mark sent ({len(ids)} deliveries in "
        f"{len(batches)} batches, {1000 / task_rate:.2f} ms each)",
        task_rate,
        f"Django builds, smtplib sends, no ledger ({1000 / plain_rate:.2f} ms each)",
        plain_rate,
        unit="emails/s",
    )


def run() -> list[Figure]:
    return [_dispatch_figure(), _email_figure()]
