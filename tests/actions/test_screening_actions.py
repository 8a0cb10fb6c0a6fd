"""The screening form's validator and result action, with exact events (rasa-sdk style)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.referral_request import referral_payload
from actions.screening import (
    ANSWER_SLOTS,
    ActionResetScreening,
    ActionScreenEligibility,
    ActionScreeningFollowup,
    ValidateScreeningForm,
)
from tests.support.content import rasa_merged_domain as merged_domain
from tests.support.trackers import make_tracker


async def answer(slot: str, text: str, slots: dict[str, Any] | None = None, intent: str = "inform",
                 confidence: float = 1.0) -> tuple[dict[str, Any], list[str], list[dict]]:
    """Run the validator on ``text`` as the answer to ``slot``; return the slots set, responses, messages."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={**(slots or {}), slot: text}, requested_slot=slot, form="screening_form", text=text,
        intent=intent, confidence=confidence,
        after_user=[{"event": "slot", "name": slot, "value": text, "timestamp": 1_700_000_101.0}],
    )
    events = await ValidateScreeningForm().run(dispatcher, tracker, merged_domain())
    return ({e["name"]: e["value"] for e in events if e["event"] == "slot"},
            [m["response"] for m in dispatcher.messages], dispatcher.messages)


@pytest.mark.asyncio
async def test_criminal_case_asks_the_art25_questions_first():
    slots, _, _ = await answer("matter", "家里人被抓了")
    assert slots["matter"] == "criminal_defense"
    assert slots["requested_slot"] == "criminal_flags"


@pytest.mark.asyncio
async def test_a_minor_suspect_ends_the_questions_after_the_lawyer_question():
    base = {"matter": "criminal_defense"}
    slots, _, _ = await answer("criminal_flags", "孩子才16岁", base)
    assert slots["criminal_flags"] == ["minor"] and slots["requested_slot"] == "has_lawyer"
    slots, _, _ = await answer("has_lawyer", "没有请", {**base, "criminal_flags": ["minor"]})
    assert slots["has_lawyer"] is False and slots["requested_slot"] is None


@pytest.mark.asyncio
async def test_poverty_household_is_asked_the_certificate_not_the_income():
    slots, _, _ = await answer("statuses", "建档立卡贫困户", {"matter": "debt_loan", "has_lawyer": False})
    assert slots["statuses"] == ["poverty_registered"] and slots["requested_slot"] == "poverty_certificate"


@pytest.mark.asyncio
async def test_exempt_status_skips_income():
    slots, _, _ = await answer("statuses", "我是低保户", {"matter": "labor_wage", "has_lawyer": False})
    assert slots["requested_slot"] == "deadline"


@pytest.mark.asyncio
async def test_household_and_income_in_one_message():
    slots, _, _ = await answer("household_size", "一家五口，每月三千来块",
                               {"matter": "traffic_accident", "has_lawyer": False, "statuses": []})
    assert slots["household_size"] == 5 and slots["household_monthly_income"] == 3000
    assert slots["requested_slot"] == "deadline"


@pytest.mark.asyncio
async def test_correction_of_an_earlier_answer_is_read_back():
    known = {"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_size": 4}
    slots, responses, messages = await answer("household_monthly_income", "不对，家里是六口人", known)
    assert slots["household_size"] == 6 and slots["household_monthly_income"] is None
    assert responses == ["utter_screening_correction"] and "6口人" in messages[0]["changed"]
    assert slots["requested_slot"] == "household_monthly_income"


@pytest.mark.asyncio
async def test_a_matter_named_at_the_lawyer_question_replaces_an_earlier_guess():
    """The matter came from earlier in the conversation (电饭锅 → consumer); the first answer names another."""
    slots, responses, _ = await answer("has_lawyer", "讨工资 没请律师 我是农民工", {"matter": "consumer"})
    assert slots["matter"] == "labor_wage" and slots["has_lawyer"] is False
    assert slots["statuses"] == ["migrant_worker"]
    assert responses == ["utter_screening_correction"]  # said aloud, so 「不对」 can undo it


@pytest.mark.asyncio
async def test_correction_to_an_exempt_status_drops_the_income_question():
    known = {"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_size": 4}
    slots, _, _ = await answer("household_monthly_income", "不对，我是低保户", known)
    assert slots["statuses"] == ["dibao"] and slots["requested_slot"] == "deadline"


