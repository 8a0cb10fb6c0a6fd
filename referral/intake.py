"""Applications staff take at the counter or by phone (issue 17, item 1), and the papers they print.

A staff member fills the intake form while the applicant sits at the counter (channel
``counter``) or is on the phone (channel ``phone``). The pre-screen runs from the same engine
the chat uses (referral.rules.eligibility, contract 2), and saving goes through
referral.tickets.create_referral with a ReferralCreate, so routing, priority, the decision
deadline and idempotency are those of every other referral.

Where the referral goes: the usual routing rules decide. When it lands at the staff member's
own station, or at a station whose deciding agency is the staff member's station (a township
workstation of their county centre), it is claimed for them at once through desk.claim: they
are with the applicant. Anywhere else (a specialised station, another county) it waits in that
station's queue; when the staff member cannot see it there, the intake page still names its
number and station so the applicant can be told. Administrators (no station) claim nothing.

The printed papers: the 法律援助申请表 for the applicant to sign, and the decision letters
(给予 / 不予法律援助决定书, Art. 43 and 49 of the 法律援助法). Console pages are in
referral/console/intake.py; every rule is here.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from referral import desk, tickets
from referral.db import as_utc
from referral.labels import CHANNEL_LABELS
from referral.models import Referral, ReferralEvent, ReferralStatus, StaffUser
from referral.rules.city import city_config
from referral.rules.contract import (
    CHINA_TZ,
    LANDLINE_NUMBER,
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    MOBILE_NUMBER,
    china_today,
)
from referral.rules.eligibility import (
    CRIMINAL_FLAGS,
    ROLES,
    STATUSES,
    ScreeningInputError,
    parse_screening,
    role_for,
    screen,
)
from referral.rules.matters import MATTERS
from referral.rules.priority import DANGERS, ticket_priority
from referral.schemas import ReferralCreate

# The channels of an application taken in the console (labels: referral.labels.CHANNEL_LABELS).
CHANNELS: dict[str, str] = {code: CHANNEL_LABELS[code] for code in ("counter", "phone")}
INTAKE_EVENT = "intake"  # desk.EVENT_KINDS
CONSENT_TEXT = "申请人同意把以上信息交给法律援助机构办理"
# Danger the applicant spoke of (the chat's safety rules find it in the conversation; here staff tick it).
DANGER_LABELS: dict[str, str] = {
    "self_harm": "说过想轻生",
    "violence": "正在挨打，或者有人扬言要打死、杀害他",
    "fraud": "正在被骗转账",
}
MAX_OPPOSING_PARTY_CHARS = 200  # Referral.opposing_party
MAX_CERTIFICATE_CHARS = 64  # ReferralCreate.poverty_certificate
MAX_TOWNSHIP_CHARS = 32
KEY_PREFIX = "intake-"
_KEY = re.compile(r"^intake-[0-9a-f]{32}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-–—.()]")
_AMOUNT_NOISE = re.compile(r"[\s,，元]")
MAX_HOUSEHOLD = 99
MAX_DAYS = 3650
MAX_INCOME = 10_000_000


class IntakeError(desk.DeskError):
    """The intake form is not complete or not right; ``field`` names the form field to fix."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message, 422)
        self.field = field_name


@dataclass
class IntakeForm:
    """What the staff member typed, as typed (kept when the page shows an error)."""

    channel: str = "counter"
    applicant_name: str = ""
    applicant_phone: str = ""
    region: str = ""
    township: str = ""
    matter: str = ""
    role: str = ""  # empty: the matter's usual role (eligibility.role_for)
    description: str = ""
    opposing_party: str = ""
    poverty_certificate: str = ""
    statuses: list[str] = field(default_factory=list)
    criminal_flags: list[str] = field(default_factory=list)
    has_lawyer: bool = False
    household_size: str = ""
    household_monthly_income: str = ""
    days_to_deadline: str = ""
    needs_preservation: bool = False
    deadline_soon: bool = False
    retrial_decided: bool = False
    dangers: list[str] = field(default_factory=list)
    consent: bool = False
    idempotency_key: str = ""


@dataclass
class Preview:
    """The pre-screen's result for the form as it is, before anything is saved."""

    screening: dict[str, Any]
    decision: dict[str, Any]
    priority: str
    priority_reasons: list[str]


@dataclass
class Intake:
    referral: Referral
    created: bool  # False: the same form came again (a double submit) and the first referral is returned
    claimed: bool  # claimed for the staff member who took the application


def new_key() -> str:
    """The idempotency key the form carries in a hidden field: one referral however often it is sent."""
    return KEY_PREFIX + secrets.token_hex(16)


def normalise_phone(value: str) -> str:
    """A mobile, or a landline with its area code, as digits only: 「0870-2123456」 → 「08702123456」."""
    text = unicodedata.normalize("NFKC", value or "")
    digits = _PHONE_SEPARATORS.sub("", text)
    if not digits:
        raise IntakeError("applicant_phone", "请填写申请人的电话。")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if MOBILE_NUMBER.match(digits) or LANDLINE_NUMBER.match(digits):
        return digits
    if digits.isdigit() and len(digits) in (7, 8):
        raise IntakeError("applicant_phone", "座机号码要连区号一起填，比如 0870-2123456。")
    raise IntakeError("applicant_phone",
                      "电话要填 11 位手机号（比如 13800138000），或者带区号的座机（比如 0870-2123456）。")


def _whole_number(value: str, field_name: str, what: str, minimum: int, maximum: int) -> int | None:
    text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", value or ""))
    for unit in ("人", "口", "天", "日"):
        text = text.removesuffix(unit)
    if not text:
        return None
    if not text.isdigit() or not minimum <= int(text) <= maximum:
        raise IntakeError(field_name, f"{what}要填 {minimum} 到 {maximum} 之间的整数，不知道就空着。")
    return int(text)


def _amount(value: str) -> int | float | None:
    text = _AMOUNT_NOISE.sub("", unicodedata.normalize("NFKC", value or ""))
    if not text:
        return None
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text) or float(text) > MAX_INCOME:
        raise IntakeError("household_monthly_income", "家庭月收入要填一个数（元），比如 1200；不知道就空着。")
    amount = float(text)
    return int(amount) if amount.is_integer() else amount  # shown as typed: 1200, not 1200.0


def _criminal_defense(matter: str, role: str) -> bool:
    """As the engine reads it: a suspect or defendant, the accused of a private prosecution too."""
    return matter == "criminal_defense" or role == "criminal_suspect" or (
        matter == "criminal_victim" and role == "respondent")


def screening_input(form: IntakeForm) -> dict[str, Any]:
    """The pre-screen's input (contract 2) from the form's answers; IntakeError names what is wrong.

    Criminal flags count only for a suspect or defendant (the engine reads them nowhere else, and
    routing would take a flag for a group); a poverty certificate number means a registered
    household (the chat asks for it only then).
    """
    if form.matter not in MATTERS:
        raise IntakeError("matter", "请选择事项。")
    role = form.role or role_for(form.matter)
    if role not in ROLES:
        raise IntakeError("role", "请从列表里选择申请人身份。")
    if not city_config().is_region(form.region):
        raise IntakeError("region", "请选择申请人所在的县区。")
    statuses = set(form.statuses)
    if statuses - STATUSES:
        raise IntakeError("statuses", "特殊情况里有不认识的选项，请重新勾选。")
    flags = set(form.criminal_flags)
    if flags - CRIMINAL_FLAGS:
        raise IntakeError("criminal_flags", "刑事案件情形里有不认识的选项，请重新勾选。")
    if not _criminal_defense(form.matter, role):
        flags = set()
    if form.poverty_certificate.strip():
        statuses.add("poverty_registered")
    case: dict[str, Any] = {
        "matter": form.matter,
        "role": role,
        "region": form.region,
        "household_size": _whole_number(form.household_size, "household_size", "家庭人口", 1, MAX_HOUSEHOLD),
        "household_monthly_income": _amount(form.household_monthly_income),
        "statuses": sorted(statuses),
        "criminal_flags": sorted(flags),
        "has_lawyer": form.has_lawyer,
        "days_to_deadline": _whole_number(form.days_to_deadline, "days_to_deadline", "离期限还有几天", 0, MAX_DAYS),
        "needs_preservation": form.needs_preservation,
        "deadline_soon": form.deadline_soon,
    }
    if form.matter == "retrial" or role == "retrial_applicant" or form.retrial_decided:
        case["retrial_decided"] = form.retrial_decided
    try:
        parse_screening(case)
    except ScreeningInputError as exc:  # the checks above should leave nothing for the engine to refuse
        raise IntakeError(exc.field, "预审的回答有不对的地方，请检查后再试。") from None
    return case


