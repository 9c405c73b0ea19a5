"""The engineers' client: one thread and one keep-alive connection per engineer.

On a 2-core machine the client shares the CPU with gunicorn and PostgreSQL, so it must
cost little per request: the standard library's `http.client` takes about 120 us of CPU
for a /healthz request where httpx takes about 500 us (its cookie jar, URL and header
models), which would make the client, not the server, what limits /healthz's rate. The
threads spend their time waiting on the server (the GIL is released meanwhile); the loop
reads no HTML, only status codes and, once per engineer, the CSRF cookie. The phases
report the client's own CPU use so that a client-bound figure shows as such.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from benchmarks.load.ticks import Action, TickLedger

# The engineer's loop, in order (issue 16): My tasks, an htmx tick, the dashboard, the task.
MY_TASKS, TICK, DASHBOARD, TASK_PAGE = "my tasks", "tick", "dashboard", "task page"
LOOP: tuple[str, ...] = (MY_TASKS, TICK, DASHBOARD, TASK_PAGE)
HEALTHZ = "/healthz"
TIMEOUT = 10.0  # seconds: a request slower than this counts as an error
PROBLEMS_KEPT = 5  # the first few errors are described in the report


@dataclass
class Engineer:
    """A signed-in engineer (by session cookie) and the one task of theirs they tick."""

    email: str
    session: str
    team_slug: str
    plan_id: int
    task_id: int
    ledger: TickLedger

    @property
    def task_url(self) -> str:
        return f"/teams/{self.team_slug}/plans/{self.plan_id}/tasks/{self.task_id}/"

    @property
    def dashboard_url(self) -> str:
        return f"/teams/{self.team_slug}/progress/"


@dataclass
class Samples:
    """Latencies of the successful requests and counts of the failed ones, per type."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float, problem: str) -> None:
        if problem:
            self.errors[kind] += 1
            if len(self.problems) < PROBLEMS_KEPT:
                self.problems.append(f"{kind}: {problem}")
        else:
            self.latencies[kind].append(seconds)

    def merge(self, other: Samples) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        for kind, count in other.errors.items():
            self.errors[kind] += count
        self.problems.extend(other.problems[: PROBLEMS_KEPT - len(self.problems)])


class Connection:
    """An engineer's keep-alive connection, their cookies sent as they are (no cookie
    jar), and the CSRF token their ticks echo."""

    def __init__(self, base_url: str, engineer: Engineer, session_cookie: str) -> None:
        address = urlsplit(base_url)
        self.engineer = engineer
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.session_cookie = session_cookie
        self.cookies = f"{session_cookie}={engineer.session}"
        self.csrf = ""
        self.http = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> http.client.HTTPResponse:
        """One request, its body read (so the connection can carry the next). A failed
        connection is replaced for the next request; this one counts as failed."""
        try:
            self.http.request(method, path, body, {"Cookie": self.cookies, **(headers or {})})
            response = self.http.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            self.http = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            raise
        return response

    def close(self) -> None:
        self.http.close()


def connect(base_url: str, engineer: Engineer, session_cookie: str) -> Connection:
    return Connection(base_url, engineer, session_cookie)


def cookie_from(response: http.client.HTTPResponse, name: str) -> str:
    """The value `response` sets for the cookie `name`, or ''."""
    for header in response.headers.get_all("Set-Cookie") or []:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar[name].value
    return ""


def sign_in_check(connection: Connection, csrf_cookie: str) -> None:
    """GET My tasks once: proves the session signs the engineer in (a redirect to the
    sign-in page otherwise), and takes the CSRF cookie that ticks must echo."""
    response = connection.send("GET", "/")
    if response.status != 200:
        raise RuntimeError(
            f"{connection.engineer.email}: My tasks answered {response.status}, not 200"
        )
    token = cookie_from(response, csrf_cookie)
    if not token:
        raise RuntimeError(f"{connection.engineer.email}: no {csrf_cookie} cookie on My tasks")
    connection.csrf = token
    connection.cookies += f"; {csrf_cookie}={token}"


def request(connection: Connection, kind: str) -> str:
    """Send one request of the loop; '' when it answered 200, else what went wrong. Every
    page of the loop answers 200: a redirect would be the sign-in page of a lost session."""
    engineer = connection.engineer
    action: Action | None = None
    try:
        if kind == TICK:
            action = engineer.ledger.next_action()
            response = connection.send(
                "POST",
                engineer.task_url,
                urlencode({"action": action, "next": "/"}).encode(),
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "HX-Request": "true",
                    "X-CSRFToken": connection.csrf,
                },
            )
        else:
            path = {
                MY_TASKS: "/",
                DASHBOARD: engineer.dashboard_url,
                TASK_PAGE: engineer.task_url,
                HEALTHZ: HEALTHZ,
            }[kind]
            response = connection.send("GET", path)
        problem = "" if response.status == 200 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as error:
        problem = f"{type(error).__name__}: {error}"
    if action is not None:
        engineer.ledger.record(action, ok=not problem)
    return problem


@dataclass(frozen=True)
class PhaseRun:
    """What a phase collected: the samples, how long it took until the last request
    ended, and the CPU seconds the client process used meanwhile."""

    samples: Samples
    seconds: float
    cpu: float


def run_phase(
    connections: Sequence[Connection],
    kinds: Sequence[str],
    seconds: float,
    stop: threading.Event,
    *,
    pace: float | None = None,
) -> PhaseRun:
    """Every connection loops through `kinds` for `seconds`: as fast as it can, or with
    `pace` one request every `pace` seconds, the starts spread evenly over the first
    interval (a person's rhythm, not fifty at once). Requests under way at the end finish
    and count."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + seconds
    results = [Samples() for _ in connections]

    def loop(index: int) -> None:
        connection, samples = connections[index], results[index]
        offset = pace * index / len(connections) if pace else 0.0
        step = 0
        while not stop.is_set():
            if pace:
                due = started + offset + step * pace
                if due >= deadline or stop.wait(max(due - time.perf_counter(), 0.0)):
                    return
            elif time.perf_counter() >= deadline:
                return
            kind = kinds[step % len(kinds)]
            sent = time.perf_counter()
            problem = request(connection, kind)
            samples.add(kind, time.perf_counter() - sent, problem)
            step += 1

    threads = [
        threading.Thread(target=loop, args=(i,), daemon=True) for i in range(len(connections))
    ]
    _run_all(threads, stop)
    merged = Samples()
    for samples in results:
        merged.merge(samples)
    return PhaseRun(merged, time.perf_counter() - started, time.process_time() - cpu_started)


def warm_up(connections: Sequence[Connection], csrf_cookie: str, stop: threading.Event) -> None:
    """Check every session at once (threads), as the phases will use them."""
    failures: list[BaseException] = []

    def check(connection: Connection) -> Callable[[], None]:
        def run() -> None:
            try:
                sign_in_check(connection, csrf_cookie)
            except Exception as error:  # noqa: BLE001 - reported below, with the others
                failures.append(error)

        return run

    _run_all([threading.Thread(target=check(c), daemon=True) for c in connections], stop)
    if failures:
        raise RuntimeError(f"{len(failures)} sessions failed the warm-up: {failures[0]}")


def _run_all(threads: Sequence[threading.Thread], stop: threading.Event) -> None:
    """Start and join the threads; Ctrl-C stops them after their request under way."""
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        for thread in threads:
            thread.join(TIMEOUT + 1)
        raise
