"""The referral form's validator, with exact events (rasa-sdk style)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.referral_form import ActionAskDescription, ValidateReferralForm
from actions.referral_slots import FORM_SLOTS
from tests.support.dispatcher import responses
from tests.support.referral_application import FILLED
from tests.support.trackers import make_tracker


@pytest.mark.asyncio
async def test_validate_phone_rejects_short_number(dispatcher):
    tracker = make_tracker(
        slots={"applicant_phone": "12345"},
        requested_slot="applicant_phone",
        after_user=[{"event": "slot", "name": "applicant_phone", "value": "12345", "timestamp": 1_700_000_101.0}],
    )
    domain = {"forms": {"referral_form": {"required_slots": list(FORM_SLOTS)}}}
    events = await ValidateReferralForm().run(dispatcher, tracker, domain)
    assert SlotSet("applicant_phone", None) in events
    assert responses(dispatcher) == ["utter_invalid_phone"]


@pytest.mark.parametrize(
    ("slot", "value", "expected", "error"),
    [
        ("applicant_phone", "138 1234 5678", "13812345678", None),
        ("applicant_name", "我叫张三", "张三", None),
        ("applicant_name", "13812345678", None, "utter_invalid_name"),
        ("region", "不对，是镇雄县", "镇雄县", None),
        ("region", "北京", None, "utter_invalid_region"),
        ("description", "。。。", None, "utter_invalid_description"),
        ("description", "老板不给工资", "老板不给工资", None),
    ],
)
def test_validators(dispatcher, slot, value, expected, error):
    validate = getattr(ValidateReferralForm(), f"validate_{slot}")
    assert validate(value, dispatcher, make_tracker(), {}) == {slot: expected}
    assert responses(dispatcher) == ([error] if error else [])


def test_name_that_is_a_place_is_asked_again(dispatcher):
    assert ValidateReferralForm().validate_applicant_name("水富", dispatcher, make_tracker(), {}) == {
        "applicant_name": None
    }
    assert responses(dispatcher) == ["utter_invalid_name"]


def test_insisted_name_is_taken_as_given(dispatcher):
    user = {"event": "user", "text": "林在山", "timestamp": 1.0}
    once = make_tracker()
    twice = make_tracker(events=[user])
    twice.events[-1]["text"] = "林在山"
    assert ValidateReferralForm().validate_applicant_name("林在山", dispatcher, once, {}) == {"applicant_name": None}
    assert ValidateReferralForm().validate_applicant_name("林在山", dispatcher, twice, {}) == {
        "applicant_name": "林在山"
    }


def test_name_with_phone_fills_both(dispatcher):
    result = ValidateReferralForm().validate_applicant_name("我叫张建国电话是13987654321", dispatcher, make_tracker(),
                                                            {})
    assert result == {"applicant_name": "张建国", "applicant_phone": "13987654321"}
    assert responses(dispatcher) == []


def test_name_phone_and_county_in_one_message(dispatcher):
    text = "我叫李国强电话15911223344我在镇雄县"
    result = ValidateReferralForm().validate_applicant_name(text, dispatcher, make_tracker(), {})
    assert result == {"applicant_name": "李国强", "applicant_phone": "15911223344", "region": "镇雄县"}


def _description_tracker(intent: str, confidence: float):
    tracker = make_tracker(requested_slot="description")
    tracker.latest_message["intent"] = {"name": intent, "confidence": confidence}
    return tracker


@pytest.mark.parametrize(("intent", "confidence", "matter"), [
    ("matter_labor_wage", 0.95, "labor_wage"),
    ("matter_domestic_violence", 0.9, "domestic_violence"),
    ("matter_labor_wage", 0.3, None),  # not sure: the matter stays as it was
    ("inform", 0.99, None),
])
def test_description_decides_the_matter(dispatcher, intent, confidence, matter):
    result = ValidateReferralForm().validate_description(
        "老板欠我工资", dispatcher, _description_tracker(intent, confidence), {}
    )
    assert result.get("matter") == matter and result["description"] == "老板欠我工资"


def _consent_tracker(text: str):
    tracker = make_tracker(requested_slot="referral_consent")
    tracker.latest_message["text"] = text
    return tracker


@pytest.mark.parametrize(("text", "expected", "error"), [
    ("同意", True, None),
    ("同意！！！👍", True, None),
    ("/affirm", True, None),  # the 同意 button
    ("/deny", False, None),  # the 不同意 button
    ("不同意", False, None),
    ("我不太同意", False, None),
    ("不", False, None),
    ("？", None, "utter_consent_unclear"),
    ("🙏", None, "utter_consent_unclear"),
    ("我考虑一下", None, "utter_consent_unclear"),
])
def test_consent_is_read_from_the_words(dispatcher, text, expected, error):
    result = ValidateReferralForm().validate_referral_consent(text, dispatcher, _consent_tracker(text), {})
    assert result == {"referral_consent": expected}
    assert responses(dispatcher) == ([error] if error else [])


@pytest.mark.parametrize(("text", "expected", "error"), [
    ("对", {"referral_confirmed": True}, None),
    ("都对", {"referral_confirmed": True}, None),
    ("没错", {"referral_confirmed": True}, None),
    ("对，就是这个情况", {"referral_confirmed": True}, None),
    ("电话", {"referral_confirmed": None, "applicant_phone": None}, "utter_correct_fields"),
    ("是的没错", {"referral_confirmed": True}, None),
    ("县也填错了，我是在彝良", {"referral_confirmed": None, "region": "彝良县"}, "utter_correct_fields"),
    ("电话错了，是13912345678", {"referral_confirmed": None, "applicant_phone": "13912345678"},
     "utter_correct_fields"),
    ("电话不对", {"referral_confirmed": None, "applicant_phone": None}, "utter_correct_fields"),
    ("名字不对 就王桂兰仨字", {"referral_confirmed": None, "applicant_name": "王桂兰"}, "utter_correct_fields"),
    ("名字写错了，应该是李秀英", {"referral_confirmed": None, "applicant_name": "李秀英"}, "utter_correct_fields"),
    ("名字错了", {"referral_confirmed": None, "applicant_name": None}, "utter_correct_fields"),
    ("名字和县都填错了", {"referral_confirmed": None, "applicant_name": None, "region": None}, "utter_correct_fields"),
    ("不对", {"referral_confirmed": None}, "utter_which_field"),
    ("？", {"referral_confirmed": None}, "utter_confirm_unclear"),
    ("要多久才有人联系我", {"referral_confirmed": None}, "utter_confirm_unclear"),  # a question adds nothing
    ("就是刚才说的", {"referral_confirmed": None}, "utter_confirm_unclear"),  # 是 is no yes here
])
def test_confirmation(dispatcher, text, expected, error):
    assert ValidateReferralForm().validate_referral_confirmed(text, dispatcher, make_tracker(), {}) == expected
    assert responses(dispatcher) == ([error] if error else [])


@pytest.mark.parametrize("text", ["还有，他上个月还打了我一巴掌", "对了，老板叫张三", "他还欠我工友两个月的钱"])
def test_details_at_the_summary_are_added_to_the_account(dispatcher, text):
    tracker = make_tracker(slots={"description": "老板拖欠我三个月工资"}, requested_slot="referral_confirmed",
                           text=text)
    slots = ValidateReferralForm().validate_referral_confirmed(text, dispatcher, tracker, {})
    assert slots == {"description": f"老板拖欠我三个月工资\n补充：{text}", "referral_confirmed": None}
    assert responses(dispatcher) == ["utter_description_added"]


EARLIER = [
    {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}},
    {"event": "user", "text": "我要申请法律援助", "parse_data": {"intent": {"name": "apply_legal_aid"}}},
    {"event": "user", "text": "老板欠我三个月工资不给", "parse_data": {"intent": {"name": "matter_labor_wage"}}},
    {"event": "user", "text": "多久之内要去告", "parse_data": {"intent": {"name": "followup_time_limit"}}},
]


@pytest.mark.parametrize("text", ["就是刚才说的", "上面说过了", "同上"])
def test_description_that_points_back_takes_the_earlier_account(dispatcher, text):
    tracker = make_tracker(events=EARLIER, requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {}) == {
        "description": "老板欠我三个月工资不给"}
    assert responses(dispatcher) == []


def test_an_account_that_asked_to_apply_is_the_earlier_account(dispatcher):
    told = {"event": "user", "text": "老公赌博欠了二十多万 债主天天上门 我想离婚 我想申请法律援助",
            "parse_data": {"intent": {"name": "apply_legal_aid", "confidence": 1.0},
                           "entities": [{"entity": "matter", "value": "divorce", "extractor": "AccountReader"}]}}
    tracker = make_tracker(events=[told], requested_slot="description", text="就是刚才说的")
    assert ValidateReferralForm().validate_description("就是刚才说的", dispatcher, tracker, {}) == {
        "description": told["text"]}


def test_description_that_points_back_at_nothing_is_asked_again(dispatcher):
    # the message itself may be read as a matter: it is never its own account
    tracker = make_tracker(events=EARLIER[:2], requested_slot="description", text="就是刚才说的",
                           intent="matter_consumer", confidence=0.07)
    assert ValidateReferralForm().validate_description("就是刚才说的", dispatcher, tracker, {}) == {
        "description": None}
    assert responses(dispatcher) == ["utter_description_not_found"]


@pytest.mark.parametrize(("text", "region"), [("威信县", "威信县"), ("彝良", "彝良县"), ("我在镇雄县的。", "镇雄县")])
def test_a_place_name_is_no_account_of_what_happened(dispatcher, text, region):
    # a citizen trial: tickets whose account was just 「威信县」; the county fills an empty county question
    tracker = make_tracker(requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {}) == {
        "description": None, "region": region}
    assert responses(dispatcher) == ["utter_description_only_a_place"]
    told = make_tracker(slots={"region": "鲁甸县"}, requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, told, {}) == {"description": None}
    account = "我在威信县工地干活，老板欠我三个月工资"
    assert ValidateReferralForm().validate_description(
        account, dispatcher, make_tracker(requested_slot="description", text=account), {})["description"] == account


def test_invalid_region_lists_the_regions(dispatcher):
    ValidateReferralForm().validate_region("北京", dispatcher, make_tracker(), {})
    assert "镇雄县" in dispatcher.messages[0]["region_list"]
    assert "昭阳区" in dispatcher.messages[0]["region_list"]


@pytest.mark.asyncio
async def test_required_slots_stop_after_refused_consent(dispatcher):
    form = ValidateReferralForm()
    slots = list(FORM_SLOTS)
    refused = make_tracker(slots={"referral_consent": False})
    agreed = make_tracker(slots={"referral_consent": True})
    assert await form.required_slots(slots, dispatcher, refused, {}) == ["referral_consent"]
    assert await form.required_slots(slots, dispatcher, agreed, {}) == slots


@pytest.mark.asyncio
async def test_an_insult_at_the_summary_is_not_added_to_the_account(dispatcher):
    tracker = make_tracker(slots={**FILLED, "referral_confirmed": None}, requested_slot="referral_confirmed",
                           text="你个傻逼机器人什么都不懂", intent="insult", confidence=0.9)
    events = await ValidateReferralForm().get_validation_events(dispatcher, tracker, {"responses": {}})
    assert responses(dispatcher) == ["utter_insult"]
    assert SlotSet("description", None) not in events and all(e.get("name") != "description" for e in events)


def test_description_that_points_back_and_goes_on_keeps_the_earlier_account_first(dispatcher):
    # a citizen trial: the ticket kept only these words, and lost the city, the foreman and the date
    text = "我刚才说了啊 包工头跑了欠俺3万6"
    tracker = make_tracker(events=EARLIER, requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {})["description"] == (
        f"老板欠我三个月工资不给；{text}")
    assert responses(dispatcher) == []


@pytest.mark.parametrize("text", ["我说了他也不听 老板欠我三个月工资", "说好的工钱一直不给"])
def test_an_account_that_merely_uses_said_is_taken_as_it_is(dispatcher, text):
    tracker = make_tracker(events=EARLIER, requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {})["description"] == text


@pytest.mark.asyncio
async def test_the_account_told_before_the_form_is_offered_back(dispatcher):
    # a citizen trial: 「请简单说说发生了什么事」 after the whole story had been told
    tracker = make_tracker(events=EARLIER, requested_slot="description", text="镇雄县")
    assert await ActionAskDescription().run(dispatcher, tracker, {}) == []
    assert responses(dispatcher) == ["utter_ask_description_offer"]
    assert dispatcher.messages[0]["account"] == "老板欠我三个月工资不给"


@pytest.mark.asyncio
async def test_without_an_account_what_happened_is_asked(dispatcher):
    tracker = make_tracker(events=EARLIER[:2], requested_slot="description", text="镇雄县")
    await ActionAskDescription().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_ask_description"]


@pytest.mark.asyncio
async def test_a_long_account_is_offered_back_shortened(dispatcher):
    told = {"event": "user", "text": "包工头跑了" * 40, "parse_data": {"intent": {"name": "matter_labor_wage"}}}
    await ActionAskDescription().run(dispatcher, make_tracker(events=[told], text="镇雄县"), {})
    assert dispatcher.messages[0]["account"] == ("包工头跑了" * 30) + "……"


OFFERED = [*EARLIER, {"event": "bot", "text": "您刚才说过：……",
                      "metadata": {"utter_action": "utter_ask_description_offer"}}]


@pytest.mark.parametrize(("text", "description"), [
    ("对", "老板欠我三个月工资不给"),
    ("是的", "老板欠我三个月工资不给"),
    ("就这些", "老板欠我三个月工资不给"),
    ("对，还有他叫我们签了一张白条", "老板欠我三个月工资不给；还有他叫我们签了一张白条"),
    # more told is added, never a replacement (a citizen trial lost the story that way)
    ("是这样的，包工头张三欠我们八个人工资", "老板欠我三个月工资不给；是这样的，包工头张三欠我们八个人工资"),
    ("不对 前面说的包工头跑了你咋没记", "老板欠我三个月工资不给；不对 前面说的包工头跑了你咋没记"),
    ("不对", None),  # asked plainly next
])
def test_a_reply_to_the_offered_account(dispatcher, text, description):
    tracker = make_tracker(events=OFFERED, requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {})["description"] == description


def test_without_the_offer_a_new_account_is_taken_as_it_is(dispatcher):
    text = "是这样的，包工头张三欠我们八个人工资"
    tracker = make_tracker(events=EARLIER, requested_slot="description", text=text)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {})["description"] == text


@pytest.mark.asyncio
async def test_a_declined_offer_is_followed_by_the_plain_question(dispatcher):
    tracker = make_tracker(events=OFFERED, requested_slot="description", text="不对")
    await ActionAskDescription().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_ask_description"]


def test_a_divorce_told_in_a_violence_conversation_keeps_the_violence_code(dispatcher):
    # matters.md rule 1; a citizen trial filed a beaten wife's application as a plain divorce
    text = "他喝了酒就打我 上个月把我头打破了 我要跟他离婚"
    tracker = make_tracker(slots={"matter": "domestic_violence"}, requested_slot="description", text=text,
                           intent="matter_divorce", confidence=0.9)
    assert ValidateReferralForm().validate_description(text, dispatcher, tracker, {})["matter"] == "domestic_violence"
    calm = make_tracker(slots={"matter": "debt_loan"}, requested_slot="description", text="我要离婚",
                        intent="matter_divorce", confidence=0.9)
    assert ValidateReferralForm().validate_description("我要离婚", dispatcher, calm, {})["matter"] == "divorce"


@pytest.mark.parametrize(("text", "corrected"), [
    ("等下 手机号错了 是13870123457", {"applicant_phone": "13870123457"}),  # a citizen trial
    ("县不对 地在巧家县 娘家是巧家的", {"region": "巧家县"}),
    ("名字写错了 应该是李德贵", {"applicant_name": "李德贵"}),
])
def test_a_correction_at_what_happened_changes_that_answer_and_asks_again(dispatcher, text, corrected):
    result = ValidateReferralForm().validate_description(text, dispatcher, make_tracker(text=text), {})
    assert result == {**corrected, "description": None}
    assert responses(dispatcher) == ["utter_correct_fields"]


def test_an_account_that_mentions_a_wrong_number_is_an_account(dispatcher):
    text = "老板说我电话打错了不给工资 在镇雄县干了三个月"
    result = ValidateReferralForm().validate_description(text, dispatcher, make_tracker(text=text), {})
    assert result["description"] == text and "region" not in result


def test_an_account_of_another_matter_keeps_the_screening_answers_decided_for_it(dispatcher):
    """A citizen trial: the screening was dropped when the application's account named another matter."""
    answers = {"matter": "contract", "has_lawyer": False, "statuses": ["dibao"], "deadline": {"days": None}}
    screening = {"input": {"matter": "contract"}, "outcome": "likely_eligible", "priority": "normal",
                 "poverty_certificate": None, "answers": answers}
    tracker = make_tracker(slots={"matter": "contract", "screening": screening}, requested_slot="description",
                           text="在工地干了三个月 老板一分没给", intent="matter_labor_wage", confidence=0.9)
    result = ValidateReferralForm().validate_description("在工地干了三个月 老板一分没给", dispatcher, tracker, {})
    assert result["matter"] == "labor_wage"
    kept = result["screening"]
    assert kept["input"]["matter"] == "labor_wage" and kept["input"]["statuses"] == ["dibao"]
    assert kept["answers"]["statuses"] == ["dibao"] and kept["outcome"] == "eligible"  # 低保: Art. 42


