"""A new session (after 60 idle minutes) keeps the ticket and a pending application, never form answers."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.referral_slots import PENDING

# Kept across a new session: a ticket the citizen has, or an application we promised to keep.
CARRIED_SLOTS = ("ticket_number", "referral_pending", PENDING)


class ActionSessionStart(Action):
    """Start a new session keeping only the ticket and a pending application, never form answers."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        carried = [SlotSet(slot, tracker.get_slot(slot)) for slot in CARRIED_SLOTS
                   if tracker.get_slot(slot) is not None]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
