"""The bot's answers to questions and asides in the middle of a form; then the form asks its question again.

Outside the forms, rules answer each intent (data/topics/*/answers.yml, data/rules.yml). Inside a form the
message first reaches the form's validator, which uses ``answer_for`` to tell an answer from
a question: a legal question gets its answer (the tables in actions/answer_responses.py),
an aside its reply, both only when the classifier is sure.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_responses import (
    ANSWERED_ABOVE,
    ASK_WHAT_HAPPENED,
    ASSAULT_VICTIM,
    CHILD_SUPPORT_AMOUNT,
    CRIME_VICTIM,
    DEBT_BORROWER,
    DEBT_LENDER,
    ENFORCE_JUDGMENT,
    FOLLOWUP_ANSWERS,
    FOLLOWUP_NO_ANSWER,
    HOUSING,
    HOUSING_FOR,
    MATTER_ANSWERS,
    OFFER_HELP,
    PARENT_SUPPORT_AMOUNT,
    QUESTION_ANSWERS,
    SAFETY_REPLIES,
    SMS_ALARM,
    SUPPORT,
    SUPPORT_FOR,
    WHICH_MATTER,
)
from actions.citizen_replies import (
    housing_kind,
    judgment_not_carried_out,
    owes_the_money,
    support_side,
    supports_parents,
    was_beaten,
)
from actions.tracker_history import citizen_texts, previous_intent
from bot.matters import MIN_ACCOUNT_CHARS, account_length, matter_code, matter_shares
from bot.safety import DANGER_NOW, SAFETY_INTENTS
from referral.rules.city import city_config

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
# A topic's question that is also a topic-free follow-up (FOLLOWUPS): asked while the
# conversation is on another matter, it gets that matter's answer on the same point.
QUESTION_POINTS = {
    "question_labor_wage_where_complain": "where",
    "question_labor_wage_arbitration_process": "where",
    "question_labor_wage_time_limit": "time_limit",
    "question_labor_wage_evidence": "evidence",
    "question_work_injury_recognition_deadline": "time_limit",
    "question_work_injury_employer_refuses": "refuses",
    "question_work_injury_compensation_items": "how_much",
    "question_traffic_accident_compensation_items": "how_much",
    "question_traffic_accident_time_limit": "time_limit",
    "question_traffic_accident_mediation": "where",
    "question_divorce_how_to": "where",
    "question_divorce_spouse_refuses": "refuses",
    "question_domestic_violence_evidence": "evidence",
    "question_support_payment_child_support_amount": "how_much",
    "question_support_payment_refuses_after_judgment": "refuses",
    "question_support_payment_time_limit": "time_limit",
}
# Questions on the legal-aid process that are also a follow-up on a matter's point when the message
# does not name legal aid: 「要多久能认定」 after a work injury asks the work injury's time limit.
LEGAL_AID_POINTS = {
    "question_legal_aid_processing_time": "time_limit",
    "question_legal_aid_materials": "evidence",
    "question_legal_aid_office_location": "where",
}
_NAMES_LEGAL_AID = re.compile(r"援助|法援|律师|转介")
# Responses (their names after 「utter_」) after which a question without those words is still about
# legal aid; not the offer line sent after a matter's answer: a question after it is on the answer.
_LEGAL_AID_RESPONSES = ("answer_legal_aid", "referral", "outcome", "screening", "status", "check_application")
# Codes a violence conversation keeps its own code under (matters.md rule 1): the divorce it leads to.
KEPT_UNDER_VIOLENCE = frozenset({"divorce"})
# What the conversation is about weighs in: a message the classifier files under another matter
# (its own answer or one of its questions) moves the conversation to that matter only when its
# words speak of that matter this many times more clearly than of the matter so far
# (bot.classifier.MatterTopicReader). Otherwise it is a follow-up: 「认定了能赔哪些」 after a work
# injury is not a traffic question, 「被车撞了能赔哪些」 is.
TOPIC_PRIOR = 3.0
# ... and only when its words speak of the new matter at all: when every matter is unlikely (「那现在
# 咋整」 after the wage answer: criminal defence 0.10, wages 0.03), a ratio means nothing. Clear
# messages of another matter read 0.6-0.9 (「被车撞了能赔哪些」 0.92); vague ones stay under 0.2.
TOPIC_FLOOR = 0.3
# A message this long tells a problem even when it ends in a question; a shorter one that asks
# (吗, 不, 咋, 怎么, 多久, 谁…) is a question on the way.
LONG_ACCOUNT_CHARS = 25
_ASKS = re.compile(r"[?？]|吗|[不没]\W*$|咋|怎么|怎样|多久|多少|谁|哪|啥|什么|能不能|可不可以|要不要|值不值|值得")
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
        return WHICH_MATTER  # ask: time limits differ from matter to matter
    return FOLLOWUP_ANSWERS.get((what, matter), FOLLOWUP_NO_ANSWER)


def legal_answer(intent: str, ranking: list[dict[str, Any]], matter: str | None, sent: set[str],
                 topics: list[dict[str, Any]] | None = None, text: str = "",
                 last_sent: str | None = None, repeated: bool = False,
                 earlier: list[str] | None = None) -> tuple[list[str], str | None]:
    """The responses that answer a matter's intent or a topic's question outside the forms, and
    the matter the conversation is about afterwards, given the classifier's ranking, the matter so
    far, the responses already sent in this conversation and how clearly the message's words speak
    of each matter (``topics``: bot.classifier.MatterTopicReader; without it, the ranking's shares).

    - A new matter, or a question on the matter so far: its answer (a matter's with the offer of
      help), and the matter is recorded.
    - A message filed under another matter that does not lead there clearly: a follow-up on the
      matter so far, answered by that matter's question the classifier ranked close enough, or
      its answer on the same point (QUESTION_POINTS), or honestly not at all (FOLLOWUP_NO_ANSWER).
      `matter_other` is such a message too (「那现在咋整」 after the wage answer stays on the wages);
      with no matter yet, or words that clearly leave it, it asks what happened and records `other`.
    - A question on the legal-aid process that does not name legal aid, asked right after an answer
      on the matter (「要多久能认定」 after a work injury): a follow-up on the matter (``text``, and
      ``last_sent``, the response the bot sent last).
    - Violence keeps its code when the question is about the divorce it leads to (matters.md rule 1).
    - Never the same answer twice: a message the citizen sent before (``repeated``) is pointed to
      the answer above; a new question that would get it again gets the honest 「没有现成的回答」
      and the offer of staff (a citizen trial: 「没有借条能告吗」 after the debt answer is not
      answered by scrolling up).
    - The answer for the citizen's side of the topic (for_whom): 「我是欠钱的」 after the lender's
      debt answer gets the borrower's.
    """
    code = matter_code(intent)
    answer = answer_response(intent)
    if answer is not None:  # the citizen's side of the topic (``earlier``: the citizen's messages)
        answer = for_whom(answer, text, earlier or [])
    if intent in LEGAL_AID_POINTS and _on_the_matter(matter, text, last_sent):
        answer = FOLLOWUP_ANSWERS.get((LEGAL_AID_POINTS[intent], matter or "")) or answer
        return [not_again(answer, sent, repeated)], matter
    if matter == "domestic_violence" and code in KEPT_UNDER_VIOLENCE:
        answers, _ = legal_answer(intent, ranking, None, sent, topics, repeated=repeated)
        return [a for a in answers if a != OFFER_HELP], matter  # the offer came with the violence answer
    if code is not None and matter not in (None, "other", code):
        shares = _topic_shares(topics) if topics else matter_shares(ranking)
        if not _leaves(matter, code, shares) or (code == "other" and not tells_a_new_problem(text)):
            point = FOLLOWUP_ANSWERS.get((QUESTION_POINTS.get(intent, ""), matter))
            answer = _close_question(matter, ranking) or point or FOLLOWUP_NO_ANSWER
            return [not_again(answer, sent, repeated)], matter
    if code == "other":  # nothing known, or the words clearly leave the matter: what happened?
        return [ASK_WHAT_HAPPENED], "other"
    if answer is None:
        return [FOLLOWUP_NO_ANSWER], code or matter
    if answer in sent:  # asked again in other words: another question on it, or the answer above
        again = _close_question(code, ranking) if code else None
        return [again if again and again not in sent else not_again(answer, sent, repeated)], code or matter
    if intent.startswith("matter_") or (code is not None and matter in (None, "other")):
        # a matter's answer, or the first answer on a matter (「试用期公司能随便辞退我吗」 as the
        # first message): the offer to check or apply follows
        return [answer, OFFER_HELP], code
    return [answer], code or matter


def for_whom(answer: str, latest: str | None, earlier: list[str]) -> str:
    """``answer``, or the same topic's answer for the citizen's side of it: in a conversation about
    supporting parents the parents' answer where the child-support one was chosen (「一个月能要多少」
    after 「儿子不管我」 is not about 抚养费), the borrower's where a debt's was chosen, and the
    support answer for the side the conversation speaks of (a parent never reads the child points),
    the land answer for the kind of problem told (征地, 宅基地, 承包地, 买房), and the assault
    answer for a crime victim who was beaten up (a citizen trial: 「邻居把俺打了」); where to go or
    what to do when a decision the other side ignores was told: enforcement."""
    if answer == CHILD_SUPPORT_AMOUNT and supports_parents(latest, earlier):
        return PARENT_SUPPORT_AMOUNT
    if answer == DEBT_LENDER and owes_the_money(latest, earlier):
        return DEBT_BORROWER
    if answer == SUPPORT:
        side = support_side(latest, earlier)
        return SUPPORT_FOR[side] if side else answer
    if answer == HOUSING:
        kind = housing_kind(latest, earlier)
        return HOUSING_FOR[kind] if kind else answer
    if answer == CRIME_VICTIM and was_beaten(latest, earlier):
        return ASSAULT_VICTIM
    if answer.endswith(("_where", "_refuses")) and judgment_not_carried_out(latest, earlier):
        return ENFORCE_JUDGMENT  # 「法院判了…两年了一分没给 我该去哪里找」: enforcement, not suing again
    return answer


def not_again(answer: str, sent: set[str], repeated: bool) -> str:
    """``answer``, unless it was sent already in this conversation (``sent``): then the answer above
    for a message the citizen said before (``repeated``), the honest 「没有现成的回答」 for a new question."""
    if answer not in sent:
        return answer
    return ANSWERED_ABOVE if repeated else FOLLOWUP_NO_ANSWER


def _on_the_matter(matter: str | None, text: str, last_sent: str | None) -> bool:
    """Whether a message is a follow-up on ``matter`` rather than on the legal-aid process."""
    if matter in (None, "other") or _NAMES_LEGAL_AID.search(text or ""):
        return False
    return last_sent is None or not last_sent.removeprefix("utter_").startswith(_LEGAL_AID_RESPONSES)


def tells_a_new_problem(text: str | None) -> bool:
    """Whether a message no matter code covers tells a new problem (「邻居在网上发视频说我家店卖假货」),
    rather than asking on along the way (「就几千块钱的事 值得告吗」「那多久有人给俺打电话」): only then
    does it replace the matter known so far with `other` (a citizen trial lost the topic that way)."""
    length = account_length(text)
    if length < MIN_ACCOUNT_CHARS:
        return False
    return length >= LONG_ACCOUNT_CHARS or not _ASKS.search(text or "")


def _leaves(matter: str, code: str, shares: dict[str, float]) -> bool:
    """Whether a message's words lead from ``matter`` to ``code`` clearly: clearly of ``code`` at all
    (TOPIC_FLOOR) and far more of it than of the matter so far (TOPIC_PRIOR)."""
    new = shares.get(code, 0.0)
    return new >= TOPIC_FLOOR and new >= TOPIC_PRIOR * shares.get(matter, 0.0)


def _topic_shares(topics: list[dict[str, Any]]) -> dict[str, float]:
    return {t.get("name") or "": t.get("confidence") or 0.0 for t in topics}


def _close_question(matter: str, ranking: list[dict[str, Any]]) -> str | None:
    """The answer to the question on ``matter`` that the classifier ranked close enough to its
    first choice (within TOPIC_PRIOR), if any: one of the matter's own questions, or a follow-up
    without a topic that the matter answers (「他住在隔壁县 我要告他得去哪个法院告」 after the debt
    answer: 「去哪里告」)."""
    top = (ranking[0].get("confidence") or 0.0) if ranking else 0.0
    for ranked in ranking:
        name, confidence = ranked.get("name") or "", ranked.get("confidence") or 0.0
        if confidence * TOPIC_PRIOR < top:
            break  # the ranking is sorted: nothing further is close
        if name.startswith("question_") and matter_code(name) == matter:
            return QUESTION_ANSWERS[name]
        if name in FOLLOWUPS and (FOLLOWUPS[name], matter) in FOLLOWUP_ANSWERS:
            return FOLLOWUP_ANSWERS[(FOLLOWUPS[name], matter)]
    return None


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


def send_answer(dispatcher: CollectingDispatcher, response: str) -> None:
    """Send ``response``; after the reply to violence happening now, the city's SMS alarm number
    too, when one is configured (never a guessed or sample number)."""
    dispatcher.utter_message(response=response)
    if response == SAFETY_REPLIES[DANGER_NOW]:
        send_sms_alarm(dispatcher)


def send_sms_alarm(dispatcher: CollectingDispatcher) -> None:
    """The line on the police SMS alarm, only with the city's configured number."""
    number = city_config().sms_alarm
    if number:
        dispatcher.utter_message(response=SMS_ALARM, sms_alarm=number)


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
        response = followup_response(name, tracker.get_slot("matter"), domain.get("responses") or {},
                                     previous_intent(tracker))
        return response and for_whom(response, tracker.latest_message.get("text"), citizen_texts(tracker))
    response = answer_response(name) if legal_questions else None
    if response:
        response = for_whom(response, tracker.latest_message.get("text"), citizen_texts(tracker))
    if response and response in (domain.get("responses") or {}):
        return response
    return None


