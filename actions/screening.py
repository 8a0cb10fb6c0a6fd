"""The eligibility pre-screen: the form's questions and the result.

Thin on purpose: which questions are still needed and the decision itself come from
referral.rules.eligibility (the engine, contract 2); reading the answers from
actions.screening_answers. The form asks only what can still change the decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer_responses import OFFER_AGAIN, OFFER_APPLICATION, OFFER_APPLICATION_ANYWAY
from actions.bot_answers import QUESTION_CONFIDENCE, answer_for, send_answer
from actions.citizen_replies import region_name, says_no
from actions.screening_answers import (
    DECLINED,
    PERIOD_CHECK_AMOUNT,
    describe_income,
    elderly_without_income,
    in_danger,
    irregular_income,
    own_age,
    parse_certificate,
    parse_criminal_flags,
    parse_deadline,
    parse_has_lawyer,
    parse_household_size,
    parse_matter,
    parse_monthly_income,
    parse_statuses,
    period_unsaid,
    plain,
    rejects,
    says_deadline_is_close,
    without_rejection,
)
from actions.tracker_history import citizen_texts
from bot.matters import matter_code
from referral.rules.city import city_config
from referral.rules.contract import china_today
from referral.rules.eligibility import case_from_answers, parse_screening, questions_needed, screen
from referral.rules.matters import MATTER_CODES, MATTERS

FORM = "screening_form"
# The form's slots: one per question of referral.rules.eligibility.QUESTIONS (region is shared
# with the referral form and kept for it).
ANSWER_SLOTS = ("criminal_flags", "has_lawyer", "statuses", "poverty_certificate", "household_size",
                "household_monthly_income", "deadline")
# What a validated answer looks like in its slot (raw text before validation is not an answer).
ANSWER_TYPES: dict[str, type | tuple[type, ...]] = {
    "criminal_flags": list, "has_lawyer": bool, "statuses": list, "poverty_certificate": str,
    "household_size": int, "household_monthly_income": (int, float), "deadline": dict,
}
# 「不对，是镇雄县」「其实我是低保户」: the citizen corrects an earlier answer.
_CORRECTION = re.compile(r"不对|说错|搞错|弄错|改成|改一下|更正|应该是")
# Other answers a message may carry, recognised by words that leave no doubt.
_SIZE_WORDS = re.compile(r"[\d一二三四五六七八九十两]\s*口(?!子)|口人|两口子|老两口|老婆|老公|老伴|爱人|媳妇|娃")
_MONEY_WORDS = re.compile(r"块|元|收入|挣|赚|[千万kK]")
_LAWYER_WORDS = re.compile(r"律师|代理人")
_DEADLINE_WORDS = re.compile(r"开庭|到期|期限|仲裁|时效|转移财产|保全|不急|不着急")
_INCOME_WORDS = re.compile(r"收入|每月|一个月|月收入|每个月|一年|每年")
_STATUS_HINTS = re.compile(
    r"贫困户|脱贫|监测户|建档立卡|低保|特困|五保"
    r"|农民工|打工|务工|残疾|见义勇为|烈士|优抚|家暴|虐待|遗弃"
)
# How a changed answer is read back to the citizen.
LABELS = {"matter": "什么事", "region": "县区", "statuses": "您的情况", "household_size": "家里人口",
          "household_monthly_income": "每月收入", "criminal_flags": "被抓的人的情况"}


def _stored(value: Any) -> Any:
    """Slots hold JSON: sets become sorted lists."""
    return sorted(value) if isinstance(value, frozenset) else value


def _read_deadline(text: str) -> dict[str, Any] | None:
    reading = parse_deadline(text, china_today())
    if reading is None:
        return None
    days, preservation = reading
    return {"days": days, "preservation": preservation, "soon": days is None and says_deadline_is_close(text)}


# How each slot's answer is read from the citizen's words.
READERS: dict[str, Callable[[str], Any]] = {
    "matter": parse_matter,
    "criminal_flags": parse_criminal_flags,
    "has_lawyer": parse_has_lawyer,
    "statuses": parse_statuses,
    "poverty_certificate": parse_certificate,
    "household_size": parse_household_size,
    "household_monthly_income": parse_monthly_income,
    "deadline": _read_deadline,
    "region": region_name,
}


def _parse(slot: str, text: str) -> Any:
    """The value of ``slot`` in ``text`` as the slot stores it, or None when the text does not say."""
    return _stored(READERS[slot](text))


def slot_values(tracker: Tracker) -> dict[str, Any]:
    """The screening's slots as they stand (kept with the result, so that it can be revised)."""
    return {slot: tracker.get_slot(slot) for slot in ("matter", "region", *ANSWER_SLOTS)}


