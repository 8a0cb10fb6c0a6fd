"""The referral desk: what staff do with a referral, each step recorded in its history.

Every function takes the signed-in user, checks that they may do it, changes the referral,
writes a ReferralEvent (the status history) and an AuditEntry (who touched personal data),
and commits. A refused step raises DeskError with a message staff can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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
from referral.rules.city import AGENCY_KINDS
from referral.rules.contract import china_today, normalise_ticket_number
from referral.rules.deadlines import add_working_days, working_days_between

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
# How a closed referral ended (Referral.closing_outcome).
CLOSING_OUTCOMES: dict[str, str] = {
    "concluded": "办结",
    "withdrawn": "申请人撤回",
    "terminated": "终止法律援助",  # Art. 48; the applicant may object (Art. 49)
}
# Who provides the legal aid (Art. 12: 律师、基层法律服务工作者、法律援助志愿者; Art. 13: the agency's own staff).
PROVIDER_KINDS: dict[str, str] = {
    "lawyer": "律师",
    "grassroots": "基层法律服务工作者",
    "volunteer": "法律援助志愿者",
    "agency_staff": "本机构具有律师资格或法律职业资格的工作人员",
}
ASSIGNMENT_WORKING_DAYS = 3  # Art. 43: assign a provider within 3 days of deciding to give aid
EXTENSION_WORKING_DAYS = 3  # a complex case: once, with a reason
PRIORITY_ORDER = case(
    (Referral.priority == Priority.fast_track, 0), (Referral.priority == Priority.urgent, 1), else_=2
)
MAX_NOTE_CHARS = 2000  # a reason or note; longer text belongs in the case file
OPEN = "open"  # queue view: no decision yet
TODO = "todo"  # queue view: no decision yet, or decided and the case still to close
TRANSFERRED_OUT = "transferred_out"  # queue view: sent on from the user's station (read only)
# Deadline views of the queue (QueueFilter.due).
DUE_VIEWS: dict[str, str] = {  # 到期: the decision deadline or the applicant's own deadline
    "today": "今天到期",
    "two_days": "2 个工作日内到期",
    "week": "本周到期",
    "overdue": "已超期",
    "assign": "待指派法律援助人员",
    "paused": "材料不齐，期限暂停中",
}


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


def objection_notice(referral: Referral, decision: str) -> str:
    """The notice of the right to object to a refusal or a termination (Art. 49), naming the bureau."""
    agency = referral.station.agency if referral.station else None
    bureau = agency.justice_bureau if agency and agency.justice_bureau else "设立该法律援助机构的司法行政部门"
    who = "申请人" if decision == "不予法律援助" else "受援人"
    return f"{who}对{decision}的决定有异议的，可以向{bureau}提出（《中华人民共和国法律援助法》第四十九条）。"


def refusal_notice(referral: Referral) -> str:
    """The notice of the right to object that every refusal carries (Art. 49)."""
    return objection_notice(referral, "不予法律援助")


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


def _work_stations(user: StaffUser):
    """The stations whose referrals ``user`` works: their own and, for an agency, its workstations
    (a county centre decides for them, Art. 43): one IN over the indexed station column."""
    return Referral.station_id.in_(select(Station.id).where(or_(Station.id == user.station_id,
                                                                Station.parent_id == user.station_id)))


def visible_referrals(user: StaffUser):
    """A select of the referrals ``user`` works: their station's and its workstations', or all for an
    administrator. Queues, statistics and exports use it."""
    query = select(Referral)
    if user.role == Role.operator:
        return query.where(false())  # hotline operators see no referral (their calls only: referral.hotline)
    if not user.is_admin:
        query = query.where(_work_stations(user))
    return query


def _was_here(user: StaffUser):
    """Referrals that were at the user's station once (routed there, or transferred there) and left."""
    return and_(Referral.events.any(and_(ReferralEvent.kind.in_(("routed", "transferred")),
                                         ReferralEvent.station_id == user.station_id)),
                ~_work_stations(user))


def readable_referrals(user: StaffUser):
    """What ``user`` may open: the referrals they work, and those their station sent on (read only)."""
    query = visible_referrals(user)
    if user.role == Role.operator or user.is_admin:
        return query
    return select(Referral).where(or_(_work_stations(user), _was_here(user)))


