"""The HTTP client against a real local HTTP server: retries, timeouts, errors without personal data."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from actions.clients.referral_api import HttpReferralClient, ReferralApiError
from actions.config import ActionSettings

PAYLOAD = {"applicant_name": "张三", "applicant_phone": "13812345678"}


class Script:
    """What the server answers, one response per request, and what it received."""

    def __init__(self, answers: list[tuple[int, dict]]) -> None:
        self.answers = answers
        self.requests: list[dict] = []


def serve(script: Script):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            status, answer = script.answers.pop(0) if script.answers else (500, {})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 200:
                self.send_header("Idempotent-Replayed", "true")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def server_for():
    servers = []

    def start(script: Script) -> HttpReferralClient:
        server = serve(script)
        servers.append(server)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        return HttpReferralClient(ActionSettings(url, "t" * 20, connect_timeout=1, read_timeout=2, retries=1))

    yield start
    for server in servers:
        server.shutdown()


@pytest.mark.asyncio
async def test_client_sends_token_and_key(server_for):
    script = Script([(201, {"ticket_number": "FY261128-0001", "status": "new"})])
    ticket = await server_for(script).create_referral(PAYLOAD, "rasa-key-1")
    assert ticket.ticket_number == "FY261128-0001" and ticket.replayed is False
    request = script.requests[0]
    assert request["path"] == "/api/referrals"
    assert request["headers"]["Authorization"] == "Bearer " + "t" * 20
    assert request["headers"]["Idempotency-Key"] == "rasa-key-1"
    assert request["body"] == PAYLOAD


@pytest.mark.asyncio
async def test_client_retries_once_on_503_with_the_same_key(server_for):
    script = Script([(503, {}), (200, {"ticket_number": "FY261128-0002", "status": "new"})])
    ticket = await server_for(script).create_referral(PAYLOAD, "rasa-key-2")
    assert ticket.ticket_number == "FY261128-0002" and ticket.replayed is True
    assert [r["headers"]["Idempotency-Key"] for r in script.requests] == ["rasa-key-2", "rasa-key-2"]


@pytest.mark.asyncio
async def test_client_reports_refusal_without_personal_data(server_for, caplog):
    detail = {"detail": [{"loc": ["body", "applicant_phone"], "msg": "bad", "input": "13812345678"}]}
    script = Script([(422, detail)])
    with caplog.at_level(logging.WARNING), pytest.raises(ReferralApiError, match="HTTP 422"):
        await server_for(script).create_referral(PAYLOAD, "rasa-key-3")
    assert "body.applicant_phone" in caplog.text
    assert "13812345678" not in caplog.text and "张三" not in caplog.text


@pytest.mark.asyncio
async def test_client_unreachable_service_raises():
    settings = ActionSettings("http://127.0.0.1:9", "t" * 20, connect_timeout=0.5, read_timeout=0.5, retries=1)
    with pytest.raises(ReferralApiError, match="unreachable"):
        await HttpReferralClient(settings).create_referral(PAYLOAD, "rasa-key-4")


def test_settings_name_missing_variables(monkeypatch):
    from actions.config import load_settings

    monkeypatch.delenv("REFERRAL_API_URL", raising=False)
    monkeypatch.setenv("REFERRAL_API_TOKEN", "x" * 20)
    with pytest.raises(RuntimeError, match="REFERRAL_API_URL"):
        load_settings()
