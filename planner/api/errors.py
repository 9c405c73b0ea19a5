"""One error shape for every refusal the API gives, and the handlers that produce it.

    {"status": 422, "code": "invalid", "message": "…",
     "errors": [{"field": "value", "message": "Enter a number."}]}

`field` names the body or query field (dotted for nested ones: `measurements.2.value`).
Messages are in the language of the request's Accept-Language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import BaseModel

from planner.assessment.services import AssessmentIncomplete
from planner.plans.services import PlanRuleError
from planner.progress.services import StaleNote

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
}


class FieldError(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    status: int
    code: str
    message: str
    errors: list[FieldError] = []


# The refusals every endpoint can give (a bad path or query value is 422); endpoints that
# change state add 409.
COMMON = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class Refusal(Exception):
    """Raised by an endpoint to refuse with a status, a message and field errors."""

    def __init__(self, status: int, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or {}


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    errors: dict[str, str] | list[tuple[str, str]] | None = None,
) -> HttpResponse:
    pairs = list(errors.items()) if isinstance(errors, dict) else list(errors or [])
    body = ErrorOut(
        status=status,
        code=CODES.get(status, "error"),
        message=message,
        errors=[FieldError(field=field, message=text) for field, text in pairs],
    )
    return api.create_response(request, body.model_dump(), status=status)


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    known = {
        "missing": _("This field is required."),
        "extra_forbidden": _("There is no such field."),
        "json_invalid": _("The body is not valid JSON."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "finite_number": _("Enter a number."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "string_type": _("Enter text."),
        "bool_type": _("Enter true or false."),
        "bool_parsing": _("Enter true or false."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "datetime_type": _("Enter a date and time (ISO 8601)."),
        "datetime_parsing": _("Enter a date and time (ISO 8601), e.g. 2026-03-02T09:30:00Z."),
        "datetime_from_date_parsing": _(
            "Enter a date and time (ISO 8601), e.g. 2026-03-02T09:30:00Z."
        ),
        "timezone_aware": _("Give the time zone, e.g. 2026-03-02T09:30:00Z or +01:00."),
        "date_parsing": _("Enter a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
        "date_type": _("Enter a date (YYYY-MM-DD)."),
        "url_parsing": _("Enter a full web address starting with https:// or http://."),
        "url_scheme": _("Enter a full web address starting with https:// or http://."),
        "url_type": _("Enter a full web address starting with https:// or http://."),
    }
    if kind in known:
        return str(known[kind])
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "string_too_long":
        return _("Use at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("This field may not be blank.")
    if kind == "too_long":
        return _("Send at most %(limit)s items.") % {"limit": ctx.get("max_length")}
    if kind == "too_short":
        return _("Send at least %(limit)s items.") % {"limit": ctx.get("min_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Enter a number of at least %(limit)s.") % {"limit": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("Enter a number of at most %(limit)s.") % {"limit": limit}
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", ""))
    return _("This value is not valid.")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "payload", "measurements", 2, "value")` -> `measurements.2.value`."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "form"}:
        source = parts.pop(0)
        if source == "body" and len(parts) > 1:
            parts.pop(0)  # the endpoint's parameter name, not the client's business
    return ".".join(str(part) for part in parts) or "body"


def install(api: NinjaAPI) -> None:
    """Answer every refusal in the one shape; anything else is a bug and stays a 500."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        pairs = [(_field(e.get("loc", ())), _pydantic_message(e)) for e in exc.errors]
        if any(e.get("type") == "json_invalid" for e in exc.errors):
            return error_response(api, request, 400, _("The body is not valid JSON."))
        return error_response(api, request, 422, _("Some fields are not valid."), pairs)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else None
        response = error_response(
            api,
            request,
            401,
            message or _("Sign in, or send a team token as Authorization: Bearer <token>."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="planner"'
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return error_response(api, request, 429, _("Too many requests. Wait and try again."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # django-ninja's only 400: a body it cannot parse
            return error_response(api, request, 400, _("The body is not valid JSON."))
        return error_response(api, request, exc.status_code, str(exc.message))

    @api.exception_handler(Refusal)
    def refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
        return error_response(api, request, exc.status, exc.message, exc.errors)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, _("This needs the team's lead role."))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, 413, _("The body is too large."))

    @api.exception_handler(PlanRuleError)
    def rule(request: HttpRequest, exc: PlanRuleError) -> HttpResponse:
        # A rule about a field is a bad value (422); one about the plan's state, a conflict.
        if exc.field:
            return error_response(api, request, 422, str(exc), {exc.field: str(exc)})
        return error_response(api, request, 409, str(exc))

    @api.exception_handler(StaleNote)
    def stale(request: HttpRequest, exc: StaleNote) -> HttpResponse:
        return error_response(api, request, 409, str(exc), {exc.field or "note": str(exc)})

    @api.exception_handler(AssessmentIncomplete)
    def incomplete(request: HttpRequest, exc: AssessmentIncomplete) -> HttpResponse:
        pairs = [
            (key if "." in key else f"answers.{key}", message)
            for section in exc.errors.values()
            for key, messages in section.items()
            for message in messages
        ]
        return error_response(api, request, 422, _("Some answers are missing or invalid."), pairs)