def answers_from(values: Tracker | dict[str, Any]) -> dict[str, Any]:
    """The engine's view of the answers: asked-but-unknown (「不想说」) is present as None."""
    if isinstance(values, Tracker):
        values = slot_values(values)
    answers: dict[str, Any] = {}
    matter = values.get("matter")
    if matter in MATTER_CODES:
        answers["matter"] = matter
    if values.get("region"):
        answers["region"] = values["region"]
    for slot in ANSWER_SLOTS:
        value = values.get(slot)
        if value == DECLINED:
            answers[slot] = None
        elif isinstance(value, ANSWER_TYPES[slot]) and isinstance(value, bool) == (slot == "has_lawyer"):
            answers[slot] = frozenset(value) if isinstance(value, list) else value
        # anything else is not an answer yet: unset, or the raw text before validation
    return answers


def read_back_in_last_turn(tracker: Tracker) -> set[str]:
    """The answers the bot read back in its last turn (the messages before the citizen's latest
    one): the income (「好的，按每月约3000元算」) and any answer a correction changed."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    if not users:
        return set()
    earlier = users[-2] if len(users) > 1 else -1
    slots: set[str] = set()
    for event in tracker.events[earlier + 1:users[-1]]:
        if event.get("event") != "bot":
            continue
        metadata = event.get("metadata") or {}
        response = metadata.get("utter_action")
        if response == "utter_screening_income_noted":
            slots.add("household_monthly_income")
        elif response == "utter_screening_correction":
            said = f"{event.get('text') or ''}{metadata.get('changed') or ''}"
            slots |= {slot for slot, label in LABELS.items() if f"{label}：" in said}
    return slots


def _about_statuses(text: str) -> bool:
    """Whether an answer speaks of the statuses only to deny them (「没低保」「不是贫困户」)."""
    return bool(_STATUS_HINTS.search(plain(text))) and parse_statuses(text) is not None


def _classified_matter(tracker: Tracker) -> str | None:
    """The matter code of the latest message when the classifier is sure of it."""
    intent = tracker.latest_message.get("intent") or {}
    if (intent.get("confidence") or 0.0) < QUESTION_CONFIDENCE:
        return None
    return matter_code(intent.get("name") or "")


class ValidateScreeningForm(FormValidationAction):
    """Reads each answer in natural Chinese; corrections and questions on the way are handled."""

    def name(self) -> str:
        return "validate_screening_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        return questions_needed(answers_from(tracker))

    def _read(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
              domain: DomainDict) -> dict[str, Any]:
        if value == DECLINED:
            return {slot: DECLINED}  # prefilled when a finished screening is revised
        text = value if isinstance(value, str) and not (slot == "matter" and value in MATTER_CODES) else None
        if text is None:
            # prefilled when the form opened (e.g. the matter from the first message): already a value
            if slot == "matter":
                return self._matter_slots(value if value in MATTER_CODES and value != "other" else None)
            return {slot: value}
        if in_danger(text):
            dispatcher.utter_message(response="utter_safety_first")  # safety before any question
        if (rejected := self._rejected(slot, text, tracker)) is not None:
            dispatcher.utter_message(response="utter_screening_read_back_dropped")  # then asked again
            return rejected
        parsed = _parse(slot, text)
        if slot == "statuses" and "elderly_no_income" not in (parsed or []) and \
                elderly_without_income(text, own_age(citizen_texts(tracker))):
            parsed = sorted({*(parsed or []), "elderly_no_income"})  # 「我都七十多了」 told before, 「没收入」 now
        if slot == "matter" and parsed in (None, "other"):
            parsed = _classified_matter(tracker) or parsed  # the classifier knows more ways to say it
        slots: dict[str, Any] = {slot: parsed}
        changed = self._corrections(slot, text, tracker)
        slots.update(changed)
        if slot == "matter" or "matter" in changed:
            slots.update(self._matter_slots(slots["matter"]))
        corrected = {s: v for s, v in changed.items() if tracker.get_slot(s) not in (None, v)}
        if _described(corrected):
            dispatcher.utter_message(response="utter_screening_correction", changed=_described(corrected))
        income = slots.get("household_monthly_income")
        read_back = "household_monthly_income" not in corrected  # a correction already said it
        if isinstance(income, (int, float)) and not isinstance(income, bool) and read_back:
            # amounts are easy to misread: read it back, so 「不对，……」 can fix it
            dispatcher.utter_message(response="utter_screening_income_noted", income=describe_income(income, text))
            if income >= PERIOD_CHECK_AMOUNT and slot == "household_monthly_income" and period_unsaid(text):
                dispatcher.utter_message(response="utter_screening_income_period")  # 「两万多」: a year's?
        if parsed is None and not changed and slot == "household_monthly_income" and irregular_income(text):
            dispatcher.utter_message(response="utter_screening_income_estimate")  # 「就种点地」: how much a year?
            return slots
        if parsed is None and not changed:
            # a question on the way is answered, then the question is asked again; never 「没低保」
            # at another question (the social-insurance answer, in a citizen trial)
            response = None if _about_statuses(text) else answer_for(tracker, domain, legal_questions=slot != "matter")
            send_answer(dispatcher, response or "utter_screening_not_understood")
        return slots

    def _rejected(self, slot: str, text: str, tracker: Tracker) -> dict[str, Any] | None:
        """「不对」 right after a read-back: the values read back are wrong, so none of them is kept
        (cleared, the form asks them again); None when the message is not such a rejection.

        A rejection that gives the right value (「不对，是一个月两千」) or corrects another answer
        (「不对，是六口人」) is a correction, read as usual. What is left besides the rejection
        still answers the question asked (「不对，不急」), never the rejection itself (「不是」).
        """
        if not rejects(text):
            return None
        read_back = read_back_in_last_turn(tracker)
        if not read_back:
            return None
        if any(tracker.get_slot(s) != v for s, v in self._corrections(slot, text, tracker).items()):
            return None
        rest = without_rejection(text)
        answer = _parse(slot, rest) if rest and slot not in read_back else None
        slots = {slot: answer, **{s: None for s in read_back}}
        if "matter" in slots:
            slots.update(self._matter_slots(slots["matter"]))
        return slots

    def _corrections(self, requested: str, text: str, tracker: Tracker) -> dict[str, Any]:
        """Other answers the same message gives: 「一家五口，每月三千来块」, 「不对，是镇雄县」."""
        found: dict[str, Any] = {}
        words = plain(text)
        correcting = bool(_CORRECTION.search(words))
        candidates = ["region"]
        if _SIZE_WORDS.search(words):
            candidates.append("household_size")
        if _MONEY_WORDS.search(words) and (requested == "household_size" or correcting or _INCOME_WORDS.search(words)):
            candidates.append("household_monthly_income")
        if _LAWYER_WORDS.search(words) and (requested == "matter" or correcting):
            candidates.append("has_lawyer")  # 「讨工资，没请律师，我是农民工」
        if _STATUS_HINTS.search(words):
            candidates.append("statuses")  # 「我们家是脱贫户」 said at any question still counts
        if requested in ("matter", "has_lawyer") or correcting:
            candidates.append("criminal_flags")  # 「儿子被抓了，他才十五岁」
        if _DEADLINE_WORDS.search(words):
            candidates.append("deadline")
        if correcting or requested in ("has_lawyer", "criminal_flags"):
            # 「讨工资，没请律师，我是农民工」 right after the matter was taken from the conversation:
            # a matter named now replaces an earlier guess
            candidates.append("matter")
        age = own_age(citizen_texts(tracker))
        current = tracker.get_slot("statuses")
        if requested != "statuses" and elderly_without_income(text, age) and "elderly_no_income" not in (current or []):
            found["statuses"] = sorted({*(current or []), "elderly_no_income"})  # 「我都七十多了」…「没有固定收入」
        for slot in candidates:
            if slot == requested or slot in found:
                continue
            value = _parse(slot, text)
            if value is None or value == DECLINED:
                continue
            if slot == "criminal_flags" and not value and not correcting:
                continue  # an empty reading only counts as a deliberate correction
            if slot == "statuses" and not value and not (correcting or requested in ("matter", "has_lawyer")):
                continue  # 「我不是低保户」 with the first answers: none of them; later only as a correction
            if slot == "statuses" and value and tracker.get_slot("statuses") and not correcting:
                value = sorted(set(value) | set(tracker.get_slot("statuses")))  # a status said later adds
            if slot == "statuses" and not value and not _STATUS_HINTS.search(words):
                continue
            if slot == "statuses" and requested == "matter" and not correcting and "abuse_victim" in value:
                value = _stored(frozenset(value) - {"abuse_victim"})  # 「家暴」 names the matter, not a status
                if not value:
                    continue  # ask the statuses: a poverty household would still get the green channel
            if slot == "criminal_flags" and ("criminal_defense" not in (
                    tracker.get_slot("matter"), parse_matter(text))):
                continue  # the Art. 25 circumstances belong to a suspect only
            if slot == "matter" and value == "other":
                continue  # only a named matter corrects the earlier answer
            found[slot] = value
        return found

    @staticmethod
    def _matter_slots(code: str | None) -> dict[str, Any]:
        return {"matter": code, "income_is_own": code in city_config().own_income_matters}

    async def extract_matter(self, dispatcher, tracker, domain) -> dict[str, Any]:
        """「老板欠我三个月工资，我能申请法律援助吗」: the message that starts the screening may
        already name the matter; then it is not asked."""
        if tracker.get_slot("requested_slot") is not None or tracker.get_slot("matter") is not None:
            return {}
        code = parse_matter(tracker.latest_message.get("text"))
        return {"matter": code} if code not in (None, "other") else {}

    def validate_matter(self, value, dispatcher, tracker, domain):
        return self._read("matter", value, dispatcher, tracker, domain)

    def validate_criminal_flags(self, value, dispatcher, tracker, domain):
        return self._read("criminal_flags", value, dispatcher, tracker, domain)

    def validate_has_lawyer(self, value, dispatcher, tracker, domain):
        return self._read("has_lawyer", value, dispatcher, tracker, domain)

    def validate_statuses(self, value, dispatcher, tracker, domain):
        return self._read("statuses", value, dispatcher, tracker, domain)

    def validate_poverty_certificate(self, value, dispatcher, tracker, domain):
        return self._read("poverty_certificate", value, dispatcher, tracker, domain)

    def validate_region(self, value, dispatcher, tracker, domain):
        return self._read("region", value, dispatcher, tracker, domain)

    def validate_household_size(self, value, dispatcher, tracker, domain):
        return self._read("household_size", value, dispatcher, tracker, domain)

    def validate_household_monthly_income(self, value, dispatcher, tracker, domain):
        return self._read("household_monthly_income", value, dispatcher, tracker, domain)

    def validate_deadline(self, value, dispatcher, tracker, domain):
        return self._read("deadline", value, dispatcher, tracker, domain)


STATUS_LABELS = {
    "poverty_registered": "脱贫户（建档立卡）", "dibao": "低保", "tekun": "特困供养", "social_assistance": "社会救助",
    "judicial_aid": "司法救助", "special_care": "优抚对象", "minor_no_income": "未成年人",
    "elderly_no_income": "没有固定收入的老人", "disabled_no_income": "没有固定收入的残疾人", "migrant_worker": "农民工",
    "martyr_relative": "烈士家属", "good_samaritan": "见义勇为", "abuse_victim": "家暴受害人",
    "retrial_acquitted": "再审改判无罪",
}


def _described(changes: dict[str, Any]) -> str:
    """Changed answers read back to the citizen: 「家里人口：6口人；县区：镇雄县」 (empty if none is labelled)."""
    return "；".join(f"{LABELS[s]}：{_readable(s, v)}" for s, v in changes.items() if s in LABELS)


def _readable(slot: str, value: Any) -> str:
    if slot == "household_size":
        return f"{value}口人"
    if slot == "household_monthly_income":
        return f"每月约{value:.0f}元"
    if slot == "matter":
        return MATTERS.get(value, value)
    if slot == "statuses":
        return "、".join(STATUS_LABELS.get(s, s) for s in value) or "都不是"
    return str(value)


def reset_screening() -> list[EventType]:
    """Forget the answers (a new screening, 「重新开始」, 「算了」); the matter only if it is unclear."""
    return [*(SlotSet(slot, None) for slot in ANSWER_SLOTS), SlotSet("screening", None),
            SlotSet("income_is_own", False)]


class ActionResetScreening(Action):
    """Clear earlier answers so that a new screening asks afresh."""

    def name(self) -> str:
        return "action_reset_screening"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        events = reset_screening()
        stopping = (tracker.latest_message.get("intent") or {}).get("name") in ("start_over", "stop")
        if tracker.get_slot("matter") == "other" or stopping:
            events.append(SlotSet("matter", None))  # unclear or withdrawn: ask it
        return events


# The result in plain words, one response per outcome of the engine (referral.rules.eligibility).
OUTCOME_REPLIES = {
    "fast_track": "utter_outcome_fast_track",
    "eligible": "utter_outcome_eligible",
    "likely_eligible": "utter_outcome_likely_eligible",
    "mandatory_notification": "utter_outcome_mandatory_notification",
    "not_eligible": "utter_outcome_not_eligible",
    "out_of_scope": "utter_outcome_out_of_scope",
}


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"· {line}" for line in lines)


# The outcomes after which the citizen would apply: where to apply matters then.
_APPLYING = frozenset({"fast_track", "eligible", "likely_eligible"})


def place_elsewhere(tracker: Tracker) -> str | None:
    """A place outside the city that the citizen named in the conversation (「在浙江打工」)."""
    said = [*citizen_texts(tracker, most=30), tracker.latest_message.get("text") or ""]
    return city_config().place_elsewhere(" ".join(said))


def present_result(dispatcher: CollectingDispatcher, values: dict[str, Any], elsewhere: str | None = None,
                   told: dict[str, Any] | None = None) -> dict[str, Any]:
    """Decide with the engine, tell the citizen, offer to apply; return the `screening` slot's value.

    ``elsewhere``: a place outside the city the citizen named; a case handled there is applied
    for there (法律援助法第三十八条), which the citizen hears before the offer to apply here.
    ``told``: the answers of the result given just before a correction; when the corrected answers
    give the same result (outcome, reasons, materials, other ways), only its first line and the
    offer are said again, not the whole block the citizen has just read."""
    record, decision = screening_record(values)
    dispatcher.utter_message(response=OUTCOME_REPLIES[decision.outcome])
    refused = decision.outcome in ("not_eligible", "out_of_scope")
    offer = OFFER_APPLICATION_ANYWAY if refused else OFFER_APPLICATION
    if told is not None and _same_result(decision, screening_record(told)[1]):
        dispatcher.utter_message(response=offer)
        return record
    dispatcher.utter_message(response="utter_screening_details_if_applying" if refused else "utter_screening_details",
                             reasons=_bullets(decision.reasons), materials=_bullets(decision.materials))
    if elsewhere and decision.outcome in _APPLYING:
        dispatcher.utter_message(response="utter_screening_elsewhere", place=elsewhere)
    if decision.alternatives:
        dispatcher.utter_message(response="utter_screening_alternatives", alternatives=_bullets(decision.alternatives))
    dispatcher.utter_message(response=offer)
    return record


def _same_result(decision: Any, before: Any) -> bool:
    """Whether two decisions tell the citizen the same: outcome, reasons, materials, other ways."""
    return all(getattr(decision, field) == getattr(before, field)
               for field in ("outcome", "reasons", "materials", "alternatives"))


def screening_record(values: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The `screening` slot's value for the answers ``values``, and the engine's decision."""
    case = case_from_answers(answers_from(values))
    decision = screen(parse_screening({**case, "application_date": china_today().isoformat()}))
    certificate = values.get("poverty_certificate")
    return {
        "input": case,
        "outcome": decision.outcome,
        "priority": decision.priority,
        "poverty_certificate": certificate if certificate not in (None, DECLINED) else None,
        "answers": values,
    }, decision


