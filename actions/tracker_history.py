"""Reading what happened earlier in the conversation from the tracker's events.

The citizen's earlier messages and intents, when the application's form opened and when
consent was given, the township in the answer that gave the region.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from actions.accounts import is_an_account
from actions.answer_responses import OFFERS_TO_APPLY
from actions.referral_slots import FORM
from bot.safety import DANGER_NOW, FRAUD_NOW, SELF_HARM, asks_after_fraud, danger_in
from bot.text import normalise
from referral.rules.city import city_config
from referral.rules.contract import MAX_DESCRIPTION_CHARS

# What the citizen said before applying travels with the application (the API's limits).
MAX_CONVERSATION_MESSAGES = 20
MAX_MESSAGE_CHARS = 2000
# Answers to these questions are personal data: never copied into the conversation.
PERSONAL_QUESTIONS = ("applicant_name", "applicant_phone", "region", "status_phone_last4")


def previous_intent(tracker: Tracker) -> str | None:
    """The intent of the citizen's message before the latest one."""
    said = [e for e in tracker.events if e.get("event") == "user"]
    if len(said) < 2:
        return None
    return ((said[-2].get("parse_data") or {}).get("intent") or {}).get("name")


def _responses(tracker: Tracker) -> list[str]:
    """The names of the responses the bot has sent in this conversation, in order."""
    return [
        name for e in tracker.events
        if e.get("event") == "bot" and (name := (e.get("metadata") or {}).get("utter_action"))
    ]


def citizen_texts(tracker: Tracker, most: int = 8) -> list[str]:
    """The citizen's last ``most`` messages before the latest one, oldest first (button payloads left out)."""
    said = [(e.get("text") or "") for e in tracker.events if e.get("event") == "user"][:-1]
    return [text for text in said if text and not text.startswith("/")][-most:]


def asks_on_the_fraud(tracker: Tracker, fraud_reply: str, followup: str) -> bool:
    """Whether the latest message asks about the fraud just answered (``fraud_reply`` among the
    last three responses) and has not had ``followup`` yet: 「报警要带啥」 is not a legal-aid question."""
    sent = _responses(tracker)
    return (fraud_reply in sent[-3:] and followup not in sent
            and asks_after_fraud(normalise(tracker.latest_message.get("text") or "")))


def responses_sent(tracker: Tracker) -> set[str]:
    """The names of the responses the bot has sent in this conversation."""
    return set(_responses(tracker))


def last_response(tracker: Tracker) -> str | None:
    """The name of the response the bot sent last in this conversation."""
    sent = _responses(tracker)
    return sent[-1] if sent else None


def offer_open(tracker: Tracker) -> bool:
    """Whether the bot's last message, the one the citizen's latest message replies to, was the
    offer to apply after the screening (「要现在把您的情况交给……吗？」)."""
    return last_response(tracker) in OFFERS_TO_APPLY


def said_before(tracker: Tracker) -> bool:
    """Whether the citizen's latest message repeats an earlier one (the same words, normalised)."""
    said = [normalise(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
    return len(said) >= 2 and bool(said[-1]) and said[-1] in said[:-1]


# bot/safety.py's kinds of danger → the referral service's codes (they make a ticket urgent)
DANGER_CODES = {SELF_HARM: "self_harm", DANGER_NOW: "violence", FRAUD_NOW: "fraud"}


def dangers_told(tracker: Tracker) -> list[str]:
    """The kinds of danger the citizen spoke of in this conversation (since the session started),
    most urgent first: the safety intents and the safety rules on every message's words, so that
    a threat told as an answer inside a form (「他说今晚回来要打死我」) counts too."""
    found: set[str] = set()
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            found.clear()
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            for danger in (intent, danger_in(normalise(event.get("text") or ""))):
                if danger in DANGER_CODES:
                    found.add(DANGER_CODES[danger])
    return [code for code in DANGER_CODES.values() if code in found]


def said_twice(tracker: Tracker, value: Any) -> bool:
    """Whether the citizen's previous message was this same answer."""
    texts = [e.get("text") for e in reversed(tracker.events) if e.get("event") == "user"]
    return isinstance(value, str) and len(texts) >= 2 and texts[0] == texts[1] == value


# A form question whose answer may tell the problem: the screening's 「什么事」.
_ACCOUNT_QUESTIONS = ("matter",)


def earlier_account(tracker: Tracker, most: int = 3, latest: bool = False) -> str | None:
    """What the citizen told of the problem before the form: the messages read as a matter
    (matter_<code>, other included, or an account whose matter the NLU read from its ranking:
    「老公赌博欠了二十多万…我想申请法律援助」), in order: the first (it usually tells the most) and
    the last ``most`` - 1; None when there are none. Answers to a form's questions are not the
    account (a citizen trial: 「没请律师 我是农民工」 crowded out 「包工头跑了 欠俺两万三」), except
    the screening's 「什么事」."""
    said = list(_messages_and_questions(tracker.events))
    said = said if latest else said[:-1]  # not 「就是刚才说的」 itself, unless asked before any reply
    accounts = [
        e.get("text") for e, requested in said
        if e.get("text") and requested in (None, *_ACCOUNT_QUESTIONS)
        and _is_an_account({**(e.get("parse_data") or {}), "text": e.get("text")})
    ]
    if not accounts:
        return None
    kept = accounts if len(accounts) <= most else [accounts[0], *accounts[len(accounts) - most + 1:]]
    return "；".join(kept)[:MAX_DESCRIPTION_CHARS]


def _messages_and_questions(events: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Each citizen message with the form question it answered (the requested slot then), or None."""
    requested: str | None = None
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif (kind == "active_loop" and not event.get("name")) or kind in ("session_started", "restart"):
            requested = None
        elif kind == "user":
            yield event, requested


def _is_an_account(parse: dict[str, Any]) -> bool:
    return (parse.get("intent") or {}).get("name", "").startswith("matter_") or is_an_account(parse)


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


def _form_opening(tracker: Tracker) -> int | None:
    """Index of the event that opened this application's form (the last activation), or None."""
    for i in range(len(tracker.events) - 1, -1, -1):
        event = tracker.events[i]
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            return i
    return None


def form_opened_at(tracker: Tracker) -> float | None:
    """When this application's form was opened (the last activation's timestamp), or None."""
    opening = _form_opening(tracker)
    return None if opening is None else tracker.events[opening].get("timestamp")


def conversation_before_form(tracker: Tracker) -> list[str]:
    """The citizen's own messages before this application's form opened, oldest first (the last
    ``MAX_CONVERSATION_MESSAGES``), without answers to name, phone or region questions
    (of an earlier application or the screening) and without button payloads."""
    end = _form_opening(tracker)
    if end is None:
        return []
    said: list[str] = []
    for event, requested in _messages_and_questions(tracker.events[:end]):
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