@pytest.mark.asyncio
async def test_declining_the_income_is_an_answer():
    known = {"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_size": 4}
    slots, responses, _ = await answer("household_monthly_income", "不想说", known)
    assert slots["household_monthly_income"] == "declined" and responses == []
    assert slots["requested_slot"] == "deadline"


@pytest.mark.asyncio
async def test_a_wage_question_midway_is_answered_and_the_question_repeated():
    known = {"matter": "traffic_accident", "has_lawyer": False}
    slots, responses, _ = await answer("statuses", "老板欠我工资不给怎么办", known,
                                       intent="matter_labor_wage", confidence=0.93)
    assert slots["statuses"] is None and responses == ["utter_answer_labor_wage"]
    assert slots["requested_slot"] == "statuses"


@pytest.mark.asyncio
async def test_an_unclear_answer_is_asked_again():
    slots, responses, _ = await answer("household_size", "嗯？", {"matter": "traffic_accident", "has_lawyer": False,
                                                                "statuses": []})
    assert slots["household_size"] is None and responses == ["utter_screening_not_understood"]


@pytest.mark.asyncio
async def test_prefilled_matter_code_is_kept_and_sets_the_income_question():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"matter": "support_payment"}, requested_slot="matter", form="screening_form",
                           after_user=[{"event": "slot", "name": "matter", "value": "support_payment"}])
    events = await ValidateScreeningForm().run(dispatcher, tracker, merged_domain())
    assert SlotSet("matter", "support_payment") in events and SlotSet("income_is_own", True) in events


