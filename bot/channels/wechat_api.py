"""The one client of WeChat's official-account HTTP API: access token, customer-service messages, media, menu.

Async (aiohttp), so it never blocks Rasa's event loop. The access token is fetched in this one
place, cached, and fetched again shortly before it expires or when WeChat says it is invalid or
expired (errcode 40001, 40014, 42001). Network errors, HTTP 5xx and WeChat's "system busy"
(errcode -1) are retried with exponential backoff; every other errcode is raised as
`WeChatAPIError`. The base URL is configurable (WECHAT_API_BASE) so that tests run the same code
against a local fake of WeChat's servers.

Nothing here logs the access token, the app secret, message text or a clear OpenID.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
# Fetch a new token this long before WeChat's expiry (tokens live 7200 s).
TOKEN_REFRESH_MARGIN_SECONDS = 300
# errcodes meaning "this access token is not (or no longer) valid": fetch a new one and retry.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# errcode -1: "system busy, try again later".
BUSY_ERRCODE = -1
# errcode 45015: the citizen's last message is more than 48 h old; customer-service messages are refused.
OUT_OF_WINDOW_ERRCODE = 45015
# errcode 40003: the OpenID is not a follower of this account (wrong id, or another account's).
INVALID_OPENID_ERRCODE = 40003
# Content types under which WeChat answers an error as JSON instead of the media file.
_JSON_TYPES = ("application/json", "text/plain")


class WeChatAPIError(Exception):
    """WeChat refused a call (errcode != 0), or it could not be reached after all retries."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class MediaTooLarge(Exception):
    """A media file larger than the caller's limit (not read to the end)."""


class _TransientError(Exception):
    """A failure worth retrying: network error, timeout, HTTP 5xx, unreadable body, system busy."""


