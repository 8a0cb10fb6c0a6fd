"""WeChat official account (微信公众号) input channel for Rasa, built on wechatpy.

credentials.yml: `bot.channels.wechat.WeChatInput:` with no values; the settings come from the
environment (see `WeChatSettings`). Webhook: `/webhooks/wechat/webhook` (GET: WeChat's URL check,
POST: messages); `/webhooks/wechat/` answers a health check.

Every request:
1. is refused with 503 while WECHAT_TOKEN is unset (the channel still loads, so `make run` works);
2. must carry WeChat's signature over the token, a timestamp at most 5 minutes off and a nonce
   (403 otherwise, and the bot never sees it); in safe mode (WECHAT_AES_KEY set) the message is
   AES-encrypted and its own signature is checked too (wechatpy's `WeChatCrypto`);
3. is parsed as XML only when it is at most 64 KB and has no DTD or entity (defusedxml), else 400.

A message is handled once, however often WeChat retries it (de-duplication by MsgId, events by
sender + CreateTime; `wechat_dedup.py`); a retry of a passively answered message gets the same reply
again, since WeChat retries only when the first answer did not reach it. Text, voice (WeChat's
recognised text) and menu clicks go to the bot; subscribing gets a welcome; other types get a reply
saying what works. An image sent while the citizen's application form is open (after consent) is
kept as evidence for the application (`wechat_media.py`); outside an application it gets the reply
saying what works and is not fetched. When the bot's turn ends within the passive budget (~4 s) with one bubble that
fits WeChat's 2 KB, the reply goes back in the HTTP answer (passive reply); otherwise the channel
answers `success` at once and sends the bubbles, in order and split at line breaks to fit 2 KB, as
customer-service messages (`wechat_api.py`). Buttons become numbered lines, and a citizen who
answers with the number gets that button's payload.

Decisions staff make on WeChat applications reach the citizen through the outbox worker
(`wechat_outbox.py`), started with the server when WECHAT_TOKEN, WECHAT_APP_ID/SECRET and
REFERRAL_API_URL/TOKEN are set, and stopped before it.

The sender id is the OpenID. Logs show OpenIDs hashed (`user_tag`) and never a message's text.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.log import access_logger
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from bot.channels.wechat_api import DEFAULT_API_BASE, OUT_OF_WINDOW_ERRCODE, WeChatAPI, WeChatAPIError
from bot.channels.wechat_dedup import DEFAULT_TTL_SECONDS, DedupStore, dedup_store_from_url
from bot.channels.wechat_media import (
    IMAGE_NOT_RECEIVED,
    AttachmentUploader,
    EvidenceImages,
    ReferralService,
    application_open,
)
from bot.channels.wechat_menu import message_for_click
from bot.channels.wechat_outbox import DEFAULT_INTERVAL_SECONDS, OutboxWorker, ReferralOutbox

logger = logging.getLogger(__name__)

CHANNEL_NAME = "wechat"
MAX_BODY_BYTES = 64 * 1024
# WeChat's limit for one text message, passive or customer-service, in UTF-8 bytes.
MAX_TEXT_BYTES = 2048
# WeChat gives up after 5 s; answer before that, leaving time for the network.
PASSIVE_BUDGET_SECONDS = 4.0
MAX_CLOCK_SKEW_SECONDS = 300
# Numbered buttons can be answered by their number for this long.
BUTTON_MEMORY_SECONDS = 1800
MAX_BUTTON_MEMORY = 10_000

# What the channel itself says (everything else the bot says comes from the domain).
WELCOME = (
    "您好！这里是市法律援助中心的智能助手。\n"
    "我能回答常见的法律问题，帮您看看能不能申请免费的法律援助，还能把您的事交给工作人员。\n"
    "直接打字或者发语音就行，比如：\n"
    "「老板欠工资怎么办」\n"
    "「我能申请法律援助吗」\n"
    "「查询申请进度」\n"
    "遇到危险，请马上打110。"
)
VOICE_NOT_RECOGNISED = "这段语音没听清。请把您想说的话打成字发给我，比如「老板欠工资怎么办」。"
WHAT_WORKS = "请用文字或者语音告诉我您遇到的事，比如「老板欠工资怎么办」。"
UNSUPPORTED_KINDS = {"image": "图片", "video": "视频", "shortvideo": "视频", "location": "位置",
                     "link": "链接", "file": "文件"}
UNSUPPORTED = "{kind}我现在还看不了。" + WHAT_WORKS
UNKNOWN_CLICK = "这个菜单现在用不了。" + WHAT_WORKS
BOT_FAILED = "系统有点忙，请过一会儿再发一次。着急的话，请打12348法律服务热线。"
BUTTON_HINT = "（回复数字就行）"

BotHandler = Callable[[UserMessage], Awaitable[Any]]


def user_tag(openid: str | None) -> str:
    """An OpenID as it may appear in logs: a short one-way hash."""
    return "u-" + hashlib.sha256((openid or "").encode("utf-8")).hexdigest()[:12]


class RequestRefused(Exception):
    """A request the channel answers with an HTTP error before the bot sees anything."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class WeChatSettings:
    """The channel's settings, from environment variables (documented in the README)."""

    token: str = ""  # WECHAT_TOKEN: the token entered in the official account's server settings
    app_id: str = ""  # WECHAT_APP_ID
    app_secret: str = ""  # WECHAT_APP_SECRET (customer-service messages and the menu need it)
    aes_key: str = ""  # WECHAT_AES_KEY: EncodingAESKey, 43 characters; empty means plain mode
    api_base: str = DEFAULT_API_BASE  # WECHAT_API_BASE
    redis_url: str = ""  # REDIS_URL: share de-duplication between Rasa instances
    referral: ReferralService | None = None  # REFERRAL_API_URL + REFERRAL_API_TOKEN: evidence images, outbox
    outbox_interval: float = DEFAULT_INTERVAL_SECONDS  # WECHAT_OUTBOX_INTERVAL seconds; 0: no outbox worker
    passive_budget: float = PASSIVE_BUDGET_SECONDS
    max_clock_skew: float = MAX_CLOCK_SKEW_SECONDS
    dedup_ttl: int = DEFAULT_TTL_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> WeChatSettings:
        def get(name: str) -> str:
            return environ.get(name, "").strip()

        try:
            interval = float(get("WECHAT_OUTBOX_INTERVAL") or DEFAULT_INTERVAL_SECONDS)
        except ValueError:
            logger.error("wechat channel: WECHAT_OUTBOX_INTERVAL is not a number; using %s s",
                         DEFAULT_INTERVAL_SECONDS)
            interval = DEFAULT_INTERVAL_SECONDS
        return cls(token=get("WECHAT_TOKEN"), app_id=get("WECHAT_APP_ID"), app_secret=get("WECHAT_APP_SECRET"),
                   aes_key=get("WECHAT_AES_KEY"), api_base=get("WECHAT_API_BASE") or DEFAULT_API_BASE,
                   redis_url=get("REDIS_URL"), referral=ReferralService.from_env(environ),
                   outbox_interval=max(0.0, interval))

    def problem(self) -> str | None:
        """Why the channel cannot take messages (it then answers 503), or None."""
        if not self.token:
            return "WECHAT_TOKEN is not set"
        if self.aes_key:
            if not self.app_id:
                return "safe mode (WECHAT_AES_KEY) needs WECHAT_APP_ID"
            try:
                key = base64.b64decode(self.aes_key + "=", validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if len(self.aes_key) != 43 or len(key) != 32:
                return "WECHAT_AES_KEY must be the 43-character EncodingAESKey"
        return None


class HideWeChatQuery(logging.Filter):
    """Sanic's access log writes whole URLs; WeChat's carry the sender's OpenID (`openid=`): drop the query."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and "/webhooks/wechat" in request and "?" in request:
            record.request = request.split("?", 1)[0] + "?…"
        return True


def signature(token: str, *parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted, concatenated strings."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode("utf-8")).hexdigest()


def check_xml(body: bytes) -> None:
    """Refuse (400) anything that is not a small, plain `<xml>` document: no DTD, no entities."""
    if len(body) > MAX_BODY_BYTES:
        raise RequestRefused(413, "body too large")
    try:
        root = defusedxml.ElementTree.fromstring(body, forbid_dtd=True, forbid_entities=True,
                                                 forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise RequestRefused(400, f"XML refused: {type(exc).__name__}") from None
    except Exception as exc:  # ParseError and anything expat raises on garbage
        raise RequestRefused(400, f"bad XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise RequestRefused(400, "bad XML: root is not <xml>")


def render_bubble(message: Mapping[str, Any]) -> tuple[str, list[str]]:
    """One bot message as WeChat text, and the payloads of its numbered buttons."""
    lines: list[str] = []
    if message.get("text"):
        lines.append(str(message["text"]).strip())
    buttons = list(message.get("buttons") or message.get("quick_replies") or [])
    payloads: list[str] = []
    for number, button in enumerate(buttons, start=1):
        title = str(button.get("title", "")).strip()
        lines.append(f"{number}. {title}")
        payloads.append(str(button.get("payload") or title))
    if buttons:
        lines.append(BUTTON_HINT)
    for key in ("image", "attachment"):
        if message.get(key):
            lines.append(str(message[key]))
    return "\n".join(line for line in lines if line), payloads


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut at line breaks (inside a line only if it must)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        rest = line
        while len(rest.encode("utf-8")) > limit:
            cut = limit
            while len(rest[:cut].encode("utf-8")) > limit:
                cut -= 1
            pieces.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    if current.strip():
        pieces.append(current)
    return pieces


def message_text_for_bot(message: BaseMessage) -> tuple[str | None, str | None]:
    """(text for the bot, direct reply): exactly one of them is set, or neither (stay silent)."""
    kind = message.type
    if kind == "text":
        content = (message.content or "").strip()
        return (content, None) if content else (None, WHAT_WORKS)
    if kind == "voice":
        recognition = (message.recognition or "").strip()
        return (recognition, None) if recognition else (None, VOICE_NOT_RECOGNISED)
    if kind == "event":
        event = (message.event or "").lower()
        if event in ("subscribe", "subscribe_scan"):
            return None, WELCOME
        if event == "click":
            text = message_for_click(message.key)
            return (text, None) if text else (None, UNKNOWN_CLICK)
        return None, None  # unsubscribe, view, location reports, template results: nothing to say
    if str(getattr(message, "_data", {}).get("MsgType", "")).lower() == "event":
        return None, None  # an event wechatpy does not know (e.g. a mini-program view): nothing to say
    return None, UNSUPPORTED.format(kind=UNSUPPORTED_KINDS.get(kind, "这类消息"))


def dedup_key(message: BaseMessage) -> str:
    if message.id:
        return f"msg:{message.id}"
    event = getattr(message, "event", "") or message.type
    return f"evt:{message.source}:{message.time}:{event}"


class WeChatCollectingOutput(CollectingOutputChannel):
    """Collects one turn's bot messages without splitting them (Rasa's collector splits at blank lines).

    Its name is `wechat`, so responses with a `channel: wechat` variant use that variant.
    """

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class WeChatCustomerServiceOutput(OutputChannel):
    """Sends straight through the customer-service API (messages Rasa sends outside a turn)."""

    def __init__(self, channel: WeChatInput) -> None:
        self.channel = channel

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.channel.deliver(recipient_id, [dict(message)])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.channel.deliver(recipient_id, [{"text": text}])


class ButtonMemory:
    """The payloads of the numbered buttons last shown to each citizen, for a while."""

    def __init__(self, ttl: float = BUTTON_MEMORY_SECONDS, max_users: int = MAX_BUTTON_MEMORY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_users = max_users
        self._clock = clock
        self._shown: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()

    def remember(self, openid: str, payloads: list[str]) -> None:
        self._shown.pop(openid, None)
        if payloads:
            self._shown[openid] = (self._clock() + self.ttl, payloads)
            while len(self._shown) > self.max_users:
                self._shown.popitem(last=False)

    def resolve(self, openid: str, text: str) -> str:
        """The payload when `text` is just the number of a button shown to this citizen."""
        entry = self._shown.get(openid)
        if entry is None:
            return text
        expires, payloads = entry
        if self._clock() > expires:
            self._shown.pop(openid, None)
            return text
        number = text.strip().rstrip(".。、").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if number.isdigit() and 1 <= int(number) <= len(payloads):
            return payloads[int(number) - 1]
        return text


class RecentReplies:
    """The passive replies of the last minute, by message key, for WeChat's retries (this instance only)."""

    def __init__(self, ttl: float = 60, max_replies: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_replies = max_replies
        self._clock = clock
        self._replies: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def put(self, key: str, content: str) -> None:
        now = self._clock()
        while self._replies and next(iter(self._replies.values()))[0] <= now:
            self._replies.popitem(last=False)
        self._replies[key] = (now + self.ttl, content)
        while len(self._replies) > self.max_replies:
            self._replies.popitem(last=False)

    def get(self, key: str) -> str | None:
        entry = self._replies.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]


