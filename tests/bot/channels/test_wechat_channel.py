"""The WeChat channel as WeChat uses it: signed XML in, passive replies or customer-service messages out.

The bot's side is a scripted callable (conftest.ScriptedBot): what is tested here is the channel.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat import (
    BOT_FAILED,
    VOICE_NOT_RECOGNISED,
    WELCOME,
    WeChatInput,
)
from tests.bot.channels.conftest import ScriptedBot, Webhook, delivered, make_channel, serve
from tests.bot.channels.fake_wechat import (
    ACCOUNT,
    AES_KEY,
    APP_ID,
    OPENID,
    TOKEN,
    FakeWeChat,
    event_xml,
    image_xml,
    sign,
    signed_query,
    text_xml,
    voice_xml,
)

pytestmark = pytest.mark.asyncio


def reply_content(body: str) -> dict[str, str]:
    """A passive reply's fields; fails when the body is not a text reply."""
    reply = xmltodict.parse(body)["xml"]
    assert reply["MsgType"] == "text", body
    return reply


# --- URL verification and the signature --------------------------------------------------------


async def test_url_verification_echoes_echostr(webhook: Webhook) -> None:
    status, body = await webhook.get(params={**signed_query(), "echostr": "echo-8823"})
    assert (status, body) == (200, "echo-8823")


@pytest.mark.parametrize("query", [
    {"echostr": "x"},  # no signature at all
    {**signed_query(token="someone-elses-token"), "echostr": "x"},
])
async def test_url_verification_refuses_a_bad_signature(webhook: Webhook, query: dict[str, str]) -> None:
    status, body = await webhook.get(params=query)
    assert status == 403
    assert "x" not in body


async def test_forged_signature_is_refused_and_never_reaches_the_bot(webhook: Webhook, bot: ScriptedBot) -> None:
    status, _ = await webhook.post(text_xml("老板欠工资怎么办"), params=signed_query(token="forged"))
    assert status == 403
    query = signed_query()
    query["signature"] = query["signature"][::-1]
    status, _ = await webhook.post(text_xml("老板欠工资怎么办"), params=query)
    assert status == 403
    status, _ = await webhook.post(text_xml("老板欠工资怎么办"), params={})
    assert status == 403
    status, _ = await webhook.post(text_xml("老板欠工资怎么办"), params={**signed_query(), "signature": "签名"})
    assert status == 403
    assert bot.received == []


async def test_stale_timestamp_is_refused_even_when_correctly_signed(webhook: Webhook, bot: ScriptedBot) -> None:
    old = int(time.time()) - 6 * 60
    status, body = await webhook.post(text_xml("老板欠工资怎么办"), params=signed_query(timestamp=old))
    assert (status, body) == (403, "stale timestamp")
    future = int(time.time()) + 6 * 60
    status, _ = await webhook.post(text_xml("老板欠工资怎么办"), params=signed_query(timestamp=future))
    assert status == 403
    assert bot.received == []
    # a few seconds of clock difference is fine
    status, _ = await webhook.post(text_xml("你好"), params=signed_query(timestamp=int(time.time()) - 30))
    assert status == 200
    assert bot.texts == ["你好"]


# --- what the XML may be -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "this is not xml",
    "<xml><ToUserName>unclosed",
    "<root><MsgType>text</MsgType></root>",
    "<xml><FromUserName><![CDATA[o1]]></FromUserName></xml>",  # no MsgType
    "",
])
async def test_bad_xml_gets_400(webhook: Webhook, bot: ScriptedBot, body: str) -> None:
    status, _ = await webhook.post(body)
    assert status == 400
    assert bot.received == []


XXE = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       "<xml><ToUserName>a</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
       "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>")
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                  "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>&lol2;</Content></xml>")
# without a check of its own, this one would reach the bot: expat neither fetches the DTD nor fails
DOCTYPE_ONLY = '<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd">' + text_xml("你好")


@pytest.mark.parametrize("body", [XXE, BILLION_LAUGHS, DOCTYPE_ONLY])
async def test_doctype_and_entities_get_400(webhook: Webhook, bot: ScriptedBot, body: str) -> None:
    status, text = await webhook.post(body)
    assert status == 400
    assert "root:" not in text
    assert bot.received == []


