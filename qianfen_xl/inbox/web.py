"""What every route shares: who is asking (an access code or a session), the guards on
posts (same origin, CSRF token), and errors as Chinese text — JSON under ``/api/``, a page
elsewhere, never a traceback.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from qianfen_xl.inbox.access import (
    ROLE_DEPARTMENT,
    ROLE_OFFICE,
    hash_token,
    match_code,
    wait_message,
)
from qianfen_xl.inbox.db import Code
from qianfen_xl.inbox.service import Inbox

SESSION_COOKIE = "qf_session"
SESSION_HOURS = 12  # a session lasts a working day, then its holder signs in again
SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)
LOGIN_COOKIE = "qf_login"
CSRF_HEADER = "x-csrf-token"

MESSAGES = {
    400: "请求有误",
    401: "请先登录：需要有效的访问码",
    403: "没有权限进行此操作",
    404: "找不到该页面",
    405: "不支持此请求方式",
    413: "上传的文件过大",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部出错，已记录；请稍后重试，如仍出错请联系管理员",
}
# An error page's heading, by status (its message says more).
TITLES = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "找不到页面", 405: "请求方式不支持",
          413: "文件过大", 429: "请稍后再试", 500: "服务器出错"}


def status_text(status: int, table: Mapping[int, str]) -> str:
    """The text of ``table`` for ``status``, or of its class (4xx as 400, 5xx as 500).

    >>> status_text(503, MESSAGES) == MESSAGES[500], status_text(418, TITLES)
    (True, '请求有误')
    """
    return table.get(status) or table[500 if status >= 500 else 400]


class Refusal(HTTPException):
    """An error for the person asking: status and Chinese message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)


@dataclass(frozen=True)
class Who:
    code: Code
    csrf: str | None   # the session's token; None when the request carries the code itself

    @property
    def office(self) -> bool:
        return self.code.role == ROLE_OFFICE

    @property
    def department(self) -> str:
        return self.code.department


def inbox_of(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def identify(request: Request) -> Who | None:
    """The access code of ``Authorization: Bearer CODE``, or the signed-in session.
    A wrong code counts against the address (and past the limit is refused, 429)."""
    inbox = inbox_of(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        brake = request.app.state.brake
        address = client_address(request)
        if (wait := brake.wait(address)) > 0:
            raise Refusal(429, wait_message(wait), {"Retry-After": str(max(1, round(wait)))})
        code = match_code(header[7:], inbox.db.codes())
        if code is None:
            brake.failed(address)
            raise Refusal(401, "访问码无效：请核对考核办发放的访问码")
        return Who(code, None)
    return _session(request)


def _session(request: Request) -> Who | None:
    """The signed-in session of the request's cookie, if any, and not older than
    ``SESSION_HOURS`` (an older one is ended: its holder signs in again)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    db, key = inbox_of(request).db, hash_token(token)
    found = db.session(key)
    if found is None:
        return None
    code, csrf, began = found
    if datetime.now().astimezone() - datetime.fromisoformat(began) > SESSION_LIFETIME:
        db.drop_session(key)
        return None
    return Who(code, csrf)


def require(request: Request, role: str) -> Who:
    who = identify(request)
    if who is None:
        raise Refusal(401, MESSAGES[401])
    if who.code.role != role:
        raise Refusal(403, "此功能只供考核办使用" if role == ROLE_OFFICE
                      else "此功能只供科室使用（上传本科室的登记表）")
    return who


def same_origin(request: Request) -> None:
    """A post from a page of another site is refused: its Origin (or Referer) must be
    this server's own."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return  # not a browser (a script with its code): nothing cross-site to fear
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin != own and not origin.startswith(own + "/"):
        raise Refusal(403, "跨站请求已拒绝：请从本系统的页面提交")


def check_csrf(request: Request, who: Who, sent: str | None = None) -> None:
    """A session's post must carry its CSRF token (header or form field)."""
    same_origin(request)
    if who.csrf is None:
        return
    given = sent if sent is not None else request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(given.encode(), who.csrf.encode()):
        raise Refusal(403, "页面已过期或请求来源不明：请刷新页面后重试")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def error_response(request: Request, status: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    try:  # the page keeps its navigation for whoever is signed in
        who = _session(request) if status < 500 else None
    except Exception:  # noqa: BLE001 - the error being shown may be the database's own
        who = None
    context: dict[str, Any] = {"title": status_text(status, TITLES), "message": message,
                               "who": who, "csrf": who.csrf if who else "",
                               "unit": inbox_of(request).unit}
    return templates.TemplateResponse(request, "error.html", context, status_code=status,
                                      headers=headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc, Refusal) else status_text(exc.status_code, MESSAGES)
    return error_response(request, exc.status_code, message, exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    logging.getLogger("qianfen_xl.inbox").error("%s %s failed", request.method,
                                                request.url.path, exc_info=exc)
    return error_response(request, 500, MESSAGES[500])


def role_home(code: Code) -> str:
    """The page a code signs in to."""
    return "/office" if code.role == ROLE_OFFICE else "/department"


__all__ = ["ROLE_DEPARTMENT", "ROLE_OFFICE", "Refusal", "Who", "check_csrf", "identify",
           "require"]
