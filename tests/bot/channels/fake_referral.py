"""A local stand-in for the two parts of the referral service's API the WeChat channel calls.

Standard library only. It serves, behind the service token:

    GET  /api/notifications?channel=wechat              (pending messages for citizens)
    POST /api/notifications/{id}/delivered?channel=wechat
    POST /api/notifications/{id}/failed?channel=wechat  {"error": "...", "retry": true|false}
    POST /api/attachments?channel=wechat&owner=<OpenID> (raw image bytes)

and records what it was sent. A failed message leaves the pending list (the real service tries
it again only after a backoff). Tests steer it: queue messages, make every answer an HTTP error
(`down`), slow the attachments down.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SERVICE_TOKEN = "fake-referral-service-token-0123456789"


@dataclass
class Upload:
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Failure:
    id: int
    error: str
    retry: bool


@dataclass
class State:
    notifications: dict[int, dict[str, Any]] = field(default_factory=dict)
    delivered: list[int] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    polls: int = 0


class FakeReferral:
    """`with FakeReferral() as referral:` serves on a free port of 127.0.0.1 at `referral.url`."""

    def __init__(self, token: str = SERVICE_TOKEN) -> None:
        self.token = token
        self.state = State()
        self.down: int | None = None  # an HTTP status to answer every request with
        self.attachment_status = 201
        self.attachment_delay = 0.0
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeReferral:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- steering -----------------------------------------------------------------------------

    def queue(self, recipient: str, text: str) -> int:
        with self._lock:
            notification_id = next(self._ids)
            self.state.notifications[notification_id] = {
                "id": notification_id, "kind": "decision", "channel": "wechat", "recipient": recipient,
                "text": text, "created_at": "2026-01-05T08:00:00Z", "attempts": 0}
            return notification_id

    @property
    def pending(self) -> list[int]:
        with self._lock:
            return sorted(self.state.notifications)

    def wait_until(self, check: Any, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not check(self.state):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    # --- the HTTP API -------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(*fake._route("GET", self.path, dict(self.headers), b""))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(*fake._route("POST", self.path, dict(self.headers), body))

            def _answer(self, status: int, payload: Any) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.down is not None:
            return self.down, {"detail": "injected failure"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"detail": "bad token"}
        if url.path == "/api/attachments" and method == "POST":
            return self._attachment(query, headers, body)
        if query.get("channel") != "wechat":
            return 422, {"detail": "channel"}
        parts = url.path.strip("/").split("/")
        with self._lock:
            try:
                if parts == ["api", "notifications"] and method == "GET":
                    self.state.polls += 1
                    return 200, {"items": [self.state.notifications[i] for i in sorted(self.state.notifications)]}
                if len(parts) == 4 and parts[:2] == ["api", "notifications"] and method == "POST":
                    notification_id = int(parts[2])
                    if notification_id not in self.state.notifications:
                        return 404, {"detail": "no such notification for this channel"}
                    if parts[3] == "delivered":
                        self.state.delivered.append(notification_id)
                    elif parts[3] == "failed":
                        data = json.loads(body)
                        self.state.failed.append(Failure(notification_id, data["error"], data["retry"]))
                    else:
                        return 404, {"detail": "not found"}
                    return 200, self.state.notifications.pop(notification_id)
                return 404, {"detail": "not found"}
            finally:
                self._lock.notify_all()

    def _attachment(self, query: dict[str, str], headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if self.attachment_delay:
            time.sleep(self.attachment_delay)
        with self._lock:
            self.state.uploads.append(Upload(query, headers, body))
            self._lock.notify_all()
            if self.attachment_status not in (200, 201):
                return self.attachment_status, {"detail": "refused"}
            return self.attachment_status, {
                "id": len(self.state.uploads), "content_type": headers.get("Content-Type"), "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(), "created_at": "2026-01-05T08:00:00Z"}