def _dangers(form: IntakeForm) -> list[str]:
    if set(form.dangers) - set(DANGERS):
        raise IntakeError("dangers", "安全情况里有不认识的选项，请重新勾选。")
    return [d for d in DANGERS if d in form.dangers]


def preview(form: IntakeForm) -> Preview:
    """What the engine says about the answers so far (nothing is saved, no consent needed yet)."""
    case = screening_input(form)
    decision = screen(parse_screening({**case, "application_date": china_today().isoformat()})).to_dict()
    priority, reasons = ticket_priority(decision, _dangers(form))
    return Preview(screening=case, decision=decision, priority=priority, priority_reasons=reasons)


def _township(form: IntakeForm) -> str | None:
    township = form.township.strip()
    if not township:
        return None
    region = next((r for r in city_config().regions if r.name == form.region), None)
    if region is None or township not in region.townships:
        raise IntakeError("township",
                          f"{township}不是{form.region or '所选县区'}的乡镇（街道），请重新选择，或者不填。")
    return township


def to_create(form: IntakeForm) -> ReferralCreate:
    """The referral the form describes, checked field by field with a Chinese message."""
    if form.channel not in CHANNELS:
        raise IntakeError("channel", "请选择是窗口来访还是电话申请。")
    name = form.applicant_name.strip()
    if not name:
        raise IntakeError("applicant_name", "请填写申请人的姓名。")
    if len(name) > MAX_NAME_CHARS:
        raise IntakeError("applicant_name", f"姓名太长了（最多 {MAX_NAME_CHARS} 个字）。")
    phone = normalise_phone(form.applicant_phone)
    case = screening_input(form)  # checks the region and the matter too
    township = _township(form)
    description = form.description.strip()
    if not description:
        raise IntakeError("description", "请写下申请人自己说的情况（发生了什么、想要什么）。")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise IntakeError("description", f"情况写得太长了（最多 {MAX_DESCRIPTION_CHARS} 个字）。")
    if len(form.opposing_party.strip()) > MAX_OPPOSING_PARTY_CHARS:
        raise IntakeError("opposing_party", f"对方当事人太长了（最多 {MAX_OPPOSING_PARTY_CHARS} 个字）。")
    certificate = form.poverty_certificate.strip()
    if len(certificate) > MAX_CERTIFICATE_CHARS:
        raise IntakeError("poverty_certificate", f"建档立卡证明编号太长了（最多 {MAX_CERTIFICATE_CHARS} 个字）。")
    dangers = _dangers(form)
    if not form.consent:
        raise IntakeError("consent", f"请先问申请人是否同意，并勾选「{CONSENT_TEXT}」。没有同意，不能保存申请。")
    try:
        return ReferralCreate(
            channel=form.channel, applicant_name=name, applicant_phone=phone, region=form.region,
            matter=form.matter, description=description, consent=True, screening=case,
            poverty_certificate=certificate or None, township=township, dangers=dangers or None,  # type: ignore[arg-type]
            opposing_party=" ".join(form.opposing_party.split()) or None,  # part of the request: a changed one is
        )                                                                  # a different request for the same key
    except ValidationError as exc:  # the checks above should leave nothing for the schema to refuse
        where = str(exc.errors()[0]["loc"][0]) if exc.errors() else "form"
        raise IntakeError(where, "申请里有填得不对的地方，请检查后再试。") from None


