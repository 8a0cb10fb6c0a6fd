"""The citizen's status lookup: ticket number + the last four digits of the phone number.

A wrong ticket and wrong digits raise the same NotFound, so the answer reveals nothing. After
MAX_FAILURES wrong digits for one existing ticket, lookups of that ticket pause for BLOCK_FOR;
a correct lookup resets the count. Every check of an existing ticket is in the audit trail
(never the digits).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral import desk
from referral.db import as_utc
from referral.models import Referral, ReferralStatus
from referral.status_text import status_text

MAX_FAILURES = 5
BLOCK_FOR = timedelta(hours=1)


class NotFound(Exception):
    """No referral with this number and phone: the same for a wrong number and wrong digits."""


class Paused(Exception):
    """Too many wrong attempts for this ticket: lookups are paused for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"lookups paused for {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class CitizenStatus:
    """What the citizen is told about their referral (never names staff)."""

    ticket_number: str
    status: ReferralStatus
    status_text: str
    station_name: str | None
    station_phone: str | None
    decision_due: date


def look_up(session: Session, ticket_number: str, phone_last4: str, *, client: str | None = None) -> CitizenStatus:
    """The status of the referral with this number, if ``phone_last4`` ends its phone number; commits."""
    referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket_number).with_for_update())
    if referral is None:
        raise NotFound()
    now = datetime.now(timezone.utc)
    blocked_until = as_utc(referral.lookup_blocked_until) if referral.lookup_blocked_until else None
    if blocked_until is not None and blocked_until > now:
        session.rollback()
        desk.audit(session, None, "citizen_status_paused", referral, client=client)
        session.commit()
        raise Paused(retry_after=max(1, int((blocked_until - now).total_seconds())))
    if not secrets.compare_digest(referral.applicant_phone[-4:].encode(), phone_last4.encode()):
        referral.lookup_failures = (referral.lookup_failures or 0) + 1
        if referral.lookup_failures >= MAX_FAILURES:
            referral.lookup_failures = 0
            referral.lookup_blocked_until = now + BLOCK_FOR
        desk.audit(session, None, "citizen_status_denied", referral, client=client)
        session.commit()
        raise NotFound()
    if referral.lookup_failures or referral.lookup_blocked_until is not None:
        referral.lookup_failures, referral.lookup_blocked_until = 0, None
    station = referral.station
    found = CitizenStatus(
        ticket_number=referral.ticket_number,
        status=referral.status,
        status_text=status_text(referral),
        station_name=station.name if station is not None else None,
        station_phone=station.phone if station is not None and not station.phone_sample else None,  # never a sample
        decision_due=referral.decision_due,
    )
    desk.audit(session, None, "citizen_status", referral, client=client)
    session.commit()
    return found
