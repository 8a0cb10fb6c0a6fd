"""The bot's answers to questions and asides in the middle of a form; then the form asks its question again.

Outside the forms, rules answer each intent (data/topics/*/answers.yml, data/rules.yml). Inside a form the
message first reaches the form's validator, which uses ``answer_for`` to tell an answer from
a question: a legal question gets its answer (the tables in actions/answer_responses.py),
an aside its reply, both only when the classifier is sure.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.answer_responses import (
    FOLLOWUP_ANSWERS,
    FOLLOWUP_NO_ANSWER,
    MATTER_ANSWERS,
    QUESTION_ANSWERS,
    SAFETY_REPLIES,
)
from actions.tracker_history import previous_intent
from bot.safety import SAFETY_INTENTS

# How sure the classifier must be before a message inside a form counts as a question.
QUESTION_CONFIDENCE = 0.6
# Asides that are never an answer to a form's question, and their replies.
ASIDES = {
    "ask_human": "utter_ask_human",
    "chitchat": "utter_chitchat",
    "insult": "utter_insult",
    "out_of_scope": "utter_out_of_scope",
    "check_application": "utter_check_application",
}
# Follow-ups without a topic (「多久之内要去告」), answered for the matter already known: its
# short answer or the points of its answer on the question (FOLLOWUP_ANSWERS), never another
# matter's answer, and never the whole answer again.
FOLLOWUPS = {
    "followup_time_limit": "time_limit",
    "followup_where": "where",
    "followup_evidence": "evidence",
    "followup_how_much": "how_much",
    "followup_refuses": "refuses",
}
# How much of the probability left beside the danger intents the problem under a danger
# message must have to be answered too.
UNDERLYING_SHARE = 0.5
def answer_response(intent: str) -> str | None:
    """The response that answers a legal question intent: 「matter_work_injury」→「utter_answer_work_injury」;
    None for another intent and for matter_other (an unclear matter has no answer of its own)."""
    if intent.startswith("matter_"):
        return MATTER_ANSWERS.get(intent.removeprefix("matter_"))
    return QUESTION_ANSWERS.get(intent)


def followup_response(intent: str, matter: str | None, responses: dict[str, Any],
                      previous: str | None = None) -> str | None:
    """The response to a topic-free follow-up, given the matter of the conversation so far
    (and the intent of the citizen's previous message); None when ``intent`` is not such a follow-up."""
    what = FOLLOWUPS.get(intent)
    if what is None:
        return None
    if previous == "question_enforce_judgment" and what in ("time_limit", "where", "refuses"):
        return "utter_answer_enforce_judgment"  # 「判了他不给钱」 then 「多久之内要去」: enforcement
    matter_answer = MATTER_ANSWERS.get(matter or "")
    if matter_answer not in responses:  # no matter yet, or 「other」
        return "utter_followup_which_matter"  # ask: time limits differ from matter to matter
    return FOLLOWUP_ANSWERS.get((what, matter), FOLLOWUP_NO_ANSWER)


def underlying_problem(parse: dict[str, Any]) -> str | None:
    """The legal-question intent the classifier saw under a danger message (an NLU result such
    as ``tracker.latest_message``), if it was sure enough:
    「不想活了，老板欠我半年工资」 → matter_labor_wage.

    The classifier also learned the danger intents, so most of the probability is theirs; the
    other intents are compared by their share of what is left.
    """
    others = [r for r in parse.get("intent_ranking") or [] if r.get("name") not in SAFETY_INTENTS]
    left = sum(r.get("confidence") or 0.0 for r in others)
    if not others or left <= 0:
        return None
    name, share = others[0].get("name") or "", (others[0].get("confidence") or 0.0) / left
    if share >= UNDERLYING_SHARE and name != "matter_other" and answer_response(name):
        return name
    return None  # the classifier's first choice is not a problem it is sure of


def answer_for(tracker: Tracker, domain: dict[str, Any], legal_questions: bool = True) -> str | None:
    """The response for a question or aside in the latest message, None for anything else.

    ``legal_questions=False`` where an account of the problem is the answer (the application's
    「what happened」), so that only asides are taken as such.
    """
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = intent.get("name") or "", intent.get("confidence") or 0.0
    if name in SAFETY_INTENTS:
        return SAFETY_REPLIES[name]  # danger first, whatever the form was asking
    if confidence < QUESTION_CONFIDENCE:
        return None
    if name in ASIDES:
        return ASIDES[name]
    if name in FOLLOWUPS:
        if not legal_questions:
            return None
        return followup_response(name, tracker.get_slot("matter"), domain.get("responses") or {},
                                 previous_intent(tracker))
    response = answer_response(name) if legal_questions else None
    if response and response in (domain.get("responses") or {}):
        return response
    return None


