"""The application for legal aid: the referral form and handing the case to staff."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.citizen_replies import (
    consent_answer,
    fields_to_correct,
    find_region,
    is_an_addition,
    is_explicit_yes,
    parse_description,
    parse_mobile,
    parse_name,
    refers_back,
    says_no,
)
from actions.clients.referral_api import HttpReferralClient, ReferralApiError, ReferralClient
from actions.config import load_settings
from actions.bot_answers import ASIDES, QUESTION_CONFIDENCE, answer_for, matter_code, utter_answer
from bot.text import normalise
from referral.rules.city import city_config
from referral.rules.contract import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS

logger = logging.getLogger(__name__)

FORM = "referral_form"
# Personal data the form collects; cleared once handed over, refused or abandoned.
PERSONAL_SLOTS = ("applicant_name", "applicant_phone", "region", "description")
FORM_SLOTS = ("referral_consent", *PERSONAL_SLOTS, "referral_confirmed")
# An application that could not be handed over yet: its idempotency key and the exact
# request, frozen at the first attempt so every retry sends the same thing.
PENDING = "pending_referral"
# How sure the classifier must be that an account names its matter.
MATTER_CONFIDENCE = 0.6
# Kept across a new session (after 60 idle minutes): a ticket the citizen has, or an
# application we promised to keep.
CARRIED_SLOTS = ("ticket_number", "referral_pending", PENDING)


# Cleared once the application is handed over, refused or abandoned: the form's answers and
# the screening that travels with the application.
CLEARED_SLOTS = (*FORM_SLOTS, "screening")


def reset_form_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in CLEARED_SLOTS]


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

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[EventType]:
        """A question or an aside instead of an answer is answered; then the form asks again."""
        requested = tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text") or ""
        if requested in FORM_SLOTS and not _is_an_answer(requested, text, tracker.latest_message):
            # 「工伤认定要多久」 at the name question; an account of the problem answers 「what happened」
            response = answer_for(tracker, domain, legal_questions=requested != "description")
            if response:
                utter_answer(dispatcher, domain, response, in_form=True)
                return [SlotSet(requested, None)]
        return await super().get_validation_events(dispatcher, tracker, domain)

    def validate_referral_consent(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        # Read from the words, not from the classifier: 「？」 is no consent, 「同意！！👍」 is.
        answer = consent_answer(value if isinstance(value, str) else tracker.latest_message.get("text"))
        if answer is None:
            dispatcher.utter_message(response="utter_consent_unclear")
        return {"referral_consent": answer}

    def validate_applicant_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        name = parse_name(value)
        if name is not None and find_region(name) is not None:
            name = None  # 「水富」 is a place, not a person
        if name is None and _said_twice(tracker, value):
            name = _as_given(value)  # a real name we cannot read (林在山): the citizen insists
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
            return {"applicant_name": None}  # None makes the form ask again
        # 「我叫李国强电话159…我在镇雄县」 answers three questions at once
        slots: dict[str, Any] = {"applicant_name": name}
        phone = parse_mobile(value)
        if phone is not None and not tracker.get_slot("applicant_phone"):
            slots["applicant_phone"] = phone
        region = find_region(value)
        if region is not None and not tracker.get_slot("region"):
            slots["region"] = region.name
        return slots

    def validate_applicant_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        phone = parse_mobile(value)
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"applicant_phone": phone}

    def validate_region(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        region = find_region(value)
        if region is None:
            region_list = "、".join(city_config().region_names())
            dispatcher.utter_message(response="utter_invalid_region", region_list=region_list)
            return {"region": None}
        return {"region": region.name}

    def validate_description(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if refers_back(value):
            # 「就是刚才说的」: the account the citizen gave before the form, never asked again
            earlier = earlier_account(tracker)
            if earlier is None:
                dispatcher.utter_message(response="utter_description_not_found")
                return {"description": None}
            return {"description": earlier}
        description = parse_description(value)
        if description is None:
            dispatcher.utter_message(response="utter_invalid_description")
            return {"description": None}
        slots: dict[str, Any] = {"description": description}
        # The account of what happened decides the ticket's matter, when the classifier is sure.
        intent = tracker.latest_message.get("intent") or {}
        code = matter_code(intent.get("name") or "")
        screening = tracker.get_slot("screening")
        if not code or intent.get("confidence", 0) < MATTER_CONFIDENCE:
            return slots
        if not screening:
            slots["matter"] = code
            return slots
        # After a screening its matter stands (it was asked directly); only a clearly different
        # matter shows that this application is about something else: then the screening stays behind.
        screened = screening["input"]["matter"]
        if screened != "other" and code not in (screened, "other"):
            slots.update(matter=code, screening=None)
        return slots

    def validate_referral_confirmed(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        """The citizen checks the summary: yes submits, 「电话不对」 or just 「电话」 asks that again,
        「还有，他打了我一巴掌」 is added to the account and the summary shown again."""
        if refers_back(value):
            # 「就是刚才说的」 contains 是 but says neither yes nor no here
            dispatcher.utter_message(response="utter_confirm_unclear")
            return {"referral_confirmed": None}
        if is_an_addition(value):
            description = f"{tracker.get_slot('description') or ''}\n补充：{value.strip()}".strip()
            dispatcher.utter_message(response="utter_description_added")
            return {"description": description[:MAX_DESCRIPTION_CHARS], "referral_confirmed": None}
        fields = fields_to_correct(value) if says_no(value) or not is_explicit_yes(value) else []
        if fields:
            dispatcher.utter_message(response="utter_correct_fields")
            slots: dict[str, Any] = {"referral_confirmed": None, **{slot: None for slot in fields}}
            # 「县也填错了，我是在彝良」 carries the right answer: take it instead of asking again
            region = find_region(value) if "region" in fields else None
            phone = parse_mobile(value) if "applicant_phone" in fields else None
            if region is not None:
                slots["region"] = region.name
            if phone is not None:
                slots["applicant_phone"] = phone
            return slots
        if says_no(value):
            dispatcher.utter_message(response="utter_which_field")
            return {"referral_confirmed": None}
        if is_explicit_yes(value):
            return {"referral_confirmed": True}
        dispatcher.utter_message(response="utter_confirm_unclear")
        return {"referral_confirmed": None}


def _is_an_answer(slot: str, text: str, parse: dict[str, Any] | None = None) -> bool:
    """Whether the words plainly answer the form's question (then no classifier can overrule them)."""
    if slot == "referral_consent":
        return consent_answer(text) is not None
    if slot == "applicant_phone":
        return parse_mobile(text) is not None
    if slot == "region":
        return find_region(text) is not None
    if slot == "description":
        return refers_back(text)  # 「就是刚才说的」 answers, whatever the classifier thinks
    if slot == "referral_confirmed":
        if refers_back(text) or is_explicit_yes(text) or says_no(text) or fields_to_correct(text):
            return True
        # an addition to the account, unless the classifier is sure it is an aside (an insult)
        intent = (parse or {}).get("intent") or {}
        aside = intent.get("name") in ASIDES and (intent.get("confidence") or 0.0) >= QUESTION_CONFIDENCE
        return is_an_addition(text) and not aside
    return False  # a name or an account: the classifier tells a question from an answer


