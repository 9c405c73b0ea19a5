"""An invitation whose email cannot go out is kept, shown as not sent and can be sent again;
never a 500. The mail server here is a free port nobody listens on (tests/faults.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from planner.teams.models import Invitation, hash_token
from tests.factories import InvitationFactory
from tests.faults import free_port

# Real commits: the email is sent when the invitation is committed, before the answer.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2


def _invite(client: Client, team, **extra):
    data = {"email": "new@example.org", "role": "engineer"}
    return client.post(f"/teams/{team.slug}/invitations/", data, **extra)


def test_mail_server_down_keeps_the_invitation_and_says_so(
    client: Client, lead, team, mail_server_down
):
    client.force_login(lead)
    response = _invite(client, team, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "its email could not be sent" in body
    assert "Email not sent" in body
    assert "Send again" in body
    invitation = Invitation.objects.get()
    assert invitation.email_failed_at is not None
    assert invitation.revoked_at is None


def test_htmx_invite_with_the_mail_server_down_answers_the_partial(
    client: Client, lead, team, mail_server_down
):
    client.force_login(lead)
    response = _invite(client, team, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="invitations"')
    assert 'role="alert"' in response.content.decode()


def test_a_header_the_mail_library_refuses_is_a_failed_send_not_a_500(client: Client, lead, team):
    # A team name saved before names had to be one line: it breaks the subject header.
    type(team).objects.filter(pk=team.pk).update(name="ML\nPlatform")
    client.force_login(lead)
    response = _invite(client, team)
    assert response.status_code == 302
    assert Invitation.objects.get().email_failed_at is not None
    assert not mail.outbox


def test_send_again_once_the_server_is_back_sends_a_new_link(
    client: Client, lead, team, settings, mail_server_down
):
    client.force_login(lead)
    _invite(client, team)
    failed = Invitation.objects.get()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(f"/teams/{team.slug}/invitations/{failed.pk}/resend/", follow=True)
    assert "Invitation sent to new@example.org." in response.content.decode()
    sent = Invitation.objects.get()
    assert sent.email_failed_at is None
    assert len(mail.outbox) == 1
    token = re.search(r"/invitations/([^/\s]+)/", str(mail.outbox[0].body))
    assert token
    assert sent.token_hash == hash_token(token.group(1)) != failed.token_hash


def test_a_sent_valid_invitation_is_not_sent_again(client: Client, lead, team):
    invitation = InvitationFactory.create(team=team, email="new@example.org", token="tok-1")
    client.force_login(lead)
    response = client.post(f"/teams/{team.slug}/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    assert not mail.outbox
    assert Invitation.objects.get().token_hash == hash_token("tok-1")


def test_an_expired_invitation_can_be_sent_again_for_another_week(client: Client, lead, team):
    invitation = InvitationFactory.create(team=team, email="late@example.org", token="tok-old")
    old = datetime(2026, 1, 5, 9, 0, tzinfo=invitation.expires_at.tzinfo)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=old, expires_at=old)
    client.force_login(lead)
    now = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        assert "Send again" in client.get(f"/teams/{team.slug}/").content.decode()
        client.post(f"/teams/{team.slug}/invitations/{invitation.pk}/resend/")
    renewed = Invitation.objects.get()
    assert renewed.expires_at == now + timedelta(days=7)
    assert mail.outbox[0].to == ["late@example.org"]


def test_invitation_dates_read_like_the_rest_of_the_app(client: Client, lead, team):
    invitation = InvitationFactory.create(team=team, email="new@example.org", token="tok-d")
    when = datetime(2027, 12, 6, 15, 39, tzinfo=invitation.expires_at.tzinfo)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=when)
    client.force_login(lead)
    body = client.get(f"/teams/{team.slug}/").content.decode()
    assert re.search(r"Valid until Mon 6 Dec 2027, \d\d:39", body)
    assert "p.m." not in body