async def test_oversized_body_is_refused(webhook: Webhook, bot: ScriptedBot) -> None:
    status, _ = await webhook.post(text_xml("长" * 30_000))  # ~90 KB
    assert status == 413
    assert bot.received == []


# --- not configured ------------------------------------------------------------------------------


async def test_without_token_the_channel_loads_but_answers_503(monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING, logger="bot.channels.wechat"):
        channel = WeChatInput.from_credentials(None)  # what Rasa calls for credentials.yml's empty entry
    assert isinstance(channel, WeChatInput)
    assert any("WECHAT_TOKEN is not set" in r.getMessage() for r in caplog.records)
    bot = ScriptedBot()
    async with serve(channel, bot) as hook:
        status, body = await hook.post(text_xml("你好"), params=signed_query(token=""))
        assert status == 503
        assert "WECHAT_TOKEN" in body
        status, _ = await hook.get(params={**signed_query(token=""), "echostr": "x"})
        assert status == 503
        status, body = await hook.get("/")
        assert status == 200
        assert "not configured" in body
    assert bot.received == []


# --- messages ------------------------------------------------------------------------------------


async def test_plain_text_gets_a_passive_reply(webhook: Webhook, bot: ScriptedBot) -> None:
    bot.replies = [{"text": "拖欠工资可以先找劳动监察大队投诉。"}]
    status, body = await webhook.post(text_xml("老板欠工资怎么办", msg_id=5_000_000_001))
    assert status == 200
    reply = reply_content(body)
    assert reply["Content"] == "拖欠工资可以先找劳动监察大队投诉。"
    assert (reply["ToUserName"], reply["FromUserName"]) == (OPENID, ACCOUNT)
    [message] = bot.received
    assert (message.text, message.sender_id, message.input_channel) == ("老板欠工资怎么办", OPENID, "wechat")
    assert message.message_id == "5000000001"
    assert message.output_channel.name() == "wechat"  # domain variants `channel: wechat` apply


async def test_encrypted_text_gets_an_encrypted_reply(fake_wechat: FakeWeChat) -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    bot = ScriptedBot(replies=[{"text": "可以申请，我问您几个问题。"}])
    async with serve(make_channel(fake_wechat, aes_key=AES_KEY), bot) as hook:
        timestamp, nonce = str(int(time.time())), "nonce123"
        envelope = crypto.encrypt_message(text_xml("我能申请法律援助吗"), nonce, timestamp)
        encrypted = xmltodict.parse(envelope)["xml"]
        assert "我能" not in envelope
        query = {**signed_query(timestamp=int(timestamp), nonce=nonce), "encrypt_type": "aes",
                 "msg_signature": encrypted["MsgSignature"], "openid": OPENID}
        status, body = await hook.post(envelope, params=query)
        assert status == 200
        assert "可以申请" not in body  # the reply is encrypted too
        answer = xmltodict.parse(body)["xml"]
        plain = crypto.decrypt_message(body, answer["MsgSignature"], answer["TimeStamp"], answer["Nonce"])
        assert reply_content(plain)["Content"] == "可以申请，我问您几个问题。"
        assert bot.texts == ["我能申请法律援助吗"]

        # the message's own signature is checked as well as the URL signature
        envelope = crypto.encrypt_message(text_xml("伪造的消息"), nonce, timestamp)
        query["msg_signature"] = sign(TOKEN, timestamp, nonce, "something-else")
        status, _ = await hook.post(envelope, params=query)
        assert status == 403
        # safe mode takes no plain messages
        status, _ = await hook.post(text_xml("明文消息"))
        assert status == 400
        # an envelope encrypted with another key does not decrypt
        other = WeChatCrypto(TOKEN, "B" * 43, APP_ID).encrypt_message(text_xml("别的钥匙"), nonce, timestamp)
        query["msg_signature"] = xmltodict.parse(other)["xml"]["MsgSignature"]
        status, _ = await hook.post(other, params=query)
        assert status in (400, 403)
    assert bot.texts == ["我能申请法律援助吗"]


async def test_encrypted_message_with_an_entity_inside_is_refused(fake_wechat: FakeWeChat) -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    bot = ScriptedBot()
    async with serve(make_channel(fake_wechat, aes_key=AES_KEY), bot) as hook:
        timestamp, nonce = str(int(time.time())), "n1"
        envelope = crypto.encrypt_message(XXE, nonce, timestamp)
        query = {**signed_query(timestamp=int(timestamp), nonce=nonce), "encrypt_type": "aes",
                 "msg_signature": xmltodict.parse(envelope)["xml"]["MsgSignature"]}
        status, _ = await hook.post(envelope, params=query)
        assert status == 400
    assert bot.received == []


async def test_voice_uses_wechats_recognition(webhook: Webhook, bot: ScriptedBot) -> None:
    bot.replies = [{"text": "好的。"}]
    status, body = await webhook.post(voice_xml("老板欠了我三个月工资。"))
    assert status == 200
    assert reply_content(body)["Content"] == "好的。"
    assert bot.texts == ["老板欠了我三个月工资。"]


@pytest.mark.parametrize("recognition", [None, ""])
async def test_voice_without_recognition_asks_to_type(webhook: Webhook, bot: ScriptedBot,
                                                      recognition: str | None) -> None:
    status, body = await webhook.post(voice_xml(recognition))
    assert status == 200
    assert reply_content(body)["Content"] == VOICE_NOT_RECOGNISED
    assert "打成字" in VOICE_NOT_RECOGNISED
    assert bot.received == []


async def test_subscribe_gets_a_welcome_with_three_things_to_say(webhook: Webhook, bot: ScriptedBot) -> None:
    status, body = await webhook.post(event_xml("subscribe"))
    assert status == 200
    content = reply_content(body)["Content"]
    assert content == WELCOME
    for example in ("老板欠工资怎么办", "我能申请法律援助吗", "查询申请进度"):
        assert f"「{example}」" in content
    assert len(content.encode("utf-8")) < 600  # short
    assert bot.received == []


async def test_subscribe_through_a_qr_code_gets_the_welcome_too(webhook: Webhook) -> None:
    status, body = await webhook.post(event_xml("subscribe", key="qrscene_123"))
    assert status == 200
    assert reply_content(body)["Content"] == WELCOME


async def test_image_gets_a_polite_reply_saying_what_works(webhook: Webhook, bot: ScriptedBot) -> None:
    status, body = await webhook.post(image_xml())
    assert status == 200
    content = reply_content(body)["Content"]
    assert "图片" in content
    assert "文字" in content and "语音" in content
    assert bot.received == []


async def test_menu_click_becomes_the_matching_message(webhook: Webhook, bot: ScriptedBot) -> None:
    for key in ("CAN_I_GET_LEGAL_AID", "CHECK_APPLICATION", "LEGAL_QUESTION"):
        status, _ = await webhook.post(event_xml("CLICK", key=key, create_time=int(time.time()) - len(bot.received)))
        assert status == 200
    assert bot.texts == ["我能申请法律援助吗", "查询申请进度", "我想咨询法律问题"]
    status, body = await webhook.post(event_xml("CLICK", key="NO_SUCH_KEY", create_time=int(time.time()) - 10))
    assert "菜单" in reply_content(body)["Content"]
    assert len(bot.received) == 3


@pytest.mark.parametrize("event", ["unsubscribe", "VIEW", "LOCATION", "view_miniprogram"])
async def test_events_a_citizen_did_not_write_are_acknowledged_silently(webhook: Webhook, bot: ScriptedBot,
                                                                        event: str) -> None:
    status, body = await webhook.post(event_xml(event))
    assert (status, body) == (200, "success")
    assert bot.received == []


