"""Decisions reach WeChat applicants through the outbox, on SQLite and PostgreSQL: queued in the
decision's transaction, fetched by the channel, delivered once, retried with backoff, given up."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from referral import notifications
from referral.models import Notification, Role, Station, utcnow
from referral.staff_auth import create_user
from tests.support.referrals import referral_body

PASSWORD = "correct-horse-42"
OPENID = "oXyz-openid-0123456789"


@pytest.fixture
def staff(client) -> dict[str, str]:
    with client.app.state.session_factory() as db:
        create_user(db, username="wang", display_name="王芳", password=PASSWORD, role=Role.staff,
                    station=db.scalar(select(Station).where(Station.code == "zhenxiong")))
    token = client.post("/api/staff/sessions", json={"username": "wang", "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def submit(client, auth, **overrides) -> str:
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    assert "reply_to" not in response.json()  # the OpenID is never shown with the referral
    return response.json()["ticket_number"]


def decide(client, staff, ticket: str, **decision) -> None:
    assert client.post(f"/api/staff/referrals/{ticket}/claim", headers=staff).status_code == 200
    response = client.post(f"/api/staff/referrals/{ticket}/decision", json=decision, headers=staff)
    assert response.status_code == 200, response.text


def pending(client, auth, channel: str = "wechat") -> list[dict]:
    response = client.get("/api/notifications", params={"channel": channel}, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_decision_for_a_wechat_applicant_is_queued_and_delivered_once(client, auth, staff):
    ticket = submit(client, auth, channel="wechat", reply_to=OPENID)
    assert pending(client, auth) == []  # nothing before a decision
    decide(client, staff, ticket, decision="accept")
    [item] = pending(client, auth)
    assert item["recipient"] == OPENID and item["kind"] == "decision"
    assert ticket in item["text"] and "已经决定给您法律援助" in item["text"]
    for _ in range(2):  # a channel that reports twice changes nothing
        done = client.post(f"/api/notifications/{item['id']}/delivered", params={"channel": "wechat"}, headers=auth)
        assert done.status_code == 200 and done.json()["attempts"] == 1
    assert pending(client, auth) == []


def test_a_refusal_tells_the_objection_route(client, auth, staff):
    ticket = submit(client, auth, channel="wechat", reply_to=OPENID)
    decide(client, staff, ticket, decision="refuse", reason="不属于法律援助事项范围")
    [item] = pending(client, auth)
    assert "不给您法律援助" in item["text"] and "异议" in item["text"] and "第四十九条" in item["text"]


def test_channels_that_cannot_write_later_queue_nothing(client, auth, staff):
    decide(client, staff, submit(client, auth, channel="rest"), decision="accept")
    decide(client, staff, submit(client, auth, channel="wechat"), decision="accept")  # no OpenID
    assert pending(client, auth) == [] and pending(client, auth, "rest") == []


def test_a_failed_send_waits_and_is_retried_then_given_up(client, auth, staff):
    ticket = submit(client, auth, channel="wechat", reply_to=OPENID)
    decide(client, staff, ticket, decision="accept")
    [item] = pending(client, auth)
    failed = client.post(f"/api/notifications/{item['id']}/failed", params={"channel": "wechat"},
                         json={"error": "errcode -1: system busy", "retry": True}, headers=auth)
    assert failed.status_code == 200 and failed.json()["attempts"] == 1
    assert pending(client, auth) == []  # waits before the next try
    with client.app.state.session_factory() as db:
        later = utcnow() + timedelta(minutes=1)
        assert [n.id for n in notifications.pending(db, "wechat", now=later)] == [item["id"]]
    gone = client.post(f"/api/notifications/{item['id']}/failed", params={"channel": "wechat"},
                       json={"error": "errcode 45015: response out of time limit", "retry": False}, headers=auth)
    assert gone.status_code == 200
    with client.app.state.session_factory() as db:
        row = db.get(Notification, item["id"])
        assert row.given_up_at is not None and row.delivered_at is None and "45015" in row.last_error
        assert notifications.pending(db, "wechat", now=utcnow() + timedelta(days=1)) == []


def test_the_outbox_needs_the_service_token_and_a_known_id(client, auth):
    assert client.get("/api/notifications", params={"channel": "wechat"}).status_code == 401
    missing = client.post("/api/notifications/999999/delivered", params={"channel": "wechat"}, headers=auth)
    assert missing.status_code == 404
    bad = client.post("/api/notifications/1/failed", params={"channel": "wechat"}, json={"retry": True}, headers=auth)
    assert bad.status_code == 422
