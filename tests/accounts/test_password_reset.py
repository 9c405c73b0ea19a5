"""Password reset by email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from planner.accounts.models import User

pytestmark = pytest.mark.django_db

NEW = "meadow-violin-copper-37"


def test_password_reset_by_email_link(client: Client, engineer):
    client.post("/accounts/password/reset/", {"email": engineer.email})
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body)
    )
    assert link
    form_url = client.get(link.group(1))["Location"]  # allauth moves the key into the session
    response = client.post(form_url, {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    assert User.objects.get(pk=engineer.pk).check_password(NEW)


def test_reset_link_works_once(client: Client, engineer):
    client.post("/accounts/password/reset/", {"email": engineer.email})
    path = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body)
    )
    assert path
    form_url = client.get(path.group(1))["Location"]
    client.post(form_url, {"password1": NEW, "password2": NEW})
    again = Client().get(path.group(1), follow=True)
    assert "Bad Token" in again.content.decode()


def test_reset_answers_alike_for_an_unknown_address(client: Client, engineer):
    known = client.post("/accounts/password/reset/", {"email": engineer.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The unknown address learns it has no account; nobody else learns anything.
    assert [m.to for m in mail.outbox] == [[engineer.email], ["nobody@example.org"]]
    assert "/accounts/password/reset/key/" not in str(mail.outbox[1].body)
