"""The web chat channel (bot/channels/web.py) in a real Sanic server with a stand-in agent: the page
and its files are served with the security headers, only random sender ids are taken, the channel
is always `web`, and nothing the citizen types reaches the log."""

from __future__ import annotations

import logging
import re
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.web import MAX_MESSAGE_CHARS, PAGE_DIR, WebChatInput

SENDER = "0123456789abcdef" * 2  # 128 bits as the page makes them
PAGE_FILES = ("index.html", "chat.js", "chat.css", "icon.svg")


@dataclass
class StandInAgent:
    """What Rasa's agent does for a channel: take the message, answer through its output channel."""

    received: list[UserMessage] = field(default_factory=list)
    fail: bool = False

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail:
            raise ValueError(f"could not handle {message.text}")
        await message.output_channel.send_text_message(message.sender_id, "第一行\n第二行")
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "您同意吗？", [{"title": "同意", "payload": "/affirm"}]
        )


@dataclass
class Server:
    url: str
    agent: StandInAgent
    http: aiohttp.ClientSession

    async def post(self, body: object) -> tuple[int, object, dict[str, str]]:
        async with self.http.post(f"{self.url}/webhooks/web/webhook", json=body) as resp:
            return resp.status, await resp.json(), dict(resp.headers)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest_asyncio.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Server]:
    # Sanic rewrites its own methods on start-up; test mode lets several apps start in one process
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"web-channel-test-{uuid.uuid4().hex[:8]}")
    agent = StandInAgent()
    app.ctx.agent = agent
    channel = WebChatInput.from_credentials(None)  # credentials.yml has no settings for it
    register([channel], app, "/webhooks/")  # as `rasa run` does
    port = _free_port()
    http_server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                          access_log=False)
    await http_server.startup()
    async with aiohttp.ClientSession() as http:
        yield Server(url=f"http://127.0.0.1:{port}", agent=agent, http=http)
    http_server.close()
    await http_server.wait_closed()


def assert_security_headers(headers: dict[str, str]) -> None:
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_channel_is_named_web_and_mounted_under_webhooks_web():
    channel = WebChatInput.from_credentials(None)
    assert WebChatInput.name() == "web"
    assert channel.url_prefix() == "web"


def test_the_page_files_exist_and_use_nothing_from_elsewhere():
    html = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    # no inline script or style (the CSP would block them), no inline event handlers
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="static/chat.js" defer>']
    assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html)
    for name in PAGE_FILES:
        text = (PAGE_DIR / name).read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
    script = (PAGE_DIR / "chat.js").read_text(encoding="utf-8")
    assert "crypto.getRandomValues" in script and "sessionStorage" in script
    assert "innerHTML" not in script  # the bot's text is shown as text, never as markup


@pytest.mark.asyncio
async def test_the_page_is_served_with_the_security_headers(server):
    async with server.http.get(f"{server.url}/webhooks/web/") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        assert_security_headers(dict(resp.headers))
        assert await resp.read() == (PAGE_DIR / "index.html").read_bytes()


@pytest.mark.asyncio
async def test_the_address_without_its_slash_leads_to_the_page(server):
    # the page's links are relative: static/chat.js must resolve under /webhooks/web/
    async with server.http.get(f"{server.url}/webhooks/web", allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "/webhooks/web/"


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "content_type"), [
    ("chat.js", "text/javascript; charset=utf-8"),
    ("chat.css", "text/css; charset=utf-8"),
    ("icon.svg", "image/svg+xml"),
])
async def test_the_static_files_are_served_with_their_types_and_headers(server, name, content_type):
    async with server.http.get(f"{server.url}/webhooks/web/static/{name}") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == content_type
        assert_security_headers(dict(resp.headers))
        assert await resp.read() == (PAGE_DIR / name).read_bytes()


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["index.html", "web.py", "..%2Fchannels%2Fweb.py", "%2E%2E%2F__init__.py", "x.js"])
async def test_nothing_else_is_served_as_a_static_file(server, name):
    async with server.http.get(f"{server.url}/webhooks/web/static/{name}") as resp:
        assert resp.status == 404
        assert "import" not in await resp.text()


@pytest.mark.asyncio
async def test_a_message_reaches_the_bot_on_the_web_channel_and_the_replies_come_back(server):
    status, replies, headers = await server.post({"sender": SENDER, "message": "老板拖欠我工资"})
    assert status == 200
    assert replies == [
        {"recipient_id": SENDER, "text": "第一行\n第二行"},
        {"recipient_id": SENDER, "text": "您同意吗？", "buttons": [{"title": "同意", "payload": "/affirm"}]},
    ]
    assert_security_headers(headers)
    [message] = server.agent.received
    assert (message.sender_id, message.text, message.input_channel) == (SENDER, "老板拖欠我工资", "web")


@pytest.mark.asyncio
async def test_the_browser_cannot_choose_another_channel_or_add_metadata(server):
    status, _, _ = await server.post({"sender": SENDER, "message": "你好", "input_channel": "hotline",
                                      "metadata": {"role": "operator"}})
    assert status == 200
    [message] = server.agent.received
    assert message.input_channel == "web"
    assert message.metadata is None


@pytest.mark.asyncio
@pytest.mark.parametrize("sender", [
    "1", "", "default", "e2e-0123456789ab", SENDER[:31], SENDER.upper(), SENDER[:-1] + "g", "a" * 65,
    " " + SENDER, 12345678901234567890123456789012345, None,
])
async def test_a_sender_id_that_could_be_guessed_is_refused(server, sender):
    status, body, headers = await server.post({"sender": sender, "message": "你好"})
    assert status == 400
    assert "sender" in body["error"]
    assert_security_headers(headers)
    assert server.agent.received == []


@pytest.mark.asyncio
async def test_a_long_random_sender_id_is_taken(server):
    status, _, _ = await server.post({"sender": "f" * 64, "message": "你好"})
    assert status == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(("body", "status"), [
    ({"sender": SENDER}, 400),
    ({"sender": SENDER, "message": "   "}, 400),
    ({"sender": SENDER, "message": ["你好"]}, 400),
    ({"sender": SENDER, "message": "字" * (MAX_MESSAGE_CHARS + 1)}, 413),
    ([SENDER, "你好"], 400),
])
async def test_a_malformed_message_is_refused(server, body, status):
    assert (await server.post(body))[0] == status
    assert server.agent.received == []


@pytest.mark.asyncio
async def test_a_body_that_is_not_json_is_refused(server):
    async with server.http.post(f"{server.url}/webhooks/web/webhook", data=b"{sender",
                                headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 400


@pytest.mark.asyncio
async def test_a_failure_is_logged_without_what_the_citizen_typed(server, caplog):
    server.agent.fail = True
    with caplog.at_level(logging.DEBUG):
        status, replies, _ = await server.post({"sender": SENDER, "message": "我叫张三电话13812345678"})
    assert (status, replies) == (200, [])  # as the REST channel: the page says no reply came
    assert "ValueError" in caplog.text
    assert "张三" not in caplog.text and "13812345678" not in caplog.text


def test_the_page_directory_is_beside_the_channel_package():
    assert Path(PAGE_DIR).is_dir()
    assert all((PAGE_DIR / name).is_file() for name in PAGE_FILES)
