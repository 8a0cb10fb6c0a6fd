"""Reading earlier events: the conversation before the form, the township of the region answer."""

from __future__ import annotations

import pytest

from actions.tracker_history import conversation_before_form, earlier_account, township_of_answer
from tests.support.referral_application import FORM_OPENED
from tests.support.trackers import make_tracker, slot_event, user_message

FORM_OPENED_AT_50 = {**FORM_OPENED, "timestamp": 50.0}


def test_conversation_is_the_citizens_messages_before_the_form():
    events = [
        user_message("你好", 1.0),
        {"event": "bot", "text": "您好", "timestamp": 1.5},
        user_message("老板拖欠我三个月工资", 2.0),
        user_message("/affirm", 3.0),
        user_message("我要申请法律援助", 4.0),
        FORM_OPENED_AT_50,
        user_message("同意", 51.0),
    ]
    assert conversation_before_form(make_tracker(events=events, text="张三")) == [
        "你好", "老板拖欠我三个月工资", "我要申请法律援助"
    ]


def test_conversation_leaves_out_answers_to_personal_questions():
    earlier_form = {"event": "active_loop", "name": "referral_form", "timestamp": 5.0}
    events = [
        user_message("老板欠钱", 1.0),
        earlier_form,
        slot_event("requested_slot", "applicant_name", 6.0), user_message("张三", 7.0),
        slot_event("requested_slot", "applicant_phone", 8.0), user_message("13812345678", 9.0),
        slot_event("requested_slot", "region", 10.0), user_message("镇雄县", 11.0),
        slot_event("requested_slot", "description", 12.0), user_message("干了三个月一分没给", 13.0),
        user_message("算了", 14.0),
        {"event": "active_loop", "name": None, "timestamp": 15.0},
        slot_event("requested_slot", None, 15.1),
        {"event": "active_loop", "name": "status_form", "timestamp": 16.0},
        slot_event("requested_slot", "status_phone_last4", 16.5), user_message("5678", 17.0),
        {"event": "active_loop", "name": None, "timestamp": 18.0},
        user_message("我还是要申请", 19.0),
        FORM_OPENED_AT_50,
    ]
    said = conversation_before_form(make_tracker(events=events))
    assert said == ["老板欠钱", "干了三个月一分没给", "算了", "我还是要申请"]


def test_conversation_keeps_the_last_20_and_cuts_long_messages():
    events = [user_message(f"第{i}句" + "话" * 2500 * (i == 29), float(i)) for i in range(30)] + [FORM_OPENED_AT_50]
    said = conversation_before_form(make_tracker(events=events))
    assert len(said) == 20 and said[0] == "第10句" and len(said[-1]) == 2000


def test_no_form_no_conversation():
    assert conversation_before_form(make_tracker(events=[user_message("你好", 1.0)])) == []


@pytest.mark.parametrize(("answer", "region", "township"), [
    ("我在镇雄县泼机镇", "镇雄县", "泼机镇"),
    ("泼机镇", "镇雄县", "泼机镇"),
    ("鎮雄縣潑機鎮", "镇雄县", "泼机镇"),  # traditional characters
    ("镇雄县", "镇雄县", None),
    ("巧家县", "巧家县", None),  # no townships configured
])
def test_township_of_the_region_answer(answer, region, township):
    events = [slot_event("requested_slot", "region", 10.0), user_message(answer, 11.0),
              slot_event("region", region, 11.5)]
    assert township_of_answer(make_tracker(events=events, slots={"region": region})) == township


def test_township_only_from_the_answer_that_gave_the_region():
    # the region was corrected at the summary: the first answer's township is not of the new region
    events = [user_message("镇雄县泼机镇", 11.0), slot_event("region", "镇雄县", 11.5),
              user_message("县填错了，我在鲁甸", 20.0), slot_event("region", "鲁甸县", 20.5)]
    assert township_of_answer(make_tracker(events=events, slots={"region": "鲁甸县"})) is None


def test_the_earlier_account_leaves_out_form_answers_and_keeps_the_first():
    # a citizen trial: the screening's answers crowded the story out of the ticket
    def told(text: str, intent: str = "matter_labor_wage") -> dict:
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}

    def asked(slot: str | None) -> dict:
        return {"event": "slot", "name": "requested_slot", "value": slot}

    events = [
        told("包工头跑了 欠俺两万三"), told("找开发商也不管"), told("多久能要回来", "followup_time_limit"),
        told("工地在镇雄"), asked("matter"), told("讨工资"),  # the screening's 「什么事」 tells the problem too
        asked("has_lawyer"), told("没请律师 我是农民工"), asked("statuses"), told("农民工 打工的"),
        asked(None), told("我要申请", "apply_legal_aid"),
    ]
    tracker = make_tracker(events=events, text="就是刚才说的")
    assert earlier_account(tracker) == "包工头跑了 欠俺两万三；工地在镇雄；讨工资"
