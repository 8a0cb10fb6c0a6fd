"""Referral tickets: the system of record for every case handed to staff."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referral.db import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ReferralStatus(str, enum.Enum):
    new = "new"  # waiting in the station's queue
    claimed = "claimed"  # a staff member has taken it
    accepted = "accepted"  # legal aid granted
    refused = "refused"  # refused, with the notice of the right to object (Art. 49)
    transferred = "transferred"  # handed to another station, waiting in its queue
    closed = "closed"


OPEN_STATUSES = (ReferralStatus.new, ReferralStatus.transferred, ReferralStatus.claimed)  # no decision yet
CLAIMABLE_STATUSES = (ReferralStatus.new, ReferralStatus.transferred)


class Priority(str, enum.Enum):
    fast_track = "fast_track"  # registered poverty household: the green channel
    urgent = "urgent"  # Art. 44: a deadline within 7 days, or preservation needed now
    normal = "normal"


class Role(str, enum.Enum):
    staff = "staff"  # sees and works the referrals of their own station
    admin = "admin"  # city administrator: every station, users, stations, audit trail
    operator = "operator"  # hotline operator: takes calls in the hotline console, sees no referral pages


class CallStatus(str, enum.Enum):
    active = "active"  # the operator is on the call
    draft = "draft"  # the caller hung up before the end: the operator finishes it later or drops it
    completed = "completed"  # ended with its summary
    dropped = "dropped"  # given up by the operator: what was said and the number are deleted


class Station(Base):
    """A legal-aid agency or workstation; seeded from city.yaml, edited by administrators."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # referral.rules.city.STATION_KINDS
    regions: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None: every region
    townships: Mapped[list[str]] = mapped_column(JSON, default=list)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    justice_bureau: Mapped[str | None] = mapped_column(String(100), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # A sample number from the shipped config: staff see it marked, citizens are never told it.
    phone_sample: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Station | None] = relationship(remote_side=[id])

    @property
    def agency(self) -> Station:
        """The legal-aid agency that decides for this station (itself for a centre)."""
        return self.parent or self


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, validate_strings=True))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The head of a legal-aid agency (中心负责人): assigns and reassigns the referrals of their
    # agency and its workstations to a named colleague (referral.desk.assign_to).
    head: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Repeated wrong passwords lock the account for a while (referral/staff_auth.py).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    station: Mapped[Station | None] = relationship()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


class StaffSession(Base):
    """A signed-in browser or API client; the cookie holds a random token, the table its hash."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A refused form's message and what was typed, kept for the page the browser is sent to next
    # (POST-redirect-GET after an error too, so Back never resubmits); read once (referral.console.flash).
    flash: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    user: Mapped[StaffUser] = relationship()


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    status: Mapped[ReferralStatus] = mapped_column(
        Enum(ReferralStatus, native_enum=False, length=16, validate_strings=True),
        default=ReferralStatus.new,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_phone: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(32), index=True)
    matter: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text)
    consent: Mapped[bool] = mapped_column(Boolean)
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Idempotency: the same key always yields this ticket; the fingerprint of the
    # first request tells a genuine retry from a different request reusing the key.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    # The eligibility pre-screen, when the citizen did one: its input (contract 2) and the
    # decision the service computed from it; staff never have to re-ask these answers.
    screening_input: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    screening_decision: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    poverty_certificate: Mapped[str | None] = mapped_column(String(64), nullable=True)
    priority: Mapped[Priority] = mapped_column(
        Enum(Priority, native_enum=False, length=16, validate_strings=True), default=Priority.normal, index=True
    )
    # Art. 43: decide within 7 (working) days of the application (referral/rules/deadlines.py).
    decision_due: Mapped[date] = mapped_column(Date, index=True)
    # Art. 44: a limitation period or filing deadline within 7 days, or preservation needed now.
    # Kept apart from the priority: a fast-track case can be urgent too.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the ticket has its priority (referral/rules/priority.py codes; labels in referral/labels.py):
    # danger the citizen spoke of, a mandatory defence, Art. 44's urgency, the green channel.
    priority_reasons: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # Where a channel that can write to the citizen later sends the decision (a WeChat OpenID);
    # None for channels that cannot. Never shown to staff, never in the public schemas.
    reply_to: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Routing and the desk (referral/routing.py, referral/desk.py)
    township: Mapped[str | None] = mapped_column(String(32), nullable=True)
    groups: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # applicant groups used for routing
    # What the citizen said before the application (their own messages), so staff never re-ask.
    conversation: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True, index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The citizen's status lookup (ticket number + last four phone digits) locks after failures.
    lookup_failures: Mapped[int] = mapped_column(Integer, default=0)
    lookup_blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The citizen's own limitation or filing deadline, from the days they told the screening
    # (referral.tickets.applicant_due); urgent referrals are sorted by it.
    applicant_deadline: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # The other side of the dispute, as the applicant or staff named it (the conflict check reads it).
    opposing_party: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Art. 43 para. 2: while materials are missing the decision clock stands still. ``paused_at`` is
    # when it stopped, ``paused_days_left`` the working days that were left then (referral.desk.pause_clock).
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paused_days_left: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the applicant was told, once, to bring (the last pause): the printable notice reads it.
    materials_notice: Mapped[str | None] = mapped_column(Text, nullable=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # +3 working days, once
    # After legal aid is given: who was assigned, and the 3-day deadline to do it (Art. 43).
    assignment_due: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    aid_provider_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # referral.desk.PROVIDER_KINDS
    aid_provider_name: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the lawyer or worker
    aid_provider_org: Mapped[str | None] = mapped_column(String(100), nullable=True)  # their firm or office
    case_number: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the agency's own case number
    # The materials of the screening, ticked off as they come in (referral/casefile.py).
    materials_received: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # How a closed referral ended: referral.desk.CLOSING_OUTCOMES (withdrawn, terminated, concluded).
    closing_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)

    station: Mapped[Station | None] = relationship()
    claimed_by: Mapped[StaffUser | None] = relationship()

    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", cascade="all, delete-orphan"
    )
    # Images the citizen sent while applying (referral/attachments.py), oldest first.
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="referral", order_by="Attachment.id", passive_deletes=True
    )
    notes: Mapped[list[CaseNote]] = relationship(order_by="CaseNote.id", passive_deletes=True)


class ReferralEvent(Base):
    """The status history: routing, claims, contact attempts, decisions, transfers, closing."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)  # None: the system
    kind: Mapped[str] = mapped_column(String(24))  # referral.desk.EVENT_KINDS
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[StaffUser | None] = relationship()
    station: Mapped[Station | None] = relationship()


