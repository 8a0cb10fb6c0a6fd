"""Administrators' pages: staff accounts, stations, the audit trail (logic in referral.admin)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from referral import admin
from referral.console.web import AdminDep, ConsoleRoute, PageError, PostAdminDep, render, see_other
from referral.dependencies import Responses, SessionDep, client_address
from referral.models import Role
from referral.rules.city import AGENCY_KINDS, APPLICANT_GROUPS, STATION_KINDS, city_config

router = APIRouter(prefix="/console/admin", tags=["console"], route_class=ConsoleRoute)

AUDIT_PAGE_SIZE = 50
DONE = {
    "created": "账号已建好。",
    "password": "密码已重设，这个账号在所有地方都已退出登录。",
    "deactivated": "账号已停用，已退出登录；用它认领、还没作决定的转介单已放回待认领。",
    "activated": "账号已恢复使用。",
    "head_on": "已设为中心负责人。",
    "head_off": "已取消中心负责人。",
    "station_saved": "站点已保存。",
    "station_added": "站点已添加。",
}
Text = Annotated[str, Form()]
_POST: Responses = {303: {"description": "Saved: back to the list"},
                    403: {"description": "Not an administrator, or bad CSRF"},
                    422: {"description": "The form has a problem (the page says which)"}}


def _users_page(request: Request, session, *, error: str | None = None, form: dict | None = None,
                done: str = "", status_code: int = 200) -> HTMLResponse:
    active_stations = admin.stations(session, active_only=True)
    return render(request, "admin/users.html", {
        "users": admin.users(session), "stations": active_stations,
        # a new account is a staff member of the first station unless the administrator picks otherwise
        "form": form or {"role": Role.staff.value, "station": active_stations[0].code if active_stations else ""},
        "agency_kinds": AGENCY_KINDS, "may_be_head": admin.may_be_head,
        "error": error, "done": DONE.get(done),
    }, status_code=status_code)


@router.get("/users", response_class=HTMLResponse, summary="Console admin: staff accounts")
def users_page(request: Request, session: SessionDep, _admin: AdminDep, done: str = ""):
    """Every account, with forms to add one, reset a password, mark a centre head, deactivate or reactivate."""
    return _users_page(request, session, done=done)


@router.post("/users", response_class=HTMLResponse, summary="Console admin: create an account", responses=_POST)
def create_user(request: Request, session: SessionDep, me: PostAdminDep, username: Text = "",
                display_name: Text = "", password: Text = "", role: Text = "staff", station: Text = "",
                head: Text = ""):
    """Create a staff member (with a station, perhaps a centre head), an administrator or a hotline operator."""
    try:
        admin.create_user(session, me, username=username, display_name=display_name, password=password, role=role,
                          station_code=station or None, head=head == "1", client=client_address(request))
    except admin.AdminError as exc:
        return _users_page(request, session, error=exc.message, status_code=exc.status_code,
                           form={"username": username, "display_name": display_name, "role": role,
                                 "station": station, "head": head == "1"})
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


@router.get("/users/{user_id}/deactivate", response_class=HTMLResponse,
            summary="Console admin: confirm deactivating an account",
            responses={404: {"description": "No such account"}})
def confirm_deactivate(user_id: int, request: Request, session: SessionDep, me: AdminDep):
    """What deactivating this account does (signed out everywhere, undecided referrals back to the queue),
    with the button that does it."""
    try:
        user = admin.user_by_id(session, user_id)
    except admin.AdminError as exc:
        raise PageError(404, exc.message) from None
    return render(request, "admin/deactivate.html", {
        "user": user, "held": len(admin.held_undecided(session, user)), "own": user.id == me.id,
    })


@router.post("/users/{user_id}/active", response_class=HTMLResponse, summary="Console admin: (de)activate an account",
             responses=_POST)
def set_active(user_id: int, request: Request, session: SessionDep, me: PostAdminDep, active: Text = "0"):
    """Deactivate (signs the user out, puts their undecided referrals back) or reactivate an account."""
    try:
        admin.set_active(session, me, user_id, active == "1", client=client_address(request))
    except admin.AdminError as exc:
        return _users_page(request, session, error=exc.message, status_code=exc.status_code)
    return see_other(f"/console/admin/users?done={'activated' if active == '1' else 'deactivated'}")


@router.post("/users/{user_id}/head", response_class=HTMLResponse,
             summary="Console admin: mark or unmark a centre head", responses=_POST)
def set_head(user_id: int, request: Request, session: SessionDep, me: PostAdminDep, head: Text = "0"):
    """Make a legal-aid centre's staff member its head (中心负责人: assigns referrals to colleagues), or not."""
    try:
        admin.set_head(session, me, user_id, head == "1", client=client_address(request))
    except admin.AdminError as exc:
        return _users_page(request, session, error=exc.message, status_code=exc.status_code)
    return see_other(f"/console/admin/users?done={'head_on' if head == '1' else 'head_off'}")


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
                active: Text = "0", justice_bureau: Text = ""):
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


def _who(entry) -> str:
    if entry.user is not None:
        return f"{entry.user.display_name}（{entry.user.username}）"
    if entry.action.startswith("citizen_status"):
        return "群众（查询进度）"
    if entry.action.startswith("login"):
        return "（没有登录上）"
    return "系统或服务接口"


@router.get("/audit", response_class=HTMLResponse, summary="Console admin: audit trail")
def audit_page(request: Request, session: SessionDep, _admin: AdminDep, user: str = "", action: str = "",
               ticket: str = "", page: Annotated[int, Query(ge=1)] = 1):
    """Who viewed or changed what, newest first; filter by user, action or ticket number."""
    user_id = int(user) if user.isdigit() else None
    filters = admin.AuditFilter(user_id=user_id, action=action or None, ticket_number=ticket or None)
    entries, total = admin.audit_entries(session, filters, page=page, per_page=AUDIT_PAGE_SIZE)
    query = urlencode({k: v for k, v in {"user": user, "action": action, "ticket": ticket}.items() if v})
    codes = [*admin.AUDIT_ACTIONS, *sorted(set(admin.audit_actions(session)) - set(admin.AUDIT_ACTIONS))]
    names = admin.station_names(session)
    rows = [{"at": e.at, "who": _who(e), "action": admin.action_label(e.action),
             "ticket": e.referral.ticket_number if e.referral else "",
             "detail": admin.detail_in_words(e.detail, names), "client": e.client or ""} for e in entries]
    return render(request, "admin/audit.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // AUDIT_PAGE_SIZE)),
        "query": query, "users": admin.users(session),
        "actions": [(code, admin.action_label(code)) for code in codes],
        "values": {"user": user, "action": action, "ticket": ticket},
    })
