"""The status check: reading ticket numbers and digits, the form's validator, the action's replies with exact events."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.clients.fake_referral_api import FakeReferralClient
from actions.clients.referral_api import ReferralApiError, StatusLookupPaused, StatusNotFound
from actions.status import (
    ActionCheckStatus,
    ActionResetStatus,
    ActionStartStatusCheck,
    ValidateStatusForm,
    parse_last4,
    parse_ticket,
)
from tests.support.dispatcher import responses
from tests.support.trackers import make_tracker

CLEARED = [SlotSet("status_ticket", None), SlotSet("status_phone_last4", None)]
FOUND = {"ticket_number": "FY261128-4821", "status": "new", "status_text": "已经收到，正在等工作人员处理。",
         "station_name": "镇雄县法律援助中心", "station_phone": None, "decision_due": "2026-12-08"}


# --- reading the answers ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "ticket"), [
    ("受理编号FY261128-4821 查进度", "FY261128-4821"),
    ("fy261128-4821", "FY261128-4821"),
    ("FY 261128 4821", "FY261128-4821"),
    ("ＦＹ２６１１２８－４８２１", "FY261128-4821"),
    ("FY2611284821", "FY261128-4821"),
    ("FY261128—4821", "FY261128-4821"),
    ("FY261128-48215", None),
    ("FY26112-4821", None),
    ("我的申请到哪一步了", None),
    ("FY261128-4821和FY261129-0001", None),
])
def test_parse_ticket(text, ticket):
    assert parse_ticket(text) == ticket


@pytest.mark.parametrize(("text", "digits"), [
    ("5678", "5678"),
    ("５６７８", "5678"),
    ("尾号五六七八", "5678"),
    ("后四位是5678", "5678"),
    ("56 78", "5678"),
    ("13812345678", "5678"),
    ("FY261128-4821 后四位5678", "5678"),
    ("567", None),
    ("56789", None),
    ("1234和5678", None),
    ("不知道", None),
])
def test_parse_last4(text, digits):
    assert parse_last4(text) == digits


# --- starting the check and the form ----------------------------------------------------


@pytest.mark.asyncio
async def test_start_takes_the_ticket_from_the_question(dispatcher):
    tracker = make_tracker(text="受理编号fy261203-0457查进度", slots={"ticket_number": "FY261128-4821"})
    events = await ActionStartStatusCheck().run(dispatcher, tracker, {})
    assert events == [SlotSet("status_ticket", "FY261203-0457")]


@pytest.mark.asyncio
async def test_start_takes_the_ticket_made_in_this_conversation(dispatcher):
    tracker = make_tracker(text="我的申请到哪一步了", slots={"ticket_number": "FY261128-4821"})
    events = await ActionStartStatusCheck().run(dispatcher, tracker, {})
    assert events == [SlotSet("status_ticket", "FY261128-4821")]


@pytest.mark.asyncio
async def test_start_without_a_ticket_leaves_it_to_the_form(dispatcher):
    events = await ActionStartStatusCheck().run(dispatcher, make_tracker(text="查一下进度"), {})
    assert events == []


@pytest.mark.asyncio
async def test_start_empties_what_an_earlier_check_left(dispatcher):
    tracker = make_tracker(text="查一下进度", slots={"status_ticket": "FY261128-4821", "status_phone_last4": "5678"})
    events = await ActionStartStatusCheck().run(dispatcher, tracker, {})
    assert events == [SlotSet("status_ticket", None), SlotSet("status_phone_last4", None)]


@pytest.mark.asyncio
async def test_form_start_with_nothing_filled_says_nothing(dispatcher):
    tracker = _form_tracker("status_ticket", "查一下进度", intent="check_application")
    assert ValidateStatusForm().validate_status_ticket(None, dispatcher, tracker, {}) == {"status_ticket": None}
    assert ValidateStatusForm().validate_status_phone_last4(None, dispatcher, tracker, {}) == {
        "status_phone_last4": None
    }
    assert dispatcher.messages == []


def _form_tracker(requested: str, text: str, intent: str = "inform", slots: dict | None = None):
    return make_tracker(requested_slot=requested, form="status_form", text=text, intent=intent,
                        slots={"status_ticket": None, "status_phone_last4": None, **(slots or {})})


def test_ticket_answer_is_normalised(dispatcher):
    tracker = _form_tracker("status_ticket", "fy261128 4821")
    assert ValidateStatusForm().validate_status_ticket("fy261128 4821", dispatcher, tracker, {}) == {
        "status_ticket": "FY261128-4821"
    }
    assert responses(dispatcher) == []


def test_ticket_and_digits_in_one_answer(dispatcher):
    text = "FY261128-4821 尾号5678"
    result = ValidateStatusForm().validate_status_ticket(text, dispatcher, _form_tracker("status_ticket", text), {})
    assert result == {"status_ticket": "FY261128-4821", "status_phone_last4": "5678"}


def test_no_ticket_at_hand_ends_the_form(dispatcher):
    result = ValidateStatusForm().validate_status_ticket("没有", dispatcher, _form_tracker("status_ticket", "没有"), {})
    assert result == {"status_ticket": False}


def test_something_else_asks_again(dispatcher):
    text = "我不晓得嘛你帮我看看"
    result = ValidateStatusForm().validate_status_ticket(text, dispatcher, _form_tracker("status_ticket", text), {})
    assert result == {"status_ticket": None}
    assert responses(dispatcher) == ["utter_status_invalid_ticket"]


@pytest.mark.parametrize(("text", "expected", "error"), [
    ("5678", "5678", None),
    ("后四位是５６７８", "5678", None),
    ("12", None, "utter_status_invalid_last4"),
])
def test_last4_answers(dispatcher, text, expected, error):
    tracker = _form_tracker("status_phone_last4", text, slots={"status_ticket": "FY261128-4821"})
    assert ValidateStatusForm().validate_status_phone_last4(text, dispatcher, tracker, {}) == {
        "status_phone_last4": expected
    }
    assert responses(dispatcher) == ([error] if error else [])


@pytest.mark.asyncio
async def test_form_without_ticket_needs_only_the_ticket_slot(dispatcher):
    tracker = _form_tracker("status_ticket", "没有", slots={"status_ticket": False})
    slots = await ValidateStatusForm().required_slots(["status_ticket", "status_phone_last4"], dispatcher, tracker, {})
    assert slots == ["status_ticket"]


# --- the action ---------------------------------------------------------------------------


async def _check(dispatcher, outcome, slots=None):
    action = ActionCheckStatus(FakeReferralClient(status=outcome))
    slots = slots if slots is not None else {"status_ticket": "FY261128-4821", "status_phone_last4": "5678"}
    events = await action.run(dispatcher, make_tracker(slots=slots), {})
    return events, action.client


@pytest.mark.asyncio
async def test_found_says_the_status_and_the_ticket(dispatcher):
    events, client = await _check(dispatcher, FOUND)
    assert client.lookups == [("FY261128-4821", "5678")]
    assert events == CLEARED
    assert dispatcher.messages[0]["response"] == "utter_status_result"
    assert dispatcher.messages[0]["ticket_number"] == "FY261128-4821"
    assert dispatcher.messages[0]["status_text"] == FOUND["status_text"]
    assert len(dispatcher.messages) == 1  # no station phone to give


@pytest.mark.asyncio
async def test_found_with_a_station_phone(dispatcher):
    await _check(dispatcher, {**FOUND, "station_phone": "0870-1234567"})
    assert responses(dispatcher) == ["utter_status_result", "utter_status_station_phone"]
    assert dispatcher.messages[1]["station_phone"] == "0870-1234567"


@pytest.mark.parametrize(("outcome", "reply"), [
    (StatusNotFound(), "utter_status_not_found"),
    (StatusLookupPaused(), "utter_status_paused"),
    (ReferralApiError("down"), "utter_status_failed"),
])
@pytest.mark.asyncio
async def test_failures_are_told_plainly_and_the_slots_cleared(dispatcher, outcome, reply):
    events, _ = await _check(dispatcher, outcome)
    assert responses(dispatcher) == [reply]
    assert events == CLEARED


@pytest.mark.asyncio
async def test_no_ticket_gives_the_hotline_without_calling(dispatcher):
    events, client = await _check(dispatcher, FOUND, slots={"status_ticket": False, "status_phone_last4": None})
    assert client.lookups == []
    assert responses(dispatcher) == ["utter_status_no_ticket"]
    assert events == CLEARED


@pytest.mark.asyncio
async def test_reset_clears_everything(dispatcher):
    events = await ActionResetStatus().run(dispatcher, make_tracker(slots={"status_ticket": "FY261128-4821"}), {})
    assert events == [*CLEARED, SlotSet("requested_slot", None)]
    assert responses(dispatcher) == ["utter_status_stopped"]