def test_a_phone_correction_that_opens_the_account_changes_the_number_and_keeps_the_account(dispatcher):
    """A citizen trial: the correction and the account went into the description, the old number stayed."""
    text = "等下 电话号错了 是13887654312 包工头姓王 在东莞工地干了半年 欠我两万三"
    result = ValidateReferralForm().validate_description(text, dispatcher, make_tracker(text=text), {})
    assert result["applicant_phone"] == "13887654312"
    assert result["description"] == "包工头姓王 在东莞工地干了半年 欠我两万三"
    assert responses(dispatcher) == ["utter_correct_fields"]


def test_a_short_phone_correction_with_a_little_account_keeps_that_account_too(dispatcher):
    """Found using the assistant: under 40 characters the account after the number was dropped."""
    text = "等下 电话号错了 是13887654312 在东莞工地干了半年"
    result = ValidateReferralForm().validate_description(text, dispatcher, make_tracker(text=text), {})
    assert result["applicant_phone"] == "13887654312" and result["description"] == "在东莞工地干了半年"


def _hotline_consent_tracker(text: str, caller_phone: str | None, channel: str = "hotline", slots=None):
    tracker = make_tracker(requested_slot="referral_consent", channel=channel, slots=slots)
    tracker.latest_message["text"] = text
    tracker.latest_message["metadata"] = {"caller_phone": caller_phone} if caller_phone else {}
    return tracker


def test_a_hotline_call_gives_the_callers_number_once_the_caller_consents(dispatcher):
    form = ValidateReferralForm()
    agreed = form.validate_referral_consent("同意", dispatcher, _hotline_consent_tracker("同意", "13800138000"), {})
    assert agreed == {"referral_consent": True, "applicant_phone": "13800138000"}
    declined = _hotline_consent_tracker("不同意", "13800138000")
    refused = form.validate_referral_consent("不同意", dispatcher, declined, {})
    assert refused == {"referral_consent": False}  # no consent, no personal data


def test_the_callers_number_is_taken_only_from_the_hotline_and_never_over_an_answer(dispatcher):
    form = ValidateReferralForm()
    web = _hotline_consent_tracker("同意", "13800138000", channel="web")
    assert form.validate_referral_consent("同意", dispatcher, web, {}) == {"referral_consent": True}
    given = _hotline_consent_tracker("同意", "13800138000", slots={"applicant_phone": "13912345678"})
    assert form.validate_referral_consent("同意", dispatcher, given, {}) == {"referral_consent": True}
    landline = _hotline_consent_tracker("同意", "08702123456")
    assert form.validate_referral_consent("同意", dispatcher, landline, {}) == {"referral_consent": True}