async def test_buttons_become_numbered_lines_and_a_number_answers_them(webhook: Webhook, bot: ScriptedBot) -> None:
    bot.replies = [{"text": "您同意吗？", "buttons": [{"title": "同意", "payload": "/affirm"},
                                                     {"title": "不同意", "payload": "/deny"}]}]
    _, body = await webhook.post(text_xml("我要申请法律援助"))
    lines = reply_content(body)["Content"].split("\n")
    assert lines[:3] == ["您同意吗？", "1. 同意", "2. 不同意"]
    bot.replies = [{"text": "好的。"}]
    await webhook.post(text_xml("２"))  # a full-width digit, as Chinese keyboards type it
    await webhook.post(text_xml("2"))  # the buttons were answered: a plain "2" again is just text
    assert bot.texts == ["我要申请法律援助", "/deny", "2"]


async def test_a_failing_bot_gets_an_apology_not_silence(webhook: Webhook, bot: ScriptedBot) -> None:
    bot.fail = True
    status, body = await webhook.post(text_xml("你好"))
    assert status == 200
    assert reply_content(body)["Content"] == BOT_FAILED


async def test_no_reply_from_the_bot_answers_success(webhook: Webhook, bot: ScriptedBot) -> None:
    bot.replies = []
    assert await webhook.post(text_xml("嗯")) == (200, "success")


# --- retries -------------------------------------------------------------------------------------


async def test_a_retried_msgid_is_one_turn_and_gets_the_same_passive_reply(webhook: Webhook,
                                                                            bot: ScriptedBot) -> None:
    body = text_xml("我要申请法律援助", msg_id=6_000_000_042)
    first = await webhook.post(body)
    assert reply_content(first[1])["Content"] == "您好，我在。"
    bot.replies = [{"text": "第二次的回答"}]
    for _ in range(3):  # WeChat retries up to three times, each with a fresh signature
        status, again = await webhook.post(body)
        assert status == 200
        assert reply_content(again)["Content"] == "您好，我在。"  # the lost reply, not a new turn
    assert bot.texts == ["我要申请法律援助"]


async def test_a_retry_after_customer_service_delivery_is_only_acknowledged(webhook: Webhook, bot: ScriptedBot,
                                                                            fake_wechat: FakeWeChat) -> None:
    bot.replies = [{"text": "一"}, {"text": "二"}]
    body = text_xml("老板欠工资怎么办", msg_id=6_000_000_044)
    assert await webhook.post(body) == (200, "success")
    assert await webhook.post(body) == (200, "success")
    await webhook.channel.drain()
    assert [m.content for m in fake_wechat.messages] == ["一", "二"]
    assert bot.texts == ["老板欠工资怎么办"]


async def test_retries_arriving_during_a_slow_turn_are_one_turn(fake_wechat: FakeWeChat) -> None:
    bot = ScriptedBot(replies=[{"text": "已经记下了。"}], delay=0.6)
    async with serve(make_channel(fake_wechat, passive_budget=0.2), bot) as hook:
        body = text_xml("我要申请法律援助", msg_id=6_000_000_043)
        answers = await asyncio.gather(*(hook.post(body) for _ in range(4)))
        assert all(answer == (200, "success") for answer in answers)
        sent = await delivered(fake_wechat, 1)
    assert bot.texts == ["我要申请法律援助"]
    assert [m.content for m in sent] == ["已经记下了。"]
    assert fake_wechat.send_requests == 1


async def test_events_without_msgid_are_deduplicated_by_sender_and_time(webhook: Webhook, bot: ScriptedBot) -> None:
    created = int(time.time())
    status, first = await webhook.post(event_xml("CLICK", key="CHECK_APPLICATION", create_time=created))
    assert status == 200
    status, retried = await webhook.post(event_xml("CLICK", key="CHECK_APPLICATION", create_time=created))
    assert reply_content(retried)["Content"] == reply_content(first)["Content"]
    # another citizen clicking in the same second is a different event
    await webhook.post(event_xml("CLICK", key="CHECK_APPLICATION", create_time=created, openid="oOther"))
    assert bot.texts == ["查询申请进度", "查询申请进度"]
    assert [m.sender_id for m in bot.received] == [OPENID, "oOther"]


# --- customer-service messages -------------------------------------------------------------------


