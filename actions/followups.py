"""Answers that depend on the conversation so far: a follow-up without a topic, an account outside
the forms, the problem under a danger message and a question on the fraud just answered. Thin: the
choice is made in actions/bot_answers.py and actions/accounts.py."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.accounts import answer_account
from actions.answer_responses import (
    AFTER_SUBMISSION,
    CANNOT_WRITE,
    FOLLOWUP_NO_ANSWER,
    FRAUD_FOLLOWUP,
    OFFER_HELP,
    PROCESSING_TIME,
    SAFETY_REPLIES,
    WHICH_MATTER,
)
from actions.bot_answers import (
    answer_response,
    followup_response,
    for_whom,
    legal_answer,
    not_again,
    send_sms_alarm,
    tells_a_new_problem,
    underlying_problem,
)
from actions.citizen_replies import cannot_write
from actions.tracker_history import (
    asks_on_the_fraud,
    citizen_texts,
    last_response,
    offer_open,
    previous_intent,
    responses_sent,
    said_before,
)
from bot.matters import MATTER_RANKING, matter_code, matter_of_account
from bot.safety import DANGER_NOW, FRAUD_NOW, SELF_HARM


def answered_on_the_fraud(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Right after the fraud reply, 「那2000还能要回来不」「报警要带啥」 get what to do about the money
    and what to take to the police (once), whatever intent the classifier gave them."""
    if not asks_on_the_fraud(tracker, SAFETY_REPLIES[FRAUD_NOW], FRAUD_FOLLOWUP):
        return False
    dispatcher.utter_message(response=FRAUD_FOLLOWUP)
    return True


def answered_for_one_who_cannot_write(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """「俺不识字 这事咋弄 找谁」: what can be done by word of mouth, once, whatever the intent; an
    account that only mentions it (「我妈不识字 社保局说她多领了养老金…」) is answered as an account."""
    text = tracker.latest_message.get("text") or ""
    if not cannot_write(text) or tells_a_new_problem(text) or CANNOT_WRITE in responses_sent(tracker):
        return False
    dispatcher.utter_message(response=CANNOT_WRITE)
    return True


def then_offer_again(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """A question asked at the offer to apply is answered, then the offer is asked again
    (action_screening_followup), so that the citizen's 「要」 next still applies."""
    return [*events, FollowupAction("action_screening_followup")] if offer_open(tracker) else events


class ActionAnswerLegalQuestion(Action):
    """A matter's answer or a topic's question, outside the forms, in the light of the matter so
    far: a follow-up stays on its topic, and no answer is sent twice (bot_answers.legal_answer)."""

    def name(self) -> str:
        return "action_answer_legal_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if answered_on_the_fraud(dispatcher, tracker) or answered_for_one_who_cannot_write(dispatcher, tracker):
            return then_offer_again(tracker, [])
        said = tracker.latest_message
        intent = (said.get("intent") or {}).get("name") or ""
        before = tracker.get_slot("matter")
        earlier, sent = citizen_texts(tracker), responses_sent(tracker)
        answers, matter = legal_answer(intent, said.get("intent_ranking") or [], before, sent,
                                       said.get(MATTER_RANKING), said.get("text") or "", last_response(tracker),
                                       said_before(tracker), earlier)
        ticket = tracker.get_slot("ticket_number")
        for response in answers:
            chosen = for_whom(response, said.get("text"), earlier)
            if chosen != response:
                chosen = not_again(chosen, sent, said_before(tracker))
            if ticket and chosen == PROCESSING_TIME:
                # 「那多久有人给俺打电话」 after applying: about this application, with its number
                dispatcher.utter_message(response=AFTER_SUBMISSION, ticket_number=ticket)
                continue
            dispatcher.utter_message(response=chosen)
        return then_offer_again(tracker, [SlotSet("matter", matter)] if matter != before else [])


class ActionAnswerFollowup(Action):
    """「多久之内要去告」: answered for the matter in the slot, or asks which matter it is."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if answered_on_the_fraud(dispatcher, tracker) or answered_for_one_who_cannot_write(dispatcher, tracker):
            return then_offer_again(tracker, [])
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        matter = tracker.get_slot("matter")
        events: list[EventType] = []
        if matter in (None, "other"):
            # 「我欠了别人的钱…多久之内还上不会成为老赖」: the question comes with its own account
            said = tracker.latest_message
            told = matter_of_account(said.get("text"), said.get("intent_ranking") or [])
            if told is not None and told[0] != "other":
                matter, events = told[0], [SlotSet("matter", told[0])]
        response = followup_response(intent, matter, domain.get("responses") or {}, previous_intent(tracker))
        response = for_whom(response or WHICH_MATTER, tracker.latest_message.get("text"), citizen_texts(tracker))
        if response not in (WHICH_MATTER, FOLLOWUP_NO_ANSWER):  # short replies may be said again
            response = not_again(response, responses_sent(tracker), said_before(tracker))
        dispatcher.utter_message(response=response)
        return then_offer_again(tracker, events)


class ActionAnswerUnderlyingProblem(Action):
    """After the reply to a danger message, the problem the citizen also told is recorded
    (slot `matter`), and after a crisis reply it is answered too: 「我不想活了，老板欠了半年工资」
    gets the crisis reply, then the wage answer. Violence and fraud replies stay short."""

    def name(self) -> str:
        return "action_answer_underlying_problem"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        danger = (tracker.latest_message.get("intent") or {}).get("name")
        if danger == DANGER_NOW:
            send_sms_alarm(dispatcher)  # the rule sent the three lines; the SMS number only when configured
        intent = underlying_problem(tracker.latest_message)
        if intent is None:
            return []
        response = answer_response(intent)
        if danger == SELF_HARM and response in (domain.get("responses") or {}):
            dispatcher.utter_message(response=response)
            if intent.startswith("matter_"):
                dispatcher.utter_message(response=OFFER_HELP)  # as the rules do after a matter's answer
        code = matter_code(intent)
        events: list[Any] = [SlotSet("matter", code)] if code else []
        return events


class ActionAnswerAccount(Action):
    """Outside the forms: a message the classifier took for a form answer or could not place."""

    def name(self) -> str:
        return "action_answer_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if answered_on_the_fraud(dispatcher, tracker) or answered_for_one_who_cannot_write(dispatcher, tracker):
            return []
        # the slot `matter` is filled from the entity (domain.yml); an unclear account is `other`
        # only when no matter was told before
        return answer_account(dispatcher, tracker.latest_message, tracker.get_slot("matter"))
