"""The web chat page (bot/channels/web.py, bot/webchat/) in headless Chromium on a phone-sized
screen, against the real Rasa server, action server and referral service: a legal question, a
whole application ending in a ticket on the `web` channel, the random sender id, the error line.

Playwright drives Debian's chromium through ``executable_path`` (``CHROMIUM_PATH``, default
/usr/bin/chromium; ``make chromium`` installs it); it never downloads a browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tests.support.browser import headless_chromium
from tests.support.chat import TICKET

PHONE = {"width": 390, "height": 844}
HEX_ID = re.compile(r"[0-9a-f]{32,}")
SENDER_KEY = "legalaid.webchat.sender"
REPLY_TIMEOUT_MS = 60_000
# the texts shown in the bubbles (without the label for screen readers) and whether a reply is pending
BOT_TEXTS = "() => [...document.querySelectorAll('#messages .msg.bot:not(.typing)')].map(p => p.lastChild.textContent)"
SETTLED = "() => !document.querySelector('#messages .typing')"


@dataclass
class ChatPage:
    """One citizen's browser tab on the chat page, with every console error and page error it raised."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def bot_texts(self) -> list[str]:
        return self.page.evaluate(BOT_TEXTS)

    def _exchange(self, act: Callable[[], None]) -> list[str]:
        """Do something that sends a message; return the bot's new bubbles, checked against the raw replies."""
        before = len(self.bot_texts())
        with self.page.expect_response(lambda r: r.url.endswith("/webhooks/web/webhook"),
                                       timeout=REPLY_TIMEOUT_MS) as sent:
            act()
        replies = sent.value.json()
        self.page.wait_for_function(SETTLED, timeout=REPLY_TIMEOUT_MS)
        assert self.page.locator("#error").is_hidden(), self.page.locator("#error").text_content()
        shown = self.bot_texts()[before:]
        # every reply is shown in full, word for word, line breaks included
        assert shown == [m["text"] for m in replies if m.get("text")]
        assert self.page.evaluate("document.activeElement.id") == "input"  # focus stays in the box
        return shown

    def say(self, text: str) -> str:
        """Type a message and press Enter, as a citizen does."""
        box = self.page.get_by_label("请在这里打字")
        box.fill(text)

        def press() -> None:
            box.press("Enter")

        shown = self._exchange(press)
        assert box.input_value() == ""
        return "\n".join(shown)

    def tap(self, title: str) -> str:
        """Tap a quick-reply button of the bot's last message."""
        button = self.page.locator("#messages .choices").get_by_role("button", name=title, exact=True)
        return "\n".join(self._exchange(button.click))

    def assert_fits_the_screen(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide: it scrolls sideways"


@pytest.fixture(scope="module")
def browser():
    yield from headless_chromium()


@pytest.fixture
def open_chat(browser, assistant) -> Iterator[Callable[[], ChatPage]]:
    """Open the chat page in a fresh browser context (its own session storage) on a phone-sized screen."""
    contexts = []

    def _open() -> ChatPage:
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        chat = ChatPage(page)
        page.on("console", lambda m: chat.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: chat.errors.append(str(exc)))
        response = page.goto(f"{assistant.rasa}/webhooks/web/")
        assert response is not None and response.status == 200
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        return chat

    yield _open
    for context in contexts:
        context.close()


def test_a_legal_question_is_answered_on_the_page(open_chat):
    chat = open_chat()
    page = chat.page
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate("document.activeElement.id") == "input"
    reply = chat.say("老板拖欠我三个月工资怎么办")
    assert "劳动仲裁" in reply
    page.get_by_text("老板拖欠我三个月工资怎么办").wait_for()  # the citizen's own words stay on the page
    # long answers are readable on a phone: big type, wrapped, nothing wider than the screen
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#messages .msg.bot')).fontSize)")
    assert size >= 16
    chat.assert_fits_the_screen()
    assert chat.errors == []


def test_a_whole_application_ends_with_a_ticket_on_the_web_channel(open_chat, assistant):
    chat = open_chat()
    consent = chat.say("我要申请法律援助")
    # the bot's own consent text, in full, before any personal question
    assert "姓名、手机号、所在县区和事情经过" in consent and "您同意吗" in consent
    bubble = chat.page.locator("#messages .msg.bot", has_text="您同意吗").last
    assert bubble.evaluate("p => p.scrollHeight <= p.clientHeight + 1 && p.getBoundingClientRect().right <= 390")
    assert "姓名" in chat.tap("同意")  # the bot's quick-reply button
    assert chat.page.locator("#messages .choices").count() == 0  # answered choices go away
    assert "手机号" in chat.say("我叫王小梅")
    assert "县" in chat.say("13812345678")
    assert "发生了什么" in chat.say("镇雄县")
    summary = chat.say("在工地干了三个月，老板一分钱没给，现在人找不到了")
    assert "王小梅" in summary and "13812345678" in summary and TICKET.search(summary) is None
    reply = chat.say("对")
    match = TICKET.search(reply)
    assert match, reply
    number = match.group()
    chat.page.get_by_text(number).first.wait_for()  # shown on the page
    chat.assert_fits_the_screen()
    assert chat.errors == []

    ticket = assistant.ticket(number)
    assert ticket.status_code == 200
    body = ticket.json()
    assert body["channel"] == "web"
    assert body["applicant_name"] == "王小梅" and body["region"] == "镇雄县"


def test_the_human_line_is_always_there(open_chat):
    chat = open_chat()
    page = chat.page
    assert page.locator("a[href='tel:12348']").is_visible()
    human = page.get_by_role("button", name="转人工")
    assert human.is_visible()
    assert chat._exchange(human.click)  # a tap sends 「转人工」 and the bot answers
    page.locator("#messages .msg.user", has_text="转人工").wait_for()
    assert chat.errors == []


def test_the_sender_id_is_random_per_browser_session(open_chat):
    first, second = open_chat(), open_chat()
    one = first.page.evaluate(f"sessionStorage.getItem('{SENDER_KEY}')")
    two = second.page.evaluate(f"sessionStorage.getItem('{SENDER_KEY}')")
    assert HEX_ID.fullmatch(one) and HEX_ID.fullmatch(two)
    assert one != two
    first.page.reload()
    assert first.page.evaluate(f"sessionStorage.getItem('{SENDER_KEY}')") == one  # same tab, same conversation
    assert first.errors == [] and second.errors == []


def test_a_guessable_sender_id_is_refused(assistant):
    response = requests.post(f"{assistant.rasa}/webhooks/web/webhook", json={"sender": "1", "message": "你好"},
                             timeout=10)
    assert response.status_code == 400


def test_when_the_server_cannot_be_reached_the_citizen_is_told_and_keeps_the_text(open_chat):
    chat = open_chat()
    page = chat.page
    page.route("**/webhooks/web/webhook", lambda route: route.abort())
    box = page.get_by_label("请在这里打字")
    box.fill("老板拖欠我三个月工资怎么办")
    box.press("Enter")
    error = page.locator("#error")
    error.wait_for()
    assert error.text_content() == "网络不通，请稍后再试，或拨打12348"
    assert box.input_value() == "老板拖欠我三个月工资怎么办"
    assert page.evaluate("document.activeElement.id") == "input"
    page.unroute("**/webhooks/web/webhook")
    assert "劳动仲裁" in chat.say(box.input_value())  # sent again once the network is back
    assert error.is_hidden()
