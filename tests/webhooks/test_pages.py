"""The integrations page and an endpoint's page: lead only, refusals at the URL field with
nothing stored, the secret shown once, pause, delete, send again; pinned query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from standardwebhooks.webhooks import Webhook

from planner.webhooks import services
from planner.webhooks.models import Delivery, DeliveryState, Endpoint, EndpointKind

pytestmark = pytest.mark.django_db

PAGE = "/teams/ml-platform/integrations/"


def add(client: Client, url: str, events=("task.done",)):
    return client.post(
        PAGE + "webhooks/", {"url": url, "description": "CI", "events": list(events)}
    )


def test_lead_adds_an_endpoint_and_sees_its_secret_once(client: Client, lead, team, receiver):
    client.force_login(lead)
    response = add(client, receiver.url())
    assert response.status_code == 201
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.description) == (
        receiver.url(),
        ["task.done"],
        "CI",
    )
    page = response.content.decode()
    assert endpoint.secret in page
    assert endpoint.secret.startswith("whsec_")
    Webhook(endpoint.secret)  # the library takes it
    assert "no-store" in response["Cache-Control"]
    again = client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret not in again


def test_rotating_the_secret_shows_a_new_one_once(client: Client, lead, endpoint):
    client.force_login(lead)
    old = endpoint.secret
    response = client.post(endpoint.get_absolute_url() + "secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/planner", "Use an https:// URL"),
        ("https://10.1.2.3/hook", "private or reserved address (10.1.2.3)"),
        ("https://127.0.0.1:8443/hook", "private or reserved address (127.0.0.1)"),
        ("https://[::1]/hook", "private or reserved address (::1)"),
        ("https://169.254.169.254/latest/meta-data", "private or reserved address"),
        ("https://localhost/hook", "private or reserved address"),
        ("https://no-such-host.invalid/hook", "cannot find the host"),
    ],
)
def test_refused_urls_show_at_the_field_and_store_nothing(
    client: Client, lead, team, settings, url, message
):
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # production
    client.force_login(lead)
    response = add(client, url)
    assert response.status_code == 400
    field = response.context["form"]
    assert any(message in error for error in field.errors["url"])
    assert message.split(" (")[0] in response.content.decode().replace("&#x27;", "'")
    assert not Endpoint.objects.exists()


def test_choosing_no_event_is_refused(client: Client, lead, team, receiver):
    client.force_login(lead)
    response = add(client, receiver.url(), events=())
    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_chat_url_gets_the_same_address_checks(client: Client, lead, team, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(lead)
    response = client.post(
        PAGE + "chat/slack/",
        {"slack-url": "https://192.168.0.10/services/x", "slack-digest_weekday": ""},
    )
    assert response.status_code == 400
    assert "private or reserved address" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_lead_connects_slack_with_a_digest_and_changes_it(client: Client, lead, team, receiver):
    client.force_login(lead)
    response = client.post(
        PAGE + "chat/slack/", {"slack-url": receiver.url("/slack"), "slack-digest_weekday": "4"}
    )
    assert response.status_code == 302
    client.post(
        PAGE + "chat/slack/", {"slack-url": receiver.url("/slack2"), "slack-digest_weekday": ""}
    )
    slack = Endpoint.objects.get()
    assert (slack.kind, slack.url, slack.digest_weekday, slack.secret) == (
        "slack",
        receiver.url("/slack2"),
        None,
        "",
    )


def test_engineer_gets_403_and_changes_nothing(client: Client, engineer, endpoint, receiver):
    client.force_login(engineer)
    assert client.get(PAGE).status_code == 403
    assert add(client, receiver.url("/other")).status_code == 403
    assert client.post(endpoint.get_absolute_url() + "delete/").status_code == 403
    assert client.post(endpoint.get_absolute_url() + "active/", {"active": "0"}).status_code == 403
    assert client.post(endpoint.get_absolute_url() + "secret/").status_code == 403
    assert [(e.pk, e.active, e.secret) for e in Endpoint.objects.all()] == [
        (endpoint.pk, True, endpoint.secret)
    ]


def test_outsider_gets_404_and_changes_nothing(client: Client, outsider, endpoint, receiver):
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404
    assert add(client, receiver.url("/other")).status_code == 404
    assert client.get(endpoint.get_absolute_url()).status_code == 404
    assert client.post(endpoint.get_absolute_url() + "delete/").status_code == 404
    assert Endpoint.objects.count() == 1


def test_another_teams_endpoint_is_404_for_a_lead(client: Client, lead, endpoint):
    from tests.factories import MembershipFactory, TeamFactory

    other = TeamFactory.create(slug="other")
    MembershipFactory.create(team=other, user=lead, role="lead")
    client.force_login(lead)
    assert client.get(f"/teams/other/integrations/{endpoint.pk}/").status_code == 404
    assert client.post(f"/teams/other/integrations/{endpoint.pk}/delete/").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_lead_pauses_resumes_and_deletes(client: Client, lead, endpoint):
    client.force_login(lead)
    url = endpoint.get_absolute_url()
    assert client.post(url + "active/", {"active": "0"}).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    client.post(url + "active/", {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.active
    assert client.post(url + "delete/").status_code == 302
    assert not Endpoint.objects.exists()


def failed_delivery(plan, lead, receiver) -> Delivery:
    from planner.plans.models import Activity
    from planner.progress import services as progress
    from planner.webhooks import sending
    from planner.webhooks.dispatch import events_from_activity

    progress.task_complete(task_id=plan.tasks.order_by("pk").first().pk, user=lead)
    [delivery_id] = events_from_activity(Activity.objects.get(kind="done").pk)
    receiver.answer(410, "hook removed")
    sending.send_batch([delivery_id])
    return Delivery.objects.get(pk=delivery_id)


def test_lead_sees_a_failure_with_its_answer_and_sends_it_again(
    client: Client, django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    delivery = failed_delivery(plan, lead, receiver)
    client.force_login(lead)
    page = client.get(endpoint.get_absolute_url()).content.decode()
    assert "<strong>410</strong>" in page
    assert "hook removed" in page
    assert "Send again" in page
    listing = client.get(PAGE).content.decode()
    assert "1 failed" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{endpoint.get_absolute_url()}deliveries/{delivery.pk}/resend/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code, delivery.attempts) == (DeliveryState.SENT, 200, 1)
    assert len(receiver.at("/hook")) == 2


def test_the_integrations_page_reads_in_four_queries(
    client: Client, django_assert_num_queries, lead, team, receiver
):
    for path in ("/a", "/b", "/c"):
        services.endpoint_create(
            team=team, user=lead, url=receiver.url(path), description="", events=["task.done"]
        )
    services.chat_connect(
        team=team, user=lead, kind=EndpointKind.SLACK, url=receiver.url("/s"), digest_weekday=0
    )
    client.force_login(lead)
    # session, user, membership with team, endpoints with their counts
    with django_assert_num_queries(4):
        response = client.get(PAGE)
    assert response.status_code == 200


def test_an_endpoint_page_reads_in_five_queries(
    client: Client, django_assert_num_queries, plan, lead, endpoint, receiver
):
    failed_delivery(plan, lead, receiver)
    client.force_login(lead)
    # session, user, membership with team, the endpoint, its deliveries with their events
    with django_assert_num_queries(5):
        response = client.get(endpoint.get_absolute_url())
    assert response.status_code == 200


def test_team_settings_link_to_the_integrations(client: Client, lead, team):
    client.force_login(lead)
    assert PAGE in client.get("/teams/ml-platform/settings/").content.decode()
