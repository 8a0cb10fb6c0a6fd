"""The bot's answers to questions and asides in the middle of a form; then the form asks its question again.

Outside the forms, rules answer each intent (data/rules_answers.yml). Inside a form the
message first reaches the form's validator, which uses ``answer_for`` to tell an answer from
a question: a legal question gets its answer (the tables in actions/answer_responses.py),
an aside its reply, both only when the classifier is sure.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answer_responses import FOLLOWUP_ANSWERS, MATTER_ANSWERS, QUESTION_ANSWERS, SAFETY_REPLIES
from actions.tracker_history import previous_intent
from bot.safety import SAFETY_INTENTS
from referral.rules.matters import MATTER_CODES

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
# short answer in FOLLOWUP_ANSWERS, or else the points of the matter's own answer on the
# question, which holds its time limits, places and evidence. Never another matter's answer.
FOLLOWUPS = {
    "followup_time_limit": "time_limit",
    "followup_where": "where",
    "followup_evidence": "evidence",
    "followup_how_much": "how_much",
    "followup_refuses": "refuses",
}
# Which numbered points of a matter's answer a follow-up asks about.
_FOLLOWUP_POINTS = {
    "where": re.compile(r"投诉|仲裁|起诉|法院|人社局|民政|公安|派出所|交警|调解|复议|部门|12\d{3}|110|122"),
    "evidence": re.compile(r"证据|保存|留好|留下|病历|发票|记录|录音|照片|拍照|证明"),
    "how_much": re.compile(r"赔|补偿|补助|倍|待遇|费|标准|多少|利息"),
    "refuses": re.compile(r"协商|调解|仲裁|起诉|法院|投诉|执行|报警|110"),
}
_NUMBERED = re.compile(r"^\d+\.\s*")
# The last line of a legal answer outside the forms; inside a form the citizen is already
# screening or applying, so it is left out there.
OFFER_LINE = "想知道能不能申请法律援助，请说“我能申请法律援助吗”；想直接申请，请说“我要申请法律援助”。"
# How much of the probability left beside the danger intents the problem under a danger
# message must have to be answered too.
UNDERLYING_SHARE = 0.5
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
    short_answer = FOLLOWUP_ANSWERS.get((what, matter))
    if short_answer in responses:
        return short_answer
    return f"{matter_answer}#{what}"  # the lines of the matter's answer on that point


def excerpt(text: str, what: str) -> str | None:
    """The lines of a matter's answer that answer a follow-up: its first line, the numbered
    points on ``what`` (renumbered), its legal basis and the closing note; None when no point
    is on ``what``. No new legal content: only what the full answer says."""
    pattern = _FOLLOWUP_POINTS.get(what)
    lines = text.splitlines()
    points = [line for line in lines if _NUMBERED.match(line) and pattern and pattern.search(line)]
    if not points:
        return None
    basis = [line for line in lines if line.startswith("法律依据：")]
    points = [f"{n}. {_NUMBERED.sub('', line)}" for n, line in enumerate(points, start=1)]
    return "\n".join([lines[0], *points, *basis, lines[-1]])


def utter_answer(dispatcher: Any, domain: dict[str, Any], response: str, in_form: bool = False) -> None:
    """Send ``response``: `utter_answer_<code>#<what>` as the excerpt on that point, and inside
    a form (``in_form``) a legal answer without its offer to screen or apply."""
    name, _, what = response.partition("#")
    variants = (domain.get("responses") or {}).get(name) or []
    original = variants[0].get("text") if len(variants) == 1 else None
    text = original
    if text and what:
        text = excerpt(text, what) or text
    if text and in_form and OFFER_LINE in text:
        text = "\n".join(line for line in text.splitlines() if line.strip() != OFFER_LINE)
    if text != original:
        # the text given with a response replaces the response's own text (rasa RemoteAction)
        dispatcher.utter_message(response=name, text=text)
    else:
        dispatcher.utter_message(response=name)


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


