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
from referral.models import (
    OPEN_STATUSES,
    AuditEntry,
    Referral,
    Role,
    StaffSession,
    StaffUser,
    Station,
)
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


def may_be_head(role: Role, station: Station | None) -> bool:
    """Only a legal-aid agency's staff member can be its head (中心负责人): a workstation does not decide."""
    return role == Role.staff and station is not None and station.kind in AGENCY_KINDS


HEAD_REFUSED = "只有市或县区法律援助中心的工作人员可以设为中心负责人"


def create_user(session: Session, admin: StaffUser | None, *, username: str, display_name: str, password: str,
                role: str, station_code: str | None, client: str | None = None, head: bool = False) -> StaffUser:
    """Create a staff account (``admin`` None: the command line).

    Staff belong to a station; administrators and hotline operators to none. ``head`` makes a legal-aid
    centre's staff member its head (one audit row: the new account, with its role, station and head flag).
    """
    try:
        role_value = Role(role)
    except ValueError:
        raise AdminError("角色只能是工作人员、管理员或热线话务员") from None
    station = None
    if station_code:
        if role_value != Role.staff:
            raise AdminError(f"{ROLE_LABELS[role_value.value]}不属于站点：站点请选“不属于站点”")
        station = session.scalar(select(Station).where(Station.code == station_code))
        if station is None:
            raise AdminError(f"没有代码为 {station_code} 的站点")
    elif role_value == Role.staff:
        raise AdminError("工作人员要选一个站点")
    if head and not may_be_head(role_value, station):
        raise AdminError(HEAD_REFUSED)
    try:
        user = staff_auth.create_user(session, username=username, display_name=display_name, password=password,
                                      role=role_value, station=station)
    except (ValueError, staff_auth.PasswordPolicyError) as exc:
        session.rollback()
        raise AdminError(str(exc)) from None
    user.head = head
    where = f"，{station.name}" if station else ""
    desk.audit(session, admin, "user_create",
               detail=_clip(f"账号 {user.username}，{ROLE_LABELS[role_value.value]}{where}"
                            + ("，中心负责人" if head else "")), client=client)
    session.commit()
    return user


def set_head(session: Session, admin: StaffUser, user_id: int, head: bool, *,
             client: str | None = None) -> StaffUser:
    """Make a legal-aid centre's staff member its head (中心负责人), or take the flag away."""
    user = user_by_id(session, user_id)
    if head and not may_be_head(user.role, user.station):
        raise AdminError(HEAD_REFUSED)
    if head and not user.active:
        raise AdminError("这个账号已停用，不能设为中心负责人")
    if user.head == head:
        return user
    user.head = head
    desk.audit(session, admin, "user_head_on" if head else "user_head_off", detail=f"账号 {user.username}",
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


held_undecided = desk.held_undecided  # they go back to the queue when the account stops


def set_active(session: Session, admin: StaffUser, user_id: int, active: bool, *,
               client: str | None = None) -> StaffUser:
    """Deactivate (signs the user out everywhere) or reactivate an account.

    Deactivating puts the referrals the user held without a decision back in their stations' queues:
    each referral's history says so, and the audit trail has one row for the whole step.
    """
    user = user_by_id(session, user_id)
    if user.id == admin.id and not active:
        raise AdminError("不能停用自己的账号")
    if user.active == active:
        return user
    user.active = active
    detail = f"账号 {user.username}"
    if not active:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
        # Nobody could work the referrals they hold: they go back to their stations' queues.
        held = desk.release_all_held_by(session, admin, user)
        if held:
            detail += f"；{held} 张未作决定的转介单放回待认领"
    desk.audit(session, admin, "user_activate" if active else "user_deactivate", detail=detail, client=client)
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
    before = _station_values(station)
    station.name = form.name.strip()
    phone = form.phone.strip() or None
    if phone != station.phone:
        station.phone, station.phone_sample = phone, False  # a number an administrator typed is real
    station.regions, station.townships, station.groups = regions, townships, groups
    station.active = form.active
    if form.justice_bureau.strip():
        station.justice_bureau = form.justice_bureau.strip()
    desk.audit(session, admin, "station_update", detail=station_changes(before, _station_values(station)),
               client=client)
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
    desk.audit(session, admin, "station_create", detail=_clip(f"{station.name}（{STATION_KINDS[kind]}）"),
               client=client)
    session.commit()
    return station


DETAIL_CHARS = 200  # AuditEntry.detail's length


def _clip(text: str) -> str:
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS - 1] + "…"


def _station_values(station: Station) -> dict:
    return {"name": station.name, "phone": station.phone or "", "regions": station.regions,
            "townships": list(station.townships or []), "groups": list(station.groups or []),
            "active": station.active, "justice_bureau": station.justice_bureau or ""}


def _list_change(what: str, before: list[str], after: list[str]) -> str:
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    parts = ([f"加上{'、'.join(added)}"] if added else []) + ([f"去掉{'、'.join(removed)}"] if removed else [])
    return f"{what}：{'，'.join(parts)}"


