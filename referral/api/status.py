"""The citizen's status lookup: ticket number + the last four digits of the phone number.

A wrong ticket and wrong digits give the same 404, so the answer reveals nothing. After
MAX_FAILURES wrong digits for one existing ticket, lookups of that ticket pause for BLOCK_FOR;
a correct lookup resets the count.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta, timezone

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from referral import desk
from referral.db import as_utc
from referral.api.service_token import require_token
from referral.dependencies import SessionDep, client_address
from referral.models import Referral, ReferralStatus
from referral.status_text import status_text

router = APIRouter(prefix="/api/referrals", tags=["referrals"], dependencies=[Depends(require_token)])

MAX_FAILURES = 5
BLOCK_FOR = timedelta(hours=1)
NOT_FOUND = "no referral with this number and phone"
BLOCKED = "too many wrong attempts for this ticket: lookups are paused for one hour"
_SPACES = re.compile(r"\s+")


class StatusLookup(BaseModel):
    ticket_number: str = Field(min_length=1, max_length=40, examples=["FY261128-4821"])
    phone_last4: str = Field(pattern=r"^[0-9]{4}$", examples=["5678"],
                             description="the last four digits of the phone number given in the application")

    @field_validator("ticket_number")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = _SPACES.sub("", value).upper()
        if not value:
            raise ValueError("empty ticket number")
        return value


class StatusPublic(BaseModel):
    ticket_number: str
    status: ReferralStatus
    status_text: str = Field(description="plain Simplified Chinese for the citizen; never names staff")
    station_name: str | None
    station_phone: str | None
    decision_due: date


@router.post(
    "/status",
    response_model=StatusPublic,
    responses={
        404: {"description": "No referral with this number and phone (the same answer for either mistake)"},
        429: {"description": "Too many wrong attempts for this ticket; lookups are paused for an hour"},
    },
)
def lookup_status(data: StatusLookup, session: SessionDep, request: Request):
    """The citizen's own status check: the ticket number and the last four digits of their phone number.

    Every check of an existing ticket is in the audit trail (never the digits)."""
    client = client_address(request)
    referral = session.scalar(
        select(Referral).where(Referral.ticket_number == data.ticket_number).with_for_update()
    )
    if referral is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    now = datetime.now(timezone.utc)
    blocked_until = as_utc(referral.lookup_blocked_until) if referral.lookup_blocked_until else None
    if blocked_until is not None and blocked_until > now:
        session.rollback()
        desk.audit(session, None, "citizen_status_paused", referral, client=client)
        session.commit()
        raise HTTPException(status_code=status.HTTP_429_TOO_MANY_REQUESTS, detail=BLOCKED,
                            headers={"Retry-After": str(max(1, int((blocked_until - now).total_seconds())))})
    if not secrets.compare_digest(referral.applicant_phone[-4:].encode(), data.phone_last4.encode()):
        referral.lookup_failures = (referral.lookup_failures or 0) + 1
        if referral.lookup_failures >= MAX_FAILURES:
            referral.lookup_failures = 0
            referral.lookup_blocked_until = now + BLOCK_FOR
        desk.audit(session, None, "citizen_status_denied", referral, client=client)
        session.commit()
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    if referral.lookup_failures or referral.lookup_blocked_until is not None:
        referral.lookup_failures, referral.lookup_blocked_until = 0, None
    station = referral.station
    result = StatusPublic(
        ticket_number=referral.ticket_number,
        status=referral.status,
        status_text=status_text(referral),
        station_name=station.name if station is not None else None,
        station_phone=station.phone if station is not None else None,
        decision_due=referral.decision_due,
    )
    desk.audit(session, None, "citizen_status", referral, client=client)
    session.commit()
    return result
