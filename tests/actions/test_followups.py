"""The answers that depend on the conversation so far: a topic-free follow-up by the matter in the
slot, and the problem told under a danger message."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followups import (
    ActionAnswerAccount,
    ActionAnswerFollowup,
    ActionAnswerLegalQuestion,
    ActionAnswerUnderlyingProblem,
)
from tests.support.trackers import make_tracker, ranked, user_message


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
async def test_violence_now_gets_the_sms_alarm_number_only_when_the_city_configured_one(merged_domain, monkeypatch):
    import dataclasses

    from actions import bot_answers
    from referral.rules.city import city_config

    tracker = make_tracker(text="他又在打我", intent="safety_danger_now")
    dispatcher = CollectingDispatcher()
    await ActionAnswerUnderlyingProblem().run(dispatcher, tracker, merged_domain)
    assert all(m["response"] != "utter_safety_sms_alarm" for m in dispatcher.messages)  # the shipped config: none
    configured = dataclasses.replace(city_config(), sms_alarm="1211087")
    monkeypatch.setattr(bot_answers, "city_config", lambda: configured)
    dispatcher = CollectingDispatcher()
    await ActionAnswerUnderlyingProblem().run(dispatcher, tracker, merged_domain)
    assert dispatcher.messages[0] == {**dispatcher.messages[0], "response": "utter_safety_sms_alarm",
                                      "sms_alarm": "1211087"}
    assert "{sms_alarm}" in merged_domain["responses"]["utter_safety_sms_alarm"][0]["text"]


@pytest.mark.asyncio
async def test_follow_up_action_sends_the_points_of_the_matter_answer(merged_domain, domain_responses):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "labor_relation"}, text="要准备什么证据", intent="followup_evidence")
    await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    [message] = dispatcher.messages
    assert message == {**message, "response": "utter_answer_labor_relation_evidence"}
    text = domain_responses["utter_answer_labor_relation_evidence"][0]["text"]
    assert "先留证据" in text and len(text) < len(domain_responses["utter_answer_labor_relation"][0]["text"]) / 2


def _answered(response: str) -> dict:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}}


@pytest.mark.asyncio
async def test_a_follow_up_filed_under_another_matter_stays_on_the_topic(merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "work_injury"}, text="认定了能赔哪些",
                           intent="question_traffic_accident_compensation_items",
                           events=[_answered("utter_answer_work_injury")])
    tracker.latest_message["intent_ranking"] = ranked(
        ("question_traffic_accident_compensation_items", 0.4), ("question_work_injury_compensation_items", 0.3))
    assert await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_work_injury_compensation_items"]


@pytest.mark.asyncio
async def test_a_new_matter_is_answered_and_recorded(merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": None}, text="老板欠了我三个月工资", intent="matter_labor_wage")
    tracker.latest_message["intent_ranking"] = ranked(("matter_labor_wage", 0.9))
    events = await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_labor_wage", "utter_offer_help"]
    assert events == [SlotSet("matter", "labor_wage")]


@pytest.mark.asyncio
@pytest.mark.parametrize(("before", "expected"), [
    ("多久之内要去告", "utter_followup_no_answer"),  # a new question: said honestly
    ("那多久之内要去", "utter_answered_above"),  # the same words again: the answer is above
])
async def test_a_follow_up_is_not_answered_twice_with_the_same_block(before, expected, merged_domain):
    dispatcher = CollectingDispatcher()
    earlier = [{"event": "user", "text": before, "parse_data": {"intent": {"name": "followup_time_limit"}}},
               _answered("utter_answer_labor_relation_time_limit")]
    tracker = make_tracker(slots={"matter": "labor_relation"}, text="那多久之内要去", intent="followup_time_limit",
                           events=earlier)
    await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == [expected]


@pytest.mark.asyncio
@pytest.mark.parametrize(("earlier", "text", "expected"), [
    # a citizen trial: a parent's support, then 「一个月能要多少」, got the child-support answer
    (["儿子说分家的时候房子给了老二 所以他不管我 我都七十多了"], "一个月能要多少",
     "utter_answer_support_payment_elderly_amount"),
    (["孩子他爸两年没给抚养费了"], "一个月能要多少", "utter_answer_support_payment_child_support_amount"),
    # the latest message speaks of one only: it decides
    (["我爸妈都七十了"], "孩子的抚养费一个月能要多少", "utter_answer_support_payment_child_support_amount"),
])
async def test_how_much_support_depends_on_whose_support(earlier, text, expected, merged_domain):
    dispatcher = CollectingDispatcher()
    events = [user_message(said, 1_700_000_000.0 + i) for i, said in enumerate(earlier)]
    tracker = make_tracker(slots={"matter": "support_payment"}, events=events, text=text, intent="followup_how_much")
    await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == [expected]


@pytest.mark.asyncio
async def test_the_child_support_question_in_a_parents_conversation_gets_the_parents_answer(merged_domain):
    dispatcher = CollectingDispatcher()
    events = [user_message("三个儿子都不养我 老伴走了 我一个人种地", 1_700_000_000.0)]
    tracker = make_tracker(slots={"matter": "support_payment"}, events=events, text="一个月能给多少钱",
                           intent="question_support_payment_child_support_amount")
    tracker.latest_message["intent_ranking"] = ranked(("question_support_payment_child_support_amount", 0.7),
                                                      ("matter_support_payment", 0.2))
    await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_support_payment_elderly_amount"]


def _after_fraud_reply(text: str, intent: str, sent: tuple[str, ...] = ("utter_safety_fraud_now",)):
    events = [{"event": "bot", "text": "…", "metadata": {"utter_action": name}} for name in sent]
    return make_tracker(events=[user_message("刚才转了2000给一个说是公安的人", 1_700_000_000.0), *events],
                        text=text, intent=intent)


@pytest.mark.asyncio
@pytest.mark.parametrize(("action", "text", "intent"), [
    # a citizen trial: 「没太明白」, then the legal-aid documents
    (ActionAnswerAccount, "那2000还能要回来不", "nlu_fallback"),
    (ActionAnswerLegalQuestion, "报警要带啥", "question_legal_aid_materials"),
    (ActionAnswerFollowup, "钱还能追回来吗", "followup_how_much"),
    # a citizen trial: taken for a loan question, then the loan's time limit
    (ActionAnswerLegalQuestion, "银行能帮我冻结不", "matter_debt_loan"),
    (ActionAnswerFollowup, "报了警多久能有结果", "followup_time_limit"),
])
async def test_a_question_on_the_fraud_just_answered_stays_on_the_fraud(action, text, intent, merged_domain):
    dispatcher = CollectingDispatcher()
    assert await action().run(dispatcher, _after_fraud_reply(text, intent), merged_domain) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_safety_fraud_followup"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("text", "sent"), [
    ("报警要带啥", ("utter_safety_fraud_now", "utter_safety_fraud_followup")),  # answered once
    ("报警要带啥", ("utter_answer_labor_wage",)),  # no fraud told
    ("申请法律援助要带啥", ("utter_safety_fraud_now", "utter_offer_help", "utter_answer_debt_loan",
                      "utter_offer_help")),  # the fraud reply is three answers back
])
async def test_the_fraud_follow_up_only_right_after_the_fraud_reply(text, sent, merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = _after_fraud_reply(text, "question_legal_aid_materials", sent)
    tracker.latest_message["intent_ranking"] = ranked(("question_legal_aid_materials", 0.9))
    await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_legal_aid_materials"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("earlier", "text", "expected"), [
    ([], "朋友借了我3万 一直不还 怎么办", ["utter_answer_debt_loan", "utter_offer_help"]),
    ([], "网贷还不上了 天天打电话催我", ["utter_answer_debt_loan_borrower", "utter_offer_help"]),
    # the lender's answer invites 「我是欠钱的」: the borrower's follows, not 「上面回答过」
    (["借钱还不了怎么办"], "我是欠钱的", ["utter_answer_debt_loan_borrower", "utter_offer_help"]),
])
async def test_a_debt_is_answered_for_the_citizens_side(earlier, text, expected, merged_domain):
    dispatcher = CollectingDispatcher()
    events = [user_message(said, 1_700_000_000.0 + i) for i, said in enumerate(earlier)]
    if earlier:
        events.append(_answered("utter_answer_debt_loan"))
    tracker = make_tracker(slots={"matter": "debt_loan" if earlier else None}, events=events, text=text,
                           intent="matter_debt_loan")
    tracker.latest_message["intent_ranking"] = ranked(("matter_debt_loan", 0.9))
    await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == expected


@pytest.mark.asyncio
@pytest.mark.parametrize(("matter", "text", "expected"), [
    ("support_payment", "三个儿子都不养我 我都七十多了", "utter_answer_support_payment_parents"),  # no child points
    ("support_payment", "孩子他爸两年没给抚养费了", "utter_answer_support_payment_child"),
    ("support_payment", "不给生活费怎么办", "utter_answer_support_payment"),  # whose support is not said
    ("housing_land", "村里征地给的补偿款太少了", "utter_answer_housing_land_expropriation"),
    ("housing_land", "拆迁的时候把我家宅基地也算少了", "utter_answer_housing_land_expropriation"),  # 宅基地 is taken
    ("housing_land", "邻居盖房占了我家宅基地", "utter_answer_housing_land_neighbour"),
    ("housing_land", "村里把我家承包地收回去了", "utter_answer_housing_land_contract"),
    ("housing_land", "买的房子开发商一直不给办房产证", "utter_answer_housing_land_purchase"),
    ("housing_land", "父母把房子过户给了弟弟", "utter_answer_housing_land"),  # none of the four: the whole answer
    ("housing_land", "邻居占了我家宅基地 买的房子也不给过户", "utter_answer_housing_land"),  # two: the whole answer
    ("criminal_victim", "邻居把俺打了 咋办", "utter_answer_criminal_victim_assault"),  # a citizen trial
    ("criminal_victim", "跟邻居吵了几句他就动手打我 脸都肿了", "utter_answer_criminal_victim_assault"),
    ("criminal_victim", "网上被骗了三万", "utter_answer_criminal_victim"),
    ("criminal_victim", "被人抢了还被打了", "utter_answer_criminal_victim"),  # a robbery is more than a beating
])
async def test_a_matters_answer_is_for_the_citizens_side_or_kind_of_problem(matter, text, expected, merged_domain):
    """Support: a parent's or a child's; land: expropriation, a neighbour, contracted land, a purchase;
    a crime victim beaten up: the assault answer (治安 mediation, a civil claim)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": None}, text=text, intent=f"matter_{matter}")
    tracker.latest_message["intent_ranking"] = ranked((f"matter_{matter}", 0.9))
    await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == [expected, "utter_offer_help"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("ticket", "expected"), [
    (None, "utter_answer_legal_aid_processing_time"),
    ("FY20261207001", "utter_answer_legal_aid_after_submission"),  # 「那多久有人给俺打电话」 after applying
])
async def test_how_long_after_applying_speaks_of_the_application(ticket, expected, merged_domain):
    dispatcher = CollectingDispatcher()
    events = [user_message("老板欠了俺三个月工资", 1_700_000_000.0), _answered("utter_referral_created")]
    tracker = make_tracker(slots={"matter": "labor_wage", "ticket_number": ticket}, events=events,
                           text="那多久有人给俺打电话", intent="question_legal_aid_processing_time")
    tracker.latest_message["intent_ranking"] = ranked(("question_legal_aid_processing_time", 0.9))
    await ActionAnswerLegalQuestion().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == [expected]
    if ticket:
        assert dispatcher.messages[0]["ticket_number"] == ticket


