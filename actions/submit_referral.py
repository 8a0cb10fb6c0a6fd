"""Ending an application: handing it to the referral service, or forgetting it when the citizen stops."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.referral_api import ReferralApiError, ReferralClient, referral_api
from actions.referral_request import idempotency_key, referral_payload
from actions.referral_slots import PENDING, reset_form_slots
from referral.rules.materials import case_papers_text


class ActionSubmitReferral(Action):
    """Hand the completed application to the referral service and tell the citizen the truth.

    The first attempt freezes the request and its idempotency key in ``pending_referral``;
    a retry (「重试」, or asking to apply again while it is pending) sends exactly that, so
    however often it is tried, and whenever the service gets it, one ticket results.
    """

    def __init__(self, client: ReferralClient | None = None) -> None:
        # rasa-sdk passes none: the action server's client, built at boot; tests pass a fake
        self.client = client if client is not None else referral_api()

    def name(self) -> str:
        return "action_submit_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        pending = tracker.get_slot(PENDING)
        if pending:
            key, payload = pending["key"], pending["payload"]
        elif tracker.get_slot("referral_consent") is True and tracker.get_slot("referral_confirmed") is True:
            key, payload = idempotency_key(tracker), referral_payload(tracker)
        else:
            dispatcher.utter_message(response="utter_consent_refused")
            return [SlotSet("referral_pending", False), *reset_form_slots()]
        try:
            ticket = await self.client.create_referral(payload, key)
        except ReferralApiError:
            dispatcher.utter_message(response="utter_referral_failed")
            # The request is frozen; the form's slots are no longer needed.
            return [SlotSet("referral_pending", True), SlotSet(PENDING, {"key": key, "payload": payload}),
                    *reset_form_slots()]
        dispatcher.utter_message(response="utter_referral_created", ticket_number=ticket.ticket_number,
                                 materials=case_papers_text(payload.get("matter")))
        if payload.get("matter") == "domestic_violence":
            dispatcher.utter_message(response="utter_safety_reminder")
        if "poverty_registered" in (payload.get("screening") or {}).get("statuses", []):
            dispatcher.utter_message(response="utter_bring_poverty_proof")
        return [SlotSet("ticket_number", ticket.ticket_number), SlotSet("referral_pending", False),
                SlotSet(PENDING, None), *reset_form_slots()]


class ActionResetReferral(Action):
    """Forget an application the citizen stopped: nothing personal is kept."""

    def name(self) -> str:
        return "action_reset_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("referral_pending"):
            # The service may have received the application before it stopped answering.
            dispatcher.utter_message(response="utter_pending_dropped")
        elif (tracker.latest_message.get("intent") or {}).get("name") == "start_over":
            dispatcher.utter_message(response="utter_referral_restart")
        else:
            dispatcher.utter_message(response="utter_referral_stopped")
        events = [*reset_form_slots(), SlotSet("referral_pending", False), SlotSet(PENDING, None),
                  SlotSet("requested_slot", None)]
        if (tracker.latest_message.get("intent") or {}).get("name") in ("start_over", "stop"):
            events.append(SlotSet("matter", None))  # withdrawn: the next account decides it afresh
        return events
