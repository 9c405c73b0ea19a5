"""A plan's tasks: list with filters, read one, tick / reopen / skip, note and evidence."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Query, Router

from planner.api import mapping, schemas
from planner.api.auth import caller
from planner.api.endpoints.common import PlanRef, TaskId, TeamSlug, plan_for
from planner.api.errors import COMMON, ErrorOut
from planner.api.pages import PageIn, PageMeta, page_of
from planner.api.selectors import task_rows
from planner.plans.models import Plan
from planner.progress import services

router = Router(tags=["tasks"])


class TaskPage(PageMeta):
    items: list[schemas.TaskOut]


def _task(request: HttpRequest, plan: Plan, team: str, task_id: int) -> schemas.TaskOut:
    row = task_rows(plan).filter(pk=task_id).first()
    if row is None:
        raise Http404("No such task.")
    return schemas.TaskOut.model_validate(mapping.TaskRows(request, plan, team)(row))


@router.get("/teams/{team}/plans/{plan}/tasks", response={200: TaskPage, 404: ErrorOut, **COMMON})
def tasks(
    request: HttpRequest,
    team: TeamSlug,
    plan: PlanRef,
    filters: Query[schemas.TaskFilter],
    paging: Query[PageIn],
) -> TaskPage:
    """The plan's tasks in the order they are due, filtered by phase, status, assignee
    (an email address, `me` or `none`) or catalogue id (e.g. `iac_foundation`: every part
    of that task)."""
    who = caller(request)
    found = plan_for(who.membership(team), plan)
    rows = task_rows(found)
    if filters.phase is not None:
        rows = rows.filter(phase=filters.phase)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.catalogue_id is not None:
        rows = rows.filter(catalogue_id=filters.catalogue_id)
    if filters.assignee == "me":
        rows = rows.filter(assignee_id=who.user.pk)
    elif filters.assignee == "none":
        rows = rows.filter(assignee_id=None)
    elif filters.assignee is not None:
        rows = rows.filter(assignee__email__iexact=filters.assignee)
    items, meta = page_of(request, rows, paging, mapping.TaskRows(request, found, team))
    return TaskPage(items=items, **meta)


@router.get(
    "/teams/{team}/plans/{plan}/tasks/{task_id}",
    response={200: schemas.TaskOut, 404: ErrorOut, **COMMON},
)
def task(request: HttpRequest, team: TeamSlug, plan: PlanRef, task_id: TaskId) -> schemas.TaskOut:
    found = plan_for(caller(request).membership(team), plan)
    return _task(request, found, team, task_id)


@router.post(
    "/teams/{team}/plans/{plan}/tasks/{task_id}/status",
    response={200: schemas.TaskOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **COMMON},
)
def task_status(
    request: HttpRequest,
    team: TeamSlug,
    plan: PlanRef,
    task_id: TaskId,
    body: schemas.TaskStatusIn,
) -> schemas.TaskOut:
    """Tick a task off (`done`), reopen it (`open`) or skip it with a reason (`skipped`; its
    assignee or a lead). Sending the state it already has changes nothing. A plan that is
    not running answers 409."""
    who = caller(request)
    membership = who.writable(team)
    found = plan_for(membership, plan)
    current = _task(request, found, team, task_id)
    with who.acting():
        if body.status == "done":
            services.task_complete(task_id=current.id, user=who.user)
        elif body.status == "open":
            services.task_reopen(task_id=current.id, user=who.user)
        else:
            services.task_skip(
                task_id=current.id, user=who.user, reason=body.reason, is_lead=membership.is_lead
            )
    return _task(request, found, team, task_id)


@router.put(
    "/teams/{team}/plans/{plan}/tasks/{task_id}/note",
    response={200: schemas.TaskOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **COMMON},
)
def task_note(
    request: HttpRequest,
    team: TeamSlug,
    plan: PlanRef,
    task_id: TaskId,
    body: schemas.TaskNoteIn,
) -> schemas.TaskOut:
    """Set the task's note and evidence link (e.g. the pull request). Send the
    `notes_revision` you read: if someone saved since, 409 and nothing changes."""
    who = caller(request)
    found = plan_for(who.writable(team), plan)
    current = _task(request, found, team, task_id)
    with who.acting():
        services.task_annotate(
            task_id=current.id,
            user=who.user,
            note=body.note,
            evidence_url=body.evidence_url,
            revision=body.revision,
        )
    return _task(request, found, team, task_id)
