"""Sign-in by email, sign-out, and the rate limit on wrong passwords."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_sign_in_with_email_and_password(client: Client, engineer):
    response = _sign_in(client, engineer.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == engineer


def test_wrong_password_is_refused_with_a_message(client: Client, engineer):
    response = _sign_in(client, engineer.email, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in str(response.context["form"].errors)


def test_sign_in_is_locked_after_five_wrong_passwords(client: Client, engineer):
    for _ in range(5):
        _sign_in(client, engineer.email, "not-the-password")
    response = _sign_in(client, engineer.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in str(response.context["form"].errors)
    assert not client.get("/").context["user"].is_authenticated


def test_sign_out_needs_a_post(client: Client, engineer):
    client.force_login(engineer)
    client.get("/accounts/logout/")
    assert client.get("/").context["user"].is_authenticated
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated
