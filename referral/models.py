"""Referral tickets: the system of record for every case handed to staff."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from referral.db import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ReferralStatus(str, enum.Enum):
    new = "new"  # waiting in the station's queue
    claimed = "claimed"  # a staff member has taken it
    accepted = "accepted"  # legal aid granted
    refused = "refused"  # refused, with the notice of the right to object (Art. 49)
    transferred = "transferred"  # handed to another station
    closed = "closed"


class Priority(str, enum.Enum):
    fast_track = "fast_track"  # registered poverty household: the green channel
    urgent = "urgent"  # Art. 44: a deadline within 7 days, or preservation needed now
    normal = "normal"


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
    # Art. 43: decide within 7 (working) days of the application (referral/deadlines.py).
    decision_due: Mapped[date] = mapped_column(Date, index=True)
