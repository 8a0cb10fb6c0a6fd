"""Referral API: create (idempotent), read, list, validation, auth. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading

from referral import tickets
from tests.support.referrals import field_error, post, referral_body

TICKET = re.compile(r"^FY\d{6}-\d{4}$")


def test_create_referral_returns_ticket(client, auth):
    response = post(client, auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert TICKET.match(body["ticket_number"])
    assert body["status"] == "new"
    assert body["region"] == "镇雄县"
    assert body["matter"] == "labor_wage"
    assert body["consent"] is True
    assert body["consent_at"].startswith("2026-11-28T08:00:00")
    assert "idempotency_key" not in body and "request_fingerprint" not in body


def test_create_referral_same_key_gives_same_ticket(client, auth):
    first = post(client, auth, key="same-key-123")
    second = post(client, auth, key="same-key-123")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["ticket_number"] == first.json()["ticket_number"]
    assert client.get("/api/referrals", headers=auth).json()["count"] == 1


def test_create_referral_other_key_gives_other_ticket(client, auth):
    first = post(client, auth, key="key-aaaaaaaa")
    second = post(client, auth, key="key-bbbbbbbb")
    assert first.json()["ticket_number"] != second.json()["ticket_number"]
    assert client.get("/api/referrals", headers=auth).json()["count"] == 2


def test_create_referral_key_reused_for_other_request_conflicts(client, auth):
    assert post(client, auth, key="reused-key-1").status_code == 201
    response = post(client, auth, key="reused-key-1", description="另一件事")
    assert response.status_code == 409
    assert "different request" in response.json()["detail"]


def test_create_referral_concurrent_same_key_makes_one_ticket(client, auth):
    numbers: list[str] = []
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        barrier.wait()
        response = post(client, auth, key="race-key-0001")
        statuses.append(response.status_code)
        numbers.append(response.json()["ticket_number"])

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(numbers)) == 1
    assert sorted(statuses).count(201) == 1
    assert client.get("/api/referrals", headers=auth).json()["count"] == 1


def test_create_referral_ticket_number_collision_draws_again(client, auth, monkeypatch):
    taken = post(client, auth, key="first-key-01").json()["ticket_number"]
    drawn = iter([taken, "FY261128-0001"])
    monkeypatch.setattr(tickets, "new_ticket_number", lambda now=None: next(drawn))
    second = post(client, auth, key="second-key-1")
    assert second.status_code == 201
    assert second.json()["ticket_number"] == "FY261128-0001"


def test_create_referral_without_idempotency_key_is_rejected(client, auth):
    response = post(client, auth, key=None)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_create_referral_rejects_bad_phone(client, auth):
    for phone in ("12345", "23812345678", "138123456789", "1381234567a"):
        assert "11-digit" in field_error(post(client, auth, applicant_phone=phone), "applicant_phone")


def test_create_referral_rejects_unknown_region(client, auth):
    assert "unknown region" in field_error(post(client, auth, region="北京市"), "region")


def test_create_referral_rejects_unknown_matter(client, auth):
    assert "unknown matter" in field_error(post(client, auth, matter="wages"), "matter")


def test_create_referral_requires_consent(client, auth):
    assert "consent" in field_error(post(client, auth, consent=False), "consent")
    assert client.get("/api/referrals", headers=auth).json()["count"] == 0


def test_create_referral_rejects_empty_description(client, auth):
    field_error(post(client, auth, description="   "), "description")


def test_create_referral_rejects_unknown_field(client, auth):
    field_error(post(client, auth, id_number="530000199001011234"), "id_number")


def test_referrals_need_the_token(client, auth):
    assert client.get("/api/referrals").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token-at-all"}
    assert client.get("/api/referrals", headers=wrong).status_code == 401
    response = client.post("/api/referrals", json=referral_body(), headers={**wrong, "Idempotency-Key": "k-12345678"})
    assert response.status_code == 401
    assert client.get("/api/referrals", headers=auth).json()["count"] == 0


def test_read_referral_by_number(client, auth):
    number = post(client, auth).json()["ticket_number"]
    response = client.get(f"/api/referrals/{number}", headers=auth)
    assert response.status_code == 200
    assert response.json()["applicant_phone"] == "13812345678"


def test_read_referral_unknown_number(client, auth):
    response = client.get("/api/referrals/FY000000-0000", headers=auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "no referral FY000000-0000"


def test_list_referrals_newest_first_with_paging(client, auth):
    numbers = [post(client, auth, key=f"page-key-{i:04d}").json()["ticket_number"] for i in range(3)]
    page = client.get("/api/referrals?limit=2", headers=auth).json()
    assert page["count"] == 3
    assert [r["ticket_number"] for r in page["items"]] == numbers[::-1][:2]
    assert client.get("/api/referrals?limit=0", headers=auth).status_code == 422


def test_health_checks_the_database(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_times_are_returned_in_utc(client, auth):
    created = post(client, auth, key="tz-key-0001", consent_at="2026-11-28T16:00:00+08:00").json()
    assert created["consent_at"].startswith("2026-11-28T08:00:00")
    read = client.get(f"/api/referrals/{created['ticket_number']}", headers=auth).json()
    assert read["consent_at"] == created["consent_at"]


def test_database_errors_do_not_carry_personal_data(settings):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from referral.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO no_such_table VALUES (:name, :phone)"),
                         {"name": "张三", "phone": "13812345678"})
    except DBAPIError as exc:
        message = str(exc)
    engine.dispose()
    assert "no_such_table" in message
    assert "13812345678" not in message and "张三" not in message
