"""The referral form's validators and the submit action, with exact events (rasa-sdk style)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.referral_api import ReferralApiError, Ticket
from actions.referral import (
    FORM_SLOTS,
    ActionResetReferral,
    ActionSubmitReferral,
    ValidateReferralForm,
    idempotency_key,
    referral_payload,
)
from tests.actions.conftest import make_tracker

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


def test_name_with_phone_fills_both(dispatcher):
    result = ValidateReferralForm().validate_applicant_name("我叫张建国电话是13987654321", dispatcher, make_tracker(), {})
    assert result == {"applicant_name": "张建国", "applicant_phone": "13987654321"}
    assert responses(dispatcher) == []


def _consent_tracker(text: str):
    tracker = make_tracker(requested_slot="referral_consent")
    tracker.latest_message["text"] = text
    return tracker


@pytest.mark.parametrize(("text", "expected", "error"), [
    ("同意", True, None),
    ("？", None, "utter_consent_unclear"),
    ("🙏", None, "utter_consent_unclear"),
])
def test_consent_needs_words(dispatcher, text, expected, error):
    result = ValidateReferralForm().validate_referral_consent(True, dispatcher, _consent_tracker(text), {})
    assert result == {"referral_consent": expected}
    assert responses(dispatcher) == ([error] if error else [])


def test_refused_consent_is_kept_as_false(dispatcher):
    result = ValidateReferralForm().validate_referral_consent(False, dispatcher, _consent_tracker("不同意"), {})
    assert result == {"referral_consent": False}


@pytest.mark.parametrize(("text", "expected", "error"), [
    ("对", {"referral_confirmed": True}, None),
    ("都对", {"referral_confirmed": True}, None),
    ("电话不对", {"referral_confirmed": None, "applicant_phone": None}, "utter_correct_fields"),
    ("名字和县都填错了", {"referral_confirmed": None, "applicant_name": None, "region": None}, "utter_correct_fields"),
    ("不对", {"referral_confirmed": None}, "utter_which_field"),
    ("？", {"referral_confirmed": None}, "utter_confirm_unclear"),
])
def test_confirmation(dispatcher, text, expected, error):
    assert ValidateReferralForm().validate_referral_confirmed(text, dispatcher, make_tracker(), {}) == expected
    assert responses(dispatcher) == ([error] if error else [])


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
        *[SlotSet(slot, None) for slot in FORM_SLOTS],
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
async def test_submit_without_matter_sends_other(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    await action.run(dispatcher, make_tracker(slots={**FILLED, "matter": None}, events=[FORM_OPENED]), {})
    assert client.calls[0][0]["matter"] == "other"


@pytest.mark.asyncio
async def test_submit_failure_tells_the_truth_and_keeps_the_application(dispatcher):
    action = ActionSubmitReferral()
    action.client = FakeReferralClient(fail=True)
    events = await action.run(dispatcher, make_tracker(slots=FILLED, events=[FORM_OPENED]), {})
    assert events == [SlotSet("referral_pending", True)]
    assert responses(dispatcher) == ["utter_referral_failed"]


@pytest.mark.asyncio
async def test_submit_after_refused_consent_keeps_nothing(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral()
    action.client = client
    events = await action.run(dispatcher, make_tracker(slots={"referral_consent": False}), {})
    assert client.calls == []
    assert responses(dispatcher) == ["utter_consent_refused"]
    assert events == [SlotSet("referral_pending", False), *[SlotSet(slot, None) for slot in FORM_SLOTS]]


@pytest.mark.asyncio
async def test_reset_forgets_everything(dispatcher):
    events = await ActionResetReferral().run(dispatcher, make_tracker(slots=FILLED), {})
    assert events == [*[SlotSet(s, None) for s in FORM_SLOTS], SlotSet("referral_pending", False),
                      SlotSet("requested_slot", None)]


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
