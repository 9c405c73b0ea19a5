"""Run actions at the same moment in threads, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_at_once(*actions: Callable[[], T]) -> list[T | BaseException]:
    """Each action's result, or the exception it raised, in the order given."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[T | BaseException] = [RuntimeError("did not finish")] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = actions[index]()
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
