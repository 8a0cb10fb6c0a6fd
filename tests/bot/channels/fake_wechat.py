"""A local stand-in for WeChat's API servers, speaking the same HTTP API as api.weixin.qq.com.

Standard library only, so both the bot env (channel tests) and the referral env (end-to-end
test) can start it. It serves the four calls the project makes:

    GET  /cgi-bin/token?grant_type=client_credential&appid=…&secret=…
    POST /cgi-bin/message/custom/send?access_token=…   (customer-service message)
    GET  /cgi-bin/media/get?access_token=…&media_id=…  (a file a citizen sent; `add_media` stores one)
    POST /cgi-bin/menu/create?access_token=…

and records what it was sent. Tests steer it: expire the tokens, make the next calls fail with
HTTP 500 or an errcode, and wait for customer-service messages to arrive.

The other direction is here too: the signed query and the XML that WeChat's servers POST to the
official account's webhook (`signed_query`, `text_xml`, `voice_xml`, `image_xml`, `event_xml`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# --- what WeChat's servers send to the official account's webhook --------------------------

TOKEN = "test-wechat-token"
APP_ID = "wx-fake-app"
APP_SECRET = "fake-secret"
# a valid EncodingAESKey: 43 base64 characters for 32 bytes
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OPENID = "oTestOpenId_Citizen0001"
ACCOUNT = "gh_legalaid_centre"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign(token: str, *parts: str) -> str:
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def signed_query(token: str = TOKEN, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or uuid.uuid4().hex[:10]
    return {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce}


_msg_ids = iter(range(7_000_000_000_000_000_001, 7_999_999_999_999_999_999))


def text_xml(content: str, msg_id: int | None = None, openid: str = OPENID, create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>")


def voice_xml(recognition: str | None, openid: str = OPENID) -> str:
    recognised = f"<Recognition><![CDATA[{recognition}]]></Recognition>" if recognition is not None else ""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
            f"<MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format>{recognised}"
            f"<MsgId>{next(_msg_ids)}</MsgId></xml>")


def image_xml(openid: str = OPENID, media_id: str = "media-2", msg_id: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            f"<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
            f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>")


# small but real image headers (what the channel sniffs), padded to any size
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 32
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24


def event_xml(event: str, key: str | None = None, openid: str = OPENID, create_time: int | None = None) -> str:
    event_key = f"<EventKey><![CDATA[{key}]]></EventKey>" if key is not None else ""
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event>{event_key}</xml>")


# --- what WeChat's API servers are sent ------------------------------------------------------


@dataclass(frozen=True)
class SentMessage:
    touser: str
    msgtype: str
    content: str


class FakeWeChat:
    """`with FakeWeChat() as wechat:` serves on a free port of 127.0.0.1 at `wechat.base_url`."""

    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET, expires_in: int = 7200) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.expires_in = expires_in
        self.token_requests = 0
        self.send_requests = 0
        self.messages: list[SentMessage] = []
        self.menus: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_requests = 0
        self._valid_tokens: set[str] = set()
        self._expired_tokens: set[str] = set()
        self._counter = itertools.count(1)
        self._http_failures = 0
        self._errcodes: list[int] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeWeChat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- steering -----------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (errcode 42001)."""
        with self._changed:
            self._expired_tokens |= self._valid_tokens
            self._valid_tokens.clear()

    def revoke_tokens(self) -> None:
        """Every token issued so far is now unknown (errcode 40001), as after a secret reset."""
        with self._changed:
            self._valid_tokens.clear()
            self._expired_tokens.clear()

    def fail_next_http(self, count: int) -> None:
        """The next `count` calls (any endpoint) answer HTTP 500."""
        with self._changed:
            self._http_failures += count

    def answer_next_sends(self, *errcodes: int) -> None:
        """The next customer-service sends answer these errcodes, one each, before succeeding again."""
        with self._changed:
            self._errcodes.extend(errcodes)

    def add_media(self, media_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """A file a citizen sent, served at /cgi-bin/media/get under `media_id`."""
        with self._changed:
            self.media[media_id] = (data, content_type)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return list(self.messages)

    # --- the HTTP API -------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._answer(fake._get(self.path))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(fake._post(self.path, self.rfile.read(length)))

            def _answer(self, result: tuple[int, dict[str, Any] | tuple[bytes, str]]) -> None:
                status, payload = result
                if isinstance(payload, tuple):  # a file: bytes and their content type
                    body, content_type = payload
                else:
                    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                    content_type = "application/json; charset=utf-8"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _take_http_failure(self) -> bool:
        with self._changed:
            if self._http_failures > 0:
                self._http_failures -= 1
                return True
            return False

    def _get(self, path: str) -> tuple[int, dict[str, Any] | tuple[bytes, str]]:
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self._take_http_failure():
            return 500, {"error": "injected failure"}
        if url.path == "/cgi-bin/media/get":
            return self._media(query)
        if url.path != "/cgi-bin/token":
            return 404, {"errcode": 404, "errmsg": "not found"}
        with self._changed:
            self.token_requests += 1
            if query.get("grant_type") != "client_credential":
                return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
            if query.get("appid") != self.app_id:
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            if query.get("secret") != self.app_secret:
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            token = f"fake-token-{next(self._counter)}"
            self._valid_tokens.add(token)
            return 200, {"access_token": token, "expires_in": self.expires_in}

    def _media(self, query: dict[str, str]) -> tuple[int, dict[str, Any] | tuple[bytes, str]]:
        token = query.get("access_token", "")
        with self._changed:
            self.media_requests += 1
            if token in self._expired_tokens:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            if token not in self._valid_tokens:
                return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            found = self.media.get(query.get("media_id", ""))
            if found is None:
                return 200, {"errcode": 40007, "errmsg": "invalid media_id"}
            return 200, found

    def _post(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        url = urlsplit(path)
        token = parse_qs(url.query).get("access_token", [""])[0]
        if self._take_http_failure():
            return 500, {"error": "injected failure"}
        with self._changed:
            if url.path == "/cgi-bin/message/custom/send":
                self.send_requests += 1
            if token in self._expired_tokens:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            if token not in self._valid_tokens:
                return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return 200, {"errcode": 47001, "errmsg": "data format error"}
            if url.path == "/cgi-bin/message/custom/send":
                if self._errcodes:
                    errcode = self._errcodes.pop(0)
                    return 200, {"errcode": errcode, "errmsg": "injected errcode"}
                content = payload.get("text", {}).get("content", "")
                if payload.get("msgtype") != "text" or not payload.get("touser"):
                    return 200, {"errcode": 40008, "errmsg": "invalid message type"}
                if len(content.encode("utf-8")) > 2048:
                    return 200, {"errcode": 45002, "errmsg": "content size out of limit"}
                self.messages.append(SentMessage(payload["touser"], payload["msgtype"], content))
                self._changed.notify_all()
                return 200, {"errcode": 0, "errmsg": "ok"}
            if url.path == "/cgi-bin/menu/create":
                if not payload.get("button"):
                    return 200, {"errcode": 40016, "errmsg": "invalid button size"}
                self.menus.append(payload)
                return 200, {"errcode": 0, "errmsg": "ok"}
            return 404, {"errcode": 404, "errmsg": "not found"}
