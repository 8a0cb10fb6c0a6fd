"""The WeChat channel's pure parts: settings, rendering, splitting, button numbers, XML checks."""

from __future__ import annotations

import logging

import pytest

from bot.channels.wechat import (
    BUTTON_HINT,
    ButtonMemory,
    HideWeChatQuery,
    RecentReplies,
    RequestRefused,
    WeChatInput,
    WeChatSettings,
    check_xml,
    render_bubble,
    split_text,
    user_tag,
)
from bot.channels.wechat_dedup import MemoryDedupStore, RedisDedupStore
from tests.bot.channels.fake_wechat import AES_KEY, APP_ID, OPENID


def test_a_wrong_aes_key_is_a_configuration_problem_not_a_crash() -> None:
    assert WeChatSettings(token="t", app_id=APP_ID, aes_key="too-short").problem()
    assert WeChatSettings(token="t", aes_key=AES_KEY).problem()  # safe mode needs the app id
    assert WeChatSettings(token="t", app_id=APP_ID, aes_key=AES_KEY).problem() is None
    assert WeChatSettings(token="t").problem() is None  # plain mode, development
    assert WeChatInput(WeChatSettings(token="t", app_id=APP_ID, aes_key="too-short")).problem


def test_settings_come_from_the_environment() -> None:
    settings = WeChatSettings.from_env({"WECHAT_TOKEN": " tok ", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s",
                                        "WECHAT_AES_KEY": AES_KEY, "WECHAT_API_BASE": "http://127.0.0.1:1",
                                        "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert (settings.token, settings.app_id, settings.app_secret, settings.aes_key, settings.api_base,
            settings.redis_url) == ("tok", "wx1", "s", AES_KEY, "http://127.0.0.1:1", "redis://127.0.0.1:6379/0")
    assert WeChatSettings.from_env({}).api_base == "https://api.weixin.qq.com"
    channel = WeChatInput(settings)
    assert isinstance(channel.dedup, RedisDedupStore)
    assert channel.api is not None and channel.api.base_url == "http://127.0.0.1:1"
    plain = WeChatInput(WeChatSettings.from_env({"WECHAT_TOKEN": "t"}))
    assert isinstance(plain.dedup, MemoryDedupStore)
    assert plain.api is None
    assert WeChatInput.name() == "wechat"
    assert plain.url_prefix() == "wechat"


def test_outbox_and_referral_settings_come_from_the_environment() -> None:
    settings = WeChatSettings.from_env({"WECHAT_TOKEN": "t", "REFERRAL_API_URL": "http://127.0.0.1:8000/",
                                        "REFERRAL_API_TOKEN": "service-token", "WECHAT_OUTBOX_INTERVAL": "1"})
    assert settings.referral is not None and settings.referral.url == "http://127.0.0.1:8000"
    assert settings.outbox_interval == 1.0
    assert "service-token" not in repr(settings)
    defaults = WeChatSettings.from_env({"WECHAT_TOKEN": "t"})
    assert (defaults.referral, defaults.outbox_interval) == (None, 15.0)
    assert WeChatSettings.from_env({"WECHAT_OUTBOX_INTERVAL": "soon"}).outbox_interval == 15.0
    assert WeChatSettings.from_env({"WECHAT_OUTBOX_INTERVAL": "-3"}).outbox_interval == 0.0


def test_split_text_keeps_short_text_whole_and_cuts_long_lines() -> None:
    assert split_text("短的回答") == ["短的回答"]
    assert split_text("") == []
    pieces = split_text("字" * 1000)  # one line of 3000 bytes, no line break to cut at
    assert [len(p) for p in pieces] == [682, 318]
    assert "".join(pieces) == "字" * 1000
    assert split_text("一二三\n四五\n六", limit=9) == ["一二三", "四五", "六"]
    assert split_text("一二\n三四", limit=20) == ["一二\n三四"]


def test_buttons_render_as_numbered_lines() -> None:
    text, payloads = render_bubble({"text": "您同意吗？", "buttons": [{"title": "同意", "payload": "/affirm"},
                                                                 {"title": "不同意", "payload": "/deny"}]})
    assert text == f"您同意吗？\n1. 同意\n2. 不同意\n{BUTTON_HINT}"
    assert payloads == ["/affirm", "/deny"]
    assert render_bubble({"text": "就一句话"}) == ("就一句话", [])
    assert render_bubble({"quick_replies": [{"title": "讨工资"}]})[1] == ["讨工资"]


def test_button_numbers_map_to_payloads_only_while_remembered() -> None:
    now = [0.0]
    memory = ButtonMemory(ttl=60, clock=lambda: now[0])
    memory.remember(OPENID, ["/affirm", "/deny"])
    assert memory.resolve(OPENID, "1") == "/affirm"
    assert memory.resolve(OPENID, " 2。") == "/deny"
    assert memory.resolve(OPENID, "3") == "3"
    assert memory.resolve(OPENID, "同意") == "同意"
    assert memory.resolve("someone-else", "1") == "1"
    now[0] = 61
    assert memory.resolve(OPENID, "1") == "1"
    memory.remember(OPENID, ["/affirm"])
    memory.remember(OPENID, [])  # the next answer had no buttons
    assert memory.resolve(OPENID, "1") == "1"


@pytest.mark.parametrize("body", [
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]><xml><a>&e;</a></xml>",
    b"<!DOCTYPE xml><xml/>",
    b"<xml><a>unclosed</xml>",
    b"<other/>",
    b"\xff\xfe garbage",
])
def test_check_xml_refuses_dtds_entities_and_garbage(body: bytes) -> None:
    with pytest.raises(RequestRefused) as refused:
        check_xml(body)
    assert refused.value.status == 400


def test_check_xml_accepts_a_wechat_message_and_limits_the_size() -> None:
    check_xml(b"<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[\xe4\xbd\xa0\xe5\xa5\xbd]]></Content></xml>")
    with pytest.raises(RequestRefused) as refused:
        check_xml(b"<xml>" + b"a" * 70_000 + b"</xml>")
    assert refused.value.status == 413


def test_user_tag_is_stable_short_and_not_the_openid() -> None:
    assert user_tag(OPENID) == user_tag(OPENID)
    assert user_tag(OPENID) != user_tag("oAnother")
    assert OPENID not in user_tag(OPENID)
    assert len(user_tag(OPENID)) == 14


def test_access_log_lines_of_the_webhook_lose_their_query() -> None:
    record = logging.LogRecord("sanic.access", logging.INFO, __file__, 1, "", None, None)
    record.request = f"POST http://h/webhooks/wechat/webhook?signature=ab&openid={OPENID}"
    assert HideWeChatQuery().filter(record)
    assert OPENID not in record.request
    assert record.request.startswith("POST http://h/webhooks/wechat/webhook")
    other = logging.LogRecord("sanic.access", logging.INFO, __file__, 1, "", None, None)
    other.request = "GET http://h/conversations/x/tracker?token=t"
    HideWeChatQuery().filter(other)
    assert other.request == "GET http://h/conversations/x/tracker?token=t"


def test_recent_replies_expire_and_stay_bounded() -> None:
    now = [0.0]
    replies = RecentReplies(ttl=60, max_replies=2, clock=lambda: now[0])
    replies.put("msg:1", "一")
    assert replies.get("msg:1") == "一"
    assert replies.get("msg:2") is None
    replies.put("msg:2", "二")
    replies.put("msg:3", "三")
    assert replies.get("msg:1") is None  # the oldest went
    now[0] = 61
    assert replies.get("msg:3") is None
