"""Eligibility pre-screen over HTTP (contract 2): the same function as `python -m referral.eligibility`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, status

from referral.rules.eligibility import ScreeningInputError, parse_screening, screen

router = APIRouter(prefix="/api/screenings", tags=["screenings"])

EXAMPLE = {"matter": "labor_wage", "role": "claimant", "region": "镇雄县", "household_size": 4,
           "household_monthly_income": 3000, "statuses": ["migrant_worker"], "criminal_flags": [],
           "has_lawyer": False, "days_to_deadline": None, "needs_preservation": False}


@router.post("", responses={422: {"description": "Bad input; `detail.field` names the field"}})
def create_screening(case: Annotated[dict[str, Any], Body(examples=[EXAMPLE])]) -> dict[str, Any]:
    """Screen one case (fields of shared/domain/eligibility.md). Holds no personal data; needs no token."""
    try:
        parsed = parse_screening(case)
    except ScreeningInputError as exc:
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail={"field": exc.field, "message": str(exc)}) from None
    return screen(parsed).to_dict()
