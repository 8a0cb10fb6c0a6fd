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
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == []


def _sign_in_by_keyboard(page, username: str) -> None:
    page.goto("/console/login")
    page.keyboard.type(username)  # the user name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/hotline$"))  # an operator lands on the hotline console


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def _say(page, text: str) -> str:
    """Type what the caller said into the focused box and press Enter; return the lines to read now."""
    assert _focused(page) == "said"
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return _lines(page)


def _lines(page) -> str:
    assert page.locator(".notice.err").count() == 0, page.locator(".notice.err").inner_text()
    return page.locator("section.say").inner_text()


def _press(page, keys: str) -> str:
    with page.expect_navigation():
        page.keyboard.press(keys)
    return _lines(page) if "/calls/" in page.url and not page.url.endswith("/summary") else page.inner_text("main")


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
    assert _focused(page) == "caller_phone"
    page.keyboard.type(CALLER)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "法律援助热线" in _lines(page)

    answer = _say(page, "老板拖欠我三个月工资怎么办")
    assert "请对来电人说" in answer and "仲裁" in answer
    assert page.locator("details summary", has_text="完整答复").count() >= 1  # the full text, folded

    consent = _say(page, "我要申请法律援助")
    assert "1. 同意" in consent and "2. 不同意" in consent
    name_question = _say(page, "1")  # the quick answer by its number
    assert "称呼" in name_question or "姓名" in name_question
    region_question = _say(page, "李四")
    assert "县" in region_question and "手机" not in region_question  # the caller's number is not asked

    # back one question: the name is asked again and the new answer replaces the old one
    again = _press(page, "Alt+b")
    assert again == name_question
    assert "县" in _say(page, "张三")

    offered = _say(page, "镇雄")
    assert "老板拖欠我三个月工资" in offered
    check = _say(page, "对")
    assert "张三" in check and CALLER in check and "镇雄县" in check
    created = _say(page, "对")
    number = TICKET.search(created)
    assert number, created
    number = number.group()

    summary = _press(page, "Alt+e")
    assert page.url.endswith("/summary") and number in summary and "请把受理编号读给来电人" in summary
    assert "拖欠劳动报酬（讨薪）" in summary and CALLER in summary
    assert "老板拖欠我三个月工资怎么办" in summary  # what the caller said

    ticket = assistant.ticket(number).json()
    assert ticket["channel"] == "hotline"
    assert ticket["applicant_name"] == "张三" and ticket["applicant_phone"] == CALLER
    assert ticket["matter"] == "labor_wage"
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
    page.keyboard.press("Enter")  # no number shown: left empty
    page.wait_for_url(re.compile(r"/calls/\d+$"))
    _say(page, "我老公打我")
    home = _press(page, "Alt+h")
    assert "已保存为草稿" in home and "没办完的来电" in home
    page.get_by_role("button", name="继续办").click()
    assert _focused(page) == "said"  # straight back to where the operator types
    _press(page, "Alt+h")
    page.get_by_role("button", name="放弃（删除记录）").click()
    assert "已放弃" in page.inner_text("main")
    assert page.get_by_role("button", name="继续办").count() == 0


def test_an_operator_cannot_open_staff_pages(assistant, page):
    operator = _account(assistant, "op" + uuid.uuid4().hex[:6], "operator")
    _sign_in_by_keyboard(page, operator)
    for path in ("/console/statistics", "/console/admin/users"):
        response = page.goto(path)
        assert response.status == 403 and "热线话务员" in page.inner_text("main")
    assert page.get_by_role("link", name="待办转介单").count() == 0
