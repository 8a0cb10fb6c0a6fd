"""The referral form's validators and the submit action, with exact events (rasa-sdk style)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.referral_api import ReferralApiError, Ticket
from actions.referral import (
    CLEARED_SLOTS,
    FORM_SLOTS,
    ActionSessionStart,
    ActionResetReferral,
    ActionSubmitReferral,
    ValidateReferralForm,
    idempotency_key,
    referral_payload,
)
from tests.support.trackers import make_tracker

FORM_OPENED = {"event": "active_loop", "name": "referral_form", "timestamp": 1_700_000_000.0}
CONSENTED = {"event": "slot", "name": "referral_consent", "value": True, "timestamp": 1_700_000_010.5}
FILLED = {
    "referral_consent": True,
    "referral_confirmed": True,
    "applicant_name": "张三",
    "applicant_phone": "13812345678",
    "region": "镇雄县",
    "description": "老板拖欠我三个月工资",
    "matter": "labor_wage",
}


class FakeReferralClient:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[tuple[dict, str]] = []

    async def create_referral(self, payload, idempotency_key):
        self.calls.append((payload, idempotency_key))
        if self.fail:
            raise ReferralApiError("down")
        return Ticket(ticket_number="FY261128-0042", status="new", replayed=False)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


# --- validators -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_validate_phone_rejects_short_number(dispatcher):
    tracker = make_tracker(
        slots={"applicant_phone": "12345"},
        requested_slot="applicant_phone",
        after_user=[{"event": "slot", "name": "applicant_phone", "value": "12345", "timestamp": 1_700_000_101.0}],
    )
    events = await ValidateReferralForm().run(dispatcher, tracker, {"forms": {"referral_form": {"required_slots": list(FORM_SLOTS)}}})
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
    result = ValidateReferralForm().validate_applicant_name("我叫张建国电话是13987654321", dispatcher, make_tracker(), {})
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
    tracker = make_tracker(slots={"description": "老板拖欠我三个月工资"}, requested_slot="referral_confirmed", text=text)
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


def test_description_that_points_back_at_nothing_is_asked_again(dispatcher):
    # the message itself may be read as a matter: it is never its own account
    tracker = make_tracker(events=EARLIER[:2], requested_slot="description", text="就是刚才说的",
                           intent="matter_consumer", confidence=0.07)
    assert ValidateReferralForm().validate_description("就是刚才说的", dispatcher, tracker, {}) == {
        "description": None}
    assert responses(dispatcher) == ["utter_description_not_found"]


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


# --- submit -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_submit_creates_ticket_and_forgets_personal_data(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    tracker = make_tracker(slots=FILLED, events=[FORM_OPENED, CONSENTED])
    events = await action.run(dispatcher, tracker, {})
    assert events == [
        SlotSet("ticket_number", "FY261128-0042"),
        SlotSet("referral_pending", False),
        SlotSet("pending_referral", None),
        *[SlotSet(slot, None) for slot in CLEARED_SLOTS],
    ]
    assert dispatcher.messages[0]["response"] == "utter_referral_created"
    assert dispatcher.messages[0]["ticket_number"] == "FY261128-0042"
    payload, key = client.calls[0]
    assert payload == {
        "channel": "rest",
        "applicant_name": "张三",
        "applicant_phone": "13812345678",
        "region": "镇雄县",
        "matter": "labor_wage",
        "description": "老板拖欠我三个月工资",
        "consent": True,
        "consent_at": "2023-11-14T22:13:30.500000+00:00",
    }
    assert key == idempotency_key(tracker)


@pytest.mark.asyncio
async def test_violence_ticket_ends_with_a_safety_reminder(dispatcher):
    action = ActionSubmitReferral()
    action.client = FakeReferralClient()
    slots = {**FILLED, "matter": "domestic_violence"}
    await action.run(dispatcher, make_tracker(slots=slots, events=[FORM_OPENED]), {})
    assert responses(dispatcher) == ["utter_referral_created", "utter_safety_reminder"]


@pytest.mark.asyncio
async def test_submit_without_matter_sends_other(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    await action.run(dispatcher, make_tracker(slots={**FILLED, "matter": None}, events=[FORM_OPENED]), {})
    assert client.calls[0][0]["matter"] == "other"


@pytest.mark.asyncio
async def test_submit_failure_tells_the_truth_and_freezes_the_request(dispatcher):
    action = ActionSubmitReferral()
    action.client = FakeReferralClient(fail=True)
    tracker = make_tracker(slots=FILLED, events=[FORM_OPENED, CONSENTED])
    events = await action.run(dispatcher, tracker, {})
    frozen = {"key": idempotency_key(tracker), "payload": referral_payload(tracker)}
    assert events == [SlotSet("referral_pending", True), SlotSet("pending_referral", frozen),
                      *[SlotSet(slot, None) for slot in CLEARED_SLOTS]]
    assert responses(dispatcher) == ["utter_referral_failed"]


@pytest.mark.asyncio
async def test_retry_sends_the_frozen_request_whatever_changed(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    frozen = {"key": "rasa-frozen-key", "payload": {"matter": "labor_wage", "applicant_name": "张三"}}
    # the form slots are gone and the matter has changed since the first attempt
    tracker = make_tracker(slots={"pending_referral": frozen, "referral_pending": True, "matter": "divorce"},
                           events=[{**FORM_OPENED, "timestamp": 1.0}])
    events = await action.run(dispatcher, tracker, {})
    assert client.calls == [(frozen["payload"], "rasa-frozen-key")]
    assert SlotSet("pending_referral", None) in events and SlotSet("ticket_number", "FY261128-0042") in events


@pytest.mark.asyncio
async def test_misconfigured_action_server_tells_the_truth(dispatcher, monkeypatch):
    monkeypatch.delenv("REFERRAL_API_URL", raising=False)
    monkeypatch.setattr(ActionSubmitReferral, "client", None)
    events = await ActionSubmitReferral().run(dispatcher, make_tracker(slots=FILLED, events=[FORM_OPENED]), {})
    assert responses(dispatcher) == ["utter_referral_failed"]
    assert SlotSet("referral_pending", True) in events


@pytest.mark.asyncio
async def test_submit_after_refused_consent_keeps_nothing(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    events = await action.run(dispatcher, make_tracker(slots={"referral_consent": False}), {})
    assert client.calls == []
    assert responses(dispatcher) == ["utter_consent_refused"]
    assert events == [SlotSet("referral_pending", False), *[SlotSet(slot, None) for slot in CLEARED_SLOTS]]


@pytest.mark.asyncio
async def test_submit_without_confirmation_submits_nothing(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    await action.run(dispatcher, make_tracker(slots={**FILLED, "referral_confirmed": None}), {})
    assert client.calls == []


@pytest.mark.asyncio
async def test_reset_forgets_everything(dispatcher):
    events = await ActionResetReferral().run(dispatcher, make_tracker(slots=FILLED), {})
    assert events == [*[SlotSet(s, None) for s in CLEARED_SLOTS], SlotSet("referral_pending", False),
                      SlotSet("pending_referral", None), SlotSet("requested_slot", None)]
    assert responses(dispatcher) == ["utter_referral_stopped"]


@pytest.mark.asyncio
async def test_reset_of_a_pending_application_is_honest(dispatcher):
    tracker = make_tracker(slots={"referral_pending": True, "pending_referral": {"key": "k", "payload": {}}})
    await ActionResetReferral().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_pending_dropped"]


@pytest.mark.asyncio
async def test_session_start_keeps_ticket_and_pending_only(dispatcher):
    from rasa_sdk.events import ActionExecuted, SessionStarted

    slots = {**FILLED, "ticket_number": "FY261128-0042", "referral_pending": False}
    events = await ActionSessionStart().run(dispatcher, make_tracker(slots=slots), {})
    assert events == [SessionStarted(), SlotSet("ticket_number", "FY261128-0042"),
                      SlotSet("referral_pending", False), ActionExecuted("action_listen")]


def test_idempotency_key_is_stable_per_application():
    first = make_tracker(events=[FORM_OPENED])
    again = make_tracker(events=[FORM_OPENED, {"event": "slot", "name": "x", "value": 1, "timestamp": 5.0}])
    later = make_tracker(events=[FORM_OPENED, {**FORM_OPENED, "timestamp": 1_700_000_500.0}])
    other_sender = make_tracker(events=[FORM_OPENED], sender_id="citizen-2")
    assert idempotency_key(first) == idempotency_key(again)
    assert idempotency_key(first) != idempotency_key(later)
    assert idempotency_key(first) != idempotency_key(other_sender)
    assert idempotency_key(first).startswith("rasa-") and len(idempotency_key(first)) == 45


def test_payload_uses_latest_input_channel():
    assert referral_payload(make_tracker(slots=FILLED, channel="wechat"))["channel"] == "wechat"


@pytest.mark.asyncio
async def test_an_insult_at_the_summary_is_not_added_to_the_account(dispatcher):
    tracker = make_tracker(slots={**FILLED, "referral_confirmed": None}, requested_slot="referral_confirmed",
                           text="你个傻逼机器人什么都不懂", intent="insult", confidence=0.9)
    events = await ValidateReferralForm().get_validation_events(dispatcher, tracker, {"responses": {}})
    assert responses(dispatcher) == ["utter_insult"]
    assert SlotSet("description", None) not in events and all(e.get("name") != "description" for e in events)