def take_application(session: Session, user: StaffUser, form: IntakeForm, *, client: str | None = None) -> Intake:
    """Save the application the form describes: one referral per form (its hidden key), routed by the
    usual rules, its history naming who took it and how, and claimed for them when it lands at their
    station or one their station decides for."""
    if not _KEY.match(form.idempotency_key or ""):
        raise IntakeError("idempotency_key", "这个登记表已经过期，请重新打开“窗口/电话登记”页面再填。")
    data = to_create(form)
    try:
        referral, created = tickets.create_referral(session=session, data=data, idempotency_key=form.idempotency_key)
    except tickets.IdempotencyConflict:
        session.rollback()
        existing = tickets.find_by_key(session, form.idempotency_key)
        number = f"（转介单 {existing.ticket_number}）" if existing is not None else ""
        raise IntakeError("idempotency_key", f"这张登记表已经保存过{number}，后来改动的内容没有保存。"
                                             "要补充情况，请在转介单页面记录；要登记另一位申请人，请打开新的登记表。"
                          ) from None
    if not created:
        return Intake(referral, created=False, claimed=referral.claimed_by_id == user.id)
    how = "当面登记" if form.channel == "counter" else "电话登记"
    desk._event(session, referral, user, INTAKE_EVENT, referral.status,
                note=f"{CHANNELS[form.channel]}：{user.display_name}{how}申请")
    desk.audit(session, user, "intake", referral, detail=form.channel, client=client)
    session.commit()
    claimed = False
    if user.station_id is not None and desk.works_on(user, referral):  # their station's, or one it decides for
        try:
            referral = desk.claim(session, user, referral.ticket_number, client=client)
            claimed = True
        except desk.DeskError:  # not visible to them, or somebody was quicker: it waits in the queue
            session.rollback()
            session.refresh(referral)
    return Intake(referral, created=True, claimed=claimed)


def taken_by(session: Session, user: StaffUser, ticket_number: str) -> Referral | None:
    """The referral with this number if ``user`` took its application (the intake page names its
    number and station even when the user cannot open it)."""
    return session.scalar(
        select(Referral).join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .where(Referral.ticket_number == ticket_number, ReferralEvent.kind == INTAKE_EVENT,
               ReferralEvent.actor_id == user.id)
    )


# --- the printed papers ---


def intake_event(referral: Referral) -> ReferralEvent | None:
    return next((e for e in referral.events if e.kind == INTAKE_EVENT), None)


def received_by(referral: Referral, printing: StaffUser) -> StaffUser:
    """Who received the application: the staff member who took it in the console, otherwise the one
    printing the form (the applicant signs in front of them)."""
    event = intake_event(referral)
    return event.actor if event is not None and event.actor is not None else printing


def decision_of(referral: Referral) -> str | None:
    """``accepted`` or ``refused`` once the agency decided (also after closing), else None."""
    if referral.decided_at is None:
        return None
    if referral.status in (ReferralStatus.accepted, ReferralStatus.refused):
        return referral.status.value
    decided = [e.kind for e in referral.events if e.kind in ("accepted", "refused")]
    return decided[-1] if decided else None


def decision_date(referral: Referral) -> date | None:
    return as_utc(referral.decided_at).astimezone(CHINA_TZ).date() if referral.decided_at else None


class NotDecided(desk.DeskError):
    def __init__(self) -> None:
        super().__init__("这张转介单还没有作出是否给予法律援助的决定，不能打印决定书。请先作决定，再打印。", 409)


def letter_kind(referral: Referral) -> str:
    """The decision letter to print; NotDecided before a decision."""
    kind = decision_of(referral)
    if kind is None:
        raise NotDecided()
    return kind
