"""The WeChat API client against the fake WeChat server: token caching and refresh, retries, errors."""

from __future__ import annotations

import json
import urllib.request

import pytest

from bot.channels.wechat_api import TOKEN_REFRESH_MARGIN_SECONDS, MediaTooLarge, WeChatAPI, WeChatAPIError
from tests.bot.channels.fake_wechat import APP_ID, APP_SECRET, JPEG_BYTES, OPENID, FakeWeChat

pytestmark = pytest.mark.asyncio


def client(fake: FakeWeChat, **kwargs: object) -> WeChatAPI:
    return WeChatAPI(APP_ID, APP_SECRET, fake.base_url, backoff=0.01, **kwargs)  # type: ignore[arg-type]


async def test_the_access_token_is_fetched_once_and_cached(fake_wechat: FakeWeChat) -> None:
    api = client(fake_wechat)
    try:
        for n in range(3):
            await api.send_text(OPENID, f"第{n}条")
    finally:
        await api.close()
    assert fake_wechat.token_requests == 1
    assert [m.content for m in fake_wechat.messages] == ["第0条", "第1条", "第2条"]
    assert {m.touser for m in fake_wechat.messages} == {OPENID}


async def test_the_token_is_refreshed_before_it_expires(fake_wechat: FakeWeChat) -> None:
    now = [1000.0]
    api = client(fake_wechat, clock=lambda: now[0])
    try:
        first = await api.access_token()
        now[0] += 7200 - TOKEN_REFRESH_MARGIN_SECONDS - 1
        assert await api.access_token() == first
        now[0] += 2  # inside the margin: fetched again before WeChat would refuse it
        assert await api.access_token() != first
    finally:
        await api.close()
    assert fake_wechat.token_requests == 2


@pytest.mark.parametrize("make_stale, errcode", [("revoke_tokens", 40001), ("expire_tokens", 42001)])
async def test_an_invalid_or_expired_token_is_refreshed_and_the_call_retried(fake_wechat: FakeWeChat,
                                                                             make_stale: str, errcode: int) -> None:
    api = client(fake_wechat)
    try:
        await api.send_text(OPENID, "一")
        getattr(fake_wechat, make_stale)()  # the cached token is now refused with `errcode`
        await api.send_text(OPENID, "二")
    finally:
        await api.close()
    assert fake_wechat.token_requests == 2
    assert fake_wechat.send_requests == 3  # one refused, then the retry
    assert [m.content for m in fake_wechat.messages] == ["一", "二"]


async def test_server_errors_are_retried_with_backoff(fake_wechat: FakeWeChat) -> None:
    api = client(fake_wechat, attempts=3)
    try:
        fake_wechat.fail_next_http(2)  # the token call and the first send get HTTP 500
        await api.send_text(OPENID, "终于发出去了")
        assert [m.content for m in fake_wechat.messages] == ["终于发出去了"]
        fake_wechat.answer_next_sends(-1)  # "system busy"
        await api.send_text(OPENID, "忙完了")
        assert fake_wechat.messages[-1].content == "忙完了"
        fake_wechat.fail_next_http(10)
        with pytest.raises(WeChatAPIError) as failed:
            await api.send_text(OPENID, "发不出去")
        assert "3 attempts" in str(failed.value)
    finally:
        await api.close()


async def test_other_errcodes_are_raised_without_retrying(fake_wechat: FakeWeChat) -> None:
    api = client(fake_wechat)
    try:
        fake_wechat.answer_next_sends(45015)  # the citizen's last message is older than 48 h
        with pytest.raises(WeChatAPIError) as failed:
            await api.send_text(OPENID, "太晚了")
    finally:
        await api.close()
    assert failed.value.errcode == 45015
    assert fake_wechat.send_requests == 1
    assert fake_wechat.messages == []