def earlier_account(tracker: Tracker, most: int = 3) -> str | None:
    """What the citizen told of the problem before the form: the messages read as a matter
    (matter_<code>, other included), the last ``most`` of them in order; None when there are none."""
    said = [e for e in tracker.events if e.get("event") == "user"][:-1]  # not 「就是刚才说的」 itself
    accounts = [
        e.get("text") for e in said
        if e.get("text")
        and ((e.get("parse_data") or {}).get("intent") or {}).get("name", "").startswith("matter_")
    ]
    if not accounts:
        return None
    return "；".join(accounts[-most:])[:MAX_DESCRIPTION_CHARS]


def _said_twice(tracker: Tracker, value: Any) -> bool:
    """Whether the citizen's previous message was this same answer."""
    texts = [e.get("text") for e in reversed(tracker.events) if e.get("event") == "user"]
    return isinstance(value, str) and len(texts) >= 2 and texts[0] == texts[1] == value


def _as_given(value: str) -> str | None:
    """An insisted name, taken as typed when it is short and has no digits."""
    text = value.strip()
    return text if 0 < len(text) <= MAX_NAME_CHARS and not any(c.isdigit() for c in text) else None


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


# What the citizen said before applying travels with the application (the API's limits).
MAX_CONVERSATION_MESSAGES = 20
MAX_MESSAGE_CHARS = 2000
# Answers to these questions are personal data: never copied into the conversation.
PERSONAL_QUESTIONS = ("applicant_name", "applicant_phone", "region", "status_phone_last4")


def _form_opened_at(tracker: Tracker) -> int | None:
    """Index of the event that opened this application's form (the last activation), or None."""
    for i in range(len(tracker.events) - 1, -1, -1):
        event = tracker.events[i]
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return i
    return None