def works_on(user: StaffUser, referral: Referral) -> bool:
    """Whether ``user`` may take steps on ``referral`` (not only read it)."""
    if user.is_admin:
        return True
    if user.role == Role.operator or user.station_id is None:
        return False
    station = referral.station
    return station is not None and user.station_id in (station.id, station.parent_id)


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    return (referral.status in OPEN_STATUSES and referral.paused_at is None
            and referral.decision_due < (today or china_today()))


def working_days_left(referral: Referral, today: date | None = None) -> int | None:
    """Working days from today to the decision deadline (0: due today, negative: overdue by so many);
    None when there is no open decision or the clock is paused."""
    if referral.status not in OPEN_STATUSES or referral.paused_at is not None:
        return None
    return working_days_between(today or china_today(), referral.decision_due)


def assignment_overdue(referral: Referral, today: date | None = None) -> bool:
    return (referral.status == ReferralStatus.accepted and referral.assigned_at is None
            and referral.assignment_due is not None and referral.assignment_due < (today or china_today()))


@dataclass
class QueueFilter:
    status: str | None = None  # a ReferralStatus value, "open" (no decision yet) or "todo" (open or accepted)
    matter: str | None = None
    region: str | None = None
    priority: str | None = None
    channel: str | None = None
    station_id: int | None = None
    overdue: bool = False
    search: str | None = None  # part of the ticket number, the applicant's name or phone number, or the account
    due: str | None = None  # a DUE_VIEWS code
    holder_id: int | None = None  # claimed by this user ("我的")


def queue(session: Session, user: StaffUser, filters: QueueFilter | None = None, *, limit: int = 200,
          offset: int = 0) -> tuple[list[Referral], int]:
    """The queue: open referrals first, by priority (fast track, urgent, normal), urgent cases first within
    a priority (a fast-track case can be urgent too), then by decision deadline."""
    f = filters or QueueFilter()
    query = visible_referrals(user)
    if f.status == OPEN:
        query = query.where(Referral.status.in_(OPEN_STATUSES))
    elif f.status == TODO:
        query = query.where(Referral.status.in_((*OPEN_STATUSES, ReferralStatus.accepted, ReferralStatus.refused)))
    elif f.status == TRANSFERRED_OUT:
        query = readable_referrals(user).where(_was_here(user)) if not user.is_admin else query.where(false())
    elif f.status:
        query = query.where(Referral.status == ReferralStatus(f.status))
    for column, value in ((Referral.matter, f.matter), (Referral.region, f.region), (Referral.channel, f.channel),
                          (Referral.station_id, f.station_id), (Referral.claimed_by_id, f.holder_id)):
        if value not in (None, ""):
            query = query.where(column == value)
    if f.priority == Priority.urgent.value:  # urgent fast-track cases are urgent too
        query = query.where(or_(Referral.priority == Priority.urgent, Referral.urgent.is_(True)))
    elif f.priority:
        query = query.where(Referral.priority == Priority(f.priority))
    if f.search and f.search.strip():
        query = query.where(search_condition(f.search))
    if f.overdue:
        query = query.where(overdue_condition())
    if f.due:
        query = query.where(due_condition(f.due))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    still_open = case((Referral.status.in_(OPEN_STATUSES), 0), else_=1)
    # Urgent cases first by the applicant's own deadline (a court date on 12-09 before one on 12-11).
    own_deadline = case((or_(Referral.priority == Priority.urgent, Referral.urgent.is_(True)),
                         Referral.applicant_deadline), else_=None)
    rows = session.scalars(
        query.order_by(still_open, PRIORITY_ORDER, Referral.urgent.desc(), own_deadline.is_(None), own_deadline,
                       Referral.decision_due, Referral.created_at, Referral.id)
        .limit(limit).offset(offset)
    ).all()
    return list(rows), total


def get_for(session: Session, user: StaffUser, ticket_number: str, *, client: str | None = None,
            record_view: bool = True) -> Referral:
    """The referral with this number (as typed: 「fy261128-4821」 too) if ``user`` may see it; each view
    is recorded in the audit trail."""
    ticket_number = normalise_ticket_number(ticket_number)
    number = Referral.ticket_number == ticket_number
    referral = session.scalar(visible_referrals(user).where(number))
    if referral is None and user.role != Role.operator and not user.is_admin:
        referral = session.scalar(select(Referral).where(number, _was_here(user)))  # sent on: read only
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
    _works_on(user, referral)
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


