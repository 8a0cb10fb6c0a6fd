"""The referral service's tests: the service token, a valid referral and posting one."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

TOKEN = "test-token-0123456789abcdef"  # REFERRAL_API_TOKEN of the test applications


def referral_body(**overrides: object) -> dict[str, object]:
    """A valid referral as the action server sends it; ``overrides`` change or add fields."""
    body: dict[str, object] = {
        "channel": "rest",
        "applicant_name": "张三",
        "applicant_phone": "13812345678",
        "region": "镇雄县",
        "matter": "labor_wage",
        "description": "老板拖欠我三个月工资，一共九千元。",
        "consent": True,
        "consent_at": "2026-11-28T08:00:00+00:00",
    }
    body.update(overrides)
    return body


def post(client: TestClient, auth: dict[str, str], key: str | None = "key-00000001", **overrides: object):
    """POST a referral (``key=None`` sends no Idempotency-Key)."""
    headers = dict(auth)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/referrals", json=referral_body(**overrides), headers=headers)


def submit(client: TestClient, auth: dict[str, str], **overrides: object) -> str:
    """File a referral with a fresh Idempotency-Key; its ticket number."""
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def field_error(response, field: str) -> str:
    """The message of a 422 answer about this body field."""
    assert response.status_code == 422, response.text
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert ("body", field) in errors, errors
    return errors[("body", field)]
