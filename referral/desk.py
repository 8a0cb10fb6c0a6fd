"""The referral desk: what staff do with a referral, each step recorded in its history.

Every function takes the signed-in user, checks that they may do it, changes the referral,
writes a ReferralEvent (the status history) and an AuditEntry (who touched personal data),
and commits. A refused step raises DeskError with a message staff can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, false, func, or_, select, update
from sqlalchemy.orm import Session

from referral import notifications
from referral.models import (
    CLAIMABLE_STATUSES,
    OPEN_STATUSES,
    AuditEntry,
    Priority,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Role,
    StaffUser,
    Station,
    utcnow,
)
from referral.rules.contract import china_today, normalise_ticket_number

# Kinds of history entries, with the Chinese label the console shows.
EVENT_KINDS: dict[str, str] = {
    "created": "收到申请",
    "routed": "分到站点",
    "claimed": "认领",
    "released": "放回待认领",
    "contact": "联系申请人",
    "accepted": "决定给予法律援助",
    "refused": "决定不给予法律援助",
    "transferred": "转交其他站点",
    "closed": "结案",
    "hotline_call": "热线来电登记",  # referral.hotline: the operator who took the call
    "intake": "窗口或电话登记",  # referral.intake: the staff member who took the application
    "assigned_to": "指定经办人",  # a centre head gave the referral to a colleague
    "aid_assigned": "指派法律援助人员",  # Art. 43: within 3 days of the decision
    "clock_paused": "材料不齐，决定期限暂停",  # Art. 43 para. 2
    "clock_resumed": "材料补齐，决定期限继续",
    "extended": "决定期限延长",
    "opposing_party": "记录对方当事人",
    "document": "上传材料",  # referral.casefile
    "materials": "材料清单更新",  # referral.casefile
}
# Outcomes of a contact attempt.
CONTACT_RESULTS: dict[str, str] = {
    "reached": "联系上了",
    "no_answer": "没接电话",
    "wrong_number": "号码不对",
    "message_left": "留了短信或口信",
}
PRIORITY_ORDER = case(
    (Referral.priority == Priority.fast_track, 0), (Referral.priority == Priority.urgent, 1), else_=2
)
MAX_NOTE_CHARS = 2000  # a reason or note; longer text belongs in the case file
OPEN = "open"  # queue view: no decision yet
TODO = "todo"  # queue view: no decision yet, or aid given and the case still to close


class DeskError(Exception):
    """A step staff may not take now; the message says why, in Chinese."""

    def __init__(self, message: str, status_code: int = 409):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class NotVisible(DeskError):
    """No such referral, or not one this user may see: the same answer for both."""

    def __init__(self) -> None:
        super().__init__("没有这张转介单，或者您没有权限查看", 404)


def refusal_notice(referral: Referral) -> str:
    """The notice of the right to object that every refusal carries (Art. 49)."""
    agency = referral.station.agency if referral.station else None
    bureau = agency.justice_bureau if agency and agency.justice_bureau else "设立该法律援助机构的司法行政部门"
    return (f"申请人对不予法律援助的决定有异议的，可以向{bureau}提出"
            "（《中华人民共和国法律援助法》第四十九条）。")


def audit(session: Session, user: StaffUser | None, action: str, referral: Referral | None = None,
          detail: str | None = None, client: str | None = None) -> None:
    """Record who viewed or changed personal data. ``detail`` must never hold personal data itself."""
    session.add(AuditEntry(at=utcnow(), user_id=user.id if user else None, action=action,
                           referral_id=referral.id if referral else None, detail=detail, client=client))


def _event(session: Session, referral: Referral, user: StaffUser | None, kind: str,
           from_status: ReferralStatus | None, note: str | None = None) -> None:
    session.add(ReferralEvent(referral_id=referral.id, at=utcnow(), actor_id=user.id if user else None, kind=kind,
                              from_status=from_status.value if from_status else None,
                              to_status=referral.status.value, station_id=referral.station_id, note=note))


def visible_referrals(user: StaffUser):
    """A select of the referrals ``user`` may see: their station's, or all for an administrator."""
    query = select(Referral)
    if user.role == Role.operator:
        return query.where(false())  # hotline operators see no referral (their calls only: referral.hotline)
    if not user.is_admin:
        query = query.where(Referral.station_id == user.station_id)
    return query


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    return referral.status in OPEN_STATUSES and referral.decision_due < (today or china_today())