def _works_on(user: StaffUser, referral: Referral) -> None:
    if not works_on(user, referral):
        where = referral.station.name if referral.station else "别的站点"
        raise DeskError(f"这张转介单已经转到{where}，您这里只能查看")


def decides(user: StaffUser) -> bool:
    """Whether ``user`` works at a legal-aid agency (or is an administrator): only an agency decides,
    extends and assigns (Art. 12, 43). A workstation takes applications in and hands them on (Art. 13)."""
    return user.is_admin or (user.station is not None and user.station.kind in AGENCY_KINDS)


def _agency_only(user: StaffUser, referral: Referral) -> None:
    if not decides(user):
        agency = referral.station.agency.name if referral.station else "法律援助中心"
        raise DeskError(f"工作站不作决定：请由{agency}的工作人员决定（《法律援助法》第十二条、第四十三条）。"
                        "材料收齐后，请放回待认领或转交给中心。", 403)


def _held(session: Session, user: StaffUser, ticket_number: str) -> Referral:
    referral = get_for(session, user, ticket_number, record_view=False)
    _works_on(user, referral)
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


def _put_back(session: Session, user: StaffUser, referral: Referral, *, note: str | None = None) -> None:
    referral.status, referral.claimed_by_id, referral.claimed_at = ReferralStatus.new, None, None
    _event(session, referral, user, "released", ReferralStatus.claimed, note=note)


def release(session: Session, user: StaffUser, ticket_number: str, *, client: str | None = None) -> Referral:
    referral = _held(session, user, ticket_number)
    if referral.status != ReferralStatus.claimed:
        raise DeskError("只有还没作决定的转介单才能放回待认领")
    _put_back(session, user, referral)
    audit(session, user, "release", referral, client=client)
    session.commit()
    return referral


def held_undecided(session: Session, user: StaffUser) -> list[Referral]:
    """The referrals ``user`` claimed and has not decided."""
    return list(session.scalars(select(Referral).where(Referral.claimed_by_id == user.id,
                                                       Referral.status == ReferralStatus.claimed)
                                .order_by(Referral.id)).all())


def release_all_held_by(session: Session, admin: StaffUser, holder: StaffUser) -> int:
    """Put back every referral ``holder`` claimed and has not decided (their account is being disabled):
    each referral's history says so; the caller writes the one audit row and commits. Returns how many."""
    rows = held_undecided(session, holder)
    for referral in rows:
        _put_back(session, admin, referral, note=f"经办人{holder.display_name}的账号停用，放回待认领")
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


def _decide(session: Session, referral: Referral, status: ReferralStatus, **values: Any) -> None:
    """The decision as one conditional UPDATE, like ``claim``: of two decisions on the same referral
    at once (two tabs, a double click, the holder and an administrator) exactly one is taken."""
    now = utcnow()
    result = cast(CursorResult[Any], session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == ReferralStatus.claimed,
               Referral.claimed_by_id == referral.claimed_by_id)
        .values(status=status, decided_at=now, paused_at=None, paused_days_left=None, **values)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        session.rollback()
        raise DeskError("这张转介单刚刚已经有人作了决定，请刷新页面看看")
    session.refresh(referral)


def accept(session: Session, user: StaffUser, ticket_number: str, note: str = "", *,
           client: str | None = None) -> Referral:
    """Decide to give legal aid (Art. 43: then assign a provider within 3 days)."""
    note = _text(note, "说明")
    referral = _held(session, user, ticket_number)
    _agency_only(user, referral)
    _needs_open_decision(referral)
    _decide(session, referral, ReferralStatus.accepted, decision_reason=note.strip() or None,
            assignment_due=add_working_days(china_today(), ASSIGNMENT_WORKING_DAYS)[0])
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
    _agency_only(user, referral)
    _needs_open_decision(referral)
    return referral, reason


def refuse(session: Session, user: StaffUser, ticket_number: str, reason: str, *,
           client: str | None = None) -> Referral:
    """Decide not to give legal aid: a reason is required (Art. 43) and the notice of Art. 49 is added."""
    referral, reason = check_refusal(session, user, ticket_number, reason)
    _decide(session, referral, ReferralStatus.refused, decision_reason=reason.strip())
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
    if not station_code:
        raise DeskError("请选择要转交的站点", 422)
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