async def test_a_wrong_secret_is_reported_not_retried(fake_wechat: FakeWeChat) -> None:
    api = WeChatAPI(APP_ID, "wrong-secret", fake_wechat.base_url, backoff=0.01)
    try:
        with pytest.raises(WeChatAPIError) as failed:
            await api.send_text(OPENID, "你好")
    finally:
        await api.close()
    assert failed.value.errcode == 40125
    assert fake_wechat.token_requests == 1
    assert "wrong-secret" not in str(failed.value)


async def test_unreachable_wechat_is_an_error_without_secrets_in_it() -> None:
    api = WeChatAPI(APP_ID, "s3cret-value", "http://127.0.0.1:9", attempts=2, backoff=0.01)
    try:
        with pytest.raises(WeChatAPIError) as failed:
            await api.send_text(OPENID, "你好")
    finally:
        await api.close()
    assert "s3cret-value" not in str(failed.value)


async def test_chinese_is_sent_as_utf8_not_escaped(fake_wechat: FakeWeChat) -> None:
    api = client(fake_wechat)
    try:
        await api.send_text(OPENID, "法律援助")
        token = await api.access_token()
    finally:
        await api.close()
    assert fake_wechat.messages[-1].content == "法律援助"
    # the fake reads the same UTF-8 JSON WeChat does; escaped text would arrive as \\u6cd5…
    request = urllib.request.Request(f"{fake_wechat.base_url}/cgi-bin/message/custom/send?access_token={token}",
                                     data=json.dumps({"touser": OPENID, "msgtype": "text",
                                                      "text": {"content": "x"}}).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.load(answer)["errcode"] == 0


async def test_media_is_fetched_as_bytes_with_the_cached_token(fake_wechat: FakeWeChat) -> None:
    fake_wechat.add_media("m-1", JPEG_BYTES)
    api = client(fake_wechat)
    try:
        assert await api.get_media("m-1", max_bytes=1024) == JPEG_BYTES
        await api.send_text(OPENID, "收到")
    finally:
        await api.close()
    assert (fake_wechat.token_requests, fake_wechat.media_requests) == (1, 1)


async def test_media_over_the_limit_is_refused_before_it_is_read_whole(fake_wechat: FakeWeChat) -> None:
    fake_wechat.add_media("big", JPEG_BYTES + b"\x00" * 300_000)
    api = client(fake_wechat)
    try:
        with pytest.raises(MediaTooLarge):
            await api.get_media("big", max_bytes=100_000)
        assert len(await api.get_media("big", max_bytes=400_000)) == len(JPEG_BYTES) + 300_000
    finally:
        await api.close()


async def test_media_errors_and_token_refresh(fake_wechat: FakeWeChat) -> None:
    fake_wechat.add_media("m-1", JPEG_BYTES)
    api = client(fake_wechat)
    try:
        with pytest.raises(WeChatAPIError) as unknown:
            await api.get_media("no-such-media", max_bytes=1024)
        assert unknown.value.errcode == 40007
        fake_wechat.expire_tokens()
        assert await api.get_media("m-1", max_bytes=1024) == JPEG_BYTES  # new token, same call
        fake_wechat.fail_next_http(2)
        assert await api.get_media("m-1", max_bytes=1024) == JPEG_BYTES  # HTTP 500 twice, then retried
        fake_wechat.fail_next_http(3)
        with pytest.raises(WeChatAPIError) as down:
            await api.get_media("m-1", max_bytes=1024)
        assert down.value.errcode == -2
    finally:
        await api.close()
    assert fake_wechat.token_requests == 2


@pytest.mark.filterwarnings("ignore")
def test_from_env_needs_the_app_id_and_secret() -> None:
    assert WeChatAPI.from_env({}) is None
    assert WeChatAPI.from_env({"WECHAT_APP_ID": "wx1"}) is None
    api = WeChatAPI.from_env({"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "WECHAT_API_BASE": "http://x:1/"})
    assert api is not None and (api.app_id, api.base_url) == ("wx1", "http://x:1")
    assert WeChatAPI.from_env({"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s"}).base_url == \
        "https://api.weixin.qq.com"  # type: ignore[union-attr]
