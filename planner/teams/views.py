"""Team pages: create, show, settings, invitations and members.

Views parse input, call one service, and render; member and invitation actions answer
htmx requests with the page's partial and plain form posts with a redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from planner.accounts.auth import signed_in_user
from planner.accounts.models import User
from planner.core.http import HtmxHttpRequest
from planner.teams import selectors, services
from planner.teams.access import team_view
from planner.teams.forms import HoursForm, InvitationForm, RoleForm, TeamCreateForm, TeamForm
from planner.teams.models import Invitation, Membership, Role


def _team_page_context(membership: Membership, **extra: object) -> dict[str, object]:
    team = membership.team
    context: dict[str, object] = {
        "membership": membership,
        "team": team,
        "members": selectors.team_members(team.pk),
        "role_choices": Role.choices,
        "invitation_form": InvitationForm(),
    }
    if membership.is_lead:
        context["invitations"] = selectors.open_invitations(team.pk, timezone.now())
    context.update(extra)
    return context


def _team_partial(
    request: HtmxHttpRequest, membership: Membership, partial: str, **extra: object
) -> HttpResponse:
    return render(
        request,
        f"teams/team_detail.html#{partial}",
        _team_page_context(membership, **extra),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = TeamCreateForm(
        request.POST or None,
        initial={"time_zone": user.time_zone, "language": user.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(user=user, **form.cleaned_data)
        except services.TeamRuleError as error:
            form.add_error("slug", str(error))
        else:
            messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
            return redirect("team_detail", team_slug=team.slug)
    return render(request, "teams/team_create.html", {"form": form})


@require_GET
@team_view()
def team_detail(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "teams/team_detail.html", _team_page_context(membership))


@require_http_methods(["GET", "POST"])
@team_view(Role.LEAD)
def team_settings(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    form = TeamForm(
        request.POST or None,
        initial={"name": team.name, "time_zone": team.time_zone, "language": team.language},
    )
    if request.method == "POST" and form.is_valid():
        services.team_update(team=team, **form.cleaned_data)
        messages.success(request, _("Team settings saved."))
        return redirect("team_detail", team_slug=team.slug)
    return render(request, "teams/team_settings.html", {"form": form, "team": team})


@require_POST
@team_view(Role.LEAD)
def invitation_create(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                team=membership.team,
                invited_by=signed_in_user(request),
                **form.cleaned_data,
            )
        except services.TeamRuleError as error:
            form.add_error("email", str(error))
        else:
            return _invitation_sent(request, membership, invitation)
    if request.htmx:
        return _team_partial(request, membership, "invitations", invitation_form=form)
    return render(
        request,
        "teams/team_detail.html",
        _team_page_context(membership, invitation_form=form),
        status=400,
    )


def _invitation_sent(
    request: HtmxHttpRequest, membership: Membership, invitation: Invitation
) -> HttpResponse:
    """The invitations after a send: saved either way; the notice says whether it went."""
    if invitation.email_failed_at is None:
        notice, ok = _("Invitation sent to %(email)s.") % {"email": invitation.email}, True
    else:
        notice, ok = (
            _(
                "The invitation to %(email)s is saved, but its email could not be sent: "
                "the mail server did not accept it. Try “Send again” in a few minutes."
            )
            % {"email": invitation.email},
            False,
        )
    if request.htmx:
        return _team_partial(request, membership, "invitations", notice=notice, notice_ok=ok)
    (messages.success if ok else messages.error)(request, notice)
    return redirect("team_detail", team_slug=membership.team.slug)


@require_POST
@team_view(Role.LEAD)
def invitation_resend(
    request: HtmxHttpRequest, membership: Membership, invitation_id: int
) -> HttpResponse:
    invitation = selectors.invitation_of_team(membership.team_id, invitation_id)
    try:
        invitation = services.invitation_resend(invitation=invitation)
    except services.TeamRuleError as error:
        if request.htmx:
            return _team_partial(
                request, membership, "invitations", notice=str(error), notice_ok=False
            )
        messages.error(request, str(error))
        return redirect("team_detail", team_slug=membership.team.slug)
    return _invitation_sent(request, membership, invitation)


@require_POST
@team_view(Role.LEAD)
def invitation_revoke(
    request: HtmxHttpRequest, membership: Membership, invitation_id: int
) -> HttpResponse:
    invitation = selectors.invitation_of_team(membership.team_id, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation)
        notice = _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
    except services.TeamRuleError as error:
        notice = str(error)
    if request.htmx:
        return _team_partial(request, membership, "invitations", notice=notice)
    messages.info(request, notice)
    return redirect("team_detail", team_slug=membership.team.slug)


def _member_action_done(
    request: HtmxHttpRequest, membership: Membership, target: Membership, notice: str, ok: bool
) -> HttpResponse:
    """Answer a member action: the members partial for htmx, else a redirect with a message."""
    team_url = reverse("team_detail", kwargs={"team_slug": membership.team.slug})
    if ok and target.pk == membership.pk:
        # The lead changed their own standing: the whole page differs now.
        messages.success(request, notice)
        return HttpResponseClientRedirect(team_url) if request.htmx else redirect(team_url)
    if request.htmx:
        response = _team_partial(
            request, membership, "members", notice=notice, notice_is_error=not ok
        )
        if not ok:
            response.status_code = 409
        return response
    (messages.success if ok else messages.error)(request, notice)
    return redirect(team_url)


@require_POST
@team_view(Role.LEAD)
def member_role(request: HtmxHttpRequest, membership: Membership, member_id: int) -> HttpResponse:
    target = selectors.member_of_team(membership.team_id, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _member_action_done(request, membership, target, _("Choose a valid role."), False)
    try:
        services.membership_change_role(membership=target, role=form.cleaned_data["role"])
    except services.TeamRuleError as error:
        return _member_action_done(request, membership, target, str(error), False)
    notice = _("%(name)s is now %(role)s.") % {
        "name": target.user.display_name,
        "role": Role(target.role).label,
    }
    return _member_action_done(request, membership, target, notice, True)


@require_POST
@team_view(Role.LEAD)
def member_hours(request: HtmxHttpRequest, membership: Membership, member_id: int) -> HttpResponse:
    target = selectors.member_of_team(membership.team_id, member_id)
    form = HoursForm(request.POST)
    if not form.is_valid():
        return _member_action_done(
            request,
            membership,
            target,
            _("Enter whole hours between 0 and 60, or leave it empty."),
            False,
        )
    services.membership_set_hours(membership=target, weekly_hours=form.cleaned_data["weekly_hours"])
    hours = target.weekly_hours
    if hours is None:
        notice = _("%(name)s gives the plan the hours the self-assessment says.")
    elif hours == 0:
        notice = _("%(name)s is not working on the plan.")
    else:
        notice = _("%(name)s gives the plan %(hours)s hours a week.")
    notice %= {"name": target.user.display_name, "hours": hours}
    if target.pk == membership.pk:  # the same page, not a redirect: only the hours changed
        if request.htmx:
            return _team_partial(request, membership, "members", notice=notice)
        messages.success(request, notice)
        return redirect("team_detail", team_slug=membership.team.slug)
    return _member_action_done(request, membership, target, notice, True)


@require_POST
@team_view(Role.LEAD)
def member_remove(request: HtmxHttpRequest, membership: Membership, member_id: int) -> HttpResponse:
    target = selectors.member_of_team(membership.team_id, member_id)
    try:
        services.membership_remove(membership=target)
    except services.TeamRuleError as error:
        return _member_action_done(request, membership, target, str(error), False)
    notice = _("%(name)s was removed from the team.") % {"name": target.user.display_name}
    if target.pk == membership.pk:
        messages.success(request, notice)
        return HttpResponseClientRedirect(reverse("home")) if request.htmx else redirect("home")
    return _member_action_done(request, membership, target, notice, True)


@require_POST
@team_view()
def team_leave(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    try:
        services.membership_leave(membership=membership)
    except services.TeamRuleError as error:
        messages.error(request, str(error))
        return redirect("team_detail", team_slug=membership.team.slug)
    messages.success(request, _("You left %(team)s.") % {"team": membership.team.name})
    return redirect("home")


@require_http_methods(["GET", "POST"])
def invitation_open(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email: sign up, sign in, or join with one click."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as error:
        return render(
            request, "teams/invitation_invalid.html", {"error": str(error)}, status=error.status
        )
    here = request.get_full_path()
    user = request.user
    if not isinstance(user, User):
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?{urlencode({'next': here})}")
        # Opening the emailed link proves the address: signing up with it needs no
        # second verification email.
        get_adapter(request).stash_verified_email(request, invitation.email)
        has_account = User.objects.filter(email__iexact=invitation.email).exists()
        return render(
            request,
            "teams/invitation.html",
            {"invitation": invitation, "has_account": has_account, "next": here},
        )
    if request.method == "POST":
        try:
            joined = services.invitation_accept(token=token, user=user)
        except services.InvitationInvalid as error:
            return render(
                request, "teams/invitation_invalid.html", {"error": str(error)}, status=error.status
            )
        messages.success(request, _("Welcome to %(team)s!") % {"team": joined.team.name})
        return redirect("team_detail", team_slug=joined.team.slug)
    wrong_account = invitation.email.lower() != user.email.lower()
    return render(
        request,
        "teams/invitation.html",
        {"invitation": invitation, "wrong_account": wrong_account, "next": here},
    )
