"""Administrators' pages: staff accounts, stations, the audit trail (logic in referral.admin)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from referral import admin
from referral.console.web import AdminDep, ConsoleRoute, PageError, PostAdminDep, render, see_other
from referral.dependencies import Responses, SessionDep, client_address
from referral.desk import EVENT_KINDS
from referral.rules.city import AGENCY_KINDS, APPLICANT_GROUPS, STATION_KINDS, city_config

router = APIRouter(prefix="/console/admin", tags=["console"], route_class=ConsoleRoute)

AUDIT_PAGE_SIZE = 50
DONE = {
    "created": "账号已建好。",
    "password": "密码已重设，这个账号在所有地方都已退出登录。",
    "deactivated": "账号已停用，已退出登录；他认领还没作决定的转介单已放回待认领。",
    "activated": "账号已恢复使用。",
    "station_saved": "站点已保存。",
    "station_added": "站点已添加。",
}
AUDIT_ACTIONS = {
    "view": "查看转介单", "view_denied": "查看被拒绝（别的站点或不存在的单号）", "claim": "认领", "release": "放回",
    "contact": "联系申请人", "decide": "作决定", "transfer": "转交", "close": "结案", "export": "导出",
    "user_create": "新建账号", "user_password": "重设密码", "user_deactivate": "停用账号",
    "user_activate": "恢复账号", "station_update": "修改站点", "station_create": "添加站点",
    "login": "登录", "login_failed": "登录失败", "login_locked": "登录被拒（账号锁定中）",
    "token_view": "用服务令牌查看转介单", "token_list": "用服务令牌列出转介单",
    "citizen_status": "群众查询进度", "citizen_status_denied": "群众查询进度（手机尾号不对）",
    "citizen_status_paused": "群众查询进度（错太多次，暂停中）",
    "view_attachment": "查看群众发来的图片",
}
# Codes some audit details carry (no personal data), in words.
AUDIT_DETAILS = {"accepted": "给予法律援助", "refused": "不予法律援助", "locked for 15 minutes": "连错5次，锁定15分钟",
                 "account disabled": "账号已停用"}
Text = Annotated[str, Form()]
_POST: Responses = {303: {"description": "Saved: back to the list"},
                    403: {"description": "Not an administrator, or bad CSRF"},
                    422: {"description": "The form has a problem (the page says which)"}}


def _users_page(request: Request, session, *, error: str | None = None, form: dict | None = None,
                done: str = "", status_code: int = 200) -> HTMLResponse:
    return render(request, "admin/users.html", {
        "users": admin.users(session), "stations": admin.stations(session, active_only=True),
        "error": error, "form": form or {}, "done": DONE.get(done),
    }, status_code=status_code)


@router.get("/users", response_class=HTMLResponse, summary="Console admin: staff accounts")
def users_page(request: Request, session: SessionDep, _admin: AdminDep, done: str = ""):
    """Every account, with forms to add one, reset a password, deactivate or reactivate."""
    return _users_page(request, session, done=done)


@router.post("/users", response_class=HTMLResponse, summary="Console admin: create an account", responses=_POST)
def create_user(request: Request, session: SessionDep, me: PostAdminDep, username: Text = "",
                display_name: Text = "", password: Text = "", role: Text = "staff", station: Text = ""):
    """Create a staff member (with a station) or an administrator."""
    try:
        admin.create_user(session, me, username=username, display_name=display_name, password=password, role=role,
                          station_code=station or None, client=client_address(request))
    except admin.AdminError as exc:
        return _users_page(request, session, error=exc.message, status_code=exc.status_code,
                           form={"username": username, "display_name": display_name, "role": role,
                                 "station": station})
    return see_other("/console/admin/users?done=created")


@router.post("/users/{user_id}/password", response_class=HTMLResponse, summary="Console admin: reset a password",
             responses=_POST)
def reset_password(user_id: int, request: Request, session: SessionDep, me: PostAdminDep, password: Text = ""):
    """Set a new password (the account is unlocked and signed out everywhere)."""
    try:
        admin.reset_password(session, me, user_id, password, client=client_address(request))
    except admin.AdminError as exc:
        return _users_page(request, session, error=exc.message, status_code=exc.status_code)
    return see_other("/console/admin/users?done=password")


@router.post("/users/{user_id}/active", response_class=HTMLResponse, summary="Console admin: (de)activate an account",
             responses=_POST)
def set_active(user_id: int, request: Request, session: SessionDep, me: PostAdminDep, active: Text = "0"):
    """Deactivate (signs the user out) or reactivate an account."""
    try:
        admin.set_active(session, me, user_id, active == "1", client=client_address(request))
    except admin.AdminError as exc:
        return _users_page(request, session, error=exc.message, status_code=exc.status_code)
    return see_other(f"/console/admin/users?done={'activated' if active == '1' else 'deactivated'}")


def _station_form(name: str, phone: str, all_regions: str, regions: list[str], townships: str, groups: list[str],
                  active: str, justice_bureau: str) -> admin.StationForm:
    return admin.StationForm(name=name, phone=phone, all_regions=all_regions == "1", regions=tuple(regions),
                             townships=tuple(admin.split_list(townships)), groups=tuple(groups),
                             active=active == "1", justice_bureau=justice_bureau)


def _values(source: admin.StationForm | None = None, station=None) -> dict:
    """The station form's values: from a form sent back with an error, a stored station, or empty."""
    if source is not None:
        return {"name": source.name, "phone": source.phone, "all_regions": source.all_regions,
                "regions": list(source.regions), "townships": "、".join(source.townships),
                "groups": list(source.groups), "active": source.active, "justice_bureau": source.justice_bureau}
    if station is not None:
        return {"name": station.name, "phone": station.phone or "", "all_regions": station.regions is None,
                "regions": station.regions or [], "townships": "、".join(station.townships or []),
                "groups": station.groups or [], "active": station.active,
                "justice_bureau": station.justice_bureau or ""}
    return {"name": "", "phone": "", "all_regions": False, "regions": [], "townships": "", "groups": [],
            "active": True, "justice_bureau": ""}


