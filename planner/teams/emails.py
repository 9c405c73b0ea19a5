"""The invitation email, in the invitee's language (their profile's, else the team's)."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from planner.accounts.models import User

if TYPE_CHECKING:
    from planner.teams.models import Invitation


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("invitation", kwargs={"token": token})


def send_invitation_email(invitation: Invitation, token: str) -> None:
    existing = User.objects.filter(email__iexact=invitation.email).first()
    language = existing.language if existing else invitation.team.language
    context = {
        "invitation": invitation,
        "team": invitation.team,
        "inviter": invitation.invited_by,
        "link": invitation_link(token),
        "has_account": existing is not None,
        "site_url": settings.SITE_URL,
    }
    zone = zoneinfo.ZoneInfo(invitation.team.time_zone)
    with translation.override(language), timezone.override(zone):
        subject = render_to_string("teams/email/invitation_subject.txt", context).strip()
        text = render_to_string("teams/email/invitation.txt", context)
        html = render_to_string("teams/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
