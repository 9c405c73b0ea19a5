"""Downloads of a plan (CSV, Markdown), its printable report, and a team's JSON export and
import. Any member may export; only a lead may import."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from planner.core.http import HtmxHttpRequest
from planner.exports import formats, services
from planner.exports.document import team_document
from planner.exports.forms import ImportForm, SizeLimit
from planner.exports.selectors import plan_sheet
from planner.plans.selectors import plan_of_team
from planner.teams.access import team_view
from planner.teams.models import Membership, Role


def _download(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _language() -> str:
    return (translation.get_language() or "en")[:2]


@require_GET
@team_view()
def plan_export_csv(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    sheet = plan_sheet(plan, _language())
    body = formats.plan_csv(sheet, _language(), membership.team.time_zone)
    return _download(body, "text/csv; charset=utf-8", formats.csv_filename(sheet))


@require_GET
@team_view()
def plan_export_markdown(
    request: HtmxHttpRequest, membership: Membership, plan_id: int
) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    sheet = plan_sheet(plan, _language())
    body = formats.plan_markdown(sheet)
    return _download(body, "text/markdown; charset=utf-8", formats.markdown_filename(sheet))


@require_GET
@team_view()
def plan_report(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    sheet = plan_sheet(plan, _language())
    return render(
        request,
        "exports/report.html",
        {
            "team": membership.team,
            "plan": plan,
            "sheet": sheet,
            "membership": membership,
            "as_of": membership.team.today(timezone.now()),
        },
    )


@require_GET
@team_view()
def team_export(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    now = timezone.now()
    document = team_document(membership.team, now)
    filename = f"{membership.team.slug}-planner-{now:%Y-%m-%d}.json"
    return _download(
        document.model_dump_json(indent=1), "application/json; charset=utf-8", filename
    )


@require_http_methods(["GET", "POST"])
@team_view(Role.LEAD)
@csrf_protect  # here, after the size limit is in place: checking reads the upload
def _team_import(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    limit = next((h for h in request.upload_handlers if isinstance(h, SizeLimit)), None)
    form = (
        ImportForm(request.POST, request.FILES, too_large=bool(limit and limit.too_large))
        if request.method == "POST"
        else ImportForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.team_import(
                team=team, document=form.cleaned_data["file"], now=timezone.now()
            )
        except services.ImportRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s plan with %(tasks)s tasks.",
                    "Imported %(count)s plans with %(tasks)s tasks.",
                    result.plans,
                )
                % {"count": result.plans, "tasks": result.tasks},
            )
            if result.unmatched:
                messages.warning(
                    request,
                    _(
                        "Not members of this team, so their tasks are unassigned and the "
                        "feed names them: %(people)s. Invite them and assign their tasks."
                    )
                    % {
                        "people": ", ".join(
                            f"{name} <{email}>" if name else email
                            for email, name in sorted(result.unmatched.items())
                        )
                    },
                )
            return redirect("team_detail", team_slug=team.slug)
    status = 400 if form.errors else 200
    return render(
        request,
        "exports/import.html",
        {
            "team": team,
            "membership": membership,
            "form": form,
            "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
        },
        status=status,
    )


@csrf_exempt  # only until _team_import checks it, once the upload's size limit is set
@wraps(_team_import)
def team_import(request: HtmxHttpRequest, team_slug: str) -> HttpResponse:
    """The import page. Membership and role are checked before the upload is read, and an
    upload past IMPORT_MAX_BYTES is dropped as it arrives (SizeLimit)."""
    request.upload_handlers.insert(0, SizeLimit(request, settings.IMPORT_MAX_BYTES))
    return _team_import(request, team_slug)
