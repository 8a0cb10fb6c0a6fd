"""Questions and asides in the middle of a form: answered, then the form asks its question again.

Outside the forms, rules answer each intent (data/rules_answers.yml). Inside a form the
message first reaches the form's validator, which uses ``answer_for`` to tell an answer from
a question: a legal question gets its answer (`matter_<code>` → `utter_answer_<code>`,
`question_<topic>` → `utter_answer_<topic>`), an aside its reply, both only when the
classifier is sure.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from referral.matters import MATTER_CODES

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
# Codes longest first, so that 「question_labor_wage_where」 is read as labor_wage.
_CODES_BY_LENGTH = sorted(MATTER_CODES, key=len, reverse=True)


def matter_code(intent: str) -> str | None:
    """The matter code an intent names: `matter_<code>`, or a follow-up `question_<code>_<what>`."""
    for prefix in ("matter_", "question_"):
        if intent.startswith(prefix):
            rest = intent[len(prefix):]
            for code in _CODES_BY_LENGTH:
                if rest == code or rest.startswith(code + "_"):
                    return code
    return None


def answer_response(intent: str) -> str | None:
    """The response that answers a legal question intent: 「matter_work_injury」→「utter_answer_work_injury」."""
    for prefix in ("matter_", "question_"):
        if intent.startswith(prefix) and intent != "matter_other":
            return "utter_answer_" + intent[len(prefix):]
    return None


def answer_for(tracker: Tracker, domain: dict[str, Any], legal_questions: bool = True) -> str | None:
    """The response for a question or aside in the latest message, None for anything else.

    ``legal_questions=False`` where an account of the problem is the answer (the application's
    「what happened」), so that only asides are taken as such.
    """
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = intent.get("name") or "", intent.get("confidence") or 0.0
    if confidence < QUESTION_CONFIDENCE:
        return None
    if name in ASIDES:
        return ASIDES[name]
    response = answer_response(name) if legal_questions else None
    if response and response in (domain.get("responses") or {}):
        return response
    return None