def station_changes(before: dict, after: dict) -> str:
    """What a station edit changed, in words: 「镇雄县法律援助中心：电话：0870-1 → 0870-2；停用」.

    Stations are not personal data; the text is cut to fit the audit row.
    """
    changes = []
    for key, what in (("name", "名称"), ("phone", "电话"), ("justice_bureau", "司法行政部门")):
        if before[key] != after[key]:
            changes.append(f"{what}：{before[key] or '（空）'} → {after[key] or '（空）'}")
    if before["regions"] != after["regions"]:
        if before["regions"] is None or after["regions"] is None:
            def words(regions):
                return "全市所有县区" if regions is None else "、".join(regions)
            changes.append(f"县区：{words(before['regions'])} → {words(after['regions'])}")
        else:
            changes.append(_list_change("县区", before["regions"], after["regions"]))
    if before["townships"] != after["townships"]:
        changes.append(_list_change("乡镇（街道）", before["townships"], after["townships"]))
    if before["groups"] != after["groups"]:
        changes.append(_list_change("人群", [APPLICANT_GROUPS.get(g, g) for g in before["groups"]],
                                    [APPLICANT_GROUPS.get(g, g) for g in after["groups"]]))
    if before["active"] != after["active"]:
        changes.append("恢复使用" if after["active"] else "停用")
    return _clip(f"{before['name']}：{'；'.join(changes) if changes else '没有改动'}")


# Every action the audit trail records, in words (tests/referral/test_admin.py checks that each code
# written anywhere in referral/ is here).
AUDIT_ACTIONS: dict[str, str] = {
    "view": "查看转介单", "view_denied": "查看被拒绝（别的站点或不存在的单号）", "claim": "认领", "release": "放回",
    "contact": "联系申请人", "decide": "作决定", "transfer": "转交", "close": "结案", "export": "导出",
    "user_create": "新建账号", "user_password": "重设密码", "user_deactivate": "停用账号",
    "user_activate": "恢复账号", "user_head_on": "设为中心负责人", "user_head_off": "取消中心负责人",
    "station_update": "修改站点", "station_create": "添加站点",
    "login": "登录", "login_failed": "登录失败", "login_locked": "登录被拒（账号锁定中）",
    "token_view": "用服务令牌查看转介单", "token_list": "用服务令牌列出转介单",
    "citizen_status": "群众查询进度", "citizen_status_denied": "群众查询进度（手机尾号不对）",
    "citizen_status_paused": "群众查询进度（错太多次，暂停中）",
    "view_attachment": "查看群众发来的图片",
    "hotline_call_start": "热线接听来电", "hotline_call_draft": "热线来电未完，留作草稿",
    "hotline_call_end": "热线来电结束", "hotline_call_drop": "热线来电草稿删除",
    "hotline_ticket": "热线来电登记申请",
    # issue 17: casework
    "intake": "窗口或电话登记申请", "assign": "指定经办人", "aid_assigned": "指派法律援助人员",
    "clock_paused": "暂停决定期限", "clock_resumed": "恢复决定期限", "extend": "延长决定期限",
    "opposing_party": "记录对方当事人", "case_note": "写案卷备注", "upload_document": "上传案卷材料",
    "view_document": "查看案卷材料", "materials": "更新材料清单",
}
OTHER_ACTION = "其他操作"
_FORMATS = {"csv": "CSV", "xlsx": "Excel"}


def _fixed_details() -> dict[str, str]:
    """Details that are one code (older rows, and steps that record a code), in words."""
    from referral.labels import CHANNEL_LABELS

    return {"accepted": "给予法律援助", "refused": "不予法律援助", "locked for 15 minutes": "连错5次，锁定15分钟",
            "account disabled": "账号已停用", **desk.CONTACT_RESULTS, **desk.CLOSING_OUTCOMES,
            **{code: label for code, label in CHANNEL_LABELS.items() if code in ("counter", "phone")}}


def _document_kinds() -> dict[str, str]:
    try:
        from referral.casefile import DOCUMENT_KINDS
    except ImportError:  # pragma: no cover - the case file module is optional to this page
        return {}
    return DOCUMENT_KINDS


def action_label(action: str) -> str:
    return AUDIT_ACTIONS.get(action, OTHER_ACTION)


def detail_in_words(detail: str | None, station_names: dict[str, str] | None = None) -> str:
    """An audit row's detail as the audit page shows it: the codes some rows carry, in words."""
    if not detail:
        return ""
    fixed = _fixed_details()
    if detail in fixed:
        return fixed[detail]
    if m := re.fullmatch(r"station=(\w+)", detail):
        return (station_names or {}).get(m[1], "站点")
    if m := re.fullmatch(r"n=(\d+)", detail):
        return f"{m[1]} 张"
    if m := re.fullmatch(r"referrals\.(csv|xlsx) n=(\d+)", detail):
        return f"转介单清单（{_FORMATS[m[1]]}），{m[2]} 张"
    if m := re.fullmatch(r"report\.(csv|xlsx) (\d{4})-(\d{2})", detail):
        return f"月度统计（{_FORMATS[m[1]]}），{m[2]} 年 {int(m[3])} 月"
    if m := re.fullmatch(r"attachment (\d+)", detail):
        return f"第 {m[1]} 号图片"
    if m := re.fullmatch(r"note (\d+)", detail):
        return f"第 {m[1]} 条备注"
    if m := re.fullmatch(r"document (\d+)(?: (\w+))?", detail):
        kind = _document_kinds().get(m[2], "") if m[2] else ""
        return f"第 {m[1]} 号材料" + (f"（{kind}）" if kind else "")
    if m := re.fullmatch(r"received (\d+), unticked (\d+)", detail):
        return f"新收 {m[1]} 项，改回未收 {m[2]} 项"
    if detail == "unknown user":
        return "没有这个用户名（输入的内容不记录）"
    if m := re.fullmatch(r"unknown user (.*)", detail, re.S):  # rows written before the typed name was dropped
        return f"没有这个用户名：{m[1]}"
    return detail


def station_names(session: Session) -> dict[str, str]:
    return {s.code: s.name for s in stations(session)}


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
