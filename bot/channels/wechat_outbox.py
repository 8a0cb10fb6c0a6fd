"""Delivers the referral service's messages to WeChat applicants (staff decisions), in the Rasa process.

The referral service queues a message in its outbox when staff decide on an application that came
by WeChat (referral/notifications.py). Every WECHAT_OUTBOX_INTERVAL seconds (default 15; 0 turns
the worker off, e.g. on all but one of several Rasa instances) this worker fetches the pending
messages (`GET /api/notifications?channel=wechat`), sends each one as customer-service text
(split at 2 KB like the channel's answers) and reports its fate:

- sent: `POST /api/notifications/{id}/delivered?channel=wechat`;
- errcode 45015 (the citizen's 48-hour window is closed) or 40003 (not a follower): failed with
  `retry: false`; the citizen's status lookup still tells the decision;
- network errors and other errcodes: failed with `retry: true` (the service waits longer each time).

When the referral service is down the worker logs once per outage and keeps trying: the rows wait.
A message sent whose report did not get through is reported again, not sent again, by this
instance. Logs hold hashed OpenIDs only, never a message's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.channels.wechat_api import INVALID_OPENID_ERRCODE, OUT_OF_WINDOW_ERRCODE, WeChatAPIError
from bot.channels.wechat_media import ReferralService

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
DEFAULT_INTERVAL_SECONDS = 15.0
# errcodes after which sending again cannot help
UNDELIVERABLE_ERRCODES = frozenset({OUT_OF_WINDOW_ERRCODE, INVALID_OPENID_ERRCODE})

# send(openid, text): sends the whole text to the citizen or raises WeChatAPIError
Sender = Callable[[str, str], Awaitable[None]]
Tagger = Callable[[str], str]


class OutboxUnavailable(Exception):
    """The referral service's outbox could not be reached, or answered with an error."""


class UnknownNotification(Exception):
    """The referral service no longer knows this notification (404)."""


class ReferralOutbox:
    """The outbox API of the referral service. Create it inside the event loop that uses it."""

    def __init__(self, service: ReferralService, *, timeout: float = 10.0) -> None:
        self.service = service
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def pending(self) -> list[dict[str, Any]]:
        body = await self._call("GET", "/api/notifications")
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise OutboxUnavailable("unexpected answer")
        return [item for item in items if isinstance(item, dict)]

    async def delivered(self, notification_id: int) -> None:
        await self._call("POST", f"/api/notifications/{notification_id}/delivered")

    async def failed(self, notification_id: int, error: str, *, retry: bool) -> None:
        await self._call("POST", f"/api/notifications/{notification_id}/failed",
                         json={"error": error[:200] or "unknown", "retry": retry})

    async def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self.service.url + path, params={"channel": CHANNEL},
                                             json=json, headers=self.service.headers) as response:
                status = response.status
                body = await response.json(content_type=None) if status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise OutboxUnavailable(type(exc).__name__) from None
        if status == 404 and path != "/api/notifications":
            raise UnknownNotification(path)
        if status != 200:
            raise OutboxUnavailable(f"HTTP {status}")
        return body

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def failure_of(exc: WeChatAPIError) -> tuple[str, bool]:
    """(error for the referral service, retry?) for a send WeChat refused or that did not get through."""
    return f"errcode {exc.errcode}: {exc.errmsg}"[:200], exc.errcode not in UNDELIVERABLE_ERRCODES


class OutboxWorker:
    """Drains the outbox every `interval` seconds until stopped."""

    def __init__(self, outbox: ReferralOutbox, send: Sender, *, interval: float = DEFAULT_INTERVAL_SECONDS,
                 tag: Tagger = lambda openid: "u-?") -> None:
        self.outbox = outbox
        self.send = send
        self.interval = interval
        self._tag = tag
        self._down = False
        # sent, but the report did not get through: reported again next round, never sent again
        self._unreported: dict[int, tuple[str, str, bool]] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- one round ----------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Fetch, send and report the pending messages; the number delivered. Never raises for an outage."""
        try:
            await self._report_unreported()
            items = await self.outbox.pending()
        except OutboxUnavailable as exc:
            self._outage(exc)
            return 0
        self._back()
        delivered = 0
        for item in items:
            if self._stopping.is_set():
                break
            try:
                notification_id = int(item["id"])
                openid, text = str(item["recipient"]), str(item["text"])
            except (KeyError, TypeError, ValueError):
                logger.error("wechat outbox: a notification without id, recipient or text; skipped")
                continue
            if notification_id not in self._unreported:
                delivered += await self._send(notification_id, openid, text)
            try:
                await self._report(notification_id)
            except OutboxUnavailable as exc:
                self._outage(exc)  # reported next round; the rest wait for it
                break
        return delivered

    async def _send(self, notification_id: int, openid: str, text: str) -> int:
        """Send one message and remember its fate until reported; 1 when sent."""
        who = self._tag(openid)
        try:
            await self.send(openid, text)
        except WeChatAPIError as exc:
            error, retry = failure_of(exc)
            logger.warning("wechat outbox: notification %s for %s not sent: errcode %s (%s)", notification_id, who,
                           exc.errcode, "tried again later" if retry else "cannot be delivered")
            self._unreported[notification_id] = ("failed", error, retry)
            return 0
        logger.info("wechat outbox: notification %s sent to %s", notification_id, who)
        self._unreported[notification_id] = ("delivered", "", False)
        return 1

    async def _report(self, notification_id: int) -> None:
        fate, error, retry = self._unreported[notification_id]
        try:
            if fate == "delivered":
                await self.outbox.delivered(notification_id)
            else:
                await self.outbox.failed(notification_id, error, retry=retry)
        except UnknownNotification:
            logger.warning("wechat outbox: notification %s is unknown to the referral service", notification_id)
        self._unreported.pop(notification_id, None)

    async def _report_unreported(self) -> None:
        for notification_id in list(self._unreported):
            await self._report(notification_id)

    def _outage(self, exc: Exception) -> None:
        if not self._down:
            logger.error("wechat outbox: referral service unavailable (%s); trying again every %.0f s", exc,
                         self.interval)
        self._down = True

    def _back(self) -> None:
        if self._down:
            logger.info("wechat outbox: referral service reachable again")
        self._down = False

    # --- the loop -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.ensure_future(self._run())
            logger.info("wechat outbox: delivering decisions every %.0f s", self.interval)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except Exception as exc:  # a bug must not end the loop silently
                logger.error("wechat outbox: round failed: %s", type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the message being sent, then stop; cancel after `timeout` seconds."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=timeout)
            except asyncio.TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        await self.outbox.close()
