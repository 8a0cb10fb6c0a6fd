"""The web chat page for citizens: a Rasa input channel that serves the page and takes its messages.

Registered in credentials.yml as ``bot.channels.web.WebChatInput``; Rasa mounts it under
``/webhooks/web/``:

- ``GET  /webhooks/web/``            the page (``bot/webchat/index.html``)
- ``GET  /webhooks/web/static/<f>``  its script and style sheet (a fixed list, nothing else)
- ``POST /webhooks/web/webhook``     ``{"sender": …, "message": …}`` → the bot's replies, as the REST channel

Everything is served from this machine (no CDN: many government networks have no internet).
The sender id is the only key to a conversation, so the page makes a random one of 128 bits
and this channel refuses any other (400): a guessable id such as "1" cannot reach anybody's
conversation here. The channel name, and so a referral's ``channel``, is always ``web``;
the client cannot set another one or attach metadata. Nothing the citizen types is logged.
"""

from __future__ import annotations

import logging
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

PAGE_DIR = Path(__file__).resolve().parent.parent / "webchat"
PAGE = "index.html"
# The only files served, with their types: a request can never name a path of its own.
STATIC_FILES: dict[str, str] = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
# 128 to 256 random bits, as the page makes them (crypto.getRandomValues, lower-case hex).
SENDER_ID = re.compile(r"[0-9a-f]{32,64}")
MAX_MESSAGE_CHARS = 2000

# On every answer of this channel. No inline script or style is allowed, nothing from elsewhere.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # the replies hold names and phone numbers; the page is small
    "Cache-Control": "no-store",
}


def is_sender_id(value: Any) -> bool:
    """Whether a sender id is one the page makes: 32 to 64 lower-case hex characters."""
    return isinstance(value, str) and SENDER_ID.fullmatch(value) is not None


def _secured(resp: HTTPResponse) -> HTTPResponse:
    resp.headers.update(SECURITY_HEADERS)
    return resp


def _error(status: int, message: str) -> HTTPResponse:
    return _secured(response.json({"error": message}, status=status))


def _file(name: str, content_type: str) -> HTTPResponse:
    return _secured(response.raw((PAGE_DIR / name).read_bytes(), content_type=content_type))


class WebChatInput(RestInput):
    """The REST channel for the web chat page, with the page itself and stricter input."""

    @classmethod
    def name(cls) -> str:
        return "web"

    async def _extract_sender(self, req: Request) -> str | None:
        sender = (req.json or {}).get("sender")
        return sender if is_sender_id(sender) else None

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # never the client's word: the referral's channel says where it came from

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return None  # nothing from the browser goes into the conversation unchecked

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        web = Blueprint(f"web_chat_{type(self).__name__}", __name__)

        @web.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # the page's links are relative (static/…, webhook): they need the trailing slash
                return _secured(response.redirect(request.path + "/"))
            return _file(PAGE, "text/html; charset=utf-8")

        @web.route("/static/<name>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            content_type = STATIC_FILES.get(name)
            if content_type is None:
                return _error(404, "not found")
            return _file(name, content_type)

        @web.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except SanicException:
                body = None
            if not isinstance(body, dict):
                return _error(400, "expected a JSON object")
            sender_id = await self._extract_sender(request)
            if sender_id is None:
                return _error(400, "sender must be 32 to 64 lower-case hex characters")
            text = self._extract_message(request)
            if not isinstance(text, str) or not text.strip():
                return _error(400, "message must be a non-empty string")
            if len(text) > MAX_MESSAGE_CHARS:
                return _error(413, f"message longer than {MAX_MESSAGE_CHARS} characters")

            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name()))
            except CancelledError:
                logger.error("web chat: handling a message timed out")
            except Exception as exc:
                # the type only: a message or traceback could carry what the citizen typed
                logger.error("web chat: handling a message failed (%s)", type(exc).__name__)
            return _secured(response.json(collector.messages))

        return web
