"""An account of a problem outside the forms that the classifier filed as a form answer or could not
place: answered for the matter bot.components.AccountReader read from the ranking (entity `matter`,
which also fills the slot), with the question what happened when no matter leads (`other`), or
「没太明白」 when the message is too short to tell a problem."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_responses import ASK_WHAT_HAPPENED, MATTER_ANSWERS, OFFER_HELP
from bot.matters import UNFILED_ACCOUNT_INTENTS, matter_of_account

NOT_UNDERSTOOD = "utter_default"
ACCOUNT_ENTITY = "matter"


def account_matter(parse: dict[str, Any]) -> str | None:
    """The matter the NLU read from an account in this message, if it found one."""
    for entity in parse.get("entities") or []:
        if entity.get("entity") == ACCOUNT_ENTITY:
            return entity.get("value")
    return None


def is_an_account(parse: dict[str, Any]) -> bool:
    """Whether a message the classifier did not file under a matter tells a problem: long enough,
    whatever its matter (bot/matters.py)."""
    if (parse.get("intent") or {}).get("name") not in UNFILED_ACCOUNT_INTENTS:
        return False
    return matter_of_account(parse.get("text"), parse.get("intent_ranking") or []) is not None


def answer_account(dispatcher: CollectingDispatcher, parse: dict[str, Any], matter: str | None) -> list[EventType]:
    """The matter's answer and the offer, `other`'s question (what happened?), or 「没太明白」."""
    code = account_matter(parse)
    if code in MATTER_ANSWERS:
        dispatcher.utter_message(response=MATTER_ANSWERS[code])
        dispatcher.utter_message(response=OFFER_HELP)
        return []
    if not is_an_account(parse):
        dispatcher.utter_message(response=NOT_UNDERSTOOD)
        return []
    dispatcher.utter_message(response=ASK_WHAT_HAPPENED)  # an account too unclear to name its matter
    return [] if matter else [SlotSet("matter", "other")]

