"""The inbox as an ASGI application (Starlette): the pages, their JSON twins and the API.

Pages: ``/`` (sign in with an access code), ``/department`` (upload registers, see their
findings and the department's months), ``/office`` (the board, 催报, consolidation,
downloads), ``/office/audit``, ``/office/ranking``. API (an access code as ``Authorization:
Bearer CODE``, or a page's session): ``POST /api/registers``, ``GET /api/status``,
``/api/ranking.xlsx``, ``/api/ranking.json``, ``/api/audit``, ``/api/board``,
``/api/department``. Every error is ``{"error": "<中文说明>"}`` (a page under ``/``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from qianfen_xl.batch.consolidation import STATUSES
from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.contract.periods import month_of, parse_period, week_of
from qianfen_xl.inbox import downloads, views
from qianfen_xl.inbox.access import (
    ROLE_DEPARTMENT,
    ROLE_OFFICE,
    Brake,
    hash_token,
    match_code,
    wait_message,
)
from qianfen_xl.inbox.files import UploadRefused, receive_file
from qianfen_xl.inbox.service import UPLOAD_LIMIT, Inbox
from qianfen_xl.inbox.web import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_HOURS,
    Refusal,
    Who,
    check_csrf,
    client_address,
    http_error,
    identify,
    inbox_of,
    new_token,
    require,
    role_home,
    same_origin,
    server_error,
)

log = logging.getLogger("qianfen_xl.inbox")
PACKAGE = Path(__file__).parent
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def today() -> date:
    return date.today()


def _page(request: Request, name: str, who: Who | None, **context: object) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    inbox = inbox_of(request)
    return templates.TemplateResponse(request, name, {
        "who": who, "unit": inbox.unit, "csrf": who.csrf if who else "",
        "status_class": views.STATUS_CLASS, **context})


def _signed_in(request: Request, role: str) -> Who | None:
    """Who asks for a page of ``role`` (None: not signed in as that role, and the page sends
    them to sign in)."""
    who = identify(request)
    return who if who is not None and who.code.role == role else None


def _year(request: Request) -> int:
    text = request.query_params.get("year", "")
    if not text:
        return views.default_year(inbox_of(request).ledger, today())
    if not (text.isdigit() and len(text) == 4):
        raise Refusal(400, f"年份 “{text}” 无效，应如 2026")
    return int(text)


# ---------------------------------------------------------------------------- sign in
def login_page(request: Request) -> Response:
    who = identify(request)
    if who is not None:
        return RedirectResponse(role_home(who.code), 303)
    token = request.cookies.get(LOGIN_COOKIE) or new_token()
    page = _page(request, "login.html", None, login_token=token,
                 message=request.query_params.get("m", ""))
    page.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https")
    return page


async def login(request: Request) -> Response:
    same_origin(request)
    form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
    sent = str(form.get("login_token", ""))
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or sent != cookie:
        raise Refusal(403, "登录页面已过期：请刷新页面后重新输入访问码")
    brake: Brake = request.app.state.brake
    address = client_address(request)
    inbox = inbox_of(request)
    if (wait := brake.wait(address)) > 0:
        page = _page(request, "login.html", None, login_token=cookie, message=wait_message(wait))
        page.status_code = 429
        page.headers["retry-after"] = str(max(1, round(wait)))
        return page
    code = await run_in_threadpool(match_code, str(form.get("code", "")), inbox.db.codes())
    if code is None:
        brake.failed(address)
        page = _page(request, "login.html", None, login_token=cookie,
                     message="访问码不正确：请核对考核办发放的访问码（不区分大小写，短横线可省略）")
        page.status_code = 401
        return page
    token, csrf = new_token(), new_token()
    inbox.db.add_session(hash_token(token), code.id, csrf)
    response = RedirectResponse(role_home(code), 303)
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    who = identify(request)
    if who is not None:
        form = await request.form(max_files=0, max_fields=2, max_part_size=4096)
        check_csrf(request, who, str(form.get("csrf", "")))
        inbox_of(request).db.drop_session(hash_token(request.cookies.get(SESSION_COOKIE, "")))
    response = RedirectResponse("/", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---------------------------------------------------------------------------- department
def _department_data(request: Request, who: Who) -> dict[str, object]:
    """The department's page data for the year asked (its page, fragment and JSON)."""
    return views.department(inbox_of(request).ledger, who.department, _year(request), today())


def department_page(request: Request) -> Response:
    if (who := _signed_in(request, ROLE_DEPARTMENT)) is None:
        return RedirectResponse("/", 303)
    data = _department_data(request, who)
    return _page(request, "department.html", who, data=data, limit_mb=UPLOAD_LIMIT // 2**20,
                 week=week_of(today()), month=month_of(today()))


def department_periods(request: Request) -> Response:
    """The department's months and uploads, as an HTML fragment (refreshed after uploads)."""
    who = require(request, ROLE_DEPARTMENT)
    data = _department_data(request, who)
    return _page(request, "_periods.html", who, data=data)


def department_json(request: Request) -> Response:
    who = require(request, ROLE_DEPARTMENT)
    return JSONResponse(_department_data(request, who))


