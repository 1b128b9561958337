"""The ops dashboard: a server-rendered page over the statistics read models.

Sign-in: `/dashboard?token=…` once (an ops or staff key); it opens a server-side session
(services.case_api.sessions) whose opaque id, never the token, travels in an HttpOnly,
SameSite=Strict cookie scoped to /dashboard (Secure in production), and the address bar loses
the token. The page
reloads its figures every `REFRESH_SECONDS` from `/dashboard/live`, the same template
rendered without the frame. Jinja escapes every value; a strict Content-Security-Policy
allows only this app's own scripts and styles (Chart.js is served from here too).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.policies import PLATFORMS
from domain.statuses import RESOLUTIONS as ENDINGS
from domain.statuses import TERMINAL, Status
from projections import reports
from services.case_api.deps import Services, Svc
from services.case_api.routes.stats import fresh
from services.case_api.schemas import Platform
from services.case_api.sessions import LIFETIME, Sessions
from services.notifier import contact_hours
from services.translator import jobs as translation

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=HERE / "templates")
STATIC = {
    "chart.umd.min.js": "text/javascript",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
    "pages.css": "text/css",
    "timeline.js": "text/javascript",
    "store.js": "text/javascript",
}
COOKIE = "redress_dashboard"
REFRESH_SECONDS = 10
ATTENTION = 12  # stores listed as needing attention
SHOWN = 15  # deadlines at risk listed
OPEN_STATUSES = [str(s) for s in Status if s not in TERMINAL]
MISSED = ("reminders", "warnings", "sla_escalations", "auto_approvals")
# How a case ended, in words (PLATFORMS.md, "How a case ends"); the title shows the API's name.
RESOLUTIONS = {
    "agreed": "agreed: the consumer approved",
    "refunded": "refunded in full",
    "auto_approved": "approved automatically",
    "ruled_for_consumer": "ruled for the consumer",
    "ruled_for_store": "ruled for the store",
    "protection_refund": "purchase protection paid",
    "consumer_closed": "closed by the consumer",
    "consumer_gave_up": "the consumer gave up",
    "withdrawn": "withdrawn",
}
assert tuple(RESOLUTIONS) == ENDINGS
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SessionId = Annotated[str | None, Cookie(alias=COOKIE)]


def _refusal(request: Request, status: int, reason: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "signin.html", {"reason": reason}, status_code=status, headers=HEADERS
    )


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    svc: Svc,
    platform: Platform | None = None,
    refresh: Annotated[int, Query(ge=1, le=3600)] = REFRESH_SECONDS,
    token: str | None = None,
    cookie: SessionId = None,
) -> Response:
    """The dashboard page (ops, staff); it reloads its figures every `refresh` seconds."""
    if token is not None:
        target = "/dashboard" + (f"?platform={platform}" if platform else "")
        return await sign_in(request, svc, token, target)
    return await _page(request, svc, cookie, platform, "dashboard.html", refresh)


@router.get("/dashboard/live", response_class=HTMLResponse)
async def live(
    request: Request, svc: Svc, platform: Platform | None = None, cookie: SessionId = None
) -> Response:
    """The page's figures alone, for its periodic refresh."""
    return await _page(request, svc, cookie, platform, "live.html")


@router.get("/dashboard/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


async def sign_in(request: Request, svc: Services, token: str, target: str) -> Response:
    """Check the token, keep it in the cookie and send the browser to `target` (a path of
    this app's own, without the token)."""
    principal = await svc.keys.authenticate(token)
    if principal is None:
        return _refusal(request, 401, "That token is not valid.")
    if principal.role not in ("ops", "staff"):
        return _refusal(request, 403, "The dashboard is for ops and staff keys.")
    response = RedirectResponse(target, status_code=303, headers=HEADERS)
    session_id = await Sessions(svc.engine, svc.keys).open(principal, svc.clock())
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(LIFETIME.total_seconds()),
        path="/dashboard",
        httponly=True,
        samesite="strict",
        secure=svc.settings.environment == "production" or request.url.scheme == "https",
    )
    return response


async def refusal(request: Request, svc: Services, cookie: str | None) -> Response | None:
    """The sign-in page when the cookie holds no valid ops or staff key (or it is over its
    rate limit); None when the request may go on."""
    sessions = Sessions(svc.engine, svc.keys)
    principal = await sessions.holder(cookie, svc.clock()) if cookie else None
    if principal is None:
        return _refusal(request, 401, "Sign in with an ops or staff token.")
    if principal.role not in ("ops", "staff"):
        return _refusal(request, 403, "The dashboard is for ops and staff keys.")
    if (wait := svc.limiter.retry_after(principal.key_id)) is not None:
        return _refusal(request, 429, f"Too many requests with this key; retry in {wait} s.")
    return None


async def _page(
    request: Request,
    svc: Services,
    cookie: str | None,
    platform: str | None,
    template: str,
    refresh: int = REFRESH_SECONDS,
) -> Response:
    if (refused := await refusal(request, svc, cookie)) is not None:
        return refused
    now = svc.clock()
    view = await run_in_threadpool(fresh, svc, lambda c: _read(c, now, platform))
    context = {
        **view,
        "platforms": PLATFORMS,
        "refresh": refresh,
        "shown": SHOWN,
        "resolutions": RESOLUTIONS,
        "f": FORMATS,
    }
    return templates.TemplateResponse(request, template, context, headers=HEADERS)


def _read(connection: Any, now: datetime, platform: str | None) -> dict[str, Any]:
    overview = reports.overview(connection, now, platform)
    by_platform = reports.platforms(connection)["items"]
    if platform:
        by_platform = [p for p in by_platform if p["platform"] == platform]
    return {
        **overview,
        "chart": chart(by_platform),
        "attention": reports.needing_attention(connection, platform, ATTENTION),
        "translation": translation.figures(connection),
        "held_mail": contact_hours.held(connection, now),
        "now": now,
    }


def chart(by_platform: list[dict[str, Any]]) -> dict[str, Any]:
    """What the page's charts draw, per platform."""

    def series(pick: Any) -> list[Any]:
        return [pick(p) for p in by_platform]

    def hours(key: str) -> list[float | None]:
        return series(
            lambda p: (
                None
                if p["first_response"][key] is None
                else round(p["first_response"][key] / 3600, 1)
            )
        )

    return {
        "platforms": series(lambda p: p["platform"]),
        "open": {s: series(lambda p, s=s: p["by_status"][s]) for s in OPEN_STATUSES},
        "median_hours": hours("median_seconds"),
        "p90_hours": hours("p90_seconds"),
        "missed": {k: series(lambda p, k=k: p[k]) for k in MISSED},
    }


def duration(seconds: float | None) -> str:
    """3 d 4 h, 5 h 12 m, 42 m, 30 s; an em dash when unknown."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} m"
    return f"{minutes} m" if minutes else f"{secs} s"


def until(due: datetime, now: datetime) -> str:
    seconds = (due - now).total_seconds()
    return f"overdue {duration(-seconds)}" if seconds <= 0 else f"in {duration(seconds)}"


FORMATS = {"duration": duration, "until": until, "number": "{:,}".format}
