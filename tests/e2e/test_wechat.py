"""The WeChat channel of a real Rasa server (with the action server and referral service): a signed
WeChat text message gets the wage answer, through a passive reply or customer-service messages sent
to a local fake of WeChat's API servers; a citizen applies by WeChat and the staff's decision reaches
them as a customer-service message (the outbox worker in the Rasa process)."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests

from scripts.stack import REFERRAL_BIN, ROOT
from tests.bot.channels.fake_wechat import (
    APP_ID,
    APP_SECRET,
    JPEG_BYTES,
    TOKEN,
    FakeWeChat,
    image_xml,
    signed_query,
    text_xml,
)
from tests.e2e.conftest import Assistant, start_stack

TICKET = re.compile(r"FY\d{6}-\d{4}")
STAFF_PASSWORD = "e2e-staff-" + uuid.uuid4().hex


@dataclass
class WeChatStack:
    assistant: Assistant
    wechat: FakeWeChat

    @property
    def webhook(self) -> str:
        return f"{self.assistant.rasa}/webhooks/wechat/webhook"

    def post(self, body: str, params: dict[str, str] | None = None) -> requests.Response:
        return requests.post(self.webhook, params=params or signed_query(TOKEN), data=body.encode("utf-8"),
                             headers={"Content-Type": "text/xml"}, timeout=10)

    def texts_for(self, response: requests.Response, openid: str, wanted: str, timeout: float = 60) -> list[str]:
        """The passive reply, or the customer-service messages for `openid` once one contains `wanted`."""
        if response.text != "success":
            return [ElementTree.fromstring(response.text).findtext("Content") or ""]
        deadline = time.monotonic() + timeout
        while True:
            texts = [m.content for m in self.wechat.messages if m.touser == openid]
            if any(wanted in t for t in texts) or time.monotonic() > deadline:
                return texts
            self.wechat.wait_for_messages(len(self.wechat.messages) + 1, timeout=1)


    def turn(self, openid: str, text: str, wanted: str | re.Pattern[str], timeout: float = 60) -> str:
        """One citizen message; waits for the bot's answer (passive, or customer-service messages) to hold
        `wanted`, and returns the answer's text."""
        seen = len([m for m in self.wechat.messages if m.touser == openid])
        response = self.post(text_xml(text, openid=openid))
        assert response.status_code == 200, response.text
        if response.text != "success":  # a passive reply is the whole answer
            reply = ElementTree.fromstring(response.text).findtext("Content") or ""
            assert found(wanted, reply), f"{text!r} got {reply!r}; see logs in {self.assistant.log_dir}"
            return reply
        deadline = time.monotonic() + timeout
        while True:
            reply = "\n".join([m.content for m in self.wechat.messages if m.touser == openid][seen:])
            if found(wanted, reply) or time.monotonic() > deadline:
                assert found(wanted, reply), f"{text!r} got {reply!r}; see logs in {self.assistant.log_dir}"
                return reply
            self.wechat.wait_for_messages(len(self.wechat.messages) + 1, timeout=1)

    def apply(self, openid: str, *, photo: str | None = None) -> str:
        """A whole application by WeChat; `photo` is a media id sent while the form is open. The ticket number."""
        self.turn(openid, "我要申请法律援助", "同意")
        self.turn(openid, "同意", "姓名")
        if photo:
            response = self.post(image_xml(openid=openid, media_id=photo))
            assert response.status_code == 200
            assert any("收到图片了" in t for t in self.texts_for(response, openid, "收到图片了", timeout=20))
        self.turn(openid, "张三", "手机号")
        self.turn(openid, "13812345678", "县")
        self.turn(openid, "镇雄县", "发生了什么")
        summary = self.turn(openid, "在工地干了三个月，老板一分钱没给，现在人找不到了", "13812345678")
        assert TICKET.search(summary) is None
        match = TICKET.search(self.turn(openid, "对", TICKET))
        assert match
        return match.group()


def found(wanted: str | re.Pattern[str], text: str) -> bool:
    return bool(wanted.search(text)) if isinstance(wanted, re.Pattern) else wanted in text


def start_wechat_stack(tmp: Path, wechat: FakeWeChat) -> Iterator[Assistant]:
    """tests/e2e/conftest.start_stack (SQLite) with the WeChat channel configured through the environment
    (scripts/stack.py gives the Rasa process the referral service's address for the outbox and photos)."""
    yield from start_stack(tmp, None, {
        "WECHAT_AES_KEY": None, "REDIS_URL": None, "DATABASE_URL": None,
        "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE": wechat.base_url, "WECHAT_OUTBOX_INTERVAL": "1",
    })


@pytest.fixture(scope="module")
def wechat_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChatStack]:
    """The whole assistant (SQLite) with the WeChat channel configured through its environment."""
    with FakeWeChat(app_id=APP_ID, app_secret=APP_SECRET) as wechat:
        tmp: Path = tmp_path_factory.mktemp("stack-wechat")
        for assistant in start_wechat_stack(tmp, wechat):
            yield WeChatStack(assistant, wechat)


