"""A plan's KPIs, their measurements (one, or a batch, idempotent by a client key) and the
progress summary the dashboard shows."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from planner.api import mapping, schemas
from planner.api.auth import caller
from planner.api.endpoints.common import KpiId, PlanRef, TeamSlug, plan_for
from planner.api.errors import COMMON, ErrorOut, Refusal
from planner.api.pages import PageIn, PageMeta, page_of
from planner.plans.models import KpiTarget, Plan
from planner.progress.selectors.dashboard_page import dashboard
from planner.progress.selectors.kpis import kpi_cards
from planner.progress.services import (
    MeasurementRefused,
    NewMeasurement,
    Recorded,
    measurements_record,
)

router = Router(tags=["KPIs and progress"])


class MeasurementPage(PageMeta):
    items: list[schemas.MeasurementOut]


def _target(plan: Plan, kpi: str) -> KpiTarget:
    target = plan.kpi_targets.filter(kpi_id=kpi).first()
    if target is None:
        raise Http404("No such KPI in this plan.")
    return target


def _recorded(result: Recorded, target: KpiTarget) -> schemas.RecordedOut:
    return schemas.RecordedOut(
        created=result.created, measurement=mapping.measurement(result.measurement, target)
    )


@router.get(
    "/teams/{team}/plans/{plan}/kpis", response={200: list[schemas.KpiOut], 404: ErrorOut, **COMMON}
)
def kpis(request: HttpRequest, team: TeamSlug, plan: PlanRef) -> list[schemas.KpiOut]:
    """The plan's KPI targets with baseline, target, the latest measurement and whether the
    target is reached."""
    found = plan_for(caller(request).membership(team), plan)
    return [mapping.kpi(card) for card in kpi_cards(found)]


@router.get(
    "/teams/{team}/plans/{plan}/kpis/{kpi}/measurements",
    response={200: MeasurementPage, 404: ErrorOut, **COMMON},
)
def measurements(
    request: HttpRequest, team: TeamSlug, plan: PlanRef, kpi: KpiId, paging: Query[PageIn]
) -> MeasurementPage:
    """A KPI's measurements, newest first."""
    found = plan_for(caller(request).membership(team), plan)
    target = _target(found, kpi)
    rows = target.measurements.select_related("recorded_by").order_by("-measured_at", "-pk")
    items, meta = page_of(request, rows, paging, lambda m: mapping.measurement(m, target))
    return MeasurementPage(items=items, **meta)


@router.post(
    "/teams/{team}/plans/{plan}/kpis/{kpi}/measurements",
    response={
        200: schemas.RecordedOut,
        201: schemas.RecordedOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **COMMON,
    },
)
def measurement_add(
    request: HttpRequest, team: TeamSlug, plan: PlanRef, kpi: KpiId, body: schemas.MeasurementIn
) -> Status[schemas.RecordedOut]:
    """Record one value (201). With a `client_key` sent before for this KPI, nothing new is
    stored and the earlier measurement comes back (200)."""
    who = caller(request)
    found = plan_for(who.writable(team), plan)
    item = NewMeasurement(
        target=_target(found, kpi),
        value=body.value,
        measured_at=body.measured_at or timezone.now(),
        note=body.note,
        client_key=body.client_key,
    )
    try:
        with who.acting():
            [result] = measurements_record(plan_id=found.pk, user=who.user, items=[item])
    except MeasurementRefused as error:
        if error.field == "client_key":
            raise Refusal(409, str(error), {"client_key": str(error)}) from None
        raise Refusal(
            422, _("Some fields are not valid."), {error.field or "body": str(error)}
        ) from None
    return Status(201 if result.created else 200, _recorded(result, item.target))


@router.post(
    "/teams/{team}/plans/{plan}/measurements",
    response={
        200: schemas.BatchOut,
        201: schemas.BatchOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **COMMON,
    },
)
def measurement_batch(
    request: HttpRequest, team: TeamSlug, plan: PlanRef, body: schemas.BatchIn
) -> Status[schemas.BatchOut]:
    """Record several values at once, all or none (up to 500; e.g. a nightly benchmark's
    results). Values whose `client_key` was recorded before are not stored again: sending
    the same batch twice stores it once (201 if anything was new, else 200)."""
    who = caller(request)
    found = plan_for(who.writable(team), plan)
    targets = {target.kpi_id: target for target in found.kpi_targets.all()}
    unknown = {
        f"measurements.{index}.kpi": _("There is no KPI %(kpi)s in this plan.") % {"kpi": m.kpi}
        for index, m in enumerate(body.measurements)
        if m.kpi not in targets
    }
    if unknown:
        raise Refusal(422, _("Some fields are not valid."), unknown)
    now = timezone.now()
    items = [
        NewMeasurement(
            target=targets[m.kpi],
            value=m.value,
            measured_at=m.measured_at or now,
            note=m.note,
            client_key=m.client_key,
        )
        for m in body.measurements
    ]
    try:
        with who.acting():
            results = measurements_record(plan_id=found.pk, user=who.user, items=items, now=now)
    except MeasurementRefused as error:
        field = f"measurements.{error.index}.{error.field or 'value'}"
        status = 409 if error.field == "client_key" else 422
        message = str(error) if status == 409 else _("Some fields are not valid.")
        raise Refusal(status, message, {field: str(error)}) from None
    created = sum(1 for r in results if r.created)
    body_out = schemas.BatchOut(
        created=created,
        replayed=len(results) - created,
        results=[_recorded(r, item.target) for r, item in zip(results, items, strict=True)],
    )
    return Status(201 if created else 200, body_out)


@router.get(
    "/teams/{team}/plans/{plan}/progress",
    response={200: schemas.ProgressOut, 404: ErrorOut, **COMMON},
)
def progress(request: HttpRequest, team: TeamSlug, plan: PlanRef) -> schemas.ProgressOut:
    """Where the plan stands: the dashboard's figures (schedule, phases, people, KPIs)."""
    found = plan_for(caller(request).membership(team), plan)
    return mapping.progress(dashboard(found, timezone.now()), kpi_cards(found))
