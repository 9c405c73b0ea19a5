"""Reads for the progress pages, one module per page, and the plan facts, plan summaries
and KPI cards several of them share.

Each page costs a fixed number of queries, whatever the number of tasks, measurements or
teams; the figures come from `planner.progress.standing`. Pages get rows (small
dataclasses), not model instances with attributes added. Callers use the names below.
"""

from planner.progress.selectors.dashboard_page import (
    FEED_LENGTH,
    OVERDUE_SHOWN,
    Dashboard,
    MemberRow,
    OverdueRow,
    current_plan,
    dashboard,
    dashboard_key,
    kpi_key,
)
from planner.progress.selectors.facts import facts_by_plan
from planner.progress.selectors.feed import FeedEntry, feed_entries
from planner.progress.selectors.kpis import TREND_POINTS, KpiCard, kpi_cards, reached
from planner.progress.selectors.my_tasks_page import (
    TAKE_SHOWN,
    MyTaskRow,
    MyTasks,
    my_task_row,
    my_tasks,
)
from planner.progress.selectors.summaries import PlanSummary, active_plans_of, plan_summaries
from planner.progress.selectors.task_page import prerequisites, task_for_member, task_history
from planner.progress.selectors.teams_page import SORT_COLUMNS, TeamRow, teams_overview

__all__ = [
    "FEED_LENGTH",
    "OVERDUE_SHOWN",
    "SORT_COLUMNS",
    "TAKE_SHOWN",
    "TREND_POINTS",
    "Dashboard",
    "FeedEntry",
    "KpiCard",
    "MemberRow",
    "MyTaskRow",
    "MyTasks",
    "OverdueRow",
    "PlanSummary",
    "TeamRow",
    "active_plans_of",
    "current_plan",
    "dashboard",
    "dashboard_key",
    "facts_by_plan",
    "feed_entries",
    "kpi_cards",
    "kpi_key",
    "my_task_row",
    "my_tasks",
    "plan_summaries",
    "prerequisites",
    "reached",
    "task_for_member",
    "task_history",
    "teams_overview",
]