def closing_choices(referral: Referral) -> dict[str, str]:
    """How ``referral`` may be closed now, the first being the default."""
    codes = {ReferralStatus.claimed: ("withdrawn",),
             ReferralStatus.accepted: ("concluded", "terminated"),  # a 受援人 stopping: termination, Art. 48(7)
             ReferralStatus.refused: ("concluded",)}.get(referral.status, ())
    return {code: CLOSING_OUTCOMES[code] for code in codes}


def close(session: Session, user: StaffUser, ticket_number: str, note: str, outcome: str = "", *,
          client: str | None = None) -> Referral:
    """Close a referral and say how it ended (CLOSING_OUTCOMES).

    Without a decision only a withdrawal closes it (Art. 43 para. 2: materials not supplied count as
    withdrawn), with the reason. After legal aid was given it is concluded, or terminated (Art. 48,
    with the reason; the applicant may object, Art. 49). A refused one is concluded.
    """
    note = _text(note, "说明")
    referral = _held(session, user, ticket_number)
    if referral.status == ReferralStatus.closed:
        raise DeskError("这张转介单已经结案了")
    if referral.status in CLAIMABLE_STATUSES:
        raise DeskError("请先认领这张转介单")
    allowed = list(closing_choices(referral))
    outcome = outcome or allowed[0]
    if outcome == "terminated":
        _agency_only(user, referral)  # a decision of the agency (Art. 48)
    if outcome not in allowed:
        choices = "、".join(CLOSING_OUTCOMES[o] for o in allowed)
        raise DeskError(f"这张转介单不能这样结案：请从{choices}里选一项", 422)
    if outcome != "concluded" and not note:
        undecided = referral.status == ReferralStatus.claimed
        raise DeskError("还没作决定就结案，要写明原因（比如申请人撤回申请）" if undecided
                        else f"{CLOSING_OUTCOMES[outcome]}要写明原因", 422)
    previous = referral.status
    referral.status, referral.closed_at, referral.closing_outcome = ReferralStatus.closed, utcnow(), outcome
    referral.paused_at = referral.paused_days_left = None
    text = CLOSING_OUTCOMES[outcome] + (f"：{note}" if note else "")
    if outcome == "terminated":
        text += "\n" + objection_notice(referral, "终止法律援助")
    _event(session, referral, user, "closed", previous, note=text)
    audit(session, user, "close", referral, detail=outcome, client=client)
    session.commit()
    return referral


ASSIGNABLE_STATUSES = (*OPEN_STATUSES, ReferralStatus.accepted)


def assigns(user: StaffUser) -> bool:
    """A centre head (or an administrator) gives referrals to colleagues."""
    return user.is_admin or (user.head and user.role == Role.staff)


def _colleagues_of(referral: Referral):
    """The active staff of the referral's station and of the agency that decides for it."""
    stations = [s for s in (referral.station_id, referral.station.parent_id if referral.station else None) if s]
    return select(StaffUser).where(StaffUser.station_id.in_(stations), StaffUser.active.is_(True),
                                   StaffUser.role == Role.staff)


def colleagues(session: Session, user: StaffUser, referral: Referral) -> list[StaffUser]:
    """Whom ``user`` may give the referral to now (``assign_to``): empty for anyone but a head or an
    administrator working it."""
    if not assigns(user) or not works_on(user, referral) or referral.status not in ASSIGNABLE_STATUSES:
        return []
    return list(session.scalars(_colleagues_of(referral).order_by(StaffUser.display_name, StaffUser.id)).all())