async def result(slots: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await ActionScreenEligibility().run(dispatcher, make_tracker(slots=slots), {})
    return events, dispatcher.messages


@pytest.mark.asyncio
@pytest.mark.parametrize(("slots", "outcome", "offer"), [
    ({"matter": "debt_loan", "has_lawyer": False, "statuses": ["poverty_registered"],
      "poverty_certificate": "5306271234", "deadline": {"days": None, "preservation": False}},
     "fast_track", "utter_offer_application"),
    ({"matter": "labor_wage", "has_lawyer": False, "statuses": ["migrant_worker"],
      "deadline": {"days": 2, "preservation": False}}, "eligible", "utter_offer_application"),
    ({"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_size": 5,
      "household_monthly_income": "declined", "deadline": {"days": None, "preservation": False}},
     "likely_eligible", "utter_offer_application"),
    ({"matter": "criminal_defense", "criminal_flags": ["minor"], "has_lawyer": False},
     "mandatory_notification", "utter_offer_application"),
    ({"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_size": 2,
      "household_monthly_income": 9000, "deadline": {"days": None, "preservation": False}},
     "not_eligible", "utter_offer_application_anyway"),
    ({"matter": "divorce", "has_lawyer": False, "statuses": []}, "out_of_scope", "utter_offer_application_anyway"),
])
async def test_result_for_each_outcome(slots, outcome, offer):
    events, messages = await result(slots)
    responses = [m["response"] for m in messages]
    assert responses[0] == f"utter_outcome_{outcome}" and responses[-1] == offer
    screening = next(e["value"] for e in events if e["name"] == "screening")
    assert screening["outcome"] == outcome and screening["input"]["matter"] == slots["matter"]
    details = next(m for m in messages if m["response"].startswith("utter_screening_details"))
    assert ("法律援助法第四十三条" in details["reasons"]) is (outcome != "mandatory_notification")
    assert "法律咨询对所有人免费" in details["reasons"].splitlines()[-1]
    # the answers are cleared; the decision travels in `screening`
    assert all(SlotSet(slot, None) in events for slot in ANSWER_SLOTS)


WAGES_ELIGIBLE = {"matter": "labor_wage", "has_lawyer": False, "statuses": ["migrant_worker"],
                  "deadline": {"days": None, "preservation": False}}


@pytest.mark.asyncio
@pytest.mark.parametrize(("said", "slots", "place"), [
    ("我是彝良的 在浙江义乌打工 老板欠我3万工资", WAGES_ELIGIBLE, "浙江"),  # citizen trial
    ("在外地工地上干活 包工头欠钱不给", WAGES_ELIGIBLE, "外地"),
    ("在镇雄工地上干活 包工头欠钱不给", WAGES_ELIGIBLE, None),  # a place of the city
    ("老板把东西藏起来了 欠我工资", WAGES_ELIGIBLE, None),  # 西藏 is no place here
    ("在广东离的婚", {"matter": "divorce", "has_lawyer": False, "statuses": []}, None),  # out of scope anyway
])
async def test_a_case_elsewhere_is_told_where_to_apply(said, slots, place):
    """法律援助法第三十八条: a case handled elsewhere is applied for there, said before the offer to apply."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=slots, events=[
        {"event": "user", "text": said, "timestamp": 1_700_000_000.0, "parse_data": {"intent": {"name": "inform"}}}])
    await ActionScreenEligibility().run(dispatcher, tracker, {})
    notes = [m for m in dispatcher.messages if m["response"] == "utter_screening_elsewhere"]
    assert [m["place"] for m in notes] == ([place] if place else [])
    if place:
        responses = [m["response"] for m in dispatcher.messages]
        assert responses.index("utter_screening_elsewhere") < responses.index("utter_offer_application")


@pytest.mark.asyncio
async def test_declined_income_explains_the_pledge():
    _, messages = await result({"matter": "traffic_accident", "has_lawyer": False, "statuses": [],
                                "household_size": 5, "household_monthly_income": "declined", "deadline": {}})
    details = next(m for m in messages if m["response"] == "utter_screening_details")
    assert "诚信承诺" in details["reasons"] and "第六十四条" in details["materials"]


@pytest.mark.asyncio
async def test_referral_after_a_screening_carries_it():
    events, _ = await result({"matter": "debt_loan", "has_lawyer": False, "statuses": ["poverty_registered"],
                              "poverty_certificate": "5306271234", "deadline": {"days": 3, "preservation": False}})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    tracker = make_tracker(slots={"screening": screening, "applicant_name": "张三", "applicant_phone": "13812345678",
                                  "region": "镇雄县", "description": "借钱不还", "matter": "labor_wage"})
    payload = referral_payload(tracker)
    assert payload["screening"]["statuses"] == ["poverty_registered"]
    assert payload["screening"]["days_to_deadline"] == 3
    assert payload["matter"] == "debt_loan"  # the screening asked it directly
    assert payload["poverty_certificate"] == "5306271234"


@pytest.mark.asyncio
async def test_reset_forgets_answers_and_an_unclear_matter():
    dispatcher = CollectingDispatcher()
    events = await ActionResetScreening().run(dispatcher, make_tracker(slots={"matter": "other"}), {})
    assert SlotSet("matter", None) in events and SlotSet("screening", None) in events
    events = await ActionResetScreening().run(dispatcher, make_tracker(slots={"matter": "labor_wage"}), {})
    assert SlotSet("matter", None) not in events  # the first message already told us


async def followup(screening: dict, text: str, intent: str = "inform") -> tuple[list[dict], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"screening": screening}, text=text, intent=intent)
    events = await ActionScreeningFollowup().run(dispatcher, tracker, {})
    return events, [m["response"] for m in dispatcher.messages]


@pytest.mark.asyncio
async def test_a_correction_after_the_result_gives_the_result_again():
    events, _ = await result({"matter": "traffic_accident", "has_lawyer": False, "statuses": [],
                              "household_monthly_income": 9000, "household_size": 1, "deadline": {}})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    assert screening["outcome"] == "not_eligible"
    events, responses = await followup(screening, "不对，是一个月一千")
    assert responses[0] == "utter_screening_correction" and responses[1] == "utter_outcome_eligible"
    assert next(e["value"] for e in events if e["name"] == "screening")["outcome"] == "eligible"


@pytest.mark.asyncio
async def test_a_correction_that_needs_more_answers_reopens_the_questions():
    events, _ = await result({"matter": "labor_wage", "has_lawyer": True})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    assert screening["outcome"] == "not_eligible"
    events, responses = await followup(screening, "不对，没请律师", intent="deny")
    assert responses == ["utter_screening_correction"]
    assert SlotSet("has_lawyer", False) in events and SlotSet("matter", "labor_wage") in events
    assert events[-1] == {"event": "followup", "name": "screening_form", "timestamp": None}


@pytest.mark.asyncio
async def test_no_or_something_unclear_after_the_result():
    events, _ = await result({"matter": "divorce", "has_lawyer": False, "statuses": []})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    assert (await followup(screening, "先不用", intent="deny"))[1] == ["utter_no_application_now"]
    assert (await followup(screening, "不知道"))[1] == ["utter_offer_again"]


@pytest.mark.asyncio
async def test_danger_in_an_answer_gets_the_safety_advice_first():
    _, responses, _ = await answer("deadline", "很急 他说今晚回来要打死我",
                                   {"matter": "domestic_violence", "has_lawyer": False, "statuses": []})
    assert responses[0] == "utter_safety_first"


@pytest.mark.asyncio
async def test_several_answers_in_one_message():
    slots, _, _ = await answer("matter", "讨工资，没请律师，我是农民工")
    assert slots["matter"] == "labor_wage" and slots["has_lawyer"] is False
    assert slots["statuses"] == ["migrant_worker"] and slots["requested_slot"] == "deadline"
    slots, _, _ = await answer("matter", "我儿子被抓了 他才十五岁 还没请律师")
    assert slots["criminal_flags"] == ["minor"] and slots["requested_slot"] is None


@pytest.mark.asyncio
async def test_the_income_is_read_back():
    _, _, messages = await answer("household_monthly_income", "我一千五，老婆一千",
                                          {"matter": "traffic_accident", "has_lawyer": False, "statuses": []})
    noted = next(m for m in messages if m["response"] == "utter_screening_income_noted")
    assert noted["income"] == "每月约2500元"


@pytest.mark.asyncio
async def test_a_status_said_at_a_later_question_still_counts():
    slots, _, _ = await answer("household_monthly_income", "我们家是脱贫户",
                               {"matter": "traffic_accident", "has_lawyer": False, "statuses": []})
    assert slots["statuses"] == ["poverty_registered"] and slots["requested_slot"] == "poverty_certificate"


@pytest.mark.asyncio
async def test_a_run_on_first_answer_fills_what_it_says():
    slots, _, _ = await answer("matter", "出车祸了对方不赔，没请律师，我不是低保户，家里四口人每月收入五千，不急")
    assert slots["matter"] == "traffic_accident" and slots["has_lawyer"] is False and slots["statuses"] == []
    assert slots["household_size"] == 4 and slots["household_monthly_income"] == 5000
    assert slots["deadline"] == {"days": None, "preservation": False, "soon": False} and slots["requested_slot"] is None


@pytest.mark.asyncio
async def test_a_corrected_income_is_read_back_once():
    known = {"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_monthly_income": 9000}
    slots, responses, messages = await answer("household_size", "不对，收入是一个月两千", known)
    assert slots["household_monthly_income"] == 2000
    assert responses.count("utter_screening_correction") == 1 and "utter_screening_income_noted" not in responses
    assert "每月约2000元" in messages[0]["changed"]


async def start_screening(text: str) -> dict[str, Any]:
    """Run the validator as the form opens on ``text``; return the slots it sets."""
    tracker = make_tracker(slots={}, requested_slot=None, form="screening_form", text=text, intent="check_eligibility")
    events = await ValidateScreeningForm().run(CollectingDispatcher(), tracker, merged_domain())
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.asyncio
async def test_the_message_that_starts_the_screening_may_name_the_matter():
    slots = await start_screening("老板欠我三个月工资我能申请法律援助吗")
    assert slots["matter"] == "labor_wage" and slots["requested_slot"] == "has_lawyer"


@pytest.mark.asyncio
async def test_a_plain_request_to_check_asks_the_matter():
    slots = await start_screening("我能申请法律援助吗")
    assert "matter" not in slots and slots["requested_slot"] == "matter"


# --- a read-back the citizen rejects is never kept (issue 14) ---------------------------------

KNOWN = {"matter": "traffic_accident", "has_lawyer": False, "statuses": []}


def bot(response: str, text: str, t: float, **kwargs: Any) -> dict[str, Any]:
    """A bot message event as Rasa records it: the response's name and arguments in the metadata."""
    return {"event": "bot", "text": text, "timestamp": t, "metadata": {"utter_action": response, **kwargs}}


INCOME_READ_BACK = [
    {"event": "user", "text": "每月三千来块", "timestamp": 1_700_000_050.0,
     "parse_data": {"intent": {"name": "inform"}}},
    bot("utter_screening_income_noted", "好的，按每月约3000元算。说错了可以说“不对，是……”。", 1_700_000_051.0,
        income="每月约3000元"),
    bot("utter_ask_screening_form_deadline", "时间急不急？", 1_700_000_052.0),
]


async def answer_after(slot: str, text: str, slots: dict[str, Any], earlier: list[dict[str, Any]],
                       intent: str = "inform") -> tuple[dict[str, Any], list[str], list[dict]]:
    """Like ``answer``, with the conversation's earlier events (the bot's last turn among them)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={**slots, slot: text}, events=earlier, requested_slot=slot, form="screening_form", text=text,
        intent=intent, after_user=[{"event": "slot", "name": slot, "value": text, "timestamp": 1_700_000_101.0}],
    )
    events = await ValidateScreeningForm().run(dispatcher, tracker, merged_domain())
    return ({e["name"]: e["value"] for e in events if e["event"] == "slot"},
            [m["response"] for m in dispatcher.messages], dispatcher.messages)


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["不对", "不是", "说错了", "没那么多", "不对，不是这个数"])
async def test_a_rejected_income_read_back_is_cleared_and_asked_again(text):
    known = {**KNOWN, "household_monthly_income": 3000}
    slots, responses, _ = await answer_after("deadline", text, known, INCOME_READ_BACK, intent="deny")
    assert slots["household_monthly_income"] is None
    assert slots["deadline"] is None  # 「不是」 is no answer to 「急不急」 either
    assert slots["requested_slot"] == "household_monthly_income"
    assert responses == ["utter_screening_read_back_dropped"]  # 「好的，刚才记的不算」, then the question again


@pytest.mark.asyncio
async def test_a_rejection_may_still_answer_the_question_asked():
    known = {**KNOWN, "household_monthly_income": 3000}
    slots, responses, _ = await answer_after("deadline", "不对，不急", known, INCOME_READ_BACK)
    assert slots["household_monthly_income"] is None and responses == ["utter_screening_read_back_dropped"]
    assert slots["deadline"] == {"days": None, "preservation": False, "soon": False}
    assert slots["requested_slot"] == "household_monthly_income"


@pytest.mark.asyncio
async def test_a_rejection_with_the_right_amount_corrects_it():
    known = {**KNOWN, "household_monthly_income": 3000}
    slots, responses, messages = await answer_after("deadline", "不对，一年收入两万来块", known, INCOME_READ_BACK)
    assert slots["household_monthly_income"] == 1667
    assert responses == ["utter_screening_correction"] and "每月约1667元" in messages[0]["changed"]


@pytest.mark.asyncio
async def test_a_correction_of_another_answer_keeps_the_income():
    known = {**KNOWN, "household_monthly_income": 3000, "household_size": 5}
    slots, _, _ = await answer_after("deadline", "不对，是六口人", known, INCOME_READ_BACK)
    assert slots["household_size"] == 6 and slots.get("household_monthly_income", 3000) == 3000


@pytest.mark.asyncio
async def test_no_rejection_without_a_read_back():
    """「不对」 with nothing read back in the bot's last turn changes no answer."""
    known = {**KNOWN, "household_monthly_income": 3000}
    slots, responses, _ = await answer_after("deadline", "不对", known, INCOME_READ_BACK[-1:])
    assert slots.get("household_monthly_income", 3000) == 3000 and responses == ["utter_screening_not_understood"]


@pytest.mark.asyncio
async def test_a_rejected_correction_read_back_is_cleared():
    earlier = [
        {"event": "user", "text": "不对，家里是六口人", "timestamp": 1_700_000_050.0},
        bot("utter_screening_correction", "好的，已经改过来了：家里人口：6口人。", 1_700_000_051.0,
            changed="家里人口：6口人"),
    ]
    known = {**KNOWN, "household_size": 6, "household_monthly_income": 9000}
    slots, _, _ = await answer_after("deadline", "不对", known, earlier)
    assert slots["household_size"] is None and slots.get("household_monthly_income", 9000) == 9000
    assert slots["requested_slot"] == "household_size"


@pytest.mark.asyncio
async def test_a_rejected_read_back_never_reaches_the_ticket():
    known = {**KNOWN, "household_monthly_income": 3000}
    slots, _, _ = await answer_after("deadline", "不对", known, INCOME_READ_BACK)
    events, _ = await result({**known, **slots, "deadline": {"days": None, "preservation": False}})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    tracker = make_tracker(slots={"screening": screening, "applicant_name": "张三", "applicant_phone": "13812345678",
                                  "region": "镇雄县", "description": "被车撞了"})
    assert referral_payload(tracker)["screening"]["household_monthly_income"] is None


@pytest.mark.asyncio
async def test_a_correction_that_leaves_the_result_as_it_was_says_so_in_a_line_not_the_whole_block():
    events, first = await result({"matter": "divorce", "has_lawyer": False, "statuses": [], "deadline": {}})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    assert screening["outcome"] == "out_of_scope" and "utter_screening_details_if_applying" in [
        m["response"] for m in first]
    events, responses = await followup(screening, "不对 我是低保户")
    assert responses == ["utter_screening_correction", "utter_outcome_out_of_scope", "utter_offer_application_anyway"]
    revised = next(e["value"] for e in events if e["name"] == "screening")
    assert revised["answers"]["statuses"] == ["dibao"] and revised["outcome"] == "out_of_scope"


@pytest.mark.asyncio
async def test_after_a_question_answered_at_the_offer_the_offer_is_asked_again_and_nothing_is_revised():
    events, _ = await result({**KNOWN, "household_monthly_income": 1000, "household_size": 1, "deadline": {}})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    dispatcher = CollectingDispatcher()
    # 「我一个月三千块 要钱吗」 would read as a correction of the income if it were a reply to the offer
    tracker = make_tracker(slots={"screening": screening}, text="我一个月三千块 要钱吗",
                           intent="question_legal_aid_cost")
    tracker.latest_action_name = "action_answer_legal_question"
    events = await ActionScreeningFollowup().run(dispatcher, tracker, {})
    assert events == [] and [m["response"] for m in dispatcher.messages] == ["utter_offer_again"]


@pytest.mark.asyncio
async def test_a_rejected_read_back_after_the_result_reopens_the_question():
    """The run-on answer gave the income and the result in one turn; 「不对」 forgets the income."""
    events, _ = await result({**KNOWN, "household_monthly_income": 3000, "household_size": 4, "deadline": {}})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    earlier = [INCOME_READ_BACK[0], INCOME_READ_BACK[1],
               bot("utter_offer_application", "要把您的情况交给法律援助中心的工作人员吗？", 1_700_000_053.0)]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"screening": screening}, events=earlier, text="不对", intent="deny")
    events = await ActionScreeningFollowup().run(dispatcher, tracker, {})
    assert SlotSet("household_monthly_income", None) in events and SlotSet("screening", None) in events
    assert SlotSet("household_size", 4) in events  # what was not read back stays
    assert events[-1] == {"event": "followup", "name": "screening_form", "timestamp": None}
    assert "utter_no_application_now" not in [m["response"] for m in dispatcher.messages]


