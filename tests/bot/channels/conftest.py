"""The WeChat channel under test: its blueprint in a real Sanic server on a free port, a scripted bot
in place of Rasa's agent, requests built and signed as WeChat builds them, and a fake WeChat API."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.wechat import WeChatInput, WeChatSettings
from bot.channels.wechat_api import WeChatAPI
from bot.channels.wechat_dedup import MemoryDedupStore
from tests.bot.channels.fake_wechat import (
    APP_ID,
    APP_SECRET,
    TOKEN,
    FakeWeChat,
    SentMessage,
    free_port,
    signed_query,
)


@dataclass
class ScriptedBot:
    """Stands in for Rasa's agent: records each UserMessage, answers with scripted bot messages."""

    replies: list[dict[str, Any]] = field(default_factory=lambda: [{"text": "您好，我在。"}])
    delay: float = 0.0
    fail: bool = False
    received: list[UserMessage] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        replies, fail = list(self.replies), self.fail  # as scripted when the message arrived
        if self.delay:
            await asyncio.sleep(self.delay)
        if fail:
            raise RuntimeError("the bot broke")
        for reply in replies:
            # what Rasa's processor does with each BotUttered
            await message.output_channel.send_response(message.sender_id, dict(reply))


@dataclass
class Webhook:
    url: str
    http: aiohttp.ClientSession
    channel: WeChatInput

    async def post(self, body: str | bytes, params: dict[str, str] | None = None,
                   **query: str) -> tuple[int, str]:
        data = body.encode("utf-8") if isinstance(body, str) else body
        params = {**(signed_query() if params is None else params), **query}
        async with self.http.post(self.url + "/webhook", data=data, params=params,
                                  headers={"Content-Type": "text/xml"}) as response:
            return response.status, await response.text()

    async def get(self, path: str = "/webhook", params: dict[str, str] | None = None) -> tuple[int, str]:
        async with self.http.get(self.url + path, params=params or {}) as response:
            return response.status, await response.text()


@contextlib.asynccontextmanager
async def serve(channel: WeChatInput, bot: ScriptedBot, agent: Any = None) -> AsyncIterator[Webhook]:
    """The channel's blueprint mounted where Rasa mounts it (/webhooks/wechat), in a real Sanic server.

    `agent` stands in for Rasa's agent (`app.ctx.agent`): the channel reads its tracker store.
    The server's start and stop listeners run as in `rasa run`.
    """
    # Several apps in one process: Sanic's test mode (what sanic-testing sets) keeps its start-up
    # source rewriting (TouchUp) from running twice over the same methods.
    Sanic.test_mode = True
    app = Sanic(f"wechat_test_{uuid.uuid4().hex[:10]}")
    app.ctx.agent = agent
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/wechat")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None  # create_server has already bound the port (Sanic 21.12 awaits the server)
    await server.startup()
    await server.after_start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
            yield Webhook(f"http://127.0.0.1:{port}/webhooks/wechat", http, channel)
    finally:
        await server.before_stop()
        await channel.drain()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def delivered(fake: FakeWeChat, count: int, timeout: float = 10.0) -> list[SentMessage]:
    """Wait, without blocking the event loop the channel delivers on, for `count` customer-service messages."""
    return await asyncio.to_thread(fake.wait_for_messages, count, timeout)


def make_channel(fake: FakeWeChat | None, **settings: Any) -> WeChatInput:
    values: dict[str, Any] = {"token": TOKEN, "app_id": APP_ID, "app_secret": APP_SECRET,
                              "api_base": fake.base_url if fake else "http://127.0.0.1:9"}
    values.update(settings)
    config = WeChatSettings(**values)
    api = WeChatAPI(config.app_id, config.app_secret, config.api_base, backoff=0.01) \
        if config.app_id and config.app_secret else None
    return WeChatInput(config, api=api, dedup=MemoryDedupStore())


@pytest.fixture
def fake_wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat(app_id=APP_ID, app_secret=APP_SECRET) as fake:
        yield fake


@pytest.fixture
def bot() -> ScriptedBot:
    return ScriptedBot()


@pytest_asyncio.fixture
async def webhook(fake_wechat: FakeWeChat, bot: ScriptedBot) -> AsyncIterator[Webhook]:
    """A plain-mode channel (no AES key) talking to the fake WeChat API."""
    async with serve(make_channel(fake_wechat), bot) as hook:
        yield hook