class Notification(Base):
    """A message to a citizen waiting for its channel (the transactional outbox): written in the
    same transaction as the decision, so none is lost while the channel is down; the channel
    fetches the pending ones and says whether each went out (referral/notifications.py)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # decision
    channel: Mapped[str] = mapped_column(String(32), index=True)
    recipient: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    # done without delivery: the channel cannot reach the citizen (e.g. WeChat's 48-hour window closed);
    # the citizen's status lookup still tells the decision
    given_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)

    referral: Mapped[Referral] = relationship()


class Attachment(Base):
    """An image a citizen sent (a judgment, an IOU, an injury). The bytes live in a file under
    ``Settings.attachments_dir`` named by a random id; the row holds what is needed to find it.

    It waits unclaimed until a referral from the same channel and owner claims it; an unclaimed
    one is deleted, row and file, after 24 hours (referral/attachments.py).
    """

    __tablename__ = "attachments"
    __table_args__ = (
        # One pending copy of the same image per owner: a channel's retry finds the first row.
        Index("ux_attachments_pending_image", "channel", "owner", "sha256", unique=True,
              sqlite_where=text("referral_id IS NULL"), postgresql_where=text("referral_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), nullable=True,
                                                    index=True)
    channel: Mapped[str] = mapped_column(String(32))
    # The channel's address of the citizen (a WeChat OpenID), to match the referral's reply_to.
    # Never shown to staff, never in the staff schemas.
    owner: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(32))  # image/jpeg, image/png or image/webp, checked
    size: Mapped[int] = mapped_column(Integer)  # bytes
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)  # the file's name: random, no personal data
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Documents staff upload to the case file (channel "console"): what it is and who added it.
    # None for the images a citizen sent.
    document_kind: Mapped[str | None] = mapped_column(String(24), nullable=True)  # referral/casefile.py
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)

    referral: Mapped[Referral | None] = relationship(back_populates="attachments")


class CaseNote(Base):
    """A free-text note staff write on a referral's case file (referral/casefile.py)."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[StaffUser] = relationship()


class AuditEntry(Base):
    """Who viewed or changed personal data, and when. Holds no personal data itself."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the client's address

    user: Mapped[StaffUser | None] = relationship()
    referral: Mapped[Referral | None] = relationship()


class Call(Base):
    """A hotline call an operator took in the hotline console (referral/hotline.py).

    The assistant leads the call through its own conversation (``conversation_id``, Rasa's sender
    id on the ``hotline`` channel). ``turns`` keeps what the caller said and what the operator was
    shown, for the call's summary; it holds personal data and is seen only by the call's operator
    and administrators, and is deleted when the call is dropped.
    """

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(48), unique=True)
    status: Mapped[CallStatus] = mapped_column(
        Enum(CallStatus, native_enum=False, length=16, validate_strings=True), default=CallStatus.active, index=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The number the call came from, typed by the operator: the application does not ask for it again.
    caller_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # [{"said": the caller's words or None, "back": bool, "messages": [the assistant's lines]}], oldest first
    turns: Mapped[list[dict] | None] = mapped_column(JSON, nullable=True)
    # The conversation's state after the last turn (bot/channels/hotline.call_state)
    matter: Mapped[str | None] = mapped_column(String(32), nullable=True)
    screening_outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ticket_number: Mapped[str | None] = mapped_column(String(16), nullable=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"), nullable=True,
                                                    index=True)
    # The caller spoke of danger (the assistant's safety lines); kept when the words are deleted.
    danger: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    operator: Mapped[StaffUser] = relationship()
    referral: Mapped[Referral | None] = relationship()