@pytest.mark.asyncio
async def test_the_trial_income_is_read_back_right():
    slots, _, messages = await answer("household_monthly_income", "一年收入两万来块，两个孩子", KNOWN)
    assert slots["household_monthly_income"] == 1667
    noted = next(m for m in messages if m["response"] == "utter_screening_income_noted")
    assert noted["income"] == "每月约1667元"


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["我有3个孩子，很急", "马上就到期了", "老板欠我三个月工资，很急"])
async def test_an_unstated_deadline_is_none_on_the_ticket(text):
    slots, _, _ = await answer("deadline", text, {"matter": "labor_wage", "has_lawyer": False,
                                                  "statuses": ["migrant_worker"]})
    # urgent, but no day is made up: staff see 「没有说」 and 「期限快到了」
    assert slots["deadline"] == {"days": None, "preservation": False, "soon": True}
    events, _ = await result({"matter": "labor_wage", "has_lawyer": False, "statuses": ["migrant_worker"],
                              "deadline": slots["deadline"]})
    screening = next(e["value"] for e in events if e["name"] == "screening")
    tracker = make_tracker(slots={"screening": screening, "applicant_name": "张三", "applicant_phone": "13812345678",
                                  "region": "镇雄县", "description": "讨工资"})
    sent = referral_payload(tracker)["screening"]
    assert sent["days_to_deadline"] is None and sent["deadline_soon"] is True


