"""The outbox worker: decisions queued by the referral service (a fake one here) reach the citizen through
the fake WeChat server's customer-service API, and each message's fate is reported back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_media import ReferralService
from bot.channels.wechat_outbox import OutboxWorker, ReferralOutbox
from tests.bot.channels.conftest import ScriptedBot, make_channel, serve
from tests.bot.channels.fake_referral import FakeReferral
from tests.bot.channels.fake_wechat import OPENID, FakeWeChat, free_port

pytestmark = pytest.mark.asyncio

DECISION = ("您的法律援助申请（受理编号 FY261128-4821）有结果了：已经决定给您法律援助，"
            "工作人员会在3个工作日内安排律师或法律援助人员联系您。")


@dataclass
class Outbox:
    worker: OutboxWorker
    channel: WeChatInput
    wechat: FakeWeChat
    referral: FakeReferral


@pytest.fixture
def fake_referral() -> Iterator[FakeReferral]:
    with FakeReferral() as referral:
        yield referral


def worker_for(channel: WeChatInput, service: ReferralService, interval: float = 0.05) -> OutboxWorker:
    return OutboxWorker(ReferralOutbox(service), channel.send_notification, interval=interval)


@pytest_asyncio.fixture
async def outbox(fake_wechat: FakeWeChat, fake_referral: FakeReferral) -> AsyncIterator[Outbox]:
    """One worker, driven round by round with run_once()."""
    channel = make_channel(fake_wechat)
    worker = worker_for(channel, ReferralService(fake_referral.url, fake_referral.token))
    try:
        yield Outbox(worker, channel, fake_wechat, fake_referral)
    finally:
        await worker.stop()
        assert channel.api is not None
        await channel.api.close()


async def test_a_decision_is_sent_and_reported_delivered(outbox: Outbox) -> None:
    first = outbox.referral.queue(OPENID, DECISION)
    second = outbox.referral.queue("oAnotherCitizen", "第二条")
    assert await outbox.worker.run_once() == 2
    assert [(m.touser, m.content) for m in outbox.wechat.messages] == [(OPENID, DECISION),
                                                                       ("oAnotherCitizen", "第二条")]
    assert outbox.referral.state.delivered == [first, second]
    assert outbox.referral.pending == []
    assert await outbox.worker.run_once() == 0  # nothing is sent twice
    assert len(outbox.wechat.messages) == 2


@pytest.mark.parametrize("errcode", [45015, 40003])
async def test_a_closed_window_or_unknown_openid_is_failed_without_retry(outbox: Outbox, errcode: int) -> None:
    notification = outbox.referral.queue(OPENID, DECISION)
    outbox.wechat.answer_next_sends(errcode)
    assert await outbox.worker.run_once() == 0
    [failure] = outbox.referral.state.failed
    assert (failure.id, failure.retry) == (notification, False)
    assert failure.error.startswith(f"errcode {errcode}")
    assert OPENID not in failure.error and DECISION not in failure.error
    assert outbox.wechat.messages == []


async def test_wechat_server_errors_are_failed_for_retry(outbox: Outbox) -> None:
    notification = outbox.referral.queue(OPENID, DECISION)
    outbox.wechat.fail_next_http(10)  # HTTP 500 for the token and every retry
    assert await outbox.worker.run_once() == 0
    [failure] = outbox.referral.state.failed
    assert (failure.id, failure.retry) == (notification, True)


async def test_other_errcodes_are_failed_for_retry(outbox: Outbox) -> None:
    outbox.referral.queue(OPENID, DECISION)
    outbox.wechat.answer_next_sends(45047)  # too many messages to this citizen
    await outbox.worker.run_once()
    [failure] = outbox.referral.state.failed
    assert failure.retry is True and failure.error.startswith("errcode 45047")


async def test_referral_service_down_is_logged_once_and_retried(outbox: Outbox,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    notification = outbox.referral.queue(OPENID, DECISION)
    outbox.referral.down = 503
    with caplog.at_level(logging.INFO, logger="bot.channels.wechat_outbox"):
        for _ in range(3):
            assert await outbox.worker.run_once() == 0
        outbox.referral.down = None
        assert await outbox.worker.run_once() == 1
    assert outbox.referral.state.delivered == [notification]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1


async def test_referral_service_unreachable_does_not_crash(fake_wechat: FakeWeChat) -> None:
    channel = make_channel(fake_wechat)
    worker = worker_for(channel, ReferralService(f"http://127.0.0.1:{free_port()}", "t" * 32))
    try:
        assert await worker.run_once() == 0
        assert await worker.run_once() == 0
    finally:
        await worker.stop()
        assert channel.api is not None
        await channel.api.close()


async def test_a_sent_message_whose_report_failed_is_reported_not_sent_again(outbox: Outbox) -> None:
    notification = outbox.referral.queue(OPENID, DECISION)
    real_delivered = outbox.worker.outbox.delivered
    calls = 0

    async def flaky(notification_id: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            outbox.referral.down = 503  # the service goes down right after the send
        try:
            await real_delivered(notification_id)
        finally:
            outbox.referral.down = None

    outbox.worker.outbox.delivered = flaky  # type: ignore[method-assign]
    assert await outbox.worker.run_once() == 1
    assert outbox.referral.state.delivered == []
    await outbox.worker.run_once()
    assert outbox.referral.state.delivered == [notification]
    assert len(outbox.wechat.messages) == 1


async def test_a_long_message_is_split_at_2kb(outbox: Outbox) -> None:
    long_text = "\n".join(["第一段" * 100, "第二段" * 100, "第三段" * 100])  # 900 bytes a line
    outbox.referral.queue(OPENID, long_text)
    assert await outbox.worker.run_once() == 1
    pieces = [m.content for m in outbox.wechat.messages]
    assert len(pieces) == 2 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "\n".join(pieces) == long_text


async def test_the_channel_starts_the_worker_with_the_server_and_stops_it(fake_wechat: FakeWeChat,
                                                                          fake_referral: FakeReferral) -> None:
    channel = make_channel(fake_wechat, referral=ReferralService(fake_referral.url, fake_referral.token),
                           outbox_interval=0.05)
    notification = fake_referral.queue(OPENID, DECISION)
    async with serve(channel, ScriptedBot()):
        assert await asyncio.to_thread(fake_referral.wait_until, lambda s: notification in s.delivered, 10)
        worker = channel.outbox
        assert worker is not None
        later = fake_referral.queue(OPENID, "第二条")
        assert await asyncio.to_thread(fake_referral.wait_until, lambda s: later in s.delivered, 10)
    assert channel.outbox is None and worker._task is None  # stopped before the server stopped
    polls = fake_referral.state.polls
    await asyncio.sleep(0.2)
    assert fake_referral.state.polls == polls
    assert [m.content for m in fake_wechat.messages] == [DECISION, "第二条"]


@pytest.mark.parametrize("settings", [
    {"referral": None},  # no REFERRAL_API_URL / REFERRAL_API_TOKEN
    {"outbox_interval": 0},  # turned off
    {"app_id": "", "app_secret": ""},  # cannot send customer-service messages
    {"token": ""},  # the channel is not configured
])
async def test_without_its_settings_the_worker_does_not_start(fake_wechat: FakeWeChat, fake_referral: FakeReferral,
                                                              settings: dict[str, object]) -> None:
    values: dict[str, object] = {"referral": ReferralService(fake_referral.url, fake_referral.token),
                                 "outbox_interval": 0.05, **settings}
    fake_referral.queue(OPENID, DECISION)
    channel = make_channel(fake_wechat, **values)
    async with serve(channel, ScriptedBot()):
        await asyncio.sleep(0.3)
        assert channel.outbox is None
    assert fake_referral.state.polls == 0


async def test_logs_hold_no_openid_and_no_text(outbox: Outbox, caplog: pytest.LogCaptureFixture) -> None:
    outbox.referral.queue(OPENID, DECISION)
    outbox.referral.queue(OPENID, "第二条：张三 13800001111")
    outbox.wechat.answer_next_sends(45015)
    with caplog.at_level(logging.DEBUG):
        await outbox.worker.run_once()
        outbox.referral.down = 503
        await outbox.worker.run_once()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "notification" in logged
    for secret in (OPENID, "FY261128-4821", "张三", "13800001111", outbox.referral.token):
        assert secret not in logged