class WeChatInput(InputChannel):
    """The WeChat official account webhook."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Settings come from the environment; credentials.yml only switches the channel on.
        return cls(WeChatSettings.from_env())

    def __init__(self, settings: WeChatSettings | None = None, *, api: WeChatAPI | None = None,
                 dedup: DedupStore | None = None, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings or WeChatSettings.from_env()
        self._clock = clock
        self.problem = self.settings.problem()
        self.crypto: WeChatCrypto | None = None
        if self.problem:
            logger.warning("wechat channel: %s; /webhooks/wechat/webhook answers 503 until it is set", self.problem)
        elif self.settings.aes_key:
            self.crypto = WeChatCrypto(self.settings.token, self.settings.aes_key, self.settings.app_id)
            logger.info("wechat channel: safe mode (AES)")
        else:
            logger.warning("wechat channel: plain mode (no WECHAT_AES_KEY); use safe mode in production")
        self.api = api
        if self.api is None and self.settings.app_id and self.settings.app_secret:
            self.api = WeChatAPI(self.settings.app_id, self.settings.app_secret, self.settings.api_base)
        if self.api is None and not self.problem:
            logger.warning("wechat channel: no WECHAT_APP_ID/WECHAT_APP_SECRET: slow or long answers cannot be "
                           "sent (customer-service API); only quick one-message answers reach citizens")
        self.dedup = dedup or dedup_store_from_url(self.settings.redis_url or None, self.settings.dedup_ttl)
        referral = self.settings.referral
        self.images = EvidenceImages(self.api, AttachmentUploader(referral) if referral else None)
        self.outbox: OutboxWorker | None = None
        self.buttons = ButtonMemory()
        self._passive_replies = RecentReplies()
        self._background: set[asyncio.Task[Any]] = set()
        # Citizens with customer-service messages still to send: their next answers queue behind them.
        self._sending: dict[str, int] = {}
        self._send_locks: dict[str, asyncio.Lock] = {}

    def get_output_channel(self) -> OutputChannel | None:
        return WeChatCustomerServiceOutput(self)

    # --- the webhook --------------------------------------------------------------------------

    def blueprint(self, on_new_message: BotHandler) -> Blueprint:
        wechat_webhook = Blueprint("wechat_webhook", __name__)
        if not any(isinstance(f, HideWeChatQuery) for f in access_logger.filters):
            access_logger.addFilter(HideWeChatQuery())

        @wechat_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if not self.problem else "not configured"})

        @wechat_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                self._check_configured()
                self._check_signature(request)
            except RequestRefused as refused:
                return self._refusal(refused)
            return response.text(request.args.get("echostr", ""))

        @wechat_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                self._check_configured()
                self._check_signature(request)
                message = self._read_message(request)
            except RequestRefused as refused:
                return self._refusal(refused)
            return await self._handle(request, message, on_new_message)

        @wechat_webhook.listener("after_server_start")
        async def start_outbox(*_: Any) -> None:
            self.start_outbox()

        @wechat_webhook.listener("before_server_stop")
        async def stop_outbox(*_: Any) -> None:
            await self.stop_outbox()

        @wechat_webhook.listener("after_server_stop")
        async def close_api(*_: Any) -> None:
            await self.images.close()
            if self.api is not None:
                await self.api.close()

        return wechat_webhook

    # --- the outbox worker (decisions for citizens) -------------------------------------------

    def start_outbox(self) -> None:
        """Start delivering the referral service's messages, when everything it needs is set."""
        missing = [what for what, ok in (("WECHAT_TOKEN", not self.problem),
                                         ("WECHAT_APP_ID/WECHAT_APP_SECRET", self.api is not None),
                                         ("REFERRAL_API_URL/REFERRAL_API_TOKEN", self.settings.referral is not None),
                                         ("WECHAT_OUTBOX_INTERVAL > 0", self.settings.outbox_interval > 0)) if not ok]
        if missing:
            logger.info("wechat outbox: not started (needs %s); decisions are not sent by WeChat", ", ".join(missing))
            return
        if self.outbox is None:
            assert self.settings.referral is not None
            self.outbox = OutboxWorker(ReferralOutbox(self.settings.referral), self.send_notification,
                                       interval=self.settings.outbox_interval, tag=user_tag)
        self.outbox.start()

    async def stop_outbox(self) -> None:
        if self.outbox is not None:
            await self.outbox.stop()
            self.outbox = None

    async def send_notification(self, openid: str, text: str) -> None:
        """One message from the referral service, in 2 KB pieces after anything queued for this citizen.

        Raises WeChatAPIError when a piece is not sent (the rest are not tried).
        """
        if self.api is None:
            raise WeChatAPIError(-5, "WECHAT_APP_ID/WECHAT_APP_SECRET unset")
        self._sending[openid] = self._sending.get(openid, 0) + 1
        try:
            async with self._send_lock(openid):
                for piece in split_text(text):
                    await self.api.send_text(openid, piece)
        finally:
            self._done_sending(openid)

    def _refusal(self, refused: RequestRefused) -> HTTPResponse:
        logger.warning("wechat channel: refused a request with %s: %s", refused.status, refused.reason)
        return response.text(refused.reason, status=refused.status)

    def _check_configured(self) -> None:
        if self.problem:
            raise RequestRefused(503, f"WeChat channel not configured: {self.problem}")

    def _check_signature(self, request: Request) -> None:
        args = request.args
        sig, timestamp, nonce = args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", "")
        if not (sig and timestamp and nonce):
            raise RequestRefused(403, "missing signature")
        try:
            skew = abs(self._clock() - int(timestamp))
        except ValueError:
            raise RequestRefused(403, "bad timestamp") from None
        if skew > self.settings.max_clock_skew:
            raise RequestRefused(403, "stale timestamp")
        if not hmac.compare_digest(signature(self.settings.token, timestamp, nonce).encode(), sig.encode()):
            raise RequestRefused(403, "bad signature")

    def _read_message(self, request: Request) -> BaseMessage:
        length = request.headers.get("content-length", "0")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise RequestRefused(413, "body too large")
        body = request.body or b""
        check_xml(body)
        encrypted = request.args.get("encrypt_type", "raw").lower() == "aes"
        if self.crypto is not None:
            if not encrypted:
                raise RequestRefused(400, "safe mode expects an encrypted message")
            try:
                body = self.crypto.decrypt_message(body, request.args.get("msg_signature", ""),
                                                   request.args.get("timestamp", ""), request.args.get("nonce", ""))
            except (InvalidSignatureException, InvalidAppIdException):
                raise RequestRefused(403, "bad message signature") from None
            except Exception as exc:  # no <Encrypt>, bad base64, bad padding
                raise RequestRefused(400, f"cannot decrypt: {type(exc).__name__}") from None
            body = body.encode("utf-8") if isinstance(body, str) else body
            check_xml(body)
        elif encrypted:
            raise RequestRefused(400, "encrypted message but no WECHAT_AES_KEY")
        try:
            message = parse_message(body)
        except Exception as exc:
            raise RequestRefused(400, f"not a WeChat message: {type(exc).__name__}") from None
        if message is None or not message.source:
            raise RequestRefused(400, "not a WeChat message: no sender")
        return message

    # --- one message --------------------------------------------------------------------------

    async def _handle(self, request: Request, message: BaseMessage, on_new_message: BotHandler) -> HTTPResponse:
        openid = message.source
        who = user_tag(openid)
        key = dedup_key(message)
        if not await self.dedup.claim(key):
            # WeChat retries only when our answer did not reach it: give the same passive reply again.
            again = self._passive_replies.get(key)
            logger.info("wechat channel: repeated delivery of a %s message from %s: %s", message.type, who,
                        "passive reply sent again" if again else "acknowledged")
            return self._passive(request, message, again) if again else response.text("success")
        if message.type == "image" and await self._application_open(request, openid):
            logger.info("wechat channel: image message from %s during an application", who)
            return await self._evidence_image(request, message)
        text, direct = message_text_for_bot(message)
        logger.info("wechat channel: %s message from %s", message.type, who)
        if direct is not None:
            return self._passive_or_send(request, message, [direct])
        if text is None:
            return response.text("success")
        text = self.buttons.resolve(openid, text)

        collector = WeChatCollectingOutput()
        user_message = UserMessage(text, collector, openid, input_channel=CHANNEL_NAME,
                                   message_id=str(message.id) if message.id else None)
        started = time.monotonic()
        turn = asyncio.ensure_future(on_new_message(user_message))
        done, _ = await asyncio.wait({turn}, timeout=self.settings.passive_budget)
        if not done:
            logger.info("wechat channel: turn for %s slower than %.1f s; answering via customer-service API",
                        who, self.settings.passive_budget)
            self._queue(openid, self._deliver_slow_turn(openid, turn, collector))
            return response.text("success")
        bubbles = self._bubbles(openid, turn, collector)
        logger.info("wechat channel: turn for %s took %.2f s, %d bubble(s)", who, time.monotonic() - started,
                    len(bubbles))
        return self._passive_or_send(request, message, bubbles)

    async def _application_open(self, request: Request, openid: str) -> bool:
        agent = getattr(request.app.ctx, "agent", None)  # Rasa's agent, set when the server loads the model
        return await application_open(agent, openid)

    async def _evidence_image(self, request: Request, message: BaseMessage) -> HTTPResponse:
        """Keep the photo for the application; the answer passively when ready in time, else sent after."""
        openid = message.source
        job = asyncio.ensure_future(self.images.receive(openid, str(getattr(message, "media_id", "") or ""),
                                                        user_tag(openid)))
        done, _ = await asyncio.wait({job}, timeout=self.settings.passive_budget)
        if done:
            return self._passive_or_send(request, message, [self._image_answer(openid, job)])

        async def answer_later() -> None:
            async with self._send_lock(openid):
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.shield(job)
                await self._send_texts(openid, [self._image_answer(openid, job)], locked=True)

        self._queue(openid, answer_later())
        return response.text("success")

    @staticmethod
    def _image_answer(openid: str, job: asyncio.Future[str]) -> str:
        failure = job.exception() if not job.cancelled() else asyncio.CancelledError()
        if failure is not None:
            logger.error("wechat channel: an image from %s failed: %s", user_tag(openid), type(failure).__name__)
            return IMAGE_NOT_RECEIVED
        return job.result()

    def _bubbles(self, openid: str, turn: asyncio.Future[Any], collector: WeChatCollectingOutput) -> list[str]:
        failure = turn.exception() if not turn.cancelled() else asyncio.CancelledError()
        if failure is not None:
            logger.error("wechat channel: the bot failed on a message from %s: %s", user_tag(openid),
                         type(failure).__name__)
            return [BOT_FAILED]
        bubbles: list[str] = []
        payloads: list[str] = []
        for bot_message in collector.messages:
            if bot_message.get("custom"):
                logger.info("wechat channel: a custom payload is not shown on WeChat")
            rendered, buttons = render_bubble(bot_message)
            if rendered:
                bubbles.append(rendered)
            if buttons:
                payloads = buttons
        self.buttons.remember(openid, payloads)
        return bubbles

    def _passive_or_send(self, request: Request, message: BaseMessage, bubbles: list[str]) -> HTTPResponse:
        """A passive reply when it fits, else `success` now and customer-service messages after."""
        openid = message.source
        if not bubbles:
            return response.text("success")
        only = bubbles[0]
        fits = len(bubbles) == 1 and len(only.encode("utf-8")) <= MAX_TEXT_BYTES and "]]>" not in only
        # A passive reply must not overtake customer-service messages still queued for this citizen.
        if fits and not self._sending.get(openid):
            self._passive_replies.put(dedup_key(message), only)
            return self._passive(request, message, only)
        self._queue(openid, self._send_texts(openid, [piece for bubble in bubbles for piece in split_text(bubble)]))
        return response.text("success")

    def _passive(self, request: Request, message: BaseMessage, content: str) -> HTTPResponse:
        xml = TextReply(message=message, content=content).render()
        if self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, request.args.get("nonce", ""))
        return response.text(xml, content_type="application/xml")

    async def _deliver_slow_turn(self, openid: str, turn: asyncio.Future[Any],
                                 collector: WeChatCollectingOutput) -> None:
        # Hold this citizen's send lock while the turn runs: nothing later can be sent before it.
        async with self._send_lock(openid):
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.shield(turn)
            bubbles = self._bubbles(openid, turn, collector)
            await self._send_texts(openid, [piece for bubble in bubbles for piece in split_text(bubble)],
                                   locked=True)

    # --- customer-service delivery ------------------------------------------------------------

    async def deliver(self, openid: str, messages: list[dict[str, Any]]) -> None:
        """Send bot messages in order as customer-service texts of at most 2 KB each."""
        texts = [piece for bot_message in messages for piece in split_text(render_bubble(bot_message)[0])]
        self._sending[openid] = self._sending.get(openid, 0) + 1
        try:
            await self._send_texts(openid, texts)
        finally:
            self._done_sending(openid)

    def _send_lock(self, openid: str) -> asyncio.Lock:
        return self._send_locks.setdefault(openid, asyncio.Lock())

    async def _send_texts(self, openid: str, texts: list[str], *, locked: bool = False) -> None:
        if not texts:
            return
        who = user_tag(openid)
        if self.api is None:
            logger.error("wechat channel: %d message(s) for %s not sent: WECHAT_APP_ID/WECHAT_APP_SECRET unset",
                         len(texts), who)
            return
        async with contextlib.nullcontext() if locked else self._send_lock(openid):
            for index, text in enumerate(texts, start=1):
                try:
                    await self.api.send_text(openid, text)
                except WeChatAPIError as exc:
                    hint = " (the citizen's last message is over 48 h old)" \
                        if exc.errcode == OUT_OF_WINDOW_ERRCODE else ""
                    logger.error("wechat channel: message %d/%d for %s not sent: errcode %s%s; the rest dropped",
                                 index, len(texts), who, exc.errcode, hint)
                    return
        logger.info("wechat channel: %d customer-service message(s) sent to %s", len(texts), who)

    def _queue(self, openid: str, job: Awaitable[Any]) -> None:
        """Run a delivery in the background; until it ends, this citizen gets no passive reply."""
        self._sending[openid] = self._sending.get(openid, 0) + 1

        async def run() -> None:
            try:
                await job
            finally:
                self._done_sending(openid)

        task = asyncio.ensure_future(run())
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _done_sending(self, openid: str) -> None:
        left = self._sending.get(openid, 1) - 1
        if left > 0:
            self._sending[openid] = left
            return
        self._sending.pop(openid, None)
        lock = self._send_locks.get(openid)
        if lock is not None and not lock.locked():
            del self._send_locks[openid]

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("wechat channel: background delivery failed: %s", type(task.exception()).__name__)

    async def drain(self) -> None:
        """Wait for every pending delivery (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
