"""The citizen's status lookup over HTTP (the rules and the lockout live in referral.status_lookup).

A wrong ticket and wrong digits give the same 404, so the answer reveals nothing; too many wrong
digits for one ticket give 429 with Retry-After.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field, field_validator

from referral import status_lookup
from referral.api.service_token import require_token
from referral.dependencies import SessionDep, client_address
from referral.models import ReferralStatus
from referral.rules.contract import normalise_ticket_number

router = APIRouter(prefix="/api/referrals", tags=["referrals"], dependencies=[Depends(require_token)])

NOT_FOUND = "no referral with this number and phone"
BLOCKED = "too many wrong attempts for this ticket: lookups are paused for one hour"


class StatusLookup(BaseModel):
    ticket_number: str = Field(min_length=1, max_length=40, examples=["FY261128-4821"])
    phone_last4: str = Field(pattern=r"^[0-9]{4}$", examples=["5678"],
                             description="the last four digits of the phone number given in the application")

    @field_validator("ticket_number")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = normalise_ticket_number(value)
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
    try:
        found = status_lookup.look_up(session, data.ticket_number, data.phone_last4, client=client_address(request))
    except status_lookup.NotFound:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from None
    except status_lookup.Paused as exc:
        raise HTTPException(status_code=status.HTTP_429_TOO_MANY_REQUESTS, detail=BLOCKED,
                            headers={"Retry-After": str(exc.retry_after)}) from None
    return StatusPublic.model_validate(found, from_attributes=True)