@dataclass
class QueueFilter:
    status: str | None = None  # a ReferralStatus value, "open" (no decision yet) or "todo" (open or accepted)
    matter: str | None = None
    region: str | None = None
    priority: str | None = None
    channel: str | None = None
    station_id: int | None = None
    overdue: bool = False
    search: str | None = None  # part of the ticket number, the applicant's name or phone number


def queue(session: Session, user: StaffUser, filters: QueueFilter | None = None, *, limit: int = 200,
          offset: int = 0) -> tuple[list[Referral], int]:
    """The queue: open referrals first, by priority (fast track, urgent, normal), urgent cases first within
    a priority (a fast-track case can be urgent too), then by decision deadline."""
    f = filters or QueueFilter()
    query = visible_referrals(user)
    if f.status == OPEN:
        query = query.where(Referral.status.in_(OPEN_STATUSES))
    elif f.status == TODO:
        query = query.where(Referral.status.in_((*OPEN_STATUSES, ReferralStatus.accepted)))
    elif f.status:
        query = query.where(Referral.status == ReferralStatus(f.status))
    for column, value in ((Referral.matter, f.matter), (Referral.region, f.region), (Referral.channel, f.channel),
                          (Referral.station_id, f.station_id)):
        if value not in (None, ""):
            query = query.where(column == value)
    if f.priority == Priority.urgent.value:  # urgent fast-track cases are urgent too
        query = query.where(or_(Referral.priority == Priority.urgent, Referral.urgent.is_(True)))
    elif f.priority:
        query = query.where(Referral.priority == Priority(f.priority))
    if f.search and f.search.strip():
        term = f"%{f.search.strip().upper()}%"
        query = query.where(or_(func.upper(Referral.ticket_number).like(term), Referral.applicant_phone.like(term),
                                Referral.applicant_name.like(term)))
    if f.overdue:
        query = query.where(overdue_condition())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    still_open = case((Referral.status.in_(OPEN_STATUSES), 0), else_=1)
    rows = session.scalars(
        query.order_by(still_open, PRIORITY_ORDER, Referral.urgent.desc(), Referral.decision_due, Referral.created_at,
                       Referral.id)
        .limit(limit).offset(offset)
    ).all()
    return list(rows), total


def get_for(session: Session, user: StaffUser, ticket_number: str, *, client: str | None = None,
            record_view: bool = True) -> Referral:
    """The referral with this number (as typed: 「fy261128-4821」 too) if ``user`` may see it; each view
    is recorded in the audit trail."""
    ticket_number = normalise_ticket_number(ticket_number)
    referral = session.scalar(visible_referrals(user).where(Referral.ticket_number == ticket_number))
    if referral is None:
        if record_view:  # a guessed or forbidden number is worth knowing about too
            session.add(AuditEntry(at=utcnow(), user_id=user.id, action="view_denied",
                                   detail=ticket_number[:32], client=client))
            session.commit()
        raise NotVisible()
    if record_view:
        audit(session, user, "view", referral, client=client)
        session.commit()
    return referral


def route_new(session: Session, referral: Referral) -> None:
    """Route a new referral to its station and start its history (the caller commits).

    When no active station serves it (an administrator disabled them all), it stays without a
    station: administrators see it in their queue and transfer it by hand.
    """
    from referral.routing import applicant_groups, route

    referral.groups = applicant_groups(referral.matter, referral.screening_input)
    _event(session, referral, None, "created", None)
    try:
        station = route(session, referral.region, referral.township, referral.groups)
    except LookupError:
        _event(session, referral, None, "routed", None, note="没有站点服务这个县区，请管理员转交")
        return
    referral.station_id, referral.station = station.id, station
    _event(session, referral, None, "routed", None, note=station.name)


def route_backlog(session: Session) -> int:
    """Route referrals made before stations existed (no station, no history); returns how many."""
    rows = session.scalars(
        select(Referral).where(Referral.station_id.is_(None), ~Referral.events.any()).order_by(Referral.id)
    ).all()
    for referral in rows:
        route_new(session, referral)
    session.commit()
    return len(rows)


