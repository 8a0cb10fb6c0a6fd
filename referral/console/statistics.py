"""Monthly statistics and exports (placeholder until referral.statistics and referral.export land)."""

from __future__ import annotations

from fastapi import APIRouter

from referral.console.web import ConsoleRoute

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)