def assign_to(session: Session, user: StaffUser, ticket_number: str, username: str, *,
              client: str | None = None) -> Referral:
    """A centre head (or an administrator) gives a referral to a named colleague, or takes it from one.

    The colleague must be an active staff member of the referral's station or of the agency that
    decides for it. One conditional UPDATE, like ``claim``: a decision or another assignment in
    between makes this one fail instead of overwriting it.
    """
    if not assigns(user):
        raise DeskError("只有中心负责人或管理员能指定经办人", 403)
    referral = get_for(session, user, ticket_number, record_view=False)
    _works_on(user, referral)
    if referral.status not in ASSIGNABLE_STATUSES:
        raise DeskError("已经结案或不予法律援助的转介单不用再指定经办人")
    colleague = session.scalar(_colleagues_of(referral).where(StaffUser.username == username.strip()))
    if colleague is None:
        raise DeskError("请从这个站点或它所属法律援助中心的在岗工作人员里选", 422)
    if colleague.id == referral.claimed_by_id:
        raise DeskError(f"这张转介单已经由{colleague.display_name}办理", 422)
    previous, holder = referral.status, referral.claimed_by
    status = ReferralStatus.claimed if previous in CLAIMABLE_STATUSES else previous
    result = cast(CursorResult[Any], session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == previous,
               Referral.claimed_by_id.is_(None) if holder is None else Referral.claimed_by_id == holder.id)
        .values(claimed_by_id=colleague.id, claimed_at=utcnow(), status=status)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        session.rollback()
        raise DeskError("这张转介单刚刚被别人改动了，请刷新后再指定")
    session.refresh(referral)
    note = f"交给{colleague.display_name}" + (f"（原经办人：{holder.display_name}）" if holder else "")
    _event(session, referral, user, "assigned_to", previous, note=note)
    audit(session, user, "assign", referral, detail=f"交给账号 {colleague.username}", client=client)
    session.commit()
    return referral


def assign_aid(session: Session, user: StaffUser, ticket_number: str, kind: str, name: str, org: str = "",
               case_number: str = "", *, client: str | None = None) -> Referral:
    """Record who provides the legal aid (Art. 43: within 3 days of deciding to give it) and the case number."""
    if kind not in PROVIDER_KINDS:
        raise DeskError("请选法律援助人员的类别：" + "、".join(PROVIDER_KINDS.values()), 422)
    name, org, case_number = name.strip(), org.strip(), case_number.strip()
    if not name:
        raise DeskError("请写法律援助人员的姓名", 422)
    for value, limit, what in ((name, 100, "姓名"), (org, 100, "所在单位"), (case_number, 40, "案号")):
        if len(value) > limit:
            raise DeskError(f"{what}太长了（最多 {limit} 个字）", 422)
    referral = _held(session, user, ticket_number)
    _agency_only(user, referral)
    if referral.status != ReferralStatus.accepted:
        raise DeskError("决定给予法律援助以后才能指派法律援助人员")
    if kind != "lawyer" and referral.matter == "criminal_defense":
        raise DeskError("刑事辩护要指派律师担任辩护人（《法律援助法》第二十五条，《刑事诉讼法》第三十五条）", 422)
    again = referral.assigned_at is not None
    referral.aid_provider_kind, referral.aid_provider_name = kind, name
    referral.aid_provider_org, referral.case_number = org or None, case_number or None
    referral.assigned_at = referral.assigned_at or utcnow()  # the first assignment: was it on time?
    text = (f"{PROVIDER_KINDS[kind]}：{name}" + (f"（{org}）" if org else "")
            + (f"，案号 {case_number}" if case_number else ""))
    _event(session, referral, user, "aid_assigned", referral.status, note=("改为" if again else "") + text)
    audit(session, user, "aid_assigned", referral, client=client)
    session.commit()
    return referral


def pause_clock(session: Session, user: StaffUser, ticket_number: str, missing: str, *,
                client: str | None = None) -> Referral:
    """Materials are missing (Art. 43 para. 2): tell the applicant once what to bring; the decision
    clock stops with the working days that were left."""
    missing = _text(missing, "缺少的材料")
    if not missing:
        raise DeskError("请写明申请人要补充哪些材料（要一次性告知，《法律援助法》第四十三条）", 422)
    referral = _held(session, user, ticket_number)
    if referral.status != ReferralStatus.claimed:
        raise DeskError("只有还没作决定的转介单才能暂停决定期限")
    if referral.paused_at is not None:
        raise DeskError("决定期限已经暂停了")
    if referral.decision_due < china_today():
        raise DeskError("决定期限已经过了，不能再暂停：请尽快作决定")
    left = working_days_between(china_today(), referral.decision_due)
    referral.paused_at, referral.paused_days_left, referral.materials_notice = utcnow(), left, missing
    _event(session, referral, user, "clock_paused", referral.status,
           note=f"一次性告知申请人补充：{missing}\n暂停时还剩 {left} 个工作日")
    audit(session, user, "clock_paused", referral, client=client)
    session.commit()
    return referral