def conversation_before_form(tracker: Tracker) -> list[str]:
    """The citizen's own messages before this application's form opened, oldest first (the last
    ``MAX_CONVERSATION_MESSAGES``), without answers to name, phone or region questions
    (of an earlier application or the screening) and without button payloads."""
    end = _form_opened_at(tracker)
    if end is None:
        return []
    said: list[str] = []
    requested: str | None = None
    for event in tracker.events[:end]:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif (kind == "active_loop" and not event.get("name")) or kind in ("session_started", "restart"):
            requested = None
        elif kind == "user":
            text = (event.get("text") or "").strip()
            if text and not text.startswith("/") and requested not in PERSONAL_QUESTIONS:
                said.append(text[:MAX_MESSAGE_CHARS])
    return said[-MAX_CONVERSATION_MESSAGES:]


def township_of_answer(tracker: Tracker) -> str | None:
    """The township named in the message that gave the application's region, when it is one
    township of that region in the city config (「我在镇雄县泼机镇」); otherwise None."""
    region_name = tracker.get_slot("region")
    region = next((r for r in city_config().regions if r.name == region_name), None)
    if region is None or not region.townships:
        return None
    answer: str | None = None
    last_text: str | None = None
    for event in tracker.events:
        if event.get("event") == "user":
            last_text = event.get("text")
        elif event.get("event") == "slot" and event.get("name") == "region" and event.get("value") == region_name:
            answer = last_text
    if not answer:
        return None
    text = normalise(answer)
    named = [t for t in region.townships if t in text]
    return named[0] if len(named) == 1 else None


def referral_payload(tracker: Tracker) -> dict[str, Any]:
    payload = {
        "channel": tracker.get_latest_input_channel() or "unknown",
        "applicant_name": tracker.get_slot("applicant_name"),
        "applicant_phone": tracker.get_slot("applicant_phone"),
        "region": tracker.get_slot("region"),
        "matter": tracker.get_slot("matter") or "other",
        "description": tracker.get_slot("description"),
        "consent": True,
        "consent_at": consent_time(tracker),
    }
    conversation = conversation_before_form(tracker)
    if conversation:
        payload["conversation"] = conversation
    township = township_of_answer(tracker)
    if township:
        payload["township"] = township
    screening = tracker.get_slot("screening")
    if screening:
        # the service recomputes the decision and priority from this input (contract 2)
        # the region the application gives decides the threshold where the screening did not ask it
        payload["screening"] = {**screening["input"], "region": screening["input"].get("region") or payload["region"]}
        payload["matter"] = screening["input"]["matter"]
        if screening.get("poverty_certificate"):
            payload["poverty_certificate"] = screening["poverty_certificate"]
    return payload


class ActionSubmitReferral(Action):
    """Hand the completed application to the referral service and tell the citizen the truth.

    The first attempt freezes the request and its idempotency key in ``pending_referral``;
    a retry (「重试」, or asking to apply again while it is pending) sends exactly that, so
    however often it is tried, and whenever the service gets it, one ticket results.
    """

    client: ReferralClient | None = None  # tests set a client; otherwise built from the environment

    def name(self) -> str:
        return "action_submit_referral"

    def _client(self) -> ReferralClient:
        if self.client is None:
            type(self).client = HttpReferralClient(load_settings())
        return self.client  # type: ignore[return-value]

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
            ticket = await self._client().create_referral(payload, key)
        except (ReferralApiError, RuntimeError) as exc:  # RuntimeError: the action server is misconfigured
            if isinstance(exc, RuntimeError):
                logger.error("cannot submit referrals: %s", exc)
            dispatcher.utter_message(response="utter_referral_failed")
            # The request is frozen; the form's slots are no longer needed.
            return [SlotSet("referral_pending", True), SlotSet(PENDING, {"key": key, "payload": payload}),
                    *reset_form_slots()]
        dispatcher.utter_message(response="utter_referral_created", ticket_number=ticket.ticket_number)
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
        return [*reset_form_slots(), SlotSet("referral_pending", False), SlotSet(PENDING, None),
                SlotSet("requested_slot", None)]


class ActionSessionStart(Action):
    """Start a new session keeping only the ticket and a pending application, never form answers."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        carried = [SlotSet(slot, tracker.get_slot(slot)) for slot in CARRIED_SLOTS if tracker.get_slot(slot) is not None]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
