"""The opposing party form and the conflict and duplicate check on the referral page (rules in referral.conflicts).

The check is shown by the ``_conflicts.html`` partial of referral.html through the Jinja global
``conflict_matches(me, r)``: the other referrals the signed-in user may see that match this one,
before a decision (an empty list after it). A template has no database session; the global uses
the referral's own (the one the page loaded it with).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import object_session

from referral import conflicts
from referral.console.referrals import _STEP_RESPONSES, Text, _step
from referral.console.web import ConsoleRoute, PostUserDep, templates
from referral.dependencies import SessionDep, client_address
from referral.models import Referral, StaffUser

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)


def template_conflict_matches(user: StaffUser, referral: Referral) -> list[conflicts.Match]:
    """``conflict_matches(me, r)`` in a template: conflicts.conflict_matches with the referral's session."""
    session = object_session(referral)
    if session is None or user is None:
        return []
    return conflicts.conflict_matches(session, user, referral)


templates.env.globals.update(
    conflict_matches=template_conflict_matches, CONFLICT_WINDOW_DAYS=conflicts.DUPLICATE_WINDOW.days,
    opposing_party_is_specific=conflicts.is_specific, MAX_OPPOSING_PARTY_CHARS=conflicts.MAX_OPPOSING_PARTY_CHARS,
)


@router.post("/referrals/{ticket}/opposing-party", response_class=HTMLResponse,
             summary="Console: record the opposing party", responses=_STEP_RESPONSES)
def opposing_party(ticket: str, request: Request, session: SessionDep, user: PostUserDep, name: Text = ""):
    """Record, correct or (empty) remove the other side of the dispute; the conflict check reads it."""
    return _step(request, session, user, ticket, "opposing_party",
                 lambda: conflicts.record_opposing_party(session, user, ticket, name,
                                                         client=client_address(request)),
                 form={"opposing_party": name})
