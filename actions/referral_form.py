"""The referral form's validator: consent first, then name, phone, region and what happened, then the check.

A question or an aside instead of an answer is answered (actions/bot_answers.py) and the form
asks again; the replies are read in actions/citizen_replies.py.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.accounts import account_matter
from actions.bot_answers import ASIDES, KEPT_UNDER_VIOLENCE, QUESTION_CONFIDENCE, answer_for, send_answer
from actions.citizen_replies import (
    added_to_the_offered_account,
    consent_answer,
    corrected_answers,
    declines_the_offered_account,
    fields_to_correct,
    find_region,
    is_an_addition,
    is_explicit_yes,
    leading_phone_correction,
    leads_back,
    parse_description,
    parse_mobile,
    parse_name,
    refers_back,
    right_values,
    says_no,
    takes_the_offered_account,
)
from actions.hotline import caller_phone
from actions.referral_slots import FORM_SLOTS
from actions.screening import rescreened
from actions.tracker_history import earlier_account, last_response, said_twice
from bot.matters import matter_code
from referral.rules.city import city_config
from referral.rules.contract import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS

# How sure the classifier must be that an account names its matter.
MATTER_CONFIDENCE = 0.6


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
                send_answer(dispatcher, response)
                return [SlotSet(requested, None)]
        return await super().get_validation_events(dispatcher, tracker, domain)

    def validate_referral_consent(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        # Read from the words, not from the classifier: 「？」 is no consent, 「同意！！👍」 is.
        answer = consent_answer(value if isinstance(value, str) else tracker.latest_message.get("text"))
        if answer is None:
            dispatcher.utter_message(response="utter_consent_unclear")
        slots: dict[str, Any] = {"referral_consent": answer}
        phone = caller_phone(tracker) if answer else None
        if phone is not None and not tracker.get_slot("applicant_phone"):
            slots["applicant_phone"] = phone  # a hotline call: the number the operator took from the call
        return slots

    def validate_applicant_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        name = parse_name(value)
        if name is not None and find_region(name) is not None:
            name = None  # 「水富」 is a place, not a person
        if name is None and said_twice(tracker, value):
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
        phone_fix = leading_phone_correction(value)
        if phone_fix is not None:
            # 「等下 电话号错了 是138… 包工头姓王 …」: the number changes, and the rest is the account
            phone, value = phone_fix
            dispatcher.utter_message(response="utter_correct_fields")
            if parse_description(value) is None:
                return {"applicant_phone": phone, "description": None}
            return {"applicant_phone": phone, **self.validate_description(value, dispatcher, tracker, domain)}
        corrected = corrected_answers(value)
        if corrected:
            # 「等下 手机号错了 是13870123457」 at 「what happened」: the answer changes, the account is asked again
            dispatcher.utter_message(response="utter_correct_fields")
            return {**corrected, "description": None}
        offered = earlier_account(tracker) if last_response(tracker) == OFFER else None
        if offered is not None and not refers_back(value) and not leads_back(value):
            # the account told before was offered back (ActionAskDescription)
            if takes_the_offered_account(value):
                return {"description": offered}  # 「对」
            if declines_the_offered_account(value):
                return {"description": None}  # 「不对」: asked plainly, and what comes next replaces it
            # 「对，还有……」, or more told: added, never lost (a citizen trial: a reply replaced the story)
            more = added_to_the_offered_account(value) or value
            if parse_description(more) is not None:
                value = f"{offered}；{more}"
        if refers_back(value):
            # 「就是刚才说的」: the account the citizen gave before the form, never asked again
            earlier = earlier_account(tracker)
            if earlier is None:
                dispatcher.utter_message(response="utter_description_not_found")
                return {"description": None}
            return {"description": earlier}
        if leads_back(value) and (earlier := earlier_account(tracker)):
            # the whole account told before, then what was said again: staff never ask twice
            value = f"{earlier}；{value}"
        description = parse_description(value)
        if description is not None and city_config().names_only_a_place(description):
            # 「威信县」 at 「what happened」 (a citizen trial: tickets with a county's name as the account)
            place = find_region(description)
            slots_: dict[str, Any] = {"description": None}
            if place is not None and not tracker.get_slot("region"):
                slots_["region"] = place.name
            dispatcher.utter_message(response="utter_description_only_a_place")
            return slots_
        if description is None:
            dispatcher.utter_message(response="utter_invalid_description")
            return {"description": None}
        slots: dict[str, Any] = {"description": description}
        # The account of what happened decides the ticket's matter: filed under a matter when the
        # classifier is sure, or read from its ranking when it took the account for an answer.
        intent = tracker.latest_message.get("intent") or {}
        code = matter_code(intent.get("name") or "") if intent.get("confidence", 0) >= MATTER_CONFIDENCE else None
        code = code or account_matter(tracker.latest_message)
        if code in KEPT_UNDER_VIOLENCE and tracker.get_slot("matter") == "domestic_violence":
            code = "domestic_violence"  # matters.md rule 1: the divorce that violence leads to (a citizen trial)
        screening = tracker.get_slot("screening")
        if not code or (code == "other" and tracker.get_slot("matter")):
            return slots  # an unclear account does not undo the matter told before
        if not screening:
            slots["matter"] = code
            return slots
        # After a screening its matter stands (it was asked directly); only a clearly different
        # matter shows that this application is about something else: then the screening's answers
        # are decided again for that matter (staff never re-ask what was answered).
        screened = screening["input"]["matter"]
        if screened != "other" and code not in (screened, "other"):
            slots.update(matter=code, screening=rescreened(screening, code))
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
            # 「县也填错了，我是在彝良」「名字不对 就王桂兰仨字」 carry the right answer: taken, not asked again
            return {"referral_confirmed": None, **{slot: None for slot in fields}, **right_values(fields, value)}
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


def _as_given(value: str) -> str | None:
    """An insisted name, taken as typed when it is short and has no digits."""
    text = value.strip()
    return text if 0 < len(text) <= MAX_NAME_CHARS and not any(c.isdigit() for c in text) else None


# The account told before the form, offered back at 「what happened」.
OFFER = "utter_ask_description_offer"
# How much of it is shown.
OFFERED_ACCOUNT_CHARS = 150


class ActionAskDescription(Action):
    """「What happened」: when the citizen told the problem before the form, that account is offered
    back for a yes (a citizen trial: asked again, they typed it all a second time); otherwise asked."""

    def name(self) -> str:
        return "action_ask_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        earlier = earlier_account(tracker, latest=True)
        declined = last_response(tracker) == OFFER and declines_the_offered_account(tracker.latest_message.get("text"))
        if earlier is None or declined:
            dispatcher.utter_message(response="utter_ask_description")
        else:
            shown = earlier if len(earlier) <= OFFERED_ACCOUNT_CHARS else f"{earlier[:OFFERED_ACCOUNT_CHARS]}……"
            dispatcher.utter_message(response=OFFER, account=shown)
        return []
