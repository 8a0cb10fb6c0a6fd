"""A refused form's message and what was typed, carried across the redirect that follows it.

Every console form redirects, on success and on error alike (POST-redirect-GET), so the browser's
Back button never shows a resubmission page. The message waits in the staff session's row (it may
hold what staff typed: a reason, a note) and is read once, by the page of the same referral.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from referral import staff_auth
from referral.console.web import COOKIE


def put_flash(request: Request, session: Session, ticket_number: str, flash: dict[str, Any]) -> None:
    row = staff_auth.find_session(session, request.cookies.get(COOKIE))
    if row is not None:
        row.flash = {**flash, "ticket": ticket_number}
        session.commit()


def take_flash(request: Request, session: Session, ticket_number: str) -> dict[str, Any] | None:
    """The waiting message for this referral's page, removed as it is read."""
    row = staff_auth.find_session(session, request.cookies.get(COOKIE))
    if row is None or not row.flash or row.flash.get("ticket") != ticket_number:
        return None  # a message for another referral's page waits for it (another tab)
    flash, row.flash = row.flash, None
    session.commit()
    return flash
