"""Signing in and out of the console, and its style sheet."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from referral import staff_auth
from referral.console.web import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    STATIC_DIR,
    ConsoleRoute,
    PageError,
    PostAnyUserDep,
    render,
    see_other,
)
from referral.dependencies import SessionDep, app_settings, client_address

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)


def _safe_next(target: str | None) -> str:
    """Only a console path of this site, never another host (open redirect)."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


def _secure(request: Request) -> bool:
    return app_settings(request).legalaid_env == "production"


def _login_page(request: Request, *, error: str | None = None, next_: str = "/console/", username: str = "",
                status_code: int = 200) -> HTMLResponse:
    # Before sign-in there is no session: the login form's CSRF token is a double-submit cookie.
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {"error": error, "next": next_, "username": username,
                                               "login_csrf": token, "me": None}, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/console/login",
                        secure=_secure(request))
    return response


@router.get("/login", response_class=HTMLResponse, summary="Console sign-in page")
def login_page(request: Request, session: SessionDep, next: str | None = None):
    """The sign-in form; a signed-in user goes straight to the queue."""
    if staff_auth.find_session(session, request.cookies.get(COOKIE)) is not None:
        return see_other(_safe_next(next))
    return _login_page(request, next_=_safe_next(next))


@router.post("/login", response_class=HTMLResponse, summary="Sign in to the console",
             responses={303: {"description": "Signed in: to the queue"},
                        401: {"description": "Wrong name or password"}})
def login(request: Request, session: SessionDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", login_csrf: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/console/"):
    """Check the name and password; set the session cookie."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not login_csrf or not secrets.compare_digest(expected.encode(), login_csrf.encode()):
        raise PageError(403, "登录表单已经过期，请刷新登录页后再试。")
    try:
        user = staff_auth.authenticate(session, username, password, client=client_address(request))
    except staff_auth.LoginError as exc:
        return _login_page(request, error=str(exc), next_=_safe_next(next), username=username, status_code=401)
    token, row = staff_auth.start_session(session, user)
    response = see_other(_safe_next(next))
    max_age = int((row.expires_at - row.created_at).total_seconds())
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=_secure(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@router.post("/logout", response_class=RedirectResponse, status_code=303, summary="Sign out of the console")
def logout(request: Request, session: SessionDep, _user: PostAnyUserDep):
    """End the session and clear the cookie."""
    staff_auth.end_session(session, request.cookies.get(COOKIE))
    response = see_other("/console/login")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.get("/static/console.css", response_class=FileResponse, summary="Console style sheet")
def stylesheet():
    """The console's style sheet (served locally: no CDN)."""
    return FileResponse(STATIC_DIR / "console.css", media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/static/print.css", response_class=FileResponse, summary="Console print style sheet")
def print_stylesheet():
    """How console pages print (base.html links it with media="print"): no menu, no buttons, A4."""
    return FileResponse(STATIC_DIR / "print.css", media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})