def claim(session: Session, user: StaffUser, ticket_number: str, *, client: str | None = None) -> Referral:
    """Take a referral. Of two staff claiming at once exactly one wins; the other learns who has it.

    One conditional UPDATE decides: it only changes a row nobody holds, and the database
    serialises two of them on the same row (PostgreSQL takes the row lock and re-checks the
    condition after the first commits; SQLite lets one writer at a time). The rowcount says who won.
    """
    referral = get_for(session, user, ticket_number, record_view=False)
    if referral.claimed_by_id == user.id and referral.status == ReferralStatus.claimed:
        return referral
    now = utcnow()
    # an UPDATE's result is a CursorResult (it has the rowcount); Session.execute is typed for any statement
    result = cast(CursorResult[Any], session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.claimed_by_id.is_(None),
               Referral.status.in_(CLAIMABLE_STATUSES))
        .values(claimed_by_id=user.id, claimed_at=now, status=ReferralStatus.claimed)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        session.rollback()
        session.refresh(referral)
        if referral.claimed_by is not None:
            raise DeskError(f"这张转介单已经被{referral.claimed_by.display_name}认领了")
        raise DeskError("这张转介单现在不能认领（已经有决定或已结案）")
    previous = referral.status
    session.refresh(referral)
    _event(session, referral, user, "claimed", previous)
    audit(session, user, "claim", referral, client=client)
    session.commit()
    return referral


def _held(session: Session, user: StaffUser, ticket_number: str) -> Referral:
    referral = get_for(session, user, ticket_number, record_view=False)
    if referral.claimed_by_id != user.id and not user.is_admin:
        holder = referral.claimed_by.display_name if referral.claimed_by else None
        raise DeskError(f"这张转介单由{holder}办理；要接手，请{holder}放回待认领，或请管理员处理" if holder
                        else "请先认领这张转介单")
    return referral