async def test_a_slow_turn_answers_success_then_sends_customer_service_messages(fake_wechat: FakeWeChat) -> None:
    bot = ScriptedBot(replies=[{"text": "第一段：先收集证据。"}, {"text": "第二段：再去劳动监察大队。"}], delay=0.8)
    async with serve(make_channel(fake_wechat, passive_budget=0.3), bot) as hook:
        started = time.monotonic()
        assert await hook.post(text_xml("老板欠工资怎么办")) == (200, "success")
        assert time.monotonic() - started < 0.7  # answered before the turn ended
        sent = await delivered(fake_wechat, 2)
    assert [(m.touser, m.content) for m in sent] == [(OPENID, "第一段：先收集证据。"),
                                                     (OPENID, "第二段：再去劳动监察大队。")]


async def test_several_bubbles_go_out_in_order_as_customer_service_messages(webhook: Webhook, bot: ScriptedBot,
                                                                            fake_wechat: FakeWeChat) -> None:
    bot.replies = [{"text": f"第{n}条"} for n in range(1, 6)]
    assert await webhook.post(text_xml("老板欠工资怎么办")) == (200, "success")
    sent = await delivered(fake_wechat, 5)
    assert [m.content for m in sent] == [f"第{n}条" for n in range(1, 6)]
    assert fake_wechat.token_requests == 1  # one token for the whole turn


async def test_a_reply_over_2kb_is_split_at_line_breaks(webhook: Webhook, bot: ScriptedBot,
                                                        fake_wechat: FakeWeChat) -> None:
    lines = [f"第{n}点：" + "要保存好工资条、考勤记录和聊天记录。" * 3 for n in range(1, 31)]
    long_answer = "\n".join(lines)
    assert len(long_answer.encode("utf-8")) > 2 * 2048
    bot.replies = [{"text": long_answer}]
    assert await webhook.post(text_xml("要什么证据")) == (200, "success")
    await webhook.channel.drain()
    sent = fake_wechat.messages
    assert len(sent) >= 3
    assert all(len(m.content.encode("utf-8")) <= 2048 for m in sent)
    assert all(m.content.split("\n")[0].startswith("第") for m in sent)  # each piece starts at a line
    assert "\n".join(m.content for m in sent) == long_answer


async def test_a_passive_reply_never_overtakes_queued_messages(fake_wechat: FakeWeChat) -> None:
    slow = ScriptedBot(replies=[{"text": "慢的回答"}], delay=0.8)
    async with serve(make_channel(fake_wechat, passive_budget=0.2), slow) as hook:
        assert await hook.post(text_xml("第一句")) == (200, "success")
        slow.delay = 0.0
        slow.replies = [{"text": "快的回答"}]
        assert await hook.post(text_xml("第二句")) == (200, "success")  # queued behind the slow answer
        sent = await delivered(fake_wechat, 2)
    assert [m.content for m in sent] == ["慢的回答", "快的回答"]


async def test_customer_service_messages_survive_an_expired_token(webhook: Webhook, bot: ScriptedBot,
                                                                  fake_wechat: FakeWeChat) -> None:
    bot.replies = [{"text": "一"}, {"text": "二"}]
    await webhook.post(text_xml("你好"))
    assert [m.content for m in await delivered(fake_wechat, 2)] == ["一", "二"]
    fake_wechat.expire_tokens()
    await webhook.post(text_xml("你好"))
    assert [m.content for m in await delivered(fake_wechat, 4)] == ["一", "二", "一", "二"]
    assert fake_wechat.token_requests == 2


# --- personal data -------------------------------------------------------------------------------


async def test_logs_hold_no_openid_and_no_message_text(webhook: Webhook, bot: ScriptedBot, fake_wechat: FakeWeChat,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    bot.replies = [{"text": "回答一"}, {"text": "回答二"}]
    with caplog.at_level(logging.DEBUG):
        await webhook.post(text_xml("我叫张三，电话13800001111"))
        await webhook.post(text_xml("我叫张三", msg_id=9))
        await webhook.post(text_xml("我叫张三", msg_id=9))
        await webhook.channel.drain()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "u-" in logged  # the hashed sender is there
    for secret in (OPENID, "张三", "13800001111", "回答一", TOKEN):
        assert secret not in logged
