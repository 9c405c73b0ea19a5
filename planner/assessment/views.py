"""The self-assessment wizard: one step per section, a draft kept server-side.

Every step is a plain form POST that works without JavaScript; with htmx the step swaps
in place. Back and Next both validate the step: a step with errors is shown again with
the entered values and a message at each field, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from planner.accounts.auth import signed_in_user
from planner.assessment import services
from planner.assessment.selectors import draft_assessment, latest_completed, result_context
from planner.assessment.wizard import StepView, parse_step, step_view
from planner.core.http import HtmxHttpRequest
from planner.playbook.loader import get_playbook
from planner.teams.access import team_view
from planner.teams.models import Membership, Role


def _steps() -> list[str]:
    return [section.id for section in get_playbook().questionnaire.sections]


@require_http_methods(["GET", "POST"])
@team_view(Role.LEAD)
def assessment_intro(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    playbook = get_playbook()
    team = membership.team
    if request.method == "POST":
        services.assessment_start(team=team, user=signed_in_user(request), playbook=playbook)
        return redirect("assessment_step", team_slug=team.slug, section_id=_steps()[0])
    return render(
        request,
        "assessment/intro.html",
        {
            "team": team,
            "membership": membership,
            "sections": playbook.questionnaire.sections,
            "draft": draft_assessment(team),
            "previous": latest_completed(team),
        },
    )


@require_http_methods(["GET", "POST"])
@team_view(Role.LEAD)
def assessment_step(
    request: HtmxHttpRequest, membership: Membership, section_id: str
) -> HttpResponse:
    playbook = get_playbook()
    steps = _steps()
    if section_id not in steps:
        raise Http404("No such step.")
    team = membership.team
    assessment = draft_assessment(team)
    if assessment is None:
        return redirect("assessment_intro", team_slug=team.slug)
    index = steps.index(section_id)
    if request.method == "POST":
        raw, not_applicable, target = parse_step(playbook, section_id, request.POST)
        errors = services.assessment_save_step(
            assessment=assessment,
            playbook=playbook,
            section_id=section_id,
            raw=raw,
            not_applicable=not_applicable,
            target=target,
        )
        if not errors:
            back = request.POST.get("go") == "back"
            if 0 <= (index - 1 if back else index + 1) < len(steps):
                # htmx follows this redirect and swaps in the next step's partial.
                return redirect(
                    "assessment_step",
                    team_slug=team.slug,
                    section_id=steps[index - 1 if back else index + 1],
                )
            leave = reverse(
                "assessment_intro" if back else "assessment_result",
                kwargs={"team_slug": team.slug},
            )
            # Leaving the wizard: a whole new page, not a swap into the step.
            return HttpResponseClientRedirect(leave) if request.htmx else redirect(leave)
        view = step_view(playbook, assessment, section_id, raw, errors, not_applicable, target)
        return _render_step(request, membership, view, index, steps, status=400)
    view = step_view(playbook, assessment, section_id)
    return _render_step(request, membership, view, index, steps)


def _render_step(
    request: HtmxHttpRequest,
    membership: Membership,
    view: StepView,
    index: int,
    steps: list[str],
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "team": membership.team,
        "step": view,
        "index": index + 1,
        "count": len(steps),
        "progress": round(100 * index / len(steps)),
        "sections": get_playbook().questionnaire.sections,
    }
    if request.htmx:
        response = render(request, "assessment/step.html#step", context, status=status)
        response["HX-Push-Url"] = request.get_full_path()
        return response
    return render(request, "assessment/step.html", context, status=status)


@require_http_methods(["GET"])
@team_view(Role.LEAD)
def assessment_result(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    assessment = draft_assessment(team) or latest_completed(team)
    if assessment is None:
        return redirect("assessment_intro", team_slug=team.slug)
    return render(request, "assessment/result.html", result_context(team, assessment, membership))