def _station_choices(session) -> dict:
    return {"region_names": city_config().region_names(), "groups": APPLICANT_GROUPS, "kinds": STATION_KINDS,
            "agencies": [s for s in admin.stations(session) if s.kind in AGENCY_KINDS]}


@router.get("/stations", response_class=HTMLResponse, summary="Console admin: stations")
def stations_page(request: Request, session: SessionDep, _admin: AdminDep, done: str = ""):
    """Every station with what it serves; links to edit one, and a form to add one."""
    return render(request, "admin/stations.html", {
        "stations": admin.stations(session), "done": DONE.get(done), "v": _values(), "add": {},
        **_station_choices(session),
    })


@router.get("/stations/{code}", response_class=HTMLResponse, summary="Console admin: edit a station",
            responses={404: {"description": "No such station"}})
def station_page(code: str, request: Request, session: SessionDep, _admin: AdminDep):
    """The form to edit one station."""
    try:
        station = admin.station_by_code(session, code)
    except admin.AdminError as exc:
        raise PageError(404, exc.message) from None
    return render(request, "admin/station.html", {"station": station, "v": _values(station=station),
                                                  **_station_choices(session)})


@router.post("/stations/{code}", response_class=HTMLResponse, summary="Console admin: save a station",
             responses=_POST)
def save_station(code: str, request: Request, session: SessionDep, me: PostAdminDep, name: Text = "",
                 phone: Text = "", all_regions: Text = "0", regions: Annotated[list[str], Form()] = [],  # noqa: B006
                 townships: Text = "", groups: Annotated[list[str], Form()] = [],  # noqa: B006
                 active: Text = "0", justice_bureau: Text = ""):
    """Save a station's name, phone, regions, townships, groups and whether it is active."""
    form = _station_form(name, phone, all_regions, regions, townships, groups, active, justice_bureau)
    try:
        admin.update_station(session, me, code, form, client=client_address(request))
    except admin.AdminError as exc:
        session.rollback()
        if exc.status_code == 404:
            raise PageError(404, exc.message) from None
        station = admin.station_by_code(session, code)
        return render(request, "admin/station.html", {"station": station, "error": exc.message,
                                                      "v": _values(form), **_station_choices(session)},
                      status_code=exc.status_code)
    return see_other("/console/admin/stations?done=station_saved")


@router.post("/stations", response_class=HTMLResponse, summary="Console admin: add a station", responses=_POST)
def add_station(request: Request, session: SessionDep, me: PostAdminDep, code: Text = "", kind: Text = "",
                parent: Text = "", name: Text = "", phone: Text = "", all_regions: Text = "0",
                regions: Annotated[list[str], Form()] = [],  # noqa: B006
                townships: Text = "", groups: Annotated[list[str], Form()] = [],  # noqa: B006
                active: Text = "1", justice_bureau: Text = ""):
    """Add a station (a workstation names the legal-aid centre that decides for it)."""
    form = _station_form(name, phone, all_regions, regions, townships, groups, active, justice_bureau)
    try:
        admin.add_station(session, me, code, kind, parent or None, form, client=client_address(request))
    except admin.AdminError as exc:
        session.rollback()
        return render(request, "admin/stations.html", {
            "stations": admin.stations(session), "error": exc.message, "v": _values(form),
            "add": {"code": code, "kind": kind, "parent": parent}, **_station_choices(session),
        }, status_code=exc.status_code)
    return see_other("/console/admin/stations?done=station_added")


@router.get("/audit", response_class=HTMLResponse, summary="Console admin: audit trail")
def audit_page(request: Request, session: SessionDep, _admin: AdminDep, user: str = "", action: str = "",
               ticket: str = "", page: Annotated[int, Query(ge=1)] = 1):
    """Who viewed or changed what, newest first; filter by user, action or ticket number."""
    user_id = int(user) if user.isdigit() else None
    filters = admin.AuditFilter(user_id=user_id, action=action or None, ticket_number=ticket or None)
    entries, total = admin.audit_entries(session, filters, page=page, per_page=AUDIT_PAGE_SIZE)
    query = urlencode({k: v for k, v in {"user": user, "action": action, "ticket": ticket}.items() if v})
    actions = dict.fromkeys(sorted(set(admin.audit_actions(session)) | set(AUDIT_ACTIONS)))
    return render(request, "admin/audit.html", {
        "entries": entries, "total": total, "page": page, "pages": max(1, -(-total // AUDIT_PAGE_SIZE)),
        "query": query, "users": admin.users(session), "actions": {a: AUDIT_ACTIONS.get(a, a) for a in actions},
        "details": AUDIT_DETAILS,
        "values": {"user": user, "action": action, "ticket": ticket}, "event_kinds": EVENT_KINDS,
    })
