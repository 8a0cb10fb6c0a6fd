"""The hotline console through the test client (SQLite): roles, a call's life (start, say, quick answers,
back, hang up, resume, end, drop), stale forms, a dead line, and the ticket linked with the operator's
name in its history. The assistant's side is replaced here by a scripted line that answers as the
hotline channel does (its shape: bot/channels/hotline.py); the real channel and a whole call in
Chromium are in tests/e2e/test_hotline.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from referral import admin, hotline
from referral.app import create_app
from referral.migrate import upgrade
from referral.models import Call, CallStatus, Referral, ReferralEvent
from referral.settings import Settings
from tests.referral.test_console import PASSWORD, csrf, login, new_referral
from tests.support.referrals import TOKEN

GREETING = {"text": "请对来电人说：您好，这里是法律援助热线。", "buttons": [], "response": "utter_greet",
            "for_operator": True, "alert": None}
CONSENT = {"text": "请询问来电人：同意吗？", "response": "utter_ask_referral_consent", "for_operator": True,
           "alert": None, "buttons": [{"title": "同意", "payload": "/affirm"}, {"title": "不同意", "payload": "/deny"}]}
NAME = {"text": "请询问来电人：您怎么称呼？", "buttons": [], "response": "utter_ask_applicant_name",
        "for_operator": True, "alert": None}
DANGER = {"text": "请马上对来电人说：打110。", "buttons": [], "response": "utter_safety_danger_now",
          "for_operator": True, "alert": "danger"}


class ScriptedLine:
    """What the channel would answer, by what was sent; records every request."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.down = False
        self.ticket: str | None = None

    def post(self, line: hotline.HotlineLine, path: str, body: dict[str, Any]) -> hotline.Reply:
        if self.down:
            raise hotline.LineDown("智能助手暂时没有应答。")
        self.sent.append((path, body))
        state = {"matter": "labor_wage", "ticket_number": None, "screening_outcome": None,
                 "events": 10 * len(self.sent)}
        message = body.get("message")
        if path == "back":
            return hotline.Reply([CONSENT], state)
        if message == "/greet":
            return hotline.Reply([GREETING], {**state, "matter": None})
        if message == "他又在打我":
            return hotline.Reply([DANGER], state)
        if message == "/affirm":
            return hotline.Reply([NAME], state)
        if message == "张三" and self.ticket:
            return hotline.Reply([{**NAME, "text": "请把编号读给来电人。", "response": "utter_referral_created"}],
                                 {**state, "ticket_number": self.ticket, "screening_outcome": "eligible"})
        return hotline.Reply([CONSENT], state)


@pytest.fixture
def script(monkeypatch) -> ScriptedLine:
    line = ScriptedLine()
    def post(self: hotline.HotlineLine, path: str, body: dict[str, Any]) -> hotline.Reply:
        return line.post(self, path, body)

    monkeypatch.setattr(hotline.HotlineLine, "_post", post)
    return line


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    application = create_app(Settings(database_url=url, referral_api_token=TOKEN, legalaid_env="test",
                                      hotline_rasa_url="http://127.0.0.1:9",
                                      hotline_channel_token="t" * 32))
    with application.state.session_factory() as session:
        for username, name, role, station in (("admin", "管理员甲", "admin", None),
                                              ("op1", "话务员一", "operator", None),
                                              ("op2", "话务员二", "operator", None),
                                              ("zx1", "张一", "staff", "zhenxiong")):
            admin.create_user(session, None, username=username, display_name=name, password=PASSWORD, role=role,
                              station_code=station)
    yield application
    application.state.engine.dispose()


def start(c: TestClient, phone: str = "13800138000"):
    return c.post("/console/hotline/calls", data={"csrf_token": csrf(c, "/console/hotline"), "caller_phone": phone},
                  follow_redirects=False)


def call_id(response) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"/calls/(\d+)$", response.headers["location"]).group(1))


def turn_of(c: TestClient, call: int) -> int:
    return int(re.search(r'name="turn" value="(\d+)"', c.get(f"/console/hotline/calls/{call}").text).group(1))


def say(c: TestClient, call: int, said: str = "", **extra):
    page = f"/console/hotline/calls/{call}"
    return c.post(f"{page}/say", data={"csrf_token": csrf(c, page), "said": said, "turn": turn_of(c, call), **extra},
                  follow_redirects=False)


def post(c: TestClient, call: int, step: str, **extra):
    page = "/console/hotline"
    return c.post(f"/console/hotline/calls/{call}/{step}", data={"csrf_token": csrf(c, page), **extra},
                  follow_redirects=False)


def stored(app, call: int) -> Call:
    with app.state.session_factory() as session:
        row = session.get(Call, call)
        session.expunge(row)
        return row


# --- roles ---

