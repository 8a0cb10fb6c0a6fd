"""Administration: staff accounts, stations and the audit trail (the console's admin pages use this).

Each change is recorded in the audit trail and committed. A refused change raises AdminError
with a message an administrator can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from referral import desk, staff_auth
from referral.labels import ROLE_LABELS
from referral.models import OPEN_STATUSES, AuditEntry, Referral, Role, StaffSession, StaffUser, Station
from referral.rules.city import AGENCY_KINDS, APPLICANT_GROUPS, STATION_KINDS, city_config


class AdminError(Exception):
    """A change an administrator may not make; the message says why, in Chinese."""

    def __init__(self, message: str, status_code: int = 422):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def split_list(text: str) -> list[str]:
    """Names typed in one field, separated by 、，, spaces or new lines."""
    return [part for part in re.split(r"[、，,;；\s]+", text or "") if part]


def stations(session: Session, *, active_only: bool = False) -> list[Station]:
    query = select(Station).order_by(Station.id)
    if active_only:
        query = query.where(Station.active.is_(True))
    return list(session.scalars(query).all())


def station_by_code(session: Session, code: str) -> Station:
    station = session.scalar(select(Station).where(Station.code == code))
    if station is None:
        raise AdminError("没有这个站点", 404)
    return station


def users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.id)).all())


def user_by_id(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise AdminError("没有这个账号", 404)
    return user


def create_user(session: Session, admin: StaffUser | None, *, username: str, display_name: str, password: str,
                role: str, station_code: str | None, client: str | None = None) -> StaffUser:
    """Create a staff account (``admin`` None: the command line)."""
    try:
        role_value = Role(role)
    except ValueError:
        raise AdminError("角色只能是工作人员、管理员或热线话务员") from None
    station = None
    if station_code:
        station = session.scalar(select(Station).where(Station.code == station_code))
        if station is None:
            raise AdminError(f"没有代码为 {station_code} 的站点")
    try:
        user = staff_auth.create_user(session, username=username, display_name=display_name, password=password,
                                      role=role_value, station=station)
    except (ValueError, staff_auth.PasswordPolicyError) as exc:
        session.rollback()
        raise AdminError(str(exc)) from None
    desk.audit(session, admin, "user_create", detail=f"账号 {user.username}，{ROLE_LABELS[role_value.value]}",
               client=client)
    session.commit()
    return user


def reset_password(session: Session, admin: StaffUser, user_id: int, password: str, *,
                   client: str | None = None) -> StaffUser:
    """Set a new password; the account is unlocked and signed out everywhere."""
    user = user_by_id(session, user_id)
    try:
        staff_auth.set_password(session, user, password)
    except staff_auth.PasswordPolicyError as exc:
        session.rollback()
        raise AdminError(str(exc)) from None
    desk.audit(session, admin, "user_password", detail=f"账号 {user.username}", client=client)
    session.commit()
    return user


def set_active(session: Session, admin: StaffUser, user_id: int, active: bool, *,
               client: str | None = None) -> StaffUser:
    """Deactivate (signs the user out everywhere) or reactivate an account."""
    user = user_by_id(session, user_id)
    if user.id == admin.id and not active:
        raise AdminError("不能停用自己的账号")
    user.active = active
    if not active:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        # Nobody could work the referrals they hold: they go back to their stations' queues.
        desk.release_all_held_by(session, admin, user, client=client)
    desk.audit(session, admin, "user_activate" if active else "user_deactivate", detail=f"账号 {user.username}",
               client=client)
    session.commit()
    return user


@dataclass
class StationForm:
    """What an administrator may set on a station."""

    name: str
    phone: str = ""
    all_regions: bool = False
    regions: tuple[str, ...] = ()
    townships: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    active: bool = True
    justice_bureau: str = ""


def _check_scope(form: StationForm) -> tuple[list[str] | None, list[str], list[str]]:
    if not form.name.strip():
        raise AdminError("站点名称要填写")
    config = city_config()
    region_names = config.region_names()
    regions = None if form.all_regions else [r for r in region_names if r in form.regions]
    unknown = [r for r in form.regions if r not in region_names]
    if unknown:
        raise AdminError(f"没有这些县区：{'、'.join(unknown)}")
    if regions is not None and not regions:
        raise AdminError("请至少选一个县区，或者选“全市所有县区”")
    known_townships = {t: r.name for r in config.regions for t in r.townships}
    bad = [t for t in form.townships if t not in known_townships]
    if bad:
        raise AdminError(f"城市配置里没有这些乡镇（街道）：{'、'.join(bad)}")
    if regions is not None:
        outside = [t for t in form.townships if known_townships[t] not in regions]
        if outside:
            raise AdminError(f"这些乡镇（街道）不在所选县区内：{'、'.join(outside)}")
    if any(g not in APPLICANT_GROUPS for g in form.groups):
        raise AdminError("服务人群只能从列出的几项里选")
    groups = list(dict.fromkeys(form.groups))
    return regions, list(dict.fromkeys(form.townships)), groups


def update_station(session: Session, admin: StaffUser, code: str, form: StationForm, *,
                   client: str | None = None) -> Station:
    station = station_by_code(session, code)
    regions, townships, groups = _check_scope(form)
    if station.kind in AGENCY_KINDS and not (form.justice_bureau.strip() or station.justice_bureau):
        raise AdminError("法律援助中心要写明设立它的司法行政部门（不予援助时告知申请人向哪里提出异议）")
    if not form.active and station.kind == "city_centre" and station.regions is None:
        others = [s for s in stations(session, active_only=True)
                  if s.id != station.id and s.regions is None and not s.groups and not s.townships]
        if not others:
            raise AdminError("市法律援助中心不能停用：没有别的站点接收所有县区的申请")
    station.name = form.name.strip()
    phone = form.phone.strip() or None
    if phone != station.phone:
        station.phone, station.phone_sample = phone, False  # a number an administrator typed is real
    station.regions, station.townships, station.groups = regions, townships, groups
    station.active = form.active
    if form.justice_bureau.strip():
        station.justice_bureau = form.justice_bureau.strip()
    desk.audit(session, admin, "station_update", detail=f"station={station.code}", client=client)
    session.commit()
    return station


def add_station(session: Session, admin: StaffUser, code: str, kind: str, parent_code: str | None,
                form: StationForm, *, client: str | None = None) -> Station:
    code = code.strip()
    if not _CODE.match(code):
        raise AdminError("站点代码用 2–32 个小写英文字母、数字或下划线，以字母开头（例如 zhenxiong_2）")
    if session.scalar(select(Station).where(Station.code == code)) is not None:
        raise AdminError(f"站点代码 {code} 已经有了")
    if kind not in STATION_KINDS:
        raise AdminError("请选择站点类型")
    regions, townships, groups = _check_scope(form)
    parent = None
    if kind in AGENCY_KINDS:
        if not form.justice_bureau.strip():
            raise AdminError("法律援助中心要写明设立它的司法行政部门")
    else:
        parent = session.scalar(select(Station).where(Station.code == (parent_code or "")))
        if parent is None or parent.kind not in AGENCY_KINDS:
            raise AdminError("工作站要选一个作决定的法律援助中心")
    station = Station(code=code, name=form.name.strip(), kind=kind, regions=regions, townships=townships,
                      groups=groups, parent_id=parent.id if parent else None,
                      justice_bureau=form.justice_bureau.strip() or None, phone=form.phone.strip() or None,
                      active=form.active)
    session.add(station)
    session.flush()
    desk.audit(session, admin, "station_create", detail=f"station={code}", client=client)
    session.commit()
    return station


@dataclass
class AuditFilter:
    user_id: int | None = None
    action: str | None = None
    ticket_number: str | None = None


def audit_actions(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditEntry.action).distinct()).all())


def audit_entries(session: Session, filters: AuditFilter, *, page: int = 1,
                  per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """Audit entries, newest first, one page at a time; returns the page and the total count."""
    query = select(AuditEntry)
    if filters.user_id:
        query = query.where(AuditEntry.user_id == filters.user_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.ticket_number:
        ticket = filters.ticket_number.strip()
        # a denied view (another station's or an unknown number) records the typed number in the detail
        referral_id = session.scalar(select(Referral.id).where(Referral.ticket_number == ticket))
        query = query.where(or_(AuditEntry.detail == ticket, AuditEntry.referral_id == referral_id)
                            if referral_id is not None else AuditEntry.detail == ticket)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), total


def unstaffed_stations_with_open_referrals(session: Session) -> list[tuple[Station, int]]:
    """Stations holding referrals without a decision where no active staff member works (or that are disabled).

    Nobody would see those referrals but administrators: they transfer them or add staff.
    """
    staffed = select(StaffUser.station_id).where(StaffUser.active.is_(True), StaffUser.station_id.is_not(None))
    rows = session.execute(
        select(Station, func.count(Referral.id))
        .join(Referral, Referral.station_id == Station.id)
        .where(Referral.status.in_(OPEN_STATUSES), or_(Station.id.not_in(staffed), Station.active.is_(False)))
        .group_by(Station.id).order_by(Station.id)
    ).all()
    return [(station, count) for station, count in rows]
