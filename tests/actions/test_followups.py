"""The answers that depend on the conversation so far: a topic-free follow-up by the matter in the
slot, and the problem told under a danger message."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followups import ActionAnswerFollowup, ActionAnswerUnderlyingProblem
from tests.support.trackers import make_tracker, ranked


@pytest.mark.asyncio
async def test_followup_action_uses_the_matter_slot(merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "labor_relation"}, text="多久之内要去告", intent="followup_time_limit")
    assert await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_labor_relation_time_limit"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("text", "danger", "problem", "answered"), [
    # a crisis reply is followed by the answer to the problem
    ("老板欠了半年工资 我不想活了", "safety_self_harm", "labor_wage", ["utter_answer_labor_wage", "utter_offer_help"]),
    # violence now: the problem is recorded, without a long answer
    ("他又在打我", "safety_danger_now", "domestic_violence", []),
])
async def test_the_problem_under_a_danger_message(text, danger, problem, answered, merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=text, intent=danger)
    tracker.latest_message["intent_ranking"] = ranked((danger, 1.0), (f"matter_{problem}", 0.8))
    events = await ActionAnswerUnderlyingProblem().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == answered
    assert events == [SlotSet("matter", problem)]


@pytest.mark.asyncio
async def test_follow_up_action_sends_the_points_of_the_matter_answer(merged_domain, domain_responses):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "labor_relation"}, text="要准备什么证据", intent="followup_evidence")
    await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    [message] = dispatcher.messages
    assert message == {**message, "response": "utter_answer_labor_relation_evidence"}
    text = domain_responses["utter_answer_labor_relation_evidence"][0]["text"]
    assert "先留证据" in text and len(text) < len(domain_responses["utter_answer_labor_relation"][0]["text"]) / 2
