"""The recipe docs/recipes/verify-webhook-signature.md runs: its Python block checks a
real delivery Planner made to a server on 127.0.0.1, both ways, so the doc cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.progress import services as progress

pytestmark = pytest.mark.django_db

RECIPE = Path(__file__).resolve().parents[2] / "docs" / "recipes" / "verify-webhook-signature.md"


def recipe_code() -> dict[str, object]:
    [block] = re.findall(r"```python\n(.*?)```", RECIPE.read_text(), flags=re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(block, str(RECIPE), "exec"), namespace)  # noqa: S102 # our own doc's code
    return namespace


def test_the_recipe_verifies_a_real_delivery_both_ways(
    django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    task = plan.tasks.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=task.pk, user=lead)
    [got] = receiver.at("/hook")
    code = recipe_code()
    secret = endpoint.secret
    for verify in (code["verify_with_library"], code["verify_by_hand"]):
        event = verify(got.body, got.headers, secret)  # type: ignore[operator]
        assert event["type"] == "task.done"
        assert event["data"]["task"]["id"] == task.pk
        with pytest.raises(ValueError, match="not from Planner"):
            verify(got.body.replace(b"done", b"DONE"), got.headers, secret)  # type: ignore[operator]
        other = "whsec_" + "A" * 43 + "="
        with pytest.raises(ValueError, match="not from Planner"):
            verify(got.body, got.headers, other)  # type: ignore[operator]
