"""Words for the figures of `standing`, in the reader's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from planner.progress.standing import Schedule

SCHEDULE: dict[Schedule, Promise] = {
    Schedule.NOT_STARTED: _("not started"),
    Schedule.EARLY: _("too early to tell"),
    Schedule.AHEAD: _("ahead"),
    Schedule.ON_TRACK: _("on track"),
    Schedule.BEHIND: _("behind"),
    Schedule.FINISHED: _("finished"),
}

# The badge style of each schedule state.
SCHEDULE_STYLE = {
    Schedule.NOT_STARTED: "muted",
    Schedule.EARLY: "muted",
    Schedule.AHEAD: "success",
    Schedule.ON_TRACK: "success",
    Schedule.BEHIND: "warning",
    Schedule.FINISHED: "muted",
}