def _text(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > MAX_NOTE_CHARS:
        raise DeskError(f"{what}太长了（最多 {MAX_NOTE_CHARS} 个字），详细材料请放进案卷", 422)
    return value


def _put_back(session: Session, user: StaffUser, referral: Referral, *, note: str | None = None,
              client: str | None = None) -> None:
    referral.status, referral.claimed_by_id, referral.claimed_at = ReferralStatus.new, None, None
    _event(session, referral, user, "released", ReferralStatus.claimed, note=note)
    audit(session, user, "release", referral, client=client)


def release(session: Session, user: StaffUser, ticket_number: str, *, client: str | None = None) -> Referral:
    referral = _held(session, user, ticket_number)
    if referral.status != ReferralStatus.claimed:
        raise DeskError("只有还没作决定的转介单才能放回待认领")
    _put_back(session, user, referral, client=client)
    session.commit()
    return referral


def release_all_held_by(session: Session, admin: StaffUser, holder: StaffUser, *, client: str | None = None) -> int:
    """Put back every referral ``holder`` claimed and has not decided (their account is being disabled).

    The caller commits. Returns how many went back to their station's queue.
    """
    rows = session.scalars(select(Referral).where(Referral.claimed_by_id == holder.id,
                                                  Referral.status == ReferralStatus.claimed)).all()
    for referral in rows:
        _put_back(session, admin, referral, note=f"经办人{holder.display_name}的账号停用，放回待认领", client=client)
    return len(rows)


def record_contact(session: Session, user: StaffUser, ticket_number: str, result: str, note: str = "", *,
                   client: str | None = None) -> Referral:
    if result not in CONTACT_RESULTS:
        raise DeskError(f"联系结果要从这几项里选：{'、'.join(CONTACT_RESULTS.values())}", 422)
    note = _text(note, "备注")
    referral = _held(session, user, ticket_number)
    text = CONTACT_RESULTS[result] + (f"：{note}" if note else "")
    _event(session, referral, user, "contact", referral.status, note=text)
    audit(session, user, "contact", referral, detail=result, client=client)
    session.commit()
    return referral


def _needs_open_decision(referral: Referral) -> None:
    if referral.status != ReferralStatus.claimed:
        raise DeskError("这张转介单已经有决定了" if referral.status in (ReferralStatus.accepted, ReferralStatus.refused)
                        else "请先认领这张转介单")


def accept(session: Session, user: StaffUser, ticket_number: str, note: str = "", *,
           client: str | None = None) -> Referral:
    """Decide to give legal aid (Art. 43: then assign a lawyer within 3 days)."""
    note = _text(note, "说明")
    referral = _held(session, user, ticket_number)
    _needs_open_decision(referral)
    referral.status, referral.decided_at = ReferralStatus.accepted, utcnow()
    referral.decision_reason = note.strip() or None
    _event(session, referral, user, "accepted", ReferralStatus.claimed, note=note.strip() or None)
    audit(session, user, "decide", referral, detail="accepted", client=client)
    notifications.queue_decision(session, referral)  # in the decision's own transaction
    session.commit()
    return referral


def check_refusal(session: Session, user: StaffUser, ticket_number: str, reason: str) -> tuple[Referral, str]:
    """Everything a refusal needs, checked without deciding (the console shows it for confirmation first)."""
    reason = _text(reason, "理由")
    if not reason:
        raise DeskError("不予法律援助要写明理由（《法律援助法》第四十三条）", 422)
    referral = _held(session, user, ticket_number)
    _needs_open_decision(referral)
    return referral, reason


def refuse(session: Session, user: StaffUser, ticket_number: str, reason: str, *,
           client: str | None = None) -> Referral:
    """Decide not to give legal aid: a reason is required (Art. 43) and the notice of Art. 49 is added."""
    referral, reason = check_refusal(session, user, ticket_number, reason)
    referral.status, referral.decided_at = ReferralStatus.refused, utcnow()
    referral.decision_reason = reason.strip()
    _event(session, referral, user, "refused", ReferralStatus.claimed,
           note=f"理由：{reason.strip()}\n{refusal_notice(referral)}")
    audit(session, user, "decide", referral, detail="refused", client=client)
    notifications.queue_decision(session, referral)  # in the decision's own transaction
    session.commit()
    return referral


def transfer(session: Session, user: StaffUser, ticket_number: str, station_code: str, reason: str, *,
             client: str | None = None) -> Referral:
    """Hand a referral without a decision to another station's queue."""
    reason = _text(reason, "原因")
    if not reason:
        raise DeskError("转交要写明原因，方便对方站点了解情况", 422)
    referral = _held(session, user, ticket_number)
    if referral.status not in OPEN_STATUSES:
        raise DeskError("已经作了决定或已结案的转介单不能转交")
    target = session.scalar(select(Station).where(Station.code == station_code, Station.active.is_(True)))
    if target is None:
        raise DeskError("没有这个站点，或者它已停用", 422)
    if target.id == referral.station_id:
        raise DeskError("转介单已经在这个站点了", 422)
    previous = referral.status
    referral.station_id, referral.station = target.id, target
    referral.status, referral.claimed_by_id, referral.claimed_at = ReferralStatus.transferred, None, None
    _event(session, referral, user, "transferred", previous, note=f"转交{target.name}。原因：{reason.strip()}")
    audit(session, user, "transfer", referral, detail=f"转给{target.name}", client=client)
    session.commit()
    return referral


def close(session: Session, user: StaffUser, ticket_number: str, note: str, *, client: str | None = None) -> Referral:
    """Close a referral: after a decision, or without one when the applicant withdrew (say why)."""
    note = _text(note, "说明")
    referral = _held(session, user, ticket_number)
    if referral.status == ReferralStatus.closed:
        raise DeskError("这张转介单已经结案了")
    if referral.status in CLAIMABLE_STATUSES:
        raise DeskError("请先认领这张转介单")
    if referral.status == ReferralStatus.claimed and not note.strip():
        raise DeskError("还没作决定就结案，要写明原因（比如申请人撤回申请）", 422)
    previous = referral.status
    referral.status, referral.closed_at = ReferralStatus.closed, utcnow()
    _event(session, referral, user, "closed", previous, note=note.strip() or None)
    audit(session, user, "close", referral, client=client)
    session.commit()
    return referral


def overdue_condition():
    return and_(Referral.status.in_(OPEN_STATUSES), Referral.decision_due < china_today())

