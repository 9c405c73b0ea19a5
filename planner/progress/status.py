"""Moved to `planner.progress.standing` (this name collided with `TaskStatus` and
`PlanStatus`). Kept only for `planner/reminders/emails.py`, which another branch owns;
delete it once that module imports `standing`."""

from planner.progress.standing import PhaseProgress, phase_progress

__all__ = ["PhaseProgress", "phase_progress"]
