"""(scaffold: filled in by issue 17's work)"""

from __future__ import annotations

from fastapi import APIRouter

from referral.console.web import ConsoleRoute

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)
