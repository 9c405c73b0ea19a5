"""Sign-up by email and password: no usernames, Django's validators, one account per address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from planner.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRONG = "orbit-lantern-quartz-91"


def _sign_up(
    client: Client, email: str, password: str = STRONG, name: str = "Noor Haddad", **extra: Any
):
    data = {"name": name, "email": email, "password1": password, "password2": password}
    return client.post("/accounts/signup/", data, **extra)


def test_sign_up_creates_user_and_sends_verification_email(client: Client):
    response = _sign_up(client, "New.Person@Example.org")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new.person@example.org"
    assert user.check_password(STRONG)
    assert user.name == "Noor Haddad"
    assert user.display_name == "Noor Haddad"  # not the address, in the nav and the emails
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in str(mail.outbox[0].body)


def test_sign_up_with_a_taken_email_answers_as_for_a_new_one_and_tells_the_owner(
    client: Client, engineer
):
    new = _sign_up(client, "someone.new@example.org")
    taken = _sign_up(Client(), engineer.email.upper())
    # The same answer: nobody learns from the page whether the address has an account.
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]
    assert User.objects.filter(email__iexact=engineer.email).count() == 1
    owner_mail = [m for m in mail.outbox if m.to == [engineer.email]]
    assert len(owner_mail) == 1
    assert "/accounts/password/reset/" in str(owner_mail[0].body)
    assert engineer.check_password(PASSWORD)  # nothing changed on the account


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password123", "too common"), ("8265019374", "entirely numeric")],
)
def test_weak_password_is_refused_with_the_validator_message(client: Client, password, message):
    response = _sign_up(client, "weak@example.org", password)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["password1"])
    assert not User.objects.exists()


def test_sign_up_in_german_keeps_german_as_language(client: Client):
    _sign_up(client, "anna@example.ch", HTTP_ACCEPT_LANGUAGE="de")
    assert User.objects.get().language == "de"


@pytest.mark.parametrize(
    "name",
    ["", "   ", "Noor\nHaddad", "Noor\rBcc: x@example.org", "Noor\u202egnp.exe", "Noor\x00"],
)
def test_sign_up_needs_a_name_on_one_line(client: Client, name: str):
    response = _sign_up(client, "named@example.org", name=name)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not User.objects.exists()
    assert not mail.outbox
