"""The referral API client against a real local HTTP server: submissions and status lookups, retries,
timeouts, errors without personal data."""

from __future__ import annotations

import logging

import pytest

from actions.clients.referral_api import HttpReferralClient, ReferralApiError, StatusLookupPaused, StatusNotFound
from actions.config import ActionSettings
from tests.support.http_script import Script, serve

PAYLOAD = {"applicant_name": "张三", "applicant_phone": "13812345678"}


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


# --- status lookups --------------------------------------------------------------------

FOUND = {"ticket_number": "FY261128-4821", "status": "new", "status_text": "已经收到，正在等工作人员处理。",
         "station_name": "镇雄县法律援助中心", "station_phone": None, "decision_due": "2026-12-08"}


@pytest.mark.asyncio
async def test_client_posts_the_lookup_with_the_token(server_for):
    script = Script([(200, FOUND)])
    found = await server_for(script).lookup_status("FY261128-4821", "5678")
    assert found == FOUND
    request = script.requests[0]
    assert request["path"] == "/api/referrals/status"
    assert request["body"] == {"ticket_number": "FY261128-4821", "phone_last4": "5678"}
    assert request["headers"]["Authorization"] == "Bearer " + "t" * 20


@pytest.mark.parametrize(("status", "error"), [(404, StatusNotFound), (429, StatusLookupPaused),
                                                (500, ReferralApiError), (401, ReferralApiError)])
@pytest.mark.asyncio
async def test_client_errors(server_for, caplog, status, error):
    script = Script([(status, {"detail": "x"})])
    with caplog.at_level(logging.DEBUG), pytest.raises(error):
        await server_for(script).lookup_status("FY261128-4821", "5678")
    assert "5678" not in caplog.text


@pytest.mark.asyncio
async def test_client_unreachable():
    client = HttpReferralClient(ActionSettings("http://127.0.0.1:9", "t" * 20, connect_timeout=0.5,
                                             read_timeout=0.5, retries=0))
    with pytest.raises(ReferralApiError):
        await client.lookup_status("FY261128-4821", "5678")
