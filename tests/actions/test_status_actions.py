"""The status check: reading ticket numbers and digits, the form's validator, the action's replies
with exact events, the HTTP client against a local server, and what travels with an application."""

from __future__ import annotations

import logging

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.referral_api import HttpReferralClient, ReferralApiError, StatusLookupPaused, StatusNotFound
from actions.config import ActionSettings
from actions.referral import conversation_before_form, referral_payload, township_of_answer
from actions.status import (
    ActionCheckStatus,
    ActionResetStatus,
    ActionStartStatusCheck,
    ValidateStatusForm,
    parse_last4,
    parse_ticket,
)
from tests.support.trackers import make_tracker
from tests.support.http_script import Script, serve

CLEARED = [SlotSet("status_ticket", None), SlotSet("status_phone_last4", None)]
FOUND = {"ticket_number": "FY261128-4821", "status": "new", "status_text": "已经收到，正在等工作人员处理。",
         "station_name": "镇雄县法律援助中心", "station_phone": None, "decision_due": "2026-12-08"}


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


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


class FakeStatusClient:
    def __init__(self, outcome) -> None:
        self.outcome = outcome
        self.calls: list[tuple[str, str]] = []

    async def lookup_status(self, ticket_number, phone_last4):
        self.calls.append((ticket_number, phone_last4))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


async def _check(dispatcher, outcome, slots=None):
    action = ActionCheckStatus()
    action.client = FakeStatusClient(outcome)
    slots = slots if slots is not None else {"status_ticket": "FY261128-4821", "status_phone_last4": "5678"}
    events = await action.run(dispatcher, make_tracker(slots=slots), {})
    return events, action.client


@pytest.mark.asyncio
async def test_found_says_the_status_and_the_ticket(dispatcher):
    events, client = await _check(dispatcher, FOUND)
    assert client.calls == [("FY261128-4821", "5678")]
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
    (RuntimeError("set REFERRAL_API_URL"), "utter_status_failed"),
])
@pytest.mark.asyncio
async def test_failures_are_told_plainly_and_the_slots_cleared(dispatcher, outcome, reply):
    events, _ = await _check(dispatcher, outcome)
    assert responses(dispatcher) == [reply]
    assert events == CLEARED


@pytest.mark.asyncio
async def test_no_ticket_gives_the_hotline_without_calling(dispatcher):
    events, client = await _check(dispatcher, FOUND, slots={"status_ticket": False, "status_phone_last4": None})
    assert client.calls == []
    assert responses(dispatcher) == ["utter_status_no_ticket"]
    assert events == CLEARED


@pytest.mark.asyncio
async def test_reset_clears_everything(dispatcher):
    events = await ActionResetStatus().run(dispatcher, make_tracker(slots={"status_ticket": "FY261128-4821"}), {})
    assert events == [*CLEARED, SlotSet("requested_slot", None)]
    assert responses(dispatcher) == ["utter_status_stopped"]


# --- the HTTP client ----------------------------------------------------------------------


def _client(script: Script, servers: list) -> HttpReferralClient:
    server = serve(script)
    servers.append(server)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    return HttpReferralClient(ActionSettings(url, "t" * 20, connect_timeout=1, read_timeout=2, retries=1))


@pytest.fixture
def servers():
    started: list = []
    yield started
    for server in started:
        server.shutdown()


@pytest.mark.asyncio
async def test_client_posts_the_lookup_with_the_token(servers):
    script = Script([(200, FOUND)])
    found = await _client(script, servers).lookup_status("FY261128-4821", "5678")
    assert found == FOUND
    request = script.requests[0]
    assert request["path"] == "/api/referrals/status"
    assert request["body"] == {"ticket_number": "FY261128-4821", "phone_last4": "5678"}
    assert request["headers"]["Authorization"] == "Bearer " + "t" * 20


@pytest.mark.parametrize(("status", "error"), [(404, StatusNotFound), (429, StatusLookupPaused),
                                                (500, ReferralApiError), (401, ReferralApiError)])
@pytest.mark.asyncio
async def test_client_errors(servers, caplog, status, error):
    script = Script([(status, {"detail": "x"})])
    with caplog.at_level(logging.DEBUG), pytest.raises(error):
        await _client(script, servers).lookup_status("FY261128-4821", "5678")
    assert "5678" not in caplog.text


@pytest.mark.asyncio
async def test_client_unreachable():
    client = HttpReferralClient(ActionSettings("http://127.0.0.1:9", "t" * 20, connect_timeout=0.5,
                                             read_timeout=0.5, retries=0))
    with pytest.raises(ReferralApiError):
        await client.lookup_status("FY261128-4821", "5678")