@pytest.mark.asyncio
@pytest.mark.parametrize(("text", "stored", "told"), [
    ("两万多", 20000, True),  # no period: the month asked, and the read-back says how to give a year's
    ("一年两万多", 1667, False), ("每月两万", 20000, False), ("月入两万", 20000, False),
    ("三千来块", 3000, False),  # a usual month's amount: no doubt raised
])
async def test_a_large_income_without_a_period_gets_the_way_to_say_a_year(text, stored, told):
    slots, responses, _ = await answer("household_monthly_income", text, KNOWN)
    assert slots["household_monthly_income"] == stored
    assert responses[0] == "utter_screening_income_noted"
    assert ("utter_screening_income_period" in responses) is told


@pytest.mark.asyncio
async def test_a_denied_status_at_another_question_is_not_answered_as_a_legal_question():
    # a citizen trial: 「没低保」 at the income question got the social-insurance answer
    known = {"matter": "support_payment", "has_lawyer": False, "statuses": []}
    slots, responses, _ = await answer("household_monthly_income", "没低保", known,
                                       intent="matter_social_insurance", confidence=0.9)
    assert slots["household_monthly_income"] is None and responses == ["utter_screening_not_understood"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("text", "told"), [
    ("一年几千块", "每月最多约750元"),  # a citizen trial: read back as if exact, 「每月约750元」
    ("一年三四万", "每月最多约3333元"),
    ("一年两万", "每月约1667元"),
])
async def test_a_range_is_read_back_as_its_top(text, told):
    _, _, messages = await answer("household_monthly_income", text,
                                  {"matter": "traffic_accident", "has_lawyer": False, "statuses": []})
    noted = next(m for m in messages if m["response"] == "utter_screening_income_noted")
    assert noted["income"] == told