async def upload_register(request: Request) -> Response:
    """POST /api/registers: one file (multipart field ``file``) from a department."""
    who = require(request, ROLE_DEPARTMENT)
    check_csrf(request, who)
    inbox = inbox_of(request)
    try:
        received = await receive_file(request.stream(), request.headers.get("content-type", ""),
                                      request.headers.get("content-length"), inbox.store,
                                      UPLOAD_LIMIT)
    except UploadRefused as exc:
        if exc.status == 413:
            size = int(request.headers.get("content-length", "0") or 0)
            await run_in_threadpool(inbox.refused, who.department, "", size,
                                    f"文件超过 {UPLOAD_LIMIT // 2**20} MB")
        raise Refusal(exc.status, exc.message) from exc
    outcome = await run_in_threadpool(inbox.receive, who.department, received.filename,
                                      received.stored)
    return JSONResponse(outcome.body, outcome.status,
                        headers={"x-upload-id": str(outcome.upload.id)})


# ---------------------------------------------------------------------------- office
def office_page(request: Request) -> Response:
    if (who := _signed_in(request, ROLE_OFFICE)) is None:
        return RedirectResponse("/", 303)
    inbox = inbox_of(request)
    data = views.board(inbox.ledger, _year(request), today())
    month = _last_month_shown(data)
    return _page(request, "office.html", who, data=data,
                 rows=views.audit(inbox.ledger, inbox.db.uploads(latest=15)),
                 month=month, offered=_offered(month, today()))


def _last_month_shown(data: dict[str, object]) -> str:
    """The month the consolidation form offers: the latest that has ended."""
    months = data["months"]
    assert isinstance(months, list)
    ended = [m["month"] for m in months if not m["in_progress"]] or [m["month"] for m in months]
    return str(ended[-1]) if ended else month_of(today())


def _offered(month: str, day: date) -> list[dict[str, str]]:
    """The periods the consolidation form offers at a click: the last week that has ended
    (by ``month``'s end at the latest), ``month``, and its quarter, half-year and year."""
    span = parse_period(month)
    last = min(day - timedelta(days=day.weekday() + 1), span.end)  # a Sunday, or the end
    week = week_of(last - timedelta(days=(last.weekday() + 1) % 7))
    y, m = span.start.year, span.start.month
    return [{"period": p, "label": f"{kind} {p}"} for kind, p in (
        ("周", week), ("月", month), ("季度", f"{y}-Q{(m + 2) // 3}"),
        ("半年", f"{y}-H{1 if m <= 6 else 2}"), ("年度", str(y)))]


def board_json(request: Request) -> Response:
    require(request, ROLE_OFFICE)
    return JSONResponse(views.board(inbox_of(request).ledger, _year(request), today()))


def audit_page(request: Request) -> Response:
    if (who := _signed_in(request, ROLE_OFFICE)) is None:
        return RedirectResponse("/", 303)
    inbox = inbox_of(request)
    return _page(request, "audit.html", who, rows=views.audit(inbox.ledger, inbox.db.uploads()))


def audit_json(request: Request) -> Response:
    require(request, ROLE_OFFICE)
    inbox = inbox_of(request)
    return JSONResponse({"uploads": views.audit(inbox.ledger, inbox.db.uploads())})


def _month_param(request: Request) -> str:
    label = request.query_params.get("period", "")
    try:
        period = parse_period(label)
    except PeriodError as exc:
        raise Refusal(400, str(exc)) from exc
    if period.kind != "month":
        raise Refusal(400, f"状态按月查询：期间应为月，如 2026-11（收到 “{label}”）")
    return period.label


def status_json(request: Request) -> Response:
    """GET /api/status?period=2026-11: every department's month, as consolidate makes it."""
    require(request, ROLE_OFFICE)
    month = _month_param(request)
    cells = inbox_of(request).ledger.cells(month, today())
    return JSONResponse({"period": month, "departments": [c.as_dict() for c in cells]})


def ranking_page(request: Request) -> Response:
    if (who := _signed_in(request, ROLE_OFFICE)) is None:
        return RedirectResponse("/", 303)
    label = request.query_params.get("period", "")
    result = downloads.consolidation(request, label)
    return _page(request, "ranking.html", who, result=result, period=label,
                 ranking=downloads.ranking_rows(result))


# ---------------------------------------------------------------------------- the app
class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response


def create_app(folder: Path, *, workers: int | None = None) -> Starlette:
    """The inbox in ``folder`` as an application; its workers start with the app."""
    inbox = Inbox(folder, workers=workers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        inbox.start()
        log.info("inbox %s: %d uploads", folder, len(inbox.ledger.entries()))
        try:
            yield
        finally:
            inbox.close()

    routes = [
        Route("/", login_page), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/department", department_page), Route("/department/periods", department_periods),
        Route("/department/templates.zip", downloads.templates_zip),
        Route("/office", office_page), Route("/office/audit", audit_page),
        Route("/office/ranking", ranking_page),
        Route("/office/files.zip", downloads.files_zip),
        Route("/office/counting.zip", downloads.counting_zip),
        Route("/api/registers", upload_register, methods=["POST"]),
        Route("/api/status", status_json), Route("/api/board", board_json),
        Route("/api/department", department_json), Route("/api/audit", audit_json),
        Route("/api/ranking.xlsx", downloads.ranking_xlsx),
        Route("/api/ranking.json", downloads.ranking_json),
        Mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.inbox = inbox
    app.state.brake = Brake()
    app.state.templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    app.state.templates.env.globals["STATUSES"] = STATUSES
    return app