def rescreened(screening: dict[str, Any], matter: str) -> dict[str, Any]:
    """The screening with the citizen's answers kept and the matter the application's account told:
    staff see a decision for the right matter and never re-ask what was answered (a citizen trial:
    the answers were dropped when the account named another matter)."""
    return screening_record({**(screening.get("answers") or {}), "matter": matter})[0]


class ActionScreenEligibility(Action):
    """Run the engine on the answers and tell the result in plain words, then offer to apply."""

    def name(self) -> str:
        return "action_screen_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        screening = present_result(dispatcher, slot_values(tracker), place_elsewhere(tracker))
        # the answers now travel in `screening` (with the application, if the citizen makes one)
        return [SlotSet("screening", screening), *(SlotSet(slot, None) for slot in ANSWER_SLOTS)]


# The actions that answer a question outside the forms; after one of them answered a question asked
# at the offer, they hand over to action_screening_followup (offer_open in actions/tracker_history.py).
ASIDE_ANSWERS = frozenset({"action_answer_legal_question", "action_answer_followup"})


class ActionScreeningFollowup(Action):
    """The reply to the offer when it is not a plain yes: a correction, a no, or something unclear;
    and the offer asked again after a question asked at the offer was answered.

    「不对，没请律师」 revises the answers: the result is given again, or the form asks what
    the change makes necessary. 「先不用」 closes; anything else repeats the offer, so the
    citizen is never left without a way on.
    """

    def name(self) -> str:
        return "action_screening_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.latest_action_name in ASIDE_ANSWERS:
            # a question asked at the offer was just answered (actions/followups.py): the offer is
            # asked again, so that 「要」 next is a yes to it; the question itself is no reply
            dispatcher.utter_message(response=OFFER_AGAIN)
            return []
        screening = tracker.get_slot("screening")
        text = tracker.latest_message.get("text") or ""
        if not screening:
            dispatcher.utter_message(response="utter_default")
            return []
        told = dict(screening.get("answers") or {})
        values = dict(told)
        changes = revisions(text, values)
        read_back = read_back_in_last_turn(tracker)
        if not changes and read_back and rejects(text):
            # 「不对」 to what the result's turn read back: forgotten, and asked again
            values.update({slot: None for slot in read_back})
            restored = [SlotSet(slot, value) for slot, value in values.items()]
            return [*restored, SlotSet("screening", None), FollowupAction(FORM)]
        if changes:
            values.update(changes)
            dispatcher.utter_message(response="utter_screening_correction", changed=_described(changes) or "已更新")
            answers = answers_from(values)
            if any(q not in answers for q in questions_needed(answers)):
                # the change needs more answers: back to the questions, with what is known
                restored = [SlotSet(slot, value) for slot, value in values.items()]
                return [*restored, SlotSet("screening", None), FollowupAction(FORM)]
            return [SlotSet("screening", present_result(dispatcher, values, place_elsewhere(tracker), told))]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "deny" or says_no(text):
            dispatcher.utter_message(response="utter_no_application_now")
            return []
        dispatcher.utter_message(response=OFFER_AGAIN)
        return []