def resume_clock(session: Session, user: StaffUser, ticket_number: str, *, client: str | None = None) -> Referral:
    """The materials are in: the clock runs again for the working days that were left."""
    referral = _held(session, user, ticket_number)
    if referral.paused_at is None or referral.status != ReferralStatus.claimed:
        raise DeskError("决定期限没有暂停")
    left = referral.paused_days_left or 0
    today = china_today()
    referral.decision_due = add_working_days(today, left)[0] if left else today
    referral.paused_at = referral.paused_days_left = None
    _event(session, referral, user, "clock_resumed", referral.status,
           note=f"材料补齐，新的决定期限 {referral.decision_due:%Y-%m-%d}")
    audit(session, user, "clock_resumed", referral, client=client)
    session.commit()
    return referral


def extend_deadline(session: Session, user: StaffUser, ticket_number: str, reason: str, *,
                    client: str | None = None) -> Referral:
    """A complex case: the decision deadline moves by 3 working days, once, with the reason."""
    reason = _text(reason, "理由")
    if not reason:
        raise DeskError("延长决定期限要写明理由（比如案情复杂、要核查材料）", 422)
    referral = _held(session, user, ticket_number)
    _agency_only(user, referral)
    if referral.status != ReferralStatus.claimed:
        raise DeskError("只有还没作决定的转介单才能延长决定期限")
    if referral.extended:
        raise DeskError("决定期限已经延长过一次了，不能再延长")
    if referral.paused_at is not None:
        raise DeskError("决定期限暂停中：材料补齐、期限恢复以后再延长")
    if referral.decision_due < china_today():
        raise DeskError("决定期限已经过了，不能再延长：请尽快作决定")
    referral.decision_due = add_working_days(referral.decision_due, EXTENSION_WORKING_DAYS)[0]
    referral.extended = True
    _event(session, referral, user, "extended", referral.status,
           note=f"延长 {EXTENSION_WORKING_DAYS} 个工作日，新的决定期限 {referral.decision_due:%Y-%m-%d}。"
                f"理由：{reason}")
    audit(session, user, "extend", referral, client=client)
    session.commit()
    return referral


def overdue_condition():
    return and_(Referral.status.in_(OPEN_STATUSES), Referral.paused_at.is_(None), Referral.decision_due < china_today())


def search_condition(search: str):
    """Part of a ticket number, phone number, name or account, as typed or in simplified characters
    (「張三」 finds 张三), or words of a matter's name (「讨薪」 finds every 拖欠劳动报酬（讨薪）)."""
    from referral.conflicts import to_simplified  # OpenCC, loaded only where the console searches
    from referral.rules.matters import MATTERS

    typed = search.strip()
    terms = {typed.upper(), to_simplified(typed).upper()}  # upper: the same on SQLite and PostgreSQL
    columns = (Referral.ticket_number, Referral.applicant_phone, Referral.applicant_name, Referral.description)
    found = [func.upper(column).contains(term, autoescape=True) for term in terms for column in columns]
    matters = [code for code, label in MATTERS.items() if any(t in label for t in terms)]
    if matters:
        found.append(Referral.matter.in_(matters))
    return or_(*found)


def due_condition(view: str, today: date | None = None):
    """The referrals of a deadline view (DUE_VIEWS)."""
    today = today or china_today()
    deciding = and_(Referral.status.in_(OPEN_STATUSES), Referral.paused_at.is_(None))
    undecided = Referral.status.in_(OPEN_STATUSES)

    def due_between(first: date, last: date):
        """The decision deadline, or the applicant's own limitation or filing deadline (the one a citizen
        loses rights over), falls in [first, last]."""
        return or_(and_(deciding, Referral.decision_due.between(first, last)),
                   and_(undecided, Referral.applicant_deadline.between(first, last)))

    if view == "today":
        return due_between(today, today)
    if view == "two_days":
        return due_between(today, add_working_days(today, 2)[0])
    if view == "week":
        return due_between(today, today + timedelta(days=6 - today.weekday()))
    if view == "overdue":
        return or_(overdue_condition(), assignment_overdue_condition(today))
    if view == "assign":
        return and_(Referral.status == ReferralStatus.accepted, Referral.assigned_at.is_(None),
                    Referral.assignment_due.is_not(None))
    if view == "paused":
        return and_(Referral.status.in_(OPEN_STATUSES), Referral.paused_at.is_not(None))
    raise ValueError(f"unknown deadline view {view!r}")


def assignment_overdue_condition(today: date | None = None):
    return and_(Referral.status == ReferralStatus.accepted, Referral.assigned_at.is_(None),
                Referral.assignment_due < (today or china_today()))