@pytest.mark.asyncio
@pytest.mark.parametrize(("earlier", "expected"), [
    # a citizen trial: the age told at the start was not used at the statuses question
    ("我都七十多了 三个儿子都不管我", ["elderly_no_income"]),
    ("我70岁的老母亲没人管", None),  # the mother's age, not the speaker's: asked again
    ("我儿子三十了不管我", None),
])
async def test_an_age_told_earlier_counts_with_no_income(earlier, expected):
    known = {"matter": "support_payment", "has_lawyer": False}
    slots, _, _ = await answer_after("statuses", "没有固定收入", known,
                                     [{"event": "user", "text": earlier, "timestamp": 1_700_000_000.0}])
    assert slots["statuses"] == expected



@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["没有固定收入 就种点地", "俺没啥收入 就靠种地"])
async def test_an_irregular_income_without_an_amount_gets_asked_for_a_rough_figure(text):
    known = {"matter": "traffic_accident", "has_lawyer": False, "statuses": [], "household_size": 2}
    slots, responses, _ = await answer("household_monthly_income", text, known)
    assert slots["household_monthly_income"] is None and responses == ["utter_screening_income_estimate"]


@pytest.mark.asyncio
async def test_an_age_told_earlier_exempts_at_the_income_question_too():
    # a citizen trial: 73, no fixed income, and still put through the income test
    known = {"matter": "support_payment", "has_lawyer": False, "statuses": []}
    told = {"event": "user", "text": "俺今年73了 三个儿子都不管", "timestamp": 1_700_000_000.0}
    slots, _, _ = await answer_after("household_monthly_income", "没有固定收入 就种点地", known, [told])
    assert slots["statuses"] == ["elderly_no_income"] and slots["requested_slot"] != "household_monthly_income"


@pytest.mark.parametrize(("text", "expected"), [
    # a citizen trial: 社保 in an income correction turned a support matter into social insurance
    ("不对 是2300 扣了社保就剩这么多", {"household_monthly_income": 2300.0}),
    ("不对 是2300", {"household_monthly_income": 2300.0}),  # a bare amount after the result is the income
    ("不对 是一家5口", {"household_size": 5}),
    ("不对，没请律师", {"has_lawyer": False}),
])
def test_a_revision_after_the_result(text, expected):
    from actions.screening import revisions

    values = {"matter": "support_payment", "household_monthly_income": 2600, "household_size": 4, "has_lawyer": True}
    assert revisions(text, values) == expected