# After the result a slot is re-read only when the message has words of that answer.
_REVISION_HINTS = {
    "has_lawyer": re.compile(r"请|律师"), "statuses": _STATUS_HINTS, "household_size": _SIZE_WORDS,
    "household_monthly_income": _MONEY_WORDS, "deadline": re.compile(_DEADLINE_WORDS.pattern + r"|急"),
}


def revisions(text: str, values: dict[str, Any]) -> dict[str, Any]:
    """Answers a message after the result changes: 「不对，没请律师」「不对，是一个月三千」."""
    words = plain(text)
    if not _CORRECTION.search(words) and not re.search(r"^\W*(?:是|其实|我|家里|一个月|每月)", words):
        return {}
    found: dict[str, Any] = {}
    # 「不对 是2300」: a number in the hundreds or more after the result is the income
    amount_said = bool(re.search(r"\d{3,}", words))
    for slot in ("household_monthly_income", "matter", "has_lawyer", "statuses", "household_size",
                 "criminal_flags", "deadline", "region"):
        hinted = slot not in _REVISION_HINTS or _REVISION_HINTS[slot].search(words)
        if not hinted and not (slot == "household_monthly_income" and amount_said):
            continue
        if slot == "matter" and "household_monthly_income" in found:
            continue  # 「不对 是2300 扣了社保就剩这么多」 corrects the income; 社保 is no new matter
        value = _parse(slot, text)
        if value is None or value == DECLINED or value == values.get(slot):
            continue
        if slot == "matter" and value == "other":
            continue
        if slot == "criminal_flags" and values.get("matter") != "criminal_defense":
            continue
        found[slot] = value
    return found
