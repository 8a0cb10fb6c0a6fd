"""A new session keeps only the ticket and a pending application."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart
from tests.support.referral_application import FILLED
from tests.support.trackers import make_tracker


@pytest.mark.asyncio
async def test_session_start_keeps_ticket_and_pending_only(dispatcher):
    slots = {**FILLED, "ticket_number": "FY261128-0042", "referral_pending": False}
    events = await ActionSessionStart().run(dispatcher, make_tracker(slots=slots), {})
    assert events == [SessionStarted(), SlotSet("ticket_number", "FY261128-0042"),
                      SlotSet("referral_pending", False), ActionExecuted("action_listen")]
