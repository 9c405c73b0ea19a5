"""The reminder email as Django's mail stack writes it: its date with the team's offset, the
delivery's Message-ID on the site's host, headers in the recipient's language, RFC 8058
one-click unsubscribe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import Client

from planner.reminders import selectors, services
from planner.reminders.emails import ReminderMail, boundary_of
from planner.reminders.models import Delivery, OptOut
from planner.reminders.sending import send_batch
from tests.factories import MembershipFactory, UserFactory
from tests.progress.plans import running_plan
from tests.reminders.mail import on_the_wire

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings) -> str:
    settings.SITE_URL = "https://planner.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return "https://planner.example.com"


@pytest.mark.parametrize(
    ("sent_at", "date"),
    [
        (datetime(2027, 3, 10, 8, tzinfo=UTC), "Wed, 10 Mar 2027 09:00:00 +0100"),
        (datetime(2027, 7, 14, 7, tzinfo=UTC), "Wed, 14 Jul 2027 09:00:00 +0200"),
    ],
)
def test_the_date_has_the_offset_of_the_teams_time_zone(team, lead, sent_at, date):
    plan = running_plan(team, lead, day=1)
    writer = ReminderMail(plan, boundary_of(plan, "kickoff"))
    message = writer.email(lead, message_id="<1@t>", now=sent_at)
    assert on_the_wire(message)["Date"] == date


def test_the_message_id_is_the_deliverys_on_the_host_of_the_site_url(site, team, lead):
    plan = running_plan(team, lead, day=1)
    services.dispatch(selectors.schedule_of(plan)[0].at)
    delivery = Delivery.objects.get(email=lead.email)
    assert send_batch([delivery.pk]).sent == 1
    (message,) = mail.outbox
    expected = f"<reminder-{plan.pk}-kickoff-{delivery.pk}@planner.example.com>"
    assert delivery.message_id == expected
    assert on_the_wire(message)["Message-ID"] == expected


def test_a_german_member_gets_the_headers_in_german(team, lead):
    team.name = "Datenplattform Zürich"
    team.save()
    german = UserFactory.create(language="de")
    MembershipFactory.create(team=team, user=german)
    plan = running_plan(team, lead, day=1)
    writer = ReminderMail(plan, boundary_of(plan, "kickoff"))
    message = writer.email(german, message_id="<1@t>")
    head = message.message().as_bytes().split(b"\n\n", 1)[0].decode("ascii")  # all ASCII
    subject = head.split("Subject:", 1)[1].split("\nFrom:", 1)[0]
    assert subject.strip().startswith("=?utf-8?")  # RFC 2047 encoded words
    # A long subject starts on a folded line; mail clients drop the fold's space.
    parsed = on_the_wire(message)
    assert parsed["Subject"].strip() == "[Planner] Datenplattform Zürich: Ihr Plan beginnt heute"
    english = on_the_wire(writer.email(lead, message_id="<2@t>"))
    assert english["Subject"].strip() == "[Planner] Datenplattform Zürich: your plan starts today"


def test_one_click_unsubscribe_headers_lead_to_the_https_link(client: Client, site, team, lead):
    plan = running_plan(team, lead, day=1)
    message = ReminderMail(plan, boundary_of(plan, "kickoff")).email(lead, message_id="<1@t>")
    parsed = on_the_wire(message)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Folded before the link if the line is long, never inside it.
    header = str(parsed["List-Unsubscribe"]).strip()
    assert header.startswith("<https://planner.example.com/reminders/unsubscribe/")
    assert header.endswith(">")
    link = header[1:-1]
    text = parsed.get_body(("plain",))
    assert text is not None
    assert link in text.get_content()  # the header is the link, unbroken by folding
    # What a mail client does on "unsubscribe": a POST to the link, no cookie, no token.
    response = client.post(link.removeprefix(site), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert OptOut.objects.filter(user=lead, team=team).exists()


def test_the_email_is_plain_text_with_an_html_alternative(team, lead):
    plan = running_plan(team, lead, day=1)
    message = ReminderMail(plan, boundary_of(plan, "kickoff")).email(lead, message_id="<1@t>")
    parsed = on_the_wire(message)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["To"] == lead.email
