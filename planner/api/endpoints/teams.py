"""The questionnaire, the caller's teams, their plans, and a plan draft from answers."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import BaseModel

from planner.api import mapping, schemas
from planner.api.auth import caller
from planner.api.endpoints.common import PlanRef, TeamSlug, plan_for
from planner.api.errors import COMMON, ErrorOut
from planner.api.pages import PageIn, PageMeta, page_of
from planner.assessment.services import assessment_submit
from planner.plans.selectors import team_plans
from planner.plans.services import plan_generate
from planner.playbook.loader import get_playbook
from planner.teams.selectors import memberships_for_user

router = Router(tags=["teams and plans"])


class PlanPage(PageMeta):
    items: list[schemas.PlanOut]


class TeamList(BaseModel):
    items: list[schemas.TeamOut]


@router.get("/questionnaire", response={200: schemas.QuestionnaireOut, **COMMON})
def questionnaire(request: HttpRequest) -> schemas.QuestionnaireOut:
    """The self-assessment's questions: what `POST /teams/{team}/assessments` answers."""
    playbook = get_playbook()
    return schemas.QuestionnaireOut(version=playbook.version, questionnaire=playbook.questionnaire)


@router.get("/teams", response={200: TeamList, **COMMON})
def teams(request: HttpRequest) -> TeamList:
    """The caller's teams (a token: its own team)."""
    who = caller(request)
    memberships = memberships_for_user(who.user)
    if who.token is not None:
        memberships = memberships.filter(team_id=who.token.team_id)
    return TeamList(items=[mapping.team(request, m) for m in memberships])


@router.get("/teams/{team}", response={200: schemas.TeamOut, 404: ErrorOut, **COMMON})
def team(request: HttpRequest, team: TeamSlug) -> schemas.TeamOut:
    return mapping.team(request, caller(request).membership(team))


@router.get("/teams/{team}/plans", response={200: PlanPage, 404: ErrorOut, **COMMON})
def plans(request: HttpRequest, team: TeamSlug, paging: Query[PageIn]) -> PlanPage:
    """The team's plans, newest first."""
    membership = caller(request).membership(team)
    items, meta = page_of(
        request, team_plans(membership.team_id), paging, lambda p: mapping.plan(request, p, team)
    )
    return PlanPage(items=items, **meta)


@router.get("/teams/{team}/plans/{plan}", response={200: schemas.PlanOut, 404: ErrorOut, **COMMON})
def plan(request: HttpRequest, team: TeamSlug, plan: PlanRef) -> schemas.PlanOut:
    membership = caller(request).membership(team)
    return mapping.plan(request, plan_for(membership, plan), team)


@router.post(
    "/teams/{team}/assessments",
    response={201: schemas.PlanOut, 404: ErrorOut, 422: ErrorOut, **COMMON},
)
def assessment(
    request: HttpRequest, team: TeamSlug, body: schemas.AssessmentIn
) -> Status[schemas.PlanOut]:
    """Answer the whole self-assessment and get a plan draft from it (a lead's write).

    The draft replaces the team's earlier draft, as on the pages; a running plan is not
    touched. A lead reviews and starts the draft on its page (`url`), choosing day 1.
    Unanswered or invalid answers are refused with 422, one error per question
    (`answers.<question id>`), and nothing is stored."""
    who = caller(request)
    membership = who.writable(team, lead=True)
    playbook = get_playbook()
    with transaction.atomic():
        submitted = assessment_submit(
            team=membership.team,
            user=who.user,
            playbook=playbook,
            answers=body.answers,
            not_applicable=body.not_applicable,
            targets=body.targets,
        )
        draft = plan_generate(
            assessment=submitted,
            playbook=playbook,
            user=who.user,
            length=body.length,
            start=membership.team.today(timezone.now()),
        )
    return Status(201, mapping.plan(request, draft, team))
