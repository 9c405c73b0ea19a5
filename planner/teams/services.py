"""Writes for teams: create, invite, accept, change roles, remove, leave.

Each service checks the rule it is about and raises `TeamRuleError` with a message for the
user; the views turn that into a message at the right place. Nothing is stored when a rule
refuses.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.core.mail import BadHeaderError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.teams.emails import send_invitation_email
from planner.teams.models import Invitation, InvitationStatus, Membership, Role, Team, hash_token
from planner.teams.signals import time_zone_changed

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)
# Invitations send email to any address a lead types: cap them so that a team cannot be
# used to flood inboxes.
INVITATIONS_PER_HOUR = 30


class TeamRuleError(Exception):
    """A team rule refused a change; the message is meant for the user."""


class InvitationInvalid(TeamRuleError):
    """The invitation link cannot be used (unknown, expired, revoked, used, wrong account)."""

    def __init__(self, message: str, *, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "team"
    slug, suffix = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


@transaction.atomic
def team_create(*, user: User, name: str, time_zone: str, language: str, slug: str = "") -> Team:
    if slug and Team.objects.filter(slug=slug).exists():
        raise TeamRuleError(_("This short name is taken; choose another."))
    team = Team(
        name=name.strip(), slug=slug or _unique_slug(name), time_zone=time_zone, language=language
    )
    team.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise TeamRuleError(_("This short name is taken; choose another.")) from None
    Membership.objects.create(team=team, user=user, role=Role.LEAD)
    return team


@transaction.atomic
def team_update(
    *, team: Team, name: str, time_zone: str, language: str, now: datetime | None = None
) -> Team:
    previous_zone = Team.objects.values_list("time_zone", flat=True).get(pk=team.pk)
    team.name = name.strip()
    team.time_zone = time_zone
    team.language = language
    team.full_clean()
    team.save(update_fields=["name", "time_zone", "language"])
    if time_zone != previous_zone:
        # Plans listen (planner.plans.receivers): their reminders move with the zone.
        time_zone_changed.send(sender=Team, team=team, now=now or timezone.now())
    return team


def invitation_create(
    *, team: Team, invited_by: User, email: str, role: str, now: datetime | None = None
) -> Invitation:
    """Invite an address; a still-open invitation to the same address is replaced."""
    now = now or timezone.now()
    email = email.strip().lower()
    if role not in Role.values:
        raise TeamRuleError(_("Choose a valid role."))
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise TeamRuleError(_("%(email)s is already a member of this team.") % {"email": email})
    recent = Invitation.objects.filter(team=team, created_at__gt=now - timedelta(hours=1))
    if recent.count() >= INVITATIONS_PER_HOUR:
        raise TeamRuleError(
            _("This team sent %(count)s invitations in the last hour. Try again later.")
            % {"count": INVITATIONS_PER_HOUR}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(team=team, email=email, accepted_at=None, revoked_at=None).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        transaction.on_commit(lambda: invitation_send(invitation, token, now=now))
    return invitation


def invitation_send(invitation: Invitation, token: str, *, now: datetime | None = None) -> bool:
    """Send the invitation email; on failure keep the invitation, mark it not sent and log
    why. Runs after the invitation is committed, so it never undoes it."""
    now = now or timezone.now()
    try:
        send_invitation_email(invitation, token)
    except (SMTPException, OSError, BadHeaderError):
        logger.exception("Invitation %s: the email could not be sent", invitation.pk)
        invitation.email_failed_at = now
        Invitation.objects.filter(pk=invitation.pk).update(email_failed_at=now)
        return False
    if invitation.email_failed_at is not None:
        invitation.email_failed_at = None
        Invitation.objects.filter(pk=invitation.pk).update(email_failed_at=None)
    return True


def invitation_resend(*, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """Send an open invitation again with a new link (the old one stops working) and a new
    week to use it: after a failed send, or once it expired."""
    now = now or timezone.now()
    if invitation.email_failed_at is None and invitation.expires_at > now:
        raise TeamRuleError(_("This invitation was sent and is still valid."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, revoked_at=None
        ).update(token_hash=hash_token(token), expires_at=now + INVITATION_LIFETIME)
        if not updated:
            raise TeamRuleError(_("This invitation was already used or revoked."))
        invitation.refresh_from_db()
        transaction.on_commit(lambda: invitation_send(invitation, token, now=now))
    return invitation


def invitation_revoke(*, invitation: Invitation, now: datetime | None = None) -> None:
    now = now or timezone.now()
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=now
    )
    if not updated:
        raise TeamRuleError(_("This invitation was already used or revoked."))


def invitation_for_token(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation a link points to, if it can still be used; else InvitationInvalid."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("team", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(
            _("This invitation link is not valid. Check that you copied the whole link."),
            status=404,
        )
    status = invitation.status(now)
    if status == InvitationStatus.ACCEPTED:
        raise InvitationInvalid(_("This invitation has already been used."))
    if status == InvitationStatus.REVOKED:
        raise InvitationInvalid(_("This invitation was withdrawn by the team's lead."))
    if status == InvitationStatus.EXPIRED:
        raise InvitationInvalid(
            _("This invitation has expired. Ask the team's lead to send a new one.")
        )
    return invitation


def invitation_accept(*, token: str, user: User, now: datetime | None = None) -> Membership:
    """Join the team the invitation is for; the link works once and only for its address."""
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    if invitation.email.lower() != user.email.lower():
        raise InvitationInvalid(
            _(
                "This invitation was sent to %(invited)s, but you are signed in as "
                "%(current)s. Sign out and sign in with the invited address."
            )
            % {"invited": invitation.email, "current": user.email},
            status=403,
        )
    with transaction.atomic():
        # The conditional update decides who wins when the link is used twice at once.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
        ).update(accepted_at=now, accepted_by=user)
        if not claimed:
            raise InvitationInvalid(_("This invitation has already been used."))
        membership, _created = Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role, "joined_at": now}
        )
    return membership


def _guard_last_lead(membership: Membership, message: str) -> None:
    """Refuse when `membership` is its team's only lead.

    The team's lead rows are locked (in primary-key order, so concurrent calls cannot
    deadlock) for the rest of the transaction: two leads demoting each other at the same
    moment cannot both pass this check.
    """
    lead_ids = list(
        Membership.objects.select_for_update()
        .filter(team_id=membership.team_id, role=Role.LEAD)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if lead_ids == [membership.pk]:
        raise TeamRuleError(message)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise TeamRuleError(_("Choose a valid role."))
    if role != Role.LEAD:
        _guard_last_lead(
            membership, _("A team needs at least one lead. Make someone else a lead first.")
        )
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


MAX_WEEKLY_HOURS = 60


def membership_set_hours(*, membership: Membership, weekly_hours: int | None) -> Membership:
    """How many hours a week the member gives the plan (None: the self-assessment's
    figure for everyone; 0: not working on it). The next drafted plan follows it."""
    if weekly_hours is not None and not 0 <= weekly_hours <= MAX_WEEKLY_HOURS:
        raise TeamRuleError(
            _("Enter hours between 0 and %(most)s, or leave it empty.") % {"most": MAX_WEEKLY_HOURS}
        )
    Membership.objects.filter(pk=membership.pk).update(weekly_hours=weekly_hours)
    membership.weekly_hours = weekly_hours
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _guard_last_lead(
        membership, _("The last lead cannot be removed. Make someone else a lead first.")
    )
    Membership.objects.filter(pk=membership.pk).delete()


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    _guard_last_lead(
        membership,
        _("You are the team's last lead. Make someone else a lead before you leave."),
    )
    Membership.objects.filter(pk=membership.pk).delete()
