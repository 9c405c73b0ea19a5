"""Invitations: hashed single-use tokens that expire after 7 days and can be withdrawn."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from planner.accounts.models import User
from planner.teams.models import Invitation, Membership, hash_token
from planner.teams.services import INVITATIONS_PER_HOUR
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(client: Client, django_capture_on_commit_callbacks):
    """Post the invitation form; the email goes out when the transaction commits."""

    def post(team, email: str = "new@example.org", **extra: Any):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/teams/{team.slug}/invitations/", {"email": email, "role": "engineer"}, **extra
            )

    return post


def _token_from_email() -> str:
    match = re.search(r"/invitations/([^/\s]+)/", str(mail.outbox[-1].body))
    assert match
    return match.group(1)


def test_lead_invites_by_email_and_only_the_hash_is_stored(
    client: Client, invite, lead, team, settings
):
    settings.SITE_URL = "https://planner.example.com"
    client.force_login(lead)
    response = invite(team)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    token = _token_from_email()
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    assert mail.outbox[0].to == ["new@example.org"]
    assert "ML Platform" in mail.outbox[0].subject
    assert f"https://planner.example.com/invitations/{token}/" in str(mail.outbox[0].body)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)


def test_invitation_subject_is_plain_text_not_escaped_html(client: Client, invite, lead, team):
    team.name = "R&D <ML>"
    team.save()
    client.force_login(lead)
    invite(team)
    assert mail.outbox[0].subject == "You are invited to join R&D <ML> on Planner"
    assert "R&D <ML>" in str(mail.outbox[0].body)


def test_invitation_email_is_in_the_invitees_language(client: Client, invite, lead, team):
    UserFactory.create(email="anna@example.ch", language="de")
    client.force_login(lead)
    invite(team, "anna@example.ch")
    message = mail.outbox[0]
    assert "eingeladen" in message.subject
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert '<html lang="de">' in str(html)
    assert "Leitung" not in str(message.body)  # invited as an engineer
    assert "Engineer" in str(message.body)


def test_htmx_invite_answers_with_the_invitations_partial(client: Client, invite, lead, team):
    client.force_login(lead)
    response = invite(team, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="invitations"')
    assert "<html" not in body
    assert "new@example.org" in body


def test_invalid_email_is_refused_at_the_field(client: Client, invite, lead, team):
    client.force_login(lead)
    response = invite(team, "not-an-email")
    assert response.status_code == 400
    assert "email" in response.context["invitation_form"].errors
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_a_member_is_refused(client: Client, invite, lead, engineer, team):
    client.force_login(lead)
    response = invite(team, engineer.email)
    assert "already a member" in str(response.context["invitation_form"].errors["email"])
    assert not Invitation.objects.exists()


def test_reinviting_replaces_the_open_invitation(client: Client, invite, lead, team):
    client.force_login(lead)
    invite(team)
    first = _token_from_email()
    invite(team)
    assert Invitation.objects.filter(revoked_at=None).count() == 1
    response = Client().get(f"/invitations/{first}/")
    assert response.status_code == 410


def test_new_user_signs_up_from_link_and_joins(client: Client, team):
    invitation = InvitationFactory.create(team=team, email="new@example.org", token="tok-new")
    page = client.get("/invitations/tok-new/")
    assert "Create account" in page.content.decode()
    password = "orbit-lantern-quartz-91"
    client.post(
        "/accounts/signup/",
        {"name": "Nia", "email": "new@example.org", "password1": password, "password2": password},
    )
    user = User.objects.get(email="new@example.org")
    assert EmailAddress.objects.get(user=user).verified  # the link proved the address
    response = client.post("/invitations/tok-new/")
    assert response["Location"] == f"/teams/{team.slug}/"
    assert Membership.objects.get(team=team, user=user).role == invitation.role
    assert Invitation.objects.get().accepted_by == user


def test_existing_account_is_attached(client: Client, team, outsider):
    InvitationFactory.create(team=team, email=outsider.email, token="tok-existing", role="lead")
    assert "Sign in" in Client().get("/invitations/tok-existing/").content.decode()
    client.force_login(outsider)
    client.post("/invitations/tok-existing/")
    assert Membership.objects.get(team=team, user=outsider).role == "lead"


def test_tampered_token_is_refused(client: Client, team, outsider):
    InvitationFactory.create(team=team, email=outsider.email, token="tok-real")
    client.force_login(outsider)
    response = client.post("/invitations/tok-reaX/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_invitation_works_once(client: Client, team, outsider):
    InvitationFactory.create(team=team, email=outsider.email, token="tok-once")
    client.force_login(outsider)
    client.post("/invitations/tok-once/")
    Membership.objects.filter(user=outsider).delete()
    response = client.post("/invitations/tok-once/")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_expired_invitation_is_refused(client: Client, team, outsider):
    InvitationFactory.create(team=team, email=outsider.email, token="tok-old")
    client.force_login(outsider)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.post("/invitations/tok-old/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_revoked_invitation_is_refused(client: Client, lead, team, outsider):
    invitation = InvitationFactory.create(team=team, email=outsider.email, token="tok-revoked")
    client.force_login(lead)
    client.post(f"/teams/{team.slug}/invitations/{invitation.pk}/revoke/")
    client.force_login(outsider)
    response = client.post("/invitations/tok-revoked/")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_invitation_for_another_address_is_refused(client: Client, team, outsider):
    InvitationFactory.create(team=team, email="someone.else@example.org", token="tok-other")
    client.force_login(outsider)
    page = client.get("/invitations/tok-other/")
    assert "someone.else@example.org" in page.content.decode()
    assert "Join team" not in page.content.decode()
    response = client.post("/invitations/tok-other/")
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()
    assert Invitation.objects.get().accepted_at is None


def test_revoking_another_teams_invitation_is_404(client: Client, lead, team):
    foreign = InvitationFactory.create()
    client.force_login(lead)
    response = client.post(f"/teams/{team.slug}/invitations/{foreign.pk}/revoke/")
    assert response.status_code == 404
    assert Invitation.objects.get(pk=foreign.pk).revoked_at is None


def test_invitations_per_hour_are_capped(client: Client, invite, lead, team):
    for number in range(INVITATIONS_PER_HOUR):
        InvitationFactory.create(team=team, email=f"bulk{number}@example.org")
    client.force_login(lead)
    response = invite(team, "one.more@example.org")
    assert "invitations in the last hour" in str(
        response.context["invitation_form"].errors["email"]
    )
    assert not Invitation.objects.filter(email="one.more@example.org").exists()
    assert mail.outbox == []


def test_invitation_email_dates_carry_a_real_zone(client: Client, invite, lead, team):
    client.force_login(lead)
    invite(team)
    date = mail.outbox[0].message()["Date"]
    assert not date.endswith("-0000")
    assert re.search(r"[+-]\d{4}$", date)