class WeChatAPI:
    """Calls WeChat's API with a cached access token. Create it inside the event loop that uses it."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        base_url: str = DEFAULT_API_BASE,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not app_id or not app_secret:
            raise ValueError("WeChatAPI needs an app id and an app secret")
        self.app_id = app_id
        self._app_secret = app_secret
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **kwargs: Any) -> WeChatAPI | None:
        """WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_API_BASE; None when the id or secret is unset."""
        app_id = environ.get("WECHAT_APP_ID", "").strip()
        app_secret = environ.get("WECHAT_APP_SECRET", "").strip()
        if not app_id or not app_secret:
            return None
        base_url = environ.get("WECHAT_API_BASE", "").strip() or DEFAULT_API_BASE
        return cls(app_id, app_secret, base_url, **kwargs)

    # --- public calls -------------------------------------------------------------------------

    async def send_text(self, openid: str, text: str) -> None:
        """One customer-service text message (works within 48 h of the citizen's last message)."""
        await self._call("/cgi-bin/message/custom/send",
                         {"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def get_media(self, media_id: str, max_bytes: int) -> bytes:
        """The file a citizen sent (image, voice) by its MediaId, valid for 3 days after the message.

        Raises `MediaTooLarge` as soon as the file is known to exceed `max_bytes` (never reading
        more than `max_bytes` + one chunk), `WeChatAPIError` when WeChat refuses or cannot be reached.
        """
        for attempt in range(1, self._attempts + 1):
            token = await self.access_token()
            try:
                result = await self._download("/cgi-bin/media/get", {"access_token": token, "media_id": media_id},
                                              max_bytes)
            except _TransientError as exc:
                await self._retry_or_raise(attempt, "media", exc)
                continue
            if isinstance(result, bytes):
                return result
            errcode = int(result.get("errcode", 0) or 0)
            if errcode in TOKEN_ERRCODES:
                logger.info("wechat api: media answered errcode %s; fetching a new access token", errcode)
                self._invalidate(token)
                if attempt == self._attempts:
                    raise WeChatAPIError(errcode, str(result.get("errmsg", "")))
                continue
            if errcode == BUSY_ERRCODE:
                await self._retry_or_raise(attempt, "media", _TransientError("system busy"))
                continue
            raise WeChatAPIError(errcode or -4, str(result.get("errmsg", "no media in the answer")))
        raise AssertionError("unreachable")  # pragma: no cover

    async def create_menu(self, menu: dict[str, Any]) -> None:
        """Replace the official account's custom menu."""
        await self._call("/cgi-bin/menu/create", menu)

    async def access_token(self) -> str:
        """The cached token, fetched again when missing or close to its expiry."""
        async with self._token_lock:
            if self._token is None or self._clock() >= self._token_expires_at - TOKEN_REFRESH_MARGIN_SECONDS:
                await self._fetch_token()
            assert self._token is not None
            return self._token

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    # --- internals ----------------------------------------------------------------------------

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    def _invalidate(self, token: str) -> None:
        # Only the token that failed: another call may already have fetched a fresh one.
        if self._token == token:
            self._token = None

    async def _fetch_token(self) -> None:
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._app_secret}
        for attempt in range(1, self._attempts + 1):
            try:
                result = await self._request("GET", "/cgi-bin/token", params=params)
            except _TransientError as exc:
                await self._retry_or_raise(attempt, "token", exc)
                continue
            errcode = int(result.get("errcode", 0) or 0)
            if errcode == 0 and result.get("access_token"):
                self._token = str(result["access_token"])
                self._token_expires_at = self._clock() + float(result.get("expires_in", 7200))
                logger.info("wechat api: new access token, valid for %s s", result.get("expires_in", 7200))
                return
            if errcode == BUSY_ERRCODE:
                await self._retry_or_raise(attempt, "token", _TransientError("system busy"))
                continue
            raise WeChatAPIError(errcode, str(result.get("errmsg", "no access_token in the answer")))

    async def _call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")  # WeChat wants UTF-8, not \\u escapes
        for attempt in range(1, self._attempts + 1):
            token = await self.access_token()
            try:
                result = await self._request("POST", path, params={"access_token": token}, data=body)
            except _TransientError as exc:
                await self._retry_or_raise(attempt, path, exc)
                continue
            errcode = int(result.get("errcode", 0) or 0)
            if errcode == 0:
                return result
            if errcode in TOKEN_ERRCODES:
                logger.info("wechat api: %s answered errcode %s; fetching a new access token", path, errcode)
                self._invalidate(token)
                if attempt == self._attempts:
                    raise WeChatAPIError(errcode, str(result.get("errmsg", "")))
                continue
            if errcode == BUSY_ERRCODE:
                await self._retry_or_raise(attempt, path, _TransientError("system busy"))
                continue
            raise WeChatAPIError(errcode, str(result.get("errmsg", "")))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _retry_or_raise(self, attempt: int, what: str, exc: Exception) -> None:
        if attempt >= self._attempts:
            raise WeChatAPIError(-2, f"{what}: gave up after {attempt} attempts ({exc})") from exc
        delay = self._backoff * 2 ** (attempt - 1)
        logger.warning("wechat api: %s failed (%s); retry %d in %.2f s", what, exc, attempt, delay)
        await asyncio.sleep(delay)

    async def _download(self, path: str, params: dict[str, str], max_bytes: int) -> bytes | dict[str, Any]:
        """A file (bytes), or WeChat's JSON error answer (dict)."""
        try:
            async with self._http().get(self.base_url + path, params=params) as response:
                status = response.status
                content_type = response.headers.get("Content-Type", "").lower()
                if status < 400 and response.content_length is not None and response.content_length > max_bytes:
                    raise MediaTooLarge(f"{response.content_length} bytes")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes and status < 400 and not content_type.startswith(_JSON_TYPES):
                        raise MediaTooLarge(f"more than {max_bytes} bytes")
                    if size > max_bytes + 64 * 1024:
                        break
                    chunks.append(chunk)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _TransientError(type(exc).__name__) from None  # the URL holds the token: type only
        if status >= 500:
            raise _TransientError(f"HTTP {status}")
        if status >= 400:
            raise WeChatAPIError(-3, f"HTTP {status} from {path}")
        raw = b"".join(chunks)
        if content_type.startswith(_JSON_TYPES) or raw[:1] == b"{":
            try:
                result = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                result = None
            if isinstance(result, dict):
                return result
        return raw

    async def _request(self, method: str, path: str, *, params: dict[str, str],
                       data: bytes | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            async with self._http().request(method, self.base_url + path, params=params, data=data,
                                            headers=headers) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            # str(exc) may hold the URL with the token or secret: only the type is reported.
            raise _TransientError(type(exc).__name__) from None
        if status >= 500:
            raise _TransientError(f"HTTP {status}")
        if status >= 400:
            raise WeChatAPIError(-3, f"HTTP {status} from {path}")
        try:
            result = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _TransientError(f"unreadable answer from {path}") from None
        if not isinstance(result, dict):
            raise _TransientError(f"unexpected answer from {path}")
        return result
