"""A team as the export document (`schema.TeamExport`): its plans with their tasks, backlog,
KPI targets with their measurements, and the activity feed, in seven queries however many
plans it holds."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from planner.accounts.models import User
from planner.exports import schema
from planner.plans.models import Activity, BacklogTask, KpiTarget, Plan, PlanTask
from planner.progress.models import KpiMeasurement
from planner.teams.models import Team

# Where an import keeps the name and address of someone it could not match to a member,
# so that the feed still says who did it and a later export carries them on.
ACTOR_NAME, ACTOR_EMAIL = "actor_name", "actor_email"


def person(user: User | None) -> dict[str, str] | None:
    return None if user is None else {"email": user.email, "name": user.name}


def _content(task: PlanTask | BacklogTask) -> dict[str, Any]:
    return {
        "catalogue_id": task.catalogue_id,
        "area": task.area,
        "phase": task.phase,
        "effort_hours": task.effort_hours,
        "title": task.title,
        "description": task.description,
        "steps": task.steps,
        "evidence": task.evidence,
        "why": task.why,
        "prerequisites": task.prerequisites,
    }


def _actor(entry: Activity) -> dict[str, str] | None:
    if entry.actor is not None:
        return person(entry.actor)
    email = entry.detail.get(ACTOR_EMAIL)
    if email:
        return {"email": str(email), "name": str(entry.detail.get(ACTOR_NAME) or "")}
    return None


def team_document(team: Team, now: datetime) -> schema.TeamExport:
    plans = list(
        Plan.objects.filter(team=team).select_related("created_by").order_by("created_at", "pk")
    )
    ids = [plan.pk for plan in plans]
    tasks: dict[int, list[PlanTask]] = defaultdict(list)
    for task in (
        PlanTask.objects.filter(plan_id__in=ids)
        .select_related("assignee", "closed_by")
        .order_by("day", "position", "pk")
    ):
        tasks[task.plan_id].append(task)
    backlog: dict[int, list[BacklogTask]] = defaultdict(list)
    for item in BacklogTask.objects.filter(plan_id__in=ids).order_by("position", "pk"):
        backlog[item.plan_id].append(item)
    targets: dict[int, list[KpiTarget]] = defaultdict(list)
    for target in KpiTarget.objects.filter(plan_id__in=ids).order_by("pk"):
        targets[target.plan_id].append(target)
    measurements: dict[int, list[KpiMeasurement]] = defaultdict(list)
    for measurement in (
        KpiMeasurement.objects.filter(target__plan_id__in=ids)
        .select_related("recorded_by")
        .order_by("measured_at", "pk")
    ):
        measurements[measurement.target_id].append(measurement)
    activity: dict[int, list[Activity]] = defaultdict(list)
    for entry in (
        Activity.objects.filter(plan_id__in=ids)
        .select_related("actor", "kpi_target")
        .order_by("at", "pk")
    ):
        activity[entry.plan_id].append(entry)
    seat_ids = {seat.get("member") for plan in plans for seat in plan.seats if seat.get("member")}
    seated = {user.pk: user for user in User.objects.filter(pk__in=seat_ids)} if seat_ids else {}

    documents = []
    for plan in plans:
        refs = {task.pk: ref for ref, task in enumerate(tasks[plan.pk], 1)}
        documents.append(
            dict(
                status=plan.status,
                length=plan.length,
                phases=[(int(first), int(last)) for first, last in plan.phases],
                maturity=plan.maturity,
                playbook_version=plan.playbook_version,
                start_date=plan.start_date,
                created_at=plan.created_at,
                started_at=plan.started_at,
                created_by=person(plan.created_by),
                seats=[
                    dict(
                        member=person(seated.get(seat.get("member") or 0)),
                        weekly_hours=float(seat.get("weekly_hours", 0)),
                    )
                    for seat in plan.seats
                ],
                tasks=[
                    dict(
                        ref=refs[task.pk],
                        **_content(task),
                        start_day=task.start_day,
                        day=task.day,
                        part=task.part,
                        parts=task.parts,
                        position=task.position,
                        assignee=person(task.assignee),
                        status=task.status,
                        closed_at=task.closed_at,
                        closed_by=person(task.closed_by),
                        skip_reason=task.skip_reason,
                        note=task.note,
                        evidence_url=task.evidence_url,
                    )
                    for task in tasks[plan.pk]
                ],
                backlog=[
                    dict(
                        **_content(item),
                        position=item.position,
                        reason=item.reason,
                        waiting_for=item.waiting_for,
                    )
                    for item in backlog[plan.pk]
                ],
                kpi_targets=[
                    dict(
                        kpi_id=target.kpi_id,
                        area=target.area,
                        title=target.title,
                        unit=target.unit,
                        direction=target.direction,
                        baseline=target.baseline,
                        target=target.target,
                        why=target.why,
                        source=target.source,
                        minimum=target.minimum,
                        maximum=target.maximum,
                        band_low=target.band_low,
                        band_high=target.band_high,
                        measurements=[
                            dict(
                                value=m.value,
                                measured_at=m.measured_at,
                                note=m.note,
                                recorded_by=person(m.recorded_by),
                                recorded_at=m.recorded_at,
                            )
                            for m in measurements[target.pk]
                        ],
                    )
                    for target in targets[plan.pk]
                ],
                activity=[
                    dict(
                        kind=entry.kind,
                        at=entry.at,
                        actor=_actor(entry),
                        task=refs.get(entry.task_id) if entry.task_id else None,
                        kpi=entry.kpi_target.kpi_id if entry.kpi_target else None,
                        detail={
                            key: value
                            for key, value in entry.detail.items()
                            if key not in (ACTOR_NAME, ACTOR_EMAIL)
                        },
                    )
                    for entry in activity[plan.pk]
                ],
            )
        )
    return schema.TeamExport.model_validate(
        dict(
            format=schema.FORMAT,
            version=schema.VERSION,
            exported_at=now,
            team=dict(
                name=team.name, slug=team.slug, time_zone=team.time_zone, language=team.language
            ),
            plans=documents,
        )
    )
