"""The profile page (name, language, time zone) and the language switcher."""

from __future__ import annotations

import pytest
from django.test import Client

from planner.accounts.models import User

pytestmark = pytest.mark.django_db


def test_profile_saves_name_language_and_time_zone(client: Client, engineer):
    client.force_login(engineer)
    response = client.post(
        "/accounts/profile/", {"name": "Emil E.", "language": "de", "time_zone": "America/New_York"}
    )
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert (engineer.name, engineer.language, engineer.time_zone) == (
        "Emil E.",
        "de",
        "America/New_York",
    )
    assert response.cookies["django_language"].value == "de"


def test_unknown_time_zone_is_refused_at_the_field(client: Client, engineer):
    client.force_login(engineer)
    response = client.post(
        "/accounts/profile/", {"name": "Changed", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert User.objects.get(pk=engineer.pk).name == "Emil Engineer"


def test_profile_language_decides_the_page_language(client: Client, engineer):
    User.objects.filter(pk=engineer.pk).update(language="de")
    client.force_login(engineer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "de"


def test_language_switcher_updates_the_signed_in_users_profile(client: Client, engineer):
    client.force_login(engineer)
    response = client.post("/accounts/language/", {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=engineer.pk).language == "de"


def test_language_switcher_works_for_visitors(client: Client):
    client.post("/accounts/language/", {"language": "de", "next": "/"})
    assert client.get("/")["Content-Language"] == "de"


def test_profile_needs_sign_in(client: Client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_name_on_two_lines_is_refused_and_nothing_changes(client: Client, engineer):
    client.force_login(engineer)
    before = engineer.name
    response = client.post(
        "/accounts/profile/",
        {"name": "Erik\nBerg", "language": "en", "time_zone": "Europe/Zurich"},
    )
    assert response.status_code in (200, 400)
    assert "name" in response.context["form"].errors
    engineer.refresh_from_db()
    assert engineer.name == before


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/reminders/",
    ],
)
def test_every_account_page_links_the_others_and_the_way_back(client: Client, engineer, path):
    client.force_login(engineer)
    body = client.get(path).content.decode()
    for link in (
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/reminders/",
        "/accounts/calendar/",
    ):
        assert f'href="{link}"' in body
    assert 'aria-current="page"' in body
    assert "Back to My tasks" in body


def test_new_team_has_a_way_back(client: Client, engineer):
    client.force_login(engineer)
    body = client.get("/teams/new/").content.decode()
    assert "Cancel" in body