# --- what travels with an application: the conversation before it, the township ------------


def _user(text: str, t: float) -> dict:
    return {"event": "user", "text": text, "timestamp": t, "parse_data": {"intent": {"name": "inform"}}}


def _slot(name: str, value, t: float) -> dict:
    return {"event": "slot", "name": name, "value": value, "timestamp": t}


FORM_OPENED = {"event": "active_loop", "name": "referral_form", "timestamp": 50.0}


def test_conversation_is_the_citizens_messages_before_the_form():
    events = [
        _user("你好", 1.0),
        {"event": "bot", "text": "您好", "timestamp": 1.5},
        _user("老板拖欠我三个月工资", 2.0),
        _user("/affirm", 3.0),
        _user("我要申请法律援助", 4.0),
        FORM_OPENED,
        _user("同意", 51.0),
    ]
    assert conversation_before_form(make_tracker(events=events, text="张三")) == [
        "你好", "老板拖欠我三个月工资", "我要申请法律援助"
    ]


def test_conversation_leaves_out_answers_to_personal_questions():
    earlier_form = {"event": "active_loop", "name": "referral_form", "timestamp": 5.0}
    events = [
        _user("老板欠钱", 1.0),
        earlier_form,
        _slot("requested_slot", "applicant_name", 6.0), _user("张三", 7.0),
        _slot("requested_slot", "applicant_phone", 8.0), _user("13812345678", 9.0),
        _slot("requested_slot", "region", 10.0), _user("镇雄县", 11.0),
        _slot("requested_slot", "description", 12.0), _user("干了三个月一分没给", 13.0),
        _user("算了", 14.0),
        {"event": "active_loop", "name": None, "timestamp": 15.0},
        _slot("requested_slot", None, 15.1),
        {"event": "active_loop", "name": "status_form", "timestamp": 16.0},
        _slot("requested_slot", "status_phone_last4", 16.5), _user("5678", 17.0),
        {"event": "active_loop", "name": None, "timestamp": 18.0},
        _user("我还是要申请", 19.0),
        FORM_OPENED,
    ]
    said = conversation_before_form(make_tracker(events=events))
    assert said == ["老板欠钱", "干了三个月一分没给", "算了", "我还是要申请"]


def test_conversation_keeps_the_last_20_and_cuts_long_messages():
    events = [_user(f"第{i}句" + "话" * 2500 * (i == 29), float(i)) for i in range(30)] + [FORM_OPENED]
    said = conversation_before_form(make_tracker(events=events))
    assert len(said) == 20 and said[0] == "第10句" and len(said[-1]) == 2000


def test_no_form_no_conversation():
    assert conversation_before_form(make_tracker(events=[_user("你好", 1.0)])) == []


@pytest.mark.parametrize(("answer", "region", "township"), [
    ("我在镇雄县泼机镇", "镇雄县", "泼机镇"),
    ("泼机镇", "镇雄县", "泼机镇"),
    ("鎮雄縣潑機鎮", "镇雄县", "泼机镇"),  # traditional characters
    ("镇雄县", "镇雄县", None),
    ("巧家县", "巧家县", None),  # no townships configured
])
def test_township_of_the_region_answer(answer, region, township):
    events = [_slot("requested_slot", "region", 10.0), _user(answer, 11.0), _slot("region", region, 11.5)]
    assert township_of_answer(make_tracker(events=events, slots={"region": region})) == township


def test_township_only_from_the_answer_that_gave_the_region():
    # the region was corrected at the summary: the first answer's township is not of the new region
    events = [_user("镇雄县泼机镇", 11.0), _slot("region", "镇雄县", 11.5),
              _user("县填错了，我在鲁甸", 20.0), _slot("region", "鲁甸县", 20.5)]
    assert township_of_answer(make_tracker(events=events, slots={"region": "鲁甸县"})) is None


def test_payload_carries_conversation_and_township():
    slots = {"referral_consent": True, "referral_confirmed": True, "applicant_name": "张三",
             "applicant_phone": "13812345678", "region": "镇雄县", "description": "老板拖欠我三个月工资",
             "matter": "labor_wage"}
    events = [_user("老板拖欠我三个月工资怎么办", 1.0), _user("我要申请法律援助", 2.0), FORM_OPENED,
              _slot("requested_slot", "region", 60.0), _user("镇雄县泼机镇", 61.0), _slot("region", "镇雄县", 61.5)]
    payload = referral_payload(make_tracker(events=events, slots=slots))
    assert payload["conversation"] == ["老板拖欠我三个月工资怎么办", "我要申请法律援助"]
    assert payload["township"] == "泼机镇"
