"""The JSON API under /api/v1/: django-ninja over the same services and selectors as the
pages. OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs (Swagger UI from
django-ninja's own static files, no CDN)."""

from __future__ import annotations

from django.conf import settings
from ninja import NinjaAPI, Swagger
from ninja.throttling import AuthRateThrottle

from planner.api import errors
from planner.api.auth import SignedInAuth, TokenAuth
from planner.api.endpoints import kpis, tasks, teams
from planner.api.renderers import JSONRenderer

DESCRIPTION = """\
Planner's plans, tasks, KPIs and progress for pipelines and scripts.

**Authentication.** A team's lead creates tokens on the team's *API tokens* page. Send one
as `Authorization: Bearer plnr_…`. A *read* token may only read; a *write* token may also
tick tasks and record measurements. A token acts for the lead who made it, for that one
team; the team's feed shows changes made through it with the token's name. Signed-in
browser sessions may call the API too (writes need the `X-CSRFToken` header).

**Errors.** Every refusal has the same shape:
`{"status": 422, "code": "invalid", "message": "…", "errors": [{"field": "value",
"message": "…"}]}`. `field` names the body or query field (`measurements.2.value`).
Messages follow `Accept-Language` (English or German).

**Limits.** Lists are paginated (`page`, `page_size` up to 500; `next` links the next
page). Each token (or person) may send `API_RATE_LIMIT` requests (default 300 a minute);
more get 429 with `Retry-After`.
"""

# Per token (or signed-in person): the throttle keys on str(Caller).
THROTTLE = AuthRateThrottle(settings.API_RATE_LIMIT)

api = NinjaAPI(
    title="Planner API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SignedInAuth()],
    throttle=[THROTTLE],
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_url="/docs",
    renderer=JSONRenderer(),
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", teams.router)
api.add_router("", tasks.router)
api.add_router("", kpis.router)
