"""API shapes for referrals (request and response bodies)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from referral.db import as_utc
from referral.models import Priority, ReferralStatus
from referral.rules.city import city_config
from referral.rules.contract import (
    LANDLINE_CHANNELS,
    LANDLINE_NUMBER,
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
    MOBILE_NUMBER,
)
from referral.rules.eligibility import ScreeningInputError, parse_screening
from referral.rules.matters import MATTER_CODES

AwareDatetime = Annotated[datetime, AfterValidator(as_utc)]  # every time is returned in UTC


class ReferralCreate(BaseModel):
    """What the bot (or an operator) sends to hand a case to staff."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: str = Field(min_length=1, max_length=32, examples=["rest"])
    applicant_name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, examples=["张三"])
    applicant_phone: str = Field(
        examples=["13800138000"],
        description="an 11-digit mainland mobile number; for the channels `counter` and `phone` (applications staff "
        "take in the console) also a landline with its area code, digits only (e.g. 08702123456)",
    )
    region: str = Field(examples=["镇雄县"], description="a county or district of the city config")
    matter: str = Field(default="other", examples=["labor_wage"], description="a matter code")
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS, examples=["老板拖欠三个月工资"])
    consent: bool = Field(description="the applicant agreed to share these data with legal-aid staff")
    consent_at: AwareDatetime | None = Field(
        default=None, description="when the applicant consented; defaults to the time of receipt"
    )
    screening: dict[str, Any] | None = Field(
        default=None,
        description="the eligibility pre-screen's input (contract 2); the service recomputes the decision "
        "and the priority from it",
        examples=[{"matter": "labor_wage", "statuses": ["migrant_worker"]}],
    )
    poverty_certificate: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="registration or certificate number of a registered poverty household (staff verify it)",
    )
    township: str | None = Field(
        default=None, max_length=32, examples=["乌峰街道"],
        description="the town, township or sub-district, when the citizen named one (routes to its workstation)",
    )
    dangers: list[Literal["self_harm", "violence", "fraud"]] | None = Field(
        default=None, max_length=3,
        description="danger the citizen spoke of in the conversation (the bot's safety rules): thoughts of "
        "suicide, violence now or a threat to life, a fraud in progress; makes the ticket urgent",
    )
    reply_to: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="the channel's address of the citizen (a WeChat OpenID), for channels that can send the "
        "decision later (wechat); never shown to staff",
    )
    opposing_party: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["云南某某建筑公司"],
        description="the other side of the dispute, when known (the staff console's conflict check reads it)",
    )
    conversation: list[Annotated[str, Field(max_length=2000)]] | None = Field(
        default=None, max_length=50,
        description="what the citizen said before applying (their own messages, oldest first), so staff never re-ask",
    )

    @field_validator("screening")
    @classmethod
    def _screening(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            try:
                parse_screening(value)
            except ScreeningInputError as exc:
                raise ValueError(f"screening.{exc}") from None
        return value

    @field_validator("applicant_phone")
    @classmethod
    def _phone(cls, value: str, info) -> str:
        if MOBILE_NUMBER.match(value):
            return value
        if info.data.get("channel") in LANDLINE_CHANNELS:
            if LANDLINE_NUMBER.match(value):
                return value
            raise ValueError("must be an 11-digit mainland mobile number starting with 1, or a landline with its "
                             "area code (digits only, e.g. 08702123456)")
        raise ValueError("must be an 11-digit mainland mobile number starting with 1")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        config = city_config()
        if not config.is_region(value):
            raise ValueError("unknown region; expected one of: " + "、".join(config.region_names()))
        return value

    @field_validator("township")
    @classmethod
    def _township(cls, value: str | None, info) -> str | None:
        if value is None:
            return value
        region = next((r for r in city_config().regions if r.name == info.data.get("region")), None)
        if region is not None and value not in region.townships:
            raise ValueError(f"not a township of {region.name} in the city config")
        return value

    @field_validator("matter")
    @classmethod
    def _matter(cls, value: str) -> str:
        if value not in MATTER_CODES:
            raise ValueError("unknown matter code; see shared/domain/matters.md")
        return value

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("a referral carries personal data and needs the applicant's consent")
        return value


class AttachmentPublic(BaseModel):
    """An image the citizen sent with the application (its metadata; never who sent it)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    content_type: str = Field(examples=["image/jpeg"])
    size: int = Field(description="bytes")
    created_at: AwareDatetime


class AttachmentStored(AttachmentPublic):
    """An upload kept for its owner until their referral claims it."""

    sha256: str = Field(description="hex SHA-256 of the bytes")


class ReferralPublic(BaseModel):
    """A referral as staff see it."""

    model_config = ConfigDict(from_attributes=True)

    ticket_number: str
    status: ReferralStatus
    created_at: AwareDatetime
    channel: str
    applicant_name: str
    applicant_phone: str
    region: str
    matter: str
    description: str
    consent: bool
    consent_at: AwareDatetime
    priority: Priority
    priority_reasons: list[str] | None = Field(
        default=None, description="why: self_harm, violence, fraud, mandatory_notification, deadline_soon, fast_track"
    )
    decision_due: date = Field(
        description="7 working days after receipt (Art. 43 counts from a complete application: "
        "staff move it when materials are missing); the official calendar's holidays are skipped"
    )
    screening_input: dict[str, Any] | None
    screening_decision: dict[str, Any] | None
    poverty_certificate: str | None
    attachments: list[AttachmentPublic] = Field(
        default_factory=list, description="images the citizen sent while applying (GET them through the staff API)"
    )


class ReferralList(BaseModel):
    items: list[ReferralPublic]
    count: int


# --- the staff API (referral/api/staff.py) ---


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    regions: list[str] | None
    townships: list[str]
    groups: list[str]
    justice_bureau: str | None
    phone: str | None
    active: bool


class StaffUserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    role: str
    station: StationPublic | None


class StaffSessionCreated(BaseModel):
    token: str = Field(description="send as `Authorization: Bearer <token>` to the staff API")
    expires_at: AwareDatetime
    user: StaffUserPublic


class ReferralEventPublic(BaseModel):
    at: AwareDatetime
    kind: str
    label: str
    actor: str | None = Field(description="the staff member's name; null for the system")
    from_status: str | None
    to_status: str | None
    station: str | None
    note: str | None


class QueueItem(BaseModel):
    ticket_number: str
    status: ReferralStatus
    created_at: AwareDatetime
    channel: str
    region: str
    township: str | None
    matter: str
    priority: Priority
    priority_reasons: list[str] | None = None
    decision_due: date
    overdue: bool
    station: str | None
    holder: str | None


class Queue(BaseModel):
    items: list[QueueItem]
    count: int


class StaffReferral(ReferralPublic):
    """Everything staff need, so they never re-ask the citizen."""

    township: str | None
    groups: list[str] | None
    conversation: list[str] | None
    station: StationPublic | None
    deciding_agency: str | None
    holder: str | None
    claimed_at: AwareDatetime | None
    decided_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    decision_reason: str | None
    overdue: bool
    refusal_notice: str | None = Field(description="the notice of the right to object (Art. 49), once refused")
    working_days_left: int | None = Field(
        description="working days to the decision deadline (0: today, negative: overdue); null when decided or paused")
    paused_at: AwareDatetime | None = Field(description="the decision clock stopped: materials missing (Art. 43)")
    paused_days_left: int | None
    extended: bool
    applicant_deadline: date | None = Field(description="the applicant's own limitation or filing deadline")
    opposing_party: str | None
    assignment_due: date | None = Field(description="assign a legal-aid provider by this day (Art. 43, 3 days)")
    assigned_at: AwareDatetime | None
    aid_provider_kind: str | None = Field(description="lawyer, grassroots, volunteer or agency_staff")
    aid_provider_name: str | None
    aid_provider_org: str | None
    case_number: str | None
    closing_outcome: str | None = Field(description="concluded, withdrawn or terminated")
    events: list[ReferralEventPublic]


class ContactAttempt(BaseModel):
    result: str = Field(description="reached, no_answer, wrong_number or message_left")
    note: str = Field(default="", max_length=2000)


class Decision(BaseModel):
    decision: str = Field(pattern="^(accept|refuse)$")
    reason: str = Field(default="", max_length=4000, description="required to refuse (Art. 43)")


class Transfer(BaseModel):
    station: str = Field(description="the code of the station to hand the referral to")
    reason: str = Field(min_length=1, max_length=2000)


class Closing(BaseModel):
    note: str = Field(default="", max_length=4000)
    outcome: str = Field(default="", description="concluded, withdrawn or terminated; empty: the usual one "
                                                 "(withdrawn without a decision, concluded after one)")


class Assignment(BaseModel):
    username: str = Field(min_length=1, max_length=64, description="the colleague who is to work the referral")


class AidProvider(BaseModel):
    kind: str = Field(description="lawyer, grassroots, volunteer or agency_staff")
    name: str = Field(min_length=1, max_length=100)
    org: str = Field(default="", max_length=100)
    case_number: str = Field(default="", max_length=40)


class ClockPause(BaseModel):
    missing: str = Field(min_length=1, max_length=2000, description="what the applicant is to bring (told once)")


class Extension(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class OpposingParty(BaseModel):
    name: str = Field(default="", max_length=200, description="empty removes it")


class AuditEntryPublic(BaseModel):
    at: AwareDatetime
    user: str | None
    action: str
    ticket_number: str | None
    detail: str | None
    client: str | None