@pytest.mark.asyncio
@pytest.mark.parametrize(("action", "text", "intent", "expected"), [
    (ActionAnswerLegalQuestion, "俺不识字 这事咋弄 找谁", "matter_other", ["utter_answer_cannot_write"]),
    (ActionAnswerFollowup, "俺不识字 找谁", "followup_where", ["utter_answer_cannot_write"]),
    # an account that mentions it is answered as an account
    (ActionAnswerLegalQuestion, "我妈不识字 社保局说她多领了养老金要退回四万多 能分期退吗", "matter_social_insurance",
     ["utter_answer_social_insurance"]),
])
async def test_one_who_cannot_write_hears_what_can_be_done_by_word_of_mouth(action, text, intent, expected,
                                                                            merged_domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "labor_wage"}, text=text, intent=intent,
                           events=[user_message("老板欠了俺三个月工资", 1_700_000_000.0)])
    tracker.latest_message["intent_ranking"] = ranked((intent, 0.9))
    await action().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages][:len(expected)] == expected


@pytest.mark.asyncio
@pytest.mark.parametrize(("earlier", "text", "expected"), [
    # a citizen trial: a judgment for child support, unpaid; 「where」 led with suing again
    (["法院判了每个月给800抚养费 两年了一分没给"], "我该去哪里找", "utter_answer_enforce_judgment"),
    (["孩子他爸两年没给抚养费了"], "我该去哪里找", "utter_answer_support_payment_where"),  # no decision yet
])
async def test_a_decision_not_carried_out_leads_to_enforcement(earlier, text, expected, merged_domain):
    dispatcher = CollectingDispatcher()
    events = [user_message(said, 1_700_000_000.0 + i) for i, said in enumerate(earlier)]
    tracker = make_tracker(slots={"matter": "support_payment"}, events=events, text=text, intent="followup_where")
    await ActionAnswerFollowup().run(dispatcher, tracker, merged_domain)
    assert [m["response"] for m in dispatcher.messages] == [expected]
