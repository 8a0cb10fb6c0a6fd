"""The hotline: an operator takes calls in the console (referral service) and the assistant leads them
through its `hotline` channel (Rasa, actions), in headless Chromium against the whole running stack.

A whole call by keyboard only (question, application, back one question, summary) ends in a ticket
on the `hotline` channel, checked through the referral API; a hung-up call waits as a draft; an
operator cannot open staff pages; the channel answers with the hotline variants and refuses a
wrong token.

Playwright drives Debian's chromium through ``executable_path`` (``CHROMIUM_PATH``, default
/usr/bin/chromium; ``make chromium`` installs it); it never downloads a browser.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from referral import admin
from tests.e2e.conftest import HOTLINE_TOKEN
from tests.support.browser import PASSWORD, headless_chromium
from tests.support.chat import TICKET

CALLER = "13800138000"
REPLY_TIMEOUT_MS = 60_000


def _account(assistant, username: str, role: str) -> str:
    engine = create_engine(assistant.database_url)
    try:
        with Session(engine) as session:
            admin.create_user(session, None, username=username, display_name=f"话务{username[-4:]}", password=PASSWORD,
                              role=role, station_code=None)
    finally:
        engine.dispose()
    return username


@pytest.fixture(scope="module")
def browser() -> Iterator:
    yield from headless_chromium()


@pytest.fixture
def page(browser, assistant) -> Iterator[Any]:
    context = browser.new_context(base_url=assistant.referral, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    errors: list[str] = []
    # no script errors and no CSP violations (a 4xx page is logged as a failed resource: not an error here)
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def _sign_in_by_keyboard(page, username: str) -> None:
    page.goto("/console/login")
    _wait_for_focus(page, "username")  # the user name field takes the focus by itself
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".notice.err").count() == 0, page.inner_text("main")
    assert _path(page) == "/console/hotline"  # an operator lands on the hotline console


def _wait_for_focus(page, element_id: str) -> None:
    page.wait_for_function(f"document.activeElement && document.activeElement.id === {element_id!r}",
                           timeout=5000)


def _path(page) -> str:
    return page.evaluate("location.pathname")


def _say(page, text: str) -> str:
    """Type what the caller said into the focused box and press Enter; return the lines to read now."""
    _wait_for_focus(page, "said")
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return _lines(page)


def _lines(page) -> str:
    assert page.locator(".notice.err").count() == 0, page.locator(".notice.err").inner_text()
    return page.locator("section.say").inner_text()


def _step(page, name: str, accesskey: str) -> str:
    """A call step by keyboard: Tab from the text box to its button (it also has an access key), Enter."""
    assert page.get_by_role("button", name=name).get_attribute("accesskey") == accesskey
    for _ in range(20):
        page.keyboard.press("Tab")
        if name in page.evaluate("document.activeElement.textContent"):
            break
    else:
        raise AssertionError(f"Tab never reached {name}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    return page.inner_text("main")


def test_the_channel_speaks_to_the_operator_and_refuses_a_wrong_token(assistant):
    sender = "hotline-" + uuid.uuid4().hex
    url = f"{assistant.rasa}/webhooks/hotline/webhook"
    wrong = requests.post(url, json={"sender": sender, "message": "/greet"}, timeout=30,
                          headers={"Authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401
    reply = requests.post(url, json={"sender": sender, "message": "/greet"}, timeout=60,
                          headers={"Authorization": f"Bearer {HOTLINE_TOKEN}"})
    assert reply.status_code == 200, reply.text
    greeting = reply.json()["messages"][0]
    assert greeting["response"] == "utter_greet" and greeting["for_operator"] is True
    citizen = assistant.say("rest-" + uuid.uuid4().hex, "/greet")
    assert greeting["text"] not in citizen  # the operator's words, not the citizen text
    answer = requests.post(url, json={"sender": sender, "message": "老板拖欠我三个月工资怎么办"}, timeout=60,
                           headers={"Authorization": f"Bearer {HOTLINE_TOKEN}"}).json()
    spoken = next(m for m in answer["messages"] if m["response"] == "utter_answer_labor_wage")
    assert spoken["text"].startswith("请对来电人说") and "劳动仲裁" in spoken["full_text"]
    assert answer["state"]["matter"] == "labor_wage"


def test_a_whole_call_by_keyboard_ends_in_a_hotline_ticket(assistant, page):
    operator = _account(assistant, "op" + uuid.uuid4().hex[:6], "operator")
    _sign_in_by_keyboard(page, operator)
    _wait_for_focus(page, "caller_phone")
    page.keyboard.type(CALLER)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "法律援助热线" in _lines(page)

    answer = _say(page, "老板拖欠我三个月工资怎么办")
    assert "请对来电人说" in answer and "仲裁" in answer
    assert page.locator("details summary", has_text="完整答复").count() >= 1  # the full text, folded

    # the pre-screen, answered by quick answers and in the caller's words
    lawyer_question = _say(page, "我能申请法律援助吗")
    assert "2. 没有" in lawyer_question
    assert "农民工" in _say(page, "2")
    assert "急" in _say(page, "我是农民工")
    result = _say(page, "不急")
    assert "符合" in result and "1. 要" in result
    consent = _say(page, "1")
    assert "1. 同意" in consent and "2. 不同意" in consent
    name_question = _say(page, "1")  # the quick answer by its number
    assert "称呼" in name_question or "姓名" in name_question
    region_question = _say(page, "李四")
    assert "县" in region_question and "手机" not in region_question  # the caller's number is not asked

    # back one question: the name is asked again and the new answer replaces the old one
    _step(page, "上一问", "b")
    assert _lines(page) == name_question
    assert "县" in _say(page, "张三")

    _say(page, "镇雄")
    check = _say(page, "在工地干了三个月，老板一分钱没给")
    assert "张三" in check and CALLER in check and "镇雄县" in check and "李四" not in check
    created = _say(page, "对")
    number = TICKET.search(created)
    assert number, created
    number = number.group()

    summary = _step(page, "结束通话", "e")
    assert _path(page).endswith("/summary") and number in summary and "请把受理编号读给来电人" in summary
    assert "拖欠劳动报酬（讨薪）" in summary and CALLER in summary and "符合条件" in summary
    assert "老板拖欠我三个月工资怎么办" in summary  # what the caller said

    ticket = assistant.ticket(number).json()
    assert ticket["channel"] == "hotline"
    assert ticket["applicant_name"] == "张三" and ticket["applicant_phone"] == CALLER
    assert ticket["matter"] == "labor_wage" and ticket["screening_decision"]["outcome"] == "eligible"
    administrator = _account(assistant, "ad" + uuid.uuid4().hex[:6], "admin")
    token = requests.post(f"{assistant.referral}/api/staff/sessions", timeout=10,
                          json={"username": administrator, "password": PASSWORD}).json()["token"]
    staff_view = requests.get(f"{assistant.referral}/api/staff/referrals/{number}", timeout=10,
                              headers={"Authorization": f"Bearer {token}"}).json()
    hotline_events = [e for e in staff_view["events"] if e["kind"] == "hotline_call"]
    assert len(hotline_events) == 1 and hotline_events[0]["actor"] == f"话务{operator[-4:]}"


def test_a_caller_who_hangs_up_leaves_a_draft_to_finish_or_drop(assistant, page):
    operator = _account(assistant, "op" + uuid.uuid4().hex[:6], "operator")
    _sign_in_by_keyboard(page, operator)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no number shown: left empty
    assert re.search(r"/calls/\d+$", _path(page))
    _say(page, "我老公打我")
    home = _step(page, "来电人挂断了", "h")
    assert "已保存为草稿" in home and "没办完的来电" in home
    page.get_by_role("button", name="继续办").click()
    _wait_for_focus(page, "said")  # straight back to where the operator types
    _step(page, "来电人挂断了", "h")
    page.get_by_role("button", name="放弃（删除记录）").click()
    page.get_by_role("button", name="确定放弃，删除记录").click()  # asked once more
    assert "已放弃" in page.inner_text("main")
    assert page.get_by_role("button", name="继续办").count() == 0


def test_an_operator_cannot_open_staff_pages(assistant, page):
    operator = _account(assistant, "op" + uuid.uuid4().hex[:6], "operator")
    _sign_in_by_keyboard(page, operator)
    for path in ("/console/statistics", "/console/admin/users"):
        response = page.goto(path)
        assert response.status == 403 and "热线话务员" in page.inner_text("main")
    assert page.get_by_role("link", name="待办转介单").count() == 0  # no staff menu, not even on the error page
    assert page.get_by_role("link", name="回到热线话务台").count() == 1