def test_an_operator_signs_in_to_the_hotline_console(app):
    c = login(app, "op1")
    response = c.get("/console/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/hotline"
    page = c.get("/console/hotline")
    assert page.status_code == 200 and "接听来电" in page.text
    assert "待办转介单" not in page.text  # no staff menu


@pytest.mark.parametrize("path", ["/console/statistics", "/console/admin/users", "/console/admin/audit",
                                  "/console/referrals/FY261207-0001"])
def test_an_operator_cannot_open_staff_pages(app, path):
    c = login(app, "op1")
    assert c.get(path, follow_redirects=False).status_code == 403


def test_an_operator_cannot_read_or_work_referrals(app):
    ticket = new_referral(app)
    c = login(app, "op1")
    assert c.get(f"/console/referrals/{ticket}").status_code == 403
    claim = c.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(c, "/console/hotline")})
    assert claim.status_code == 403
    session = c.post("/api/staff/sessions", json={"username": "op1", "password": PASSWORD}).json()
    api = c.get(f"/api/staff/referrals/{ticket}", headers={"Authorization": f"Bearer {session['token']}"})
    assert api.status_code == 403


def test_staff_cannot_open_the_hotline_console(app):
    c = login(app, "zx1")
    assert c.get("/console/hotline").status_code == 403


# --- a call ---

def test_a_call_starts_with_the_greeting_and_keeps_the_callers_number(app, script):
    c = login(app, "op1")
    call = call_id(start(c, "138 0013 8000"))
    page = c.get(f"/console/hotline/calls/{call}").text
    assert "您好，这里是法律援助热线" in page and "autofocus" in page
    assert script.sent[0] == ("webhook", {"sender": stored(app, call).conversation_id, "message": "/greet",
                                          "caller_phone": "13800138000"})
    assert re.fullmatch(r"hotline-[0-9a-f]{32}", stored(app, call).conversation_id)


def test_a_landline_is_kept_for_the_call_but_not_given_as_the_mobile(app, script):
    c = login(app, "op1")
    call = call_id(start(c, "0870-2123456"))
    assert stored(app, call).caller_phone == "08702123456"
    assert "caller_phone" not in script.sent[0][1]  # the assistant asks for a mobile number
    refused = start(c, "12345")
    assert refused.status_code == 422 and "11位手机号" in refused.text