@pytest.fixture(scope="module")
def staff(wechat_stack: WeChatStack) -> requests.Session:
    """A signed-in city administrator, created with the referral service's own command
    (`python -m referral create-admin`) in the stack's database."""
    database = wechat_stack.assistant.log_dir.parent / "var" / "referral.db"
    created = subprocess.run(
        [str(REFERRAL_BIN / "python"), "-m", "referral", "create-admin", "--username", "e2e-admin",
         "--display-name", "测试管理员", "--password-stdin"], cwd=ROOT, input=STAFF_PASSWORD + "\n", text=True,
        capture_output=True, env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"}, timeout=60, check=False)
    assert created.returncode == 0, created.stderr
    http = requests.Session()
    signed_in = http.post(f"{wechat_stack.assistant.referral}/api/staff/sessions",
                          json={"username": "e2e-admin", "password": STAFF_PASSWORD}, timeout=10)
    assert signed_in.status_code == 201, signed_in.text
    http.headers["Authorization"] = f"Bearer {signed_in.json()['token']}"
    return http


def test_signed_wechat_text_gets_the_wage_answer_once(wechat_stack: WeChatStack) -> None:
    openid = "oE2E_" + uuid.uuid4().hex[:16]
    body = text_xml("老板拖欠我三个月工资怎么办", openid=openid)
    response = wechat_stack.post(body)
    assert response.status_code == 200, response.text
    reply = "\n".join(wechat_stack.texts_for(response, openid, "劳动仲裁"))
    assert "劳动仲裁" in reply, f"no wage answer; see logs in {wechat_stack.assistant.log_dir}"
    assert "第二十七条" in reply

    # WeChat's retry of the same MsgId is not a second turn (it gets the same passive reply, or `success`)
    retried = wechat_stack.post(body)
    assert retried.status_code == 200
    if response.text == "success":
        assert retried.text == "success"
    else:  # the reply again (its CreateTime may differ)
        assert ElementTree.fromstring(retried.text).findtext("Content") == \
            ElementTree.fromstring(response.text).findtext("Content")
    tracker = wechat_stack.assistant.tracker(openid)
    assert tracker["sender_id"] == openid
    assert tracker["latest_input_channel"] == "wechat"
    assert tracker["slots"]["matter"] == "labor_wage"
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said == ["老板拖欠我三个月工资怎么办"]


def test_forged_request_never_reaches_the_bot(wechat_stack: WeChatStack) -> None:
    openid = "oE2E_" + uuid.uuid4().hex[:16]
    response = wechat_stack.post(text_xml("老板拖欠我三个月工资怎么办", openid=openid),
                                 params=signed_query("not-the-token"))
    assert response.status_code == 403
    tracker = wechat_stack.assistant.tracker(openid)
    assert [e for e in tracker["events"] if e["event"] == "user"] == []


def test_an_application_by_wechat_gets_the_decision_by_wechat(wechat_stack: WeChatStack,
                                                              staff: requests.Session) -> None:
    openid = "oE2E_" + uuid.uuid4().hex[:16]
    number = wechat_stack.apply(openid)
    ticket = wechat_stack.assistant.ticket(number)
    assert ticket.status_code == 200, ticket.text
    assert ticket.json()["channel"] == "wechat"

    referral = wechat_stack.assistant.referral
    claimed = staff.post(f"{referral}/api/staff/referrals/{number}/claim", timeout=10)
    assert claimed.status_code == 200, claimed.text
    decided = staff.post(f"{referral}/api/staff/referrals/{number}/decision", json={"decision": "accept"},
                         timeout=10)
    assert decided.status_code == 200, decided.text

    # the outbox worker polls every second (WECHAT_OUTBOX_INTERVAL=1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        decisions = [m.content for m in wechat_stack.wechat.messages if m.touser == openid and number in m.content]
        if decisions:
            break
        wechat_stack.wechat.wait_for_messages(len(wechat_stack.wechat.messages) + 1, timeout=1)
    assert decisions, f"no decision message; see logs in {wechat_stack.assistant.log_dir}"
    assert "已经决定给您法律援助" in decisions[0]
    time.sleep(2.5)  # two more rounds: reported delivered, so never sent again
    again = [m for m in wechat_stack.wechat.messages if m.touser == openid and number in m.content]
    assert len(again) == 1


def test_a_photo_sent_during_the_application_is_attached_to_the_ticket(wechat_stack: WeChatStack) -> None:
    paths = requests.get(f"{wechat_stack.assistant.referral}/openapi.json", timeout=10).json()["paths"]
    if "/api/attachments" not in paths:
        pytest.skip("the referral service has no /api/attachments endpoint yet")
    openid = "oE2E_" + uuid.uuid4().hex[:16]
    wechat_stack.wechat.add_media("e2e-photo", JPEG_BYTES)
    number = wechat_stack.apply(openid, photo="e2e-photo")
    ticket = wechat_stack.assistant.ticket(number)
    assert ticket.status_code == 200, ticket.text
    attachments = ticket.json()["attachments"]
    assert len(attachments) == 1
    assert attachments[0]["content_type"] == "image/jpeg"
    assert attachments[0]["size"] == len(JPEG_BYTES)
