"""The citizen checks their application: ticket number, last four phone digits, the service's answer.

Thin: the referral service decides what may be said (POST /api/referrals/status); the calls
go through the same HTTP client as the submission (timeouts, retries, token). The last four
digits are personal data: they are never logged and the slots are cleared after answering.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bot_answers import answer_for, send_answer
from actions.citizen_replies import parse_mobile, says_no
from actions.clients.referral_api import (
    ReferralApiError,
    StatusClient,
    StatusLookupPaused,
    StatusNotFound,
    referral_api,
)
from bot.text import half_width

FORM = "status_form"
TICKET_SLOT = "status_ticket"
DIGITS_SLOT = "status_phone_last4"
STATUS_SLOTS = (TICKET_SLOT, DIGITS_SLOT)
# A citizen without the number: 「没有」「忘了」「找不到了」
NO_TICKET = False

_CN_DIGITS = str.maketrans("零〇一幺二两三四五六七八九", "0011223456789")
# FY + 6 digits + - + 4 digits, as citizens type it: lower case, spaces, other dashes or none
_TICKET = re.compile(r"F\s*Y\s*((?:\d\s*){6})[-‐‑–—_~·.\s]*((?:\d\s*){3}\d)(?!\d)", re.IGNORECASE)
# 「后四位」「最后4位」 name the question, not the answer
_FOUR_WORDS = re.compile(r"(?:最后|后|尾|末)?\s*(?:四|4|４)\s*(?:位|个)(?:数字?|号码?)?")
_WHITESPACE = re.compile(r"\s")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DIGIT = re.compile(r"\d")
_SEPARATORS = re.compile(r"(?<=\d)[\s\-－—.·]+(?=\d)")
_HAS_NONE = re.compile(r"没有|没得|忘了|忘记|不记得|不知道|找不到|丢了|弄丢")


def _plain(text: str | None) -> str:
    return half_width(text or "").translate(_CN_DIGITS)


def parse_ticket(text: str | None) -> str | None:
    """The one ticket number in ``text`` (「fy261128 4821」「ＦＹ２６１１２８－４８２１」), normalised
    to FY261128-4821; None when there is none."""
    found = {f"FY{_WHITESPACE.sub('', a)}-{_WHITESPACE.sub('', b)}" for a, b in _TICKET.findall(_plain(text))}
    return found.pop() if len(found) == 1 else None


def parse_last4(text: str | None) -> str | None:
    """The last four digits of a phone number in ``text`` (「5678」「尾号五六七八」, or the whole
    number); None when there are none, or other digits make it unclear. A ticket number is ignored."""
    value = _TICKET.sub(" ", _plain(_FOUR_WORDS.sub(" ", text or "")))
    phone = parse_mobile(value)
    if phone is not None:
        return phone[-4:]
    value = _SEPARATORS.sub("", value)
    runs = _FOUR_DIGITS.findall(value)
    if len(runs) == 1 and len(_DIGIT.findall(value)) == 4:
        return runs[0]
    return None


def says_none(text: str | None) -> bool:
    """「没有」「忘了」: the citizen has no ticket number at hand."""
    return bool(text) and (says_no(text) or bool(_HAS_NONE.search(_plain(text))))


def clear_status_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in STATUS_SLOTS]


class ActionStartStatusCheck(Action):
    """Before the form: the ticket named in the question, or the one made in this conversation."""

    def name(self) -> str:
        return "action_start_status_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ticket = parse_ticket(tracker.latest_message.get("text")) or tracker.get_slot("ticket_number")
        # only what changes: a slot set here is validated when the form starts
        events: list[EventType] = [SlotSet(slot, None) for slot in STATUS_SLOTS if tracker.get_slot(slot) is not None]
        if ticket:
            events.append(SlotSet(TICKET_SLOT, ticket))
        return events


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        if tracker.get_slot(TICKET_SLOT) is NO_TICKET:
            return [TICKET_SLOT]  # filled: the form ends and the action explains what else to do
        return domain_slots

    def _aside(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> bool:
        """A legal question or an aside instead of an answer is answered; then the form asks again."""
        if (tracker.latest_message.get("intent") or {}).get("name") == "check_application":
            return False
        response = answer_for(tracker, domain)
        if response:
            send_answer(dispatcher, response)
            return True
        return False

    def validate_status_ticket(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:  # emptied before the form starts: nothing to check yet
            return {TICKET_SLOT: None}
        if value is NO_TICKET:
            return {TICKET_SLOT: NO_TICKET}
        ticket = parse_ticket(value) if isinstance(value, str) else None
        if ticket is not None:
            slots: dict[str, Any] = {TICKET_SLOT: ticket}
            digits = parse_last4(value)  # 「FY261128-4821 尾号5678」 answers both at once
            if digits is not None and requested_now(tracker, TICKET_SLOT):
                slots[DIGITS_SLOT] = digits
            return slots
        if requested_now(tracker, TICKET_SLOT) and says_none(value):
            return {TICKET_SLOT: NO_TICKET}
        if not self._aside(dispatcher, tracker, domain):
            dispatcher.utter_message(response="utter_status_invalid_ticket")
        return {TICKET_SLOT: None}

    def validate_status_phone_last4(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value is None:
            return {DIGITS_SLOT: None}
        digits = parse_last4(value) if isinstance(value, str) else None
        if digits is not None:
            return {DIGITS_SLOT: digits}
        if not self._aside(dispatcher, tracker, domain):
            dispatcher.utter_message(response="utter_status_invalid_last4")
        return {DIGITS_SLOT: None}


def requested_now(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot("requested_slot") == slot


class ActionCheckStatus(Action):
    """Ask the referral service and say what it answered; then forget the digits."""

    def __init__(self, client: StatusClient | None = None) -> None:
        # rasa-sdk passes none: the action server's client, built at boot; tests pass a fake
        self.client = client if client is not None else referral_api()

    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ticket, digits = tracker.get_slot(TICKET_SLOT), tracker.get_slot(DIGITS_SLOT)
        if not ticket or not digits:
            dispatcher.utter_message(response="utter_status_no_ticket")
            return clear_status_slots()
        try:
            found = await self.client.lookup_status(ticket, digits)
        except StatusNotFound:
            dispatcher.utter_message(response="utter_status_not_found")
        except StatusLookupPaused:
            dispatcher.utter_message(response="utter_status_paused")
        except ReferralApiError:
            dispatcher.utter_message(response="utter_status_failed")
        else:
            dispatcher.utter_message(response="utter_status_result", ticket_number=found["ticket_number"],
                                     status_text=found["status_text"])
            if found.get("station_phone"):
                dispatcher.utter_message(response="utter_status_station_phone", station_name=found["station_name"],
                                         station_phone=found["station_phone"])
        return clear_status_slots()


class ActionResetStatus(Action):
    """The citizen stopped checking: nothing of the lookup is kept."""

    def name(self) -> str:
        return "action_reset_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_status_stopped")
        return [*clear_status_slots(), SlotSet("requested_slot", None)]
