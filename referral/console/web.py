"""What every console page shares: templates, security headers, the signed-in user, CSRF, error pages.

Console routes use ``ConsoleRoute``: it turns the console's own exceptions into HTML pages
(a redirect to the login page, a 403, a 404) and adds the security headers to every response.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from referral import staff_auth
from referral.console import labels
from referral.db import as_utc
from referral.dependencies import SessionDep
from referral.desk import CLOSING_OUTCOMES
from referral.models import Role, StaffSession, StaffUser
from referral.rules.contract import CHINA_TZ
from referral.rules.matters import MATTERS

COOKIE = "legalaid_staff"
LOGIN_CSRF_COOKIE = "legalaid_login_csrf"
TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def china_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as China time (SQLite hands back naive UTC)."""
    if value is None:
        return ""
    return as_utc(value).astimezone(CHINA_TZ).strftime(fmt)


def china_date(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters["china_time"] = china_time
templates.env.filters["china_date"] = china_date
templates.env.globals.update(
    MATTERS=MATTERS, STATUS_LABELS=labels.STATUS_LABELS, PRIORITY_LABELS=labels.PRIORITY_LABELS,
    PRIORITY_REASON_LABELS=labels.PRIORITY_REASON_LABELS,
    ROLE_LABELS=labels.ROLE_LABELS, CHANNEL_LABELS=labels.CHANNEL_LABELS, CLOSING_OUTCOMES=CLOSING_OUTCOMES,
)


class LoginRequired(Exception):
    """Not signed in (or the session ended): HTML pages redirect to the login page."""


class PageError(Exception):
    """An error page in Chinese with this status code."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class Forbidden(PageError):
    def __init__(self, message: str = "您没有权限打开这个页面。"):
        super().__init__(403, message)


class NotFound(PageError):
    def __init__(self, message: str = "没有这张转介单，或者您没有权限查看。"):
        super().__init__(404, message)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    titles = {403: "不允许这样操作", 404: "找不到", 422: "填写的内容有问题"}
    return templates.TemplateResponse(
        request, "error.html",
        {"title": titles.get(status_code, "出错了"), "message": message, "me": getattr(request.state, "user", None),
         "csrf_token": getattr(request.state, "csrf_token", "")},
        status_code=status_code,
    )


def _add_headers(request: Request, response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/console/static/"):
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data
    return response


class ConsoleRoute(APIRoute):
    """Renders console errors as pages and adds the security headers to every console response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except Redirect as exc:
                response = RedirectResponse(exc.url, status_code=303)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method != "GET":
                    target = "/console/"
                response = RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)
            except PageError as exc:
                response = error_page(request, exc.status_code, exc.message)
            except RequestValidationError as exc:
                fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
                response = error_page(request, 422, f"请求里的这些内容不对：{fields}。请返回上一页重新填写。")
            return _add_headers(request, response)

        return console_handler


def _signed_in(request: Request, session: SessionDep) -> StaffSession:
    row = staff_auth.find_session(session, request.cookies.get(COOKIE))
    if row is None:
        raise LoginRequired()
    request.state.user = row.user
    request.state.csrf_token = row.csrf_token
    return row


SignedIn = Annotated[StaffSession, Depends(_signed_in)]


class Redirect(Exception):
    """Send the browser elsewhere (an operator opening the staff queue goes to the hotline console)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


HOTLINE_HOME = "/console/hotline"


def signed_in_user(row: SignedIn) -> StaffUser:
    """Whoever is signed in, whatever their role (sign-out, the hotline console's own checks)."""
    return row.user


def current_user(request: Request, row: SignedIn) -> StaffUser:
    """A staff member or an administrator: hotline operators see no referral and no staff page."""
    if row.user.role == Role.operator:
        if request.method == "GET" and request.url.path == "/console/":
            raise Redirect(HOTLINE_HOME)  # the console's home for an operator
        raise Forbidden("这个页面只给法律援助工作人员用。热线话务员请用“热线话务台”。")
    return row.user


def operator_user(user: Annotated[StaffUser, Depends(signed_in_user)]) -> StaffUser:
    """A hotline operator or an administrator (who may look at every call)."""
    if user.role not in (Role.operator, Role.admin):
        raise Forbidden("热线话务台只给热线话务员用。需要的话请管理员给您开一个话务员账号。")
    return user


def checked_operator(user: Annotated[StaffUser, Depends(checked_signed_in)]) -> StaffUser:
    return operator_user(user)


def checked_signed_in(row: SignedIn, csrf_token: Annotated[str, Form()] = "") -> StaffUser:
    """The signed-in user, any role, of a POST form whose hidden CSRF field matches the session's."""
    if not csrf_token or not secrets.compare_digest(csrf_token.encode(), row.csrf_token.encode()):
        raise PageError(403, "这个表单已经过期或者不是从本系统提交的（安全校验没有通过）。请回到上一页刷新后再提交。")
    return row.user


def checked_user(user: Annotated[StaffUser, Depends(checked_signed_in)]) -> StaffUser:
    """A staff member or an administrator posting a form (never a hotline operator)."""
    if user.role == Role.operator:
        raise Forbidden("这个操作只有法律援助工作人员能做。")
    return user


def admin_user(user: Annotated[StaffUser, Depends(current_user)]) -> StaffUser:
    if not user.is_admin:
        raise Forbidden("这个页面只有管理员能打开。")
    return user


def checked_admin(user: Annotated[StaffUser, Depends(checked_user)]) -> StaffUser:
    if not user.is_admin:
        raise Forbidden("这个操作只有管理员能做。")
    return user


UserDep = Annotated[StaffUser, Depends(current_user)]
OperatorDep = Annotated[StaffUser, Depends(operator_user)]
PostOperatorDep = Annotated[StaffUser, Depends(checked_operator)]
PostAnyUserDep = Annotated[StaffUser, Depends(checked_signed_in)]  # sign-out
PostUserDep = Annotated[StaffUser, Depends(checked_user)]
AdminDep = Annotated[StaffUser, Depends(admin_user)]
PostAdminDep = Annotated[StaffUser, Depends(checked_admin)]


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A console page; the base template shows the signed-in user and carries the CSRF token for forms."""
    context.setdefault("me", getattr(request.state, "user", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """POST-redirect-GET."""
    return RedirectResponse(url, status_code=303)