def test_words_and_quick_answers_go_to_the_assistant(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    assert say(c, call, "老板欠我工资").status_code == 303
    page = c.get(f"/console/hotline/calls/{call}").text
    assert "1. 同意" in page and "2. 不同意" in page
    assert say(c, call, "1").status_code == 303  # a lone digit picks the quick answer
    assert script.sent[-1][1]["message"] == "/affirm"
    row = stored(app, call)
    assert [t["said"] for t in row.turns] == [None, "老板欠我工资", "同意"]  # a quick answer by its title
    assert row.matter == "labor_wage"
    assert all(body.get("caller_phone") == "13800138000" for _, body in script.sent)


def test_a_quick_answer_button_sends_its_payload(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "老板欠我工资")
    assert say(c, call, "", choice="2").status_code == 303
    assert script.sent[-1][1]["message"] == "/deny"


def test_a_digit_without_quick_answers_is_sent_as_said(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "老板欠我工资")
    say(c, call, "1")  # consent: 同意 → the name question, which has no buttons
    say(c, call, "5")
    assert script.sent[-1][1]["message"] == "5"


def test_a_quick_answer_that_does_not_exist_is_refused(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "老板欠我工资")
    response = say(c, call, "7")
    assert response.status_code == 409 and "没有第 7 个快捷回答" in response.text


def test_a_form_sent_twice_is_taken_once(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    page = f"/console/hotline/calls/{call}"
    data = {"csrf_token": csrf(c, page), "said": "老板欠我工资", "turn": turn_of(c, call)}
    assert c.post(f"{page}/say", data=data, follow_redirects=False).status_code == 303
    again = c.post(f"{page}/say", data=data, follow_redirects=False)
    assert again.status_code == 409 and "已经处理过了" in again.text
    assert [b["message"] for _, b in script.sent] == ["/greet", "老板欠我工资"]


def test_back_one_question_asks_the_one_before_again(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "老板欠我工资")
    say(c, call, "1")
    response = post(c, call, "back", turn=turn_of(c, call))
    assert response.status_code == 303
    # back to the conversation as it was after 「老板欠我工资」 (the 2nd request: 20 events)
    assert script.sent[-1] == ("back", {"sender": stored(app, call).conversation_id, "events": 20})
    assert "1. 同意" in c.get(f"/console/hotline/calls/{call}").text
    assert [t.get("undone", False) for t in stored(app, call).turns] == [False, False, True, False]
    assert hotline.caller_words(stored(app, call)) == ["老板欠我工资"]  # the undone answer is not in the summary
    say(c, call, "2")  # answered again
    assert post(c, call, "back", turn=turn_of(c, call)).status_code == 303
    assert script.sent[-1][1]["events"] == 20  # the undone answer is skipped: back to the same point
    assert post(c, call, "back", turn=turn_of(c, call)).status_code == 303
    assert script.sent[-1][1]["events"] == 10  # and once more: to the greeting
    nothing = post(c, call, "back", turn=turn_of(c, call))
    assert nothing.status_code == 409 and "还没有可以退回的回答" in nothing.text


def test_danger_shows_a_red_banner_for_the_rest_of_the_call(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "他又在打我")
    say(c, call, "老板欠我工资")
    page = c.get(f"/console/hotline/calls/{call}").text
    assert 'class="banner danger" role="alert"' in page and "打110" in page


def test_a_dead_line_keeps_what_the_operator_typed(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    script.down = True
    response = say(c, call, "老板欠我三万")
    assert response.status_code == 502 and "没有应答" in response.text and 'value="老板欠我三万"' in response.text
    assert len(stored(app, call).turns) == 1


def test_a_hung_up_call_is_a_draft_to_resume_or_drop(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "老板欠我工资")
    assert post(c, call, "hangup").headers["location"] == "/console/hotline?done=hangup"
    assert stored(app, call).status == CallStatus.draft
    home = c.get("/console/hotline").text
    assert "没办完的来电" in home and f"来电 {call}" in home
    assert post(c, call, "resume").status_code == 303
    assert stored(app, call).status == CallStatus.active
    post(c, call, "hangup")
    confirm = post(c, call, "drop")
    assert confirm.status_code == 200 and "确定放弃" in confirm.text  # asked once more: nothing is deleted yet
    assert stored(app, call).turns
    assert post(c, call, "drop", confirm="yes").status_code == 303
    row = stored(app, call)
    assert row.status == CallStatus.dropped and row.turns is None and row.caller_phone is None
    assert script.sent[-1][1]["message"] == "/restart"  # the conversation forgets it too


def test_a_call_without_an_application_keeps_no_words_or_number_but_the_danger(app, script):
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "他又在打我")
    assert "他又在打我" in c.get(f"/console/hotline/calls/{call}").text  # kept while the call goes on
    post(c, call, "end")
    row = stored(app, call)
    assert row.turns is None and row.caller_phone is None and row.danger is True
    summary = c.get(f"/console/hotline/calls/{call}/summary").text
    assert "说到了危险" in summary and "没有保存" in summary and "他又在打我" not in summary
    assert "13800138000" not in summary


def test_another_operator_can_neither_see_nor_work_a_call(app, script):
    call = call_id(start(login(app, "op1")))
    other = login(app, "op2")
    assert other.get(f"/console/hotline/calls/{call}").status_code == 404
    assert post(other, call, "hangup").status_code == 404
    assert login(app, "admin").get(f"/console/hotline/calls/{call}").status_code == 200


def test_the_ticket_is_linked_and_its_history_names_the_operator(app, script):
    ticket = new_referral(app, channel="hotline")
    script.ticket = ticket
    c = login(app, "op1")
    call = call_id(start(c))
    say(c, call, "老板欠我工资")
    say(c, call, "1")
    say(c, call, "张三")
    assert post(c, call, "end").headers["location"] == f"/console/hotline/calls/{call}/summary"
    summary = c.get(f"/console/hotline/calls/{call}/summary").text
    assert ticket in summary and "请把受理编号读给来电人" in summary and "符合条件" in summary
    assert "申请人" in summary and "13800138000" in summary and "老板欠我工资" in summary
    assert f'href="/console/referrals/{ticket}"' not in summary  # operators see no referral pages
    with app.state.session_factory() as session:
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
        events = session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id,
                                                             ReferralEvent.kind == "hotline_call")).all()
        assert len(events) == 1 and "话务员一" in events[0].note
        assert session.get(Call, call).referral_id == referral.id
    assert post(c, call, "back").status_code == 409  # nothing more to do on an ended call
    staff_page = login(app, "admin").get(f"/console/referrals/{ticket}").text
    assert "热线来电登记" in staff_page and "话务员一" in staff_page


def test_statistics_count_calls_per_operator(app, script):
    c = login(app, "op1")
    call_id(start(c))
    call_id(start(c))
    call_id(start(login(app, "op2")))
    page = login(app, "admin").get("/console/statistics").text
    assert "热线来电（按话务员，全市）" in page
    assert re.search(r"话务员一.*?2", page, re.S) and re.search(r"话务员二.*?1", page, re.S)


def test_the_line_off_says_so(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'off.db'}"
    upgrade(url)
    off = create_app(Settings(database_url=url, referral_api_token=TOKEN, legalaid_env="test"))
    with off.state.session_factory() as session:
        admin.create_user(session, None, username="op9", display_name="话务员九", password=PASSWORD, role="operator",
                          station_code=None)
    c = login(off, "op9")
    response = c.post("/console/hotline/calls", data={"csrf_token": csrf(c, "/console/hotline")})
    assert response.status_code == 502 and "HOTLINE_RASA_URL" in response.text
    off.state.engine.dispose()
