"""An account outside the forms that the classifier did not file under a matter (actions/accounts.py),
and a follow-up that comes with its own account (actions/followups.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followups import ActionAnswerAccount, ActionAnswerFollowup
from tests.support.trackers import make_tracker, ranked


def account(text: str, code: str | None):
    tracker = make_tracker(text=text, intent="inform")
    if code:
        tracker.latest_message["entities"] = [{"entity": "matter", "value": code, "extractor": "AccountReader"}]
    return tracker


ACCOUNT = "在工地干了八个月包工头跑了还欠我两万三"


@pytest.mark.asyncio
@pytest.mark.parametrize(("code", "text", "known", "responses", "events"), [
    ("labor_wage", ACCOUNT, None, ["utter_answer_labor_wage", "utter_offer_help"], []),  # slot from the entity
    (None, ACCOUNT, None, ["utter_answer_other"], [SlotSet("matter", "other")]),  # unclear: what happened?
    (None, ACCOUNT, "debt_loan", ["utter_answer_other"], []),  # an unclear account keeps the matter told before
    (None, "张三", None, ["utter_default"], []),  # an answer with no question open, no account
])
async def test_an_account_gets_its_matters_answer(code, text, known, responses, events, merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = account(text, code)
    tracker.slots["matter"] = known
    assert await ActionAnswerAccount().run(dispatcher, tracker, merged_domain) == events
    assert [m["response"] for m in dispatcher.messages] == responses


@pytest.mark.asyncio
async def test_a_first_follow_up_with_its_own_account_is_answered_for_that_matter(merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="就是我欠了别人的钱他向法院起诉了调解说好的时间没还上多久之内还上不会成为老赖",
                           intent="followup_time_limit")
    tracker.latest_message["intent_ranking"] = ranked(("followup_time_limit", 0.4), ("matter_debt_loan", 0.3),
                                                      ("matter_contract", 0.1))
    events = await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_debt_loan_time_limit"]
    assert events == [SlotSet("matter", "debt_loan")]


@pytest.mark.asyncio
async def test_a_follow_up_keeps_the_matter_already_known(merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "work_injury"}, text="认定下来以后单位一分钱都不出能赔哪些项目",
                           intent="followup_how_much")
    tracker.latest_message["intent_ranking"] = ranked(("followup_how_much", 0.5), ("matter_traffic_accident", 0.5))
    events = await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_work_injury_compensation_items"]
    assert events == []
