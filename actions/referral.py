"""The application for legal aid: the referral form and handing the case to staff."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import (
    fields_to_correct,
    is_explicit_yes,
    parse_description,
    parse_mobile,
    parse_name,
    says_no,
)
from actions.clients.referral_api import HttpReferralClient, ReferralApiError, ReferralClient
from actions.config import load_settings
from referral.city import city_config

FORM = "referral_form"
# Personal data the form collects; cleared once handed over, refused or abandoned.
PERSONAL_SLOTS = ("applicant_name", "applicant_phone", "region", "description")
FORM_SLOTS = ("referral_consent", *PERSONAL_SLOTS, "referral_confirmed")


def reset_form_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ValidateReferralForm(FormValidationAction):
    """Consent first; without it the form asks nothing more."""

    def name(self) -> str:
        return "validate_referral_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("referral_consent") is False:
            return ["referral_consent"]
        return domain_slots

    def validate_referral_consent(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        # Consent must be said in words: a "？" or an emoji classified as affirm is not a yes.
        if value is True and not is_explicit_yes(tracker.latest_message.get("text")):
            dispatcher.utter_message(response="utter_consent_unclear")
            return {"referral_consent": None}
        return {"referral_consent": value if isinstance(value, bool) else None}

    def validate_applicant_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        name = parse_name(value)
        if name is not None and city_config().find_region(name) is not None:
            name = None  # 「水富」 is a place, not a person
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
            return {"applicant_name": None}  # None makes the form ask again
        slots = {"applicant_name": name}
        phone = parse_mobile(value)  # 「我叫张建国电话是139…」 answers two questions at once
        if phone is not None and not tracker.get_slot("applicant_phone"):
            slots["applicant_phone"] = phone
        return slots

    def validate_applicant_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        phone = parse_mobile(value)
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"applicant_phone": phone}

    def validate_region(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        config = city_config()
        region = config.find_region(value or "")
        if region is None:
            dispatcher.utter_message(response="utter_invalid_region", region_list="、".join(config.region_names()))
            return {"region": None}
        return {"region": region.name}

    def validate_description(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        description = parse_description(value)
        if description is None:
            dispatcher.utter_message(response="utter_invalid_description")
        return {"description": description}

    def validate_referral_confirmed(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        """The citizen checks the summary: yes submits, 「电话不对」 asks that question again."""
        fields = fields_to_correct(value)
        if fields:
            dispatcher.utter_message(response="utter_correct_fields")
            return {"referral_confirmed": None, **{slot: None for slot in fields}}
        if says_no(value):
            dispatcher.utter_message(response="utter_which_field")
            return {"referral_confirmed": None}
        if is_explicit_yes(value):
            return {"referral_confirmed": True}
        dispatcher.utter_message(response="utter_confirm_unclear")
        return {"referral_confirmed": None}


def idempotency_key(tracker: Tracker) -> str:
    """One key per application: the conversation and the moment this form was opened.

    Retrying the same application (a failed call, a restarted service) reuses the key,
    so the referral service returns the same ticket; a new application gets a new key.
    """
    opened = next(
        (
            e.get("timestamp")
            for e in reversed(tracker.events)
            if e.get("event") == "active_loop" and e.get("name") == FORM
        ),
        None,
    )
    digest = hashlib.sha256(f"{tracker.sender_id}|{opened}".encode()).hexdigest()
    return f"rasa-{digest[:40]}"


def consent_time(tracker: Tracker) -> str:
    """When the citizen said yes (the slot event's time), in ISO 8601 UTC."""
    stamp = next(
        (
            e.get("timestamp")
            for e in reversed(tracker.events)
            if e.get("event") == "slot" and e.get("name") == "referral_consent" and e.get("value") is True
        ),
        None,
    )
    moment = datetime.fromtimestamp(stamp, timezone.utc) if stamp else datetime.now(timezone.utc)
    return moment.isoformat()


def referral_payload(tracker: Tracker) -> dict[str, Any]:
    return {
        "channel": tracker.get_latest_input_channel() or "unknown",
        "applicant_name": tracker.get_slot("applicant_name"),
        "applicant_phone": tracker.get_slot("applicant_phone"),
        "region": tracker.get_slot("region"),
        "matter": tracker.get_slot("matter") or "other",
        "description": tracker.get_slot("description"),
        "consent": True,
        "consent_at": consent_time(tracker),
    }


class ActionSubmitReferral(Action):
    """Hand the completed application to the referral service and tell the citizen the truth."""

    client: ReferralClient | None = None  # tests set a client; otherwise built from the environment

    def name(self) -> str:
        return "action_submit_referral"

    def _client(self) -> ReferralClient:
        if self.client is None:
            type(self).client = HttpReferralClient(load_settings())
        return self.client  # type: ignore[return-value]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("referral_consent") is not True or tracker.get_slot("referral_confirmed") is not True:
            dispatcher.utter_message(response="utter_consent_refused")
            return [SlotSet("referral_pending", False), *reset_form_slots()]
        try:
            ticket = await self._client().create_referral(referral_payload(tracker), idempotency_key(tracker))
        except ReferralApiError:
            dispatcher.utter_message(response="utter_referral_failed")
            return [SlotSet("referral_pending", True)]
        dispatcher.utter_message(response="utter_referral_created", ticket_number=ticket.ticket_number)
        return [SlotSet("ticket_number", ticket.ticket_number), SlotSet("referral_pending", False), *reset_form_slots()]


class ActionResetReferral(Action):
    """Forget an application the citizen stopped: nothing personal is kept."""

    def name(self) -> str:
        return "action_reset_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return [*reset_form_slots(), SlotSet("referral_pending", False), SlotSet("requested_slot", None)]
