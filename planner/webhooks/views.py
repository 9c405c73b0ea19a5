"""The lead's integrations page: webhook endpoints and the team's Slack and Teams channels,
each endpoint's deliveries, and its buttons (pause, new secret, delete, send again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from planner.accounts.auth import signed_in_user
from planner.core.http import HtmxHttpRequest
from planner.teams.access import team_view
from planner.teams.models import Membership, Role
from planner.webhooks import selectors, services, tasks
from planner.webhooks.forms import ChatForm, EndpointForm
from planner.webhooks.models import Delivery, Endpoint, EndpointKind


def _page(
    request: HtmxHttpRequest,
    membership: Membership,
    *,
    endpoint_form: EndpointForm | None = None,
    chat_forms: dict[str, ChatForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    team = membership.team
    rows = selectors.team_endpoints(team)
    chats = []
    for kind in (EndpointKind.SLACK, EndpointKind.TEAMS):
        row = selectors.chat_of(rows, kind)
        form = (chat_forms or {}).get(kind)
        if form is None:
            initial = (
                {"url": row.endpoint.url, "digest_weekday": row.endpoint.digest_weekday}
                if row
                else {}
            )
            form = ChatForm(initial=initial, prefix=kind)
        chats.append({"kind": kind, "label": kind.label, "row": row, "form": form})
    context: dict[str, Any] = {
        "team": team,
        "membership": membership,
        "webhooks": [row for row in rows if not row.endpoint.is_chat],
        "chats": chats,
        "form": endpoint_form or EndpointForm(),
    }
    return render(request, "webhooks/integrations.html", context, status=status)


@require_GET
@team_view(Role.LEAD)
def integrations(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    return _page(request, membership)


@require_POST
@never_cache
@team_view(Role.LEAD)
def endpoint_create(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                team=membership.team,
                user=signed_in_user(request),
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
            )
        except services.WebhookRuleError as error:
            form.add_error(error.field, str(error))
        else:
            # The secret is shown on this answer only (not stored in the session).
            return _detail(request, membership, endpoint, secret=secret, status=201)
    return _page(request, membership, endpoint_form=form, status=400)


@require_POST
@team_view(Role.LEAD)
def chat_connect(request: HtmxHttpRequest, membership: Membership, kind: str) -> HttpResponse:
    if kind not in {EndpointKind.SLACK, EndpointKind.TEAMS}:
        raise Http404
    chat_kind = EndpointKind(kind)
    form = ChatForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.chat_connect(
                team=membership.team,
                user=signed_in_user(request),
                kind=chat_kind,
                url=form.cleaned_data["url"],
                digest_weekday=form.cleaned_data["digest_weekday"],
            )
        except services.WebhookRuleError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("%(service)s is connected.") % {"service": chat_kind.label})
            return redirect("integrations", team_slug=membership.team.slug)
    return _page(request, membership, chat_forms={kind: form}, status=400)


def _endpoint(membership: Membership, endpoint_id: int) -> Endpoint:
    return get_object_or_404(
        Endpoint.objects.select_related("team"), team=membership.team, pk=endpoint_id
    )


def _detail(
    request: HtmxHttpRequest,
    membership: Membership,
    endpoint: Endpoint,
    *,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "team": membership.team,
        "endpoint": endpoint,
        "secret": secret,
        "deliveries": selectors.recent_deliveries(endpoint, timezone.now()),
        "events": selectors.event_labels(endpoint),
    }
    return render(request, "webhooks/endpoint.html", context, status=status)


@require_GET
@team_view(Role.LEAD)
def endpoint_detail(
    request: HtmxHttpRequest, membership: Membership, endpoint_id: int
) -> HttpResponse:
    return _detail(request, membership, _endpoint(membership, endpoint_id))


@require_POST
@team_view(Role.LEAD)
def endpoint_active(
    request: HtmxHttpRequest, membership: Membership, endpoint_id: int
) -> HttpResponse:
    endpoint = _endpoint(membership, endpoint_id)
    active = request.POST.get("active") == "1"
    tasks.resume(endpoint, active)
    messages.success(request, _("Deliveries resumed.") if active else _("Deliveries paused."))
    return redirect(endpoint)


@require_POST
@never_cache
@team_view(Role.LEAD)
def endpoint_secret(
    request: HtmxHttpRequest, membership: Membership, endpoint_id: int
) -> HttpResponse:
    endpoint = _endpoint(membership, endpoint_id)
    try:
        secret = services.endpoint_rotate_secret(endpoint=endpoint)
    except services.WebhookRuleError as error:
        messages.error(request, str(error))
        return redirect(endpoint)
    return _detail(request, membership, endpoint, secret=secret)


@require_POST
@team_view(Role.LEAD)
def endpoint_delete(
    request: HtmxHttpRequest, membership: Membership, endpoint_id: int
) -> HttpResponse:
    endpoint = _endpoint(membership, endpoint_id)
    services.endpoint_delete(endpoint=endpoint)
    messages.success(request, _("The endpoint is deleted."))
    return redirect("integrations", team_slug=membership.team.slug)


@require_POST
@team_view(Role.LEAD)
def delivery_resend(
    request: HtmxHttpRequest, membership: Membership, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    endpoint = _endpoint(membership, endpoint_id)
    delivery = get_object_or_404(Delivery, endpoint=endpoint, pk=delivery_id)
    if tasks.resend(delivery):
        messages.success(request, _("The delivery goes out again."))
    else:
        messages.info(request, _("This delivery is already waiting to be sent."))
    return redirect(endpoint)
