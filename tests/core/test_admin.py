"""Django admin has every model registered and its pages open."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from planner.accounts.models import User
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_every_planner_model_is_registered():
    ours = [m for m in apps.get_models() if m.__module__.startswith("planner.")]
    assert ours
    assert [m.__name__ for m in ours if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize(
    "model", ["accounts/user", "teams/team", "teams/membership", "teams/invitation"]
)
def test_admin_list_add_and_change_pages_open(client: Client, model: str):
    staff = User.objects.create_superuser("admin@example.org", "admin-pass-123456")
    MembershipFactory.create()
    InvitationFactory.create()
    client.force_login(staff)
    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(f"/admin/{model}/add/").status_code == 200
    app_label, model_name = model.split("/")
    model_class = apps.get_model(app_label, model_name)
    first = model_class.objects.first()
    assert client.get(f"/admin/{model}/{first.pk}/change/").status_code == 200


def test_engineer_cannot_open_admin(client: Client, engineer):
    client.force_login(engineer)
    assert client.get("/admin/").status_code == 302


def test_admin_sign_in_goes_through_the_rate_limited_login(client: Client):
    User.objects.create_superuser("admin@example.org", "admin-pass-123456")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    # The admin's own form takes no password: posting one signs nobody in.
    posted = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@example.org", "password": "admin-pass-123456"},
    )
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
