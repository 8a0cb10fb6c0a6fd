"""The WeChat channel of a real Rasa server (with the action server and referral service): a signed
WeChat text message gets the wage answer, through a passive reply or customer-service messages sent
to a local fake of WeChat's API servers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests

from tests.bot.channels.fake_wechat import APP_ID, APP_SECRET, TOKEN, FakeWeChat, signed_query, text_xml
from tests.e2e.conftest import Assistant, start_stack


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


@pytest.fixture(scope="module")
def wechat_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChatStack]:
    """The whole assistant (SQLite) with the WeChat channel configured through its environment."""
    with FakeWeChat(app_id=APP_ID, app_secret=APP_SECRET) as wechat, pytest.MonkeyPatch.context() as env:
        env.setenv("WECHAT_TOKEN", TOKEN)
        env.setenv("WECHAT_APP_ID", APP_ID)
        env.setenv("WECHAT_APP_SECRET", APP_SECRET)
        env.setenv("WECHAT_API_BASE", wechat.base_url)
        env.delenv("WECHAT_AES_KEY", raising=False)
        env.delenv("REDIS_URL", raising=False)
        tmp: Path = tmp_path_factory.mktemp("stack-wechat")
        for assistant in start_stack(tmp, None):  # start_stack reads os.environ when it starts the stack
            yield WeChatStack(assistant, wechat)


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
