"""Referral tickets: create (idempotent), read, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status

from referral import desk, tickets
from referral.api.service_token import require_token
from referral.dependencies import SessionDep, client_address
from referral.rules.contract import LANDLINE_CHANNELS
from referral.schemas import ReferralCreate, ReferralList, ReferralPublic

router = APIRouter(prefix="/api/referrals", tags=["referrals"], dependencies=[Depends(require_token)])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        description="A unique key per application; repeating it returns the same ticket, never a second one.",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralPublic,
    responses={
        200: {"description": "Replay: this key already created the ticket returned", "model": ReferralPublic},
        409: {"description": "The key was used before for a different request"},
        422: {"description": "The body is invalid, or its channel is the staff console's own"},
    },
)
def create_referral(data: ReferralCreate, idempotency_key: IdempotencyKey, session: SessionDep, response: Response):
    """Hand a case to staff. Idempotent on the `Idempotency-Key` header.

    The channels `counter` and `phone` are the console's own (staff take those applications there,
    landlines allowed): a client of this API cannot use them.
    """
    if data.channel in LANDLINE_CHANNELS:
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"channel {data.channel!r} is the staff console's own (counter intake)")
    try:
        referral, created = tickets.create_referral(session=session, data=data, idempotency_key=idempotency_key)
    except tickets.IdempotencyConflict:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail="Idempotency-Key was already used for a different request",
        ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return referral


@router.get("/{ticket_number}", response_model=ReferralPublic, responses={404: {"description": "No such ticket"}})
def read_referral(ticket_number: str, session: SessionDep, request: Request):
    """One referral by its ticket number (recorded in the audit trail as a read with the service token)."""
    referral = tickets.find_by_number(session, ticket_number)
    if referral is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"no referral {ticket_number}")
    desk.audit(session, None, "token_view", referral, client=client_address(request))
    session.commit()
    return referral


@router.get("", response_model=ReferralList)
def list_referrals(
    session: SessionDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Newest referrals first (recorded in the audit trail as a read with the service token)."""
    rows, total = tickets.list_referrals(session=session, limit=limit, offset=offset)
    desk.audit(session, None, "token_list", detail=f"n={len(rows)}", client=client_address(request))
    session.commit()
    return ReferralList(items=[ReferralPublic.model_validate(r) for r in rows], count=total)
