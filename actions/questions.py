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

from bot.safety import SAFETY_INTENTS
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
# Follow-ups without a topic (「多久之内要去告」), answered for the matter already known:
# `utter_answer_<code>_<what>`, or the existing answer named below, or else the matter's own
# answer, which holds its time limits, places and evidence. Never another matter's answer.
FOLLOWUPS = {
    "followup_time_limit": "time_limit",
    "followup_where": "where",
    "followup_evidence": "evidence",
    "followup_how_much": "how_much",
    "followup_refuses": "refuses",
}
_FOLLOWUP_ANSWERS = {
    ("time_limit", "work_injury"): "utter_answer_work_injury_recognition_deadline",
    ("where", "labor_wage"): "utter_answer_labor_wage_where_complain",
    ("how_much", "traffic_accident"): "utter_answer_traffic_accident_compensation_items",
    ("how_much", "work_injury"): "utter_answer_work_injury_compensation_items",
    ("how_much", "support_payment"): "utter_answer_support_payment_child_support_amount",
    ("refuses", "work_injury"): "utter_answer_work_injury_employer_refuses",
    ("refuses", "divorce"): "utter_answer_divorce_spouse_refuses",
    ("evidence", "domestic_violence"): "utter_answer_domestic_violence_evidence",
}
# The last line of a legal answer outside the forms; inside a form the citizen is already
# screening or applying, so it is left out there.
OFFER_LINE = "想知道能不能申请法律援助，请说“我能申请法律援助吗”；想直接申请，请说“我要申请法律援助”。"
# How sure the classifier must be of the problem under a danger message to answer it too.
UNDERLYING_CONFIDENCE = 0.3
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


def followup_response(intent: str, matter: str | None, responses: dict[str, Any]) -> str | None:
    """The response to a topic-free follow-up, given the matter of the conversation so far;
    None when ``intent`` is not such a follow-up."""
    what = FOLLOWUPS.get(intent)
    if what is None:
        return None
    if not matter or matter == "other" or f"utter_answer_{matter}" not in responses:
        return "utter_followup_which_matter"  # ask: time limits differ from matter to matter
    for candidate in (_FOLLOWUP_ANSWERS.get((what, matter)), f"utter_answer_{matter}_{what}"):
        if candidate and candidate in responses:
            return candidate
    return f"utter_answer_{matter}"


def underlying_problem(parse: dict[str, Any]) -> str | None:
    """The legal-question intent the classifier saw under a danger message (an NLU result such
    as ``tracker.latest_message``), if it was sure enough:
    「不想活了，老板欠我半年工资」 → matter_labor_wage."""
    for ranked in parse.get("intent_ranking") or []:
        name, confidence = ranked.get("name") or "", ranked.get("confidence") or 0.0
        if name in SAFETY_INTENTS:
            continue
        if confidence >= UNDERLYING_CONFIDENCE and name != "matter_other" and answer_response(name):
            return name
        return None  # the classifier's first choice is not a problem it is sure of
    return None


def answer_for(tracker: Tracker, domain: dict[str, Any], legal_questions: bool = True) -> str | None:
    """The response for a question or aside in the latest message, None for anything else.

    ``legal_questions=False`` where an account of the problem is the answer (the application's
    「what happened」), so that only asides are taken as such.
    """
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = intent.get("name") or "", intent.get("confidence") or 0.0
    if name in SAFETY_INTENTS:
        return f"utter_{name}"  # danger first, whatever the form was asking
    if confidence < QUESTION_CONFIDENCE:
        return None
    if name in ASIDES:
        return ASIDES[name]
    if name in FOLLOWUPS:
        if not legal_questions:
            return None
        return followup_response(name, tracker.get_slot("matter"), domain.get("responses") or {})
    response = answer_response(name) if legal_questions else None
    if response and response in (domain.get("responses") or {}):
        return response
    return None


def utter_in_form(dispatcher: Any, domain: dict[str, Any], response: str) -> None:
    """Send ``response`` inside a form: a legal answer without its offer to screen or apply."""
    variants = (domain.get("responses") or {}).get(response) or []
    text = variants[0].get("text") if len(variants) == 1 else None
    if text and OFFER_LINE in text:
        # the text given with a response replaces the response's own text (rasa RemoteAction)
        dispatcher.utter_message(response=response, text="\n".join(
            line for line in text.splitlines() if line.strip() != OFFER_LINE))
    else:
        dispatcher.utter_message(response=response)
