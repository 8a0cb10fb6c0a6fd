"""The citizen's status lookup on SQLite and PostgreSQL: found, same 404 for every mistake, lock, wording."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from referral.models import Referral, ReferralStatus, Station
from tests.support.referrals import referral_body

URL = "/api/referrals/status"


def submit(client, auth, **overrides) -> str:
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def lookup(client, auth, ticket: str, last4: str = "5678"):
    return client.post(URL, json={"ticket_number": ticket, "phone_last4": last4}, headers=auth)


def set_status(client, ticket: str, new_status: ReferralStatus, station_code: str | None = None) -> None:
    with client.app.state.session_factory() as db:
        referral = db.scalar(select(Referral).where(Referral.ticket_number == ticket))
        referral.status = new_status
        if station_code is not None:
            referral.station = db.scalar(select(Station).where(Station.code == station_code))
        db.commit()


def test_found_with_number_and_last_four_digits(client, auth):
    ticket = submit(client, auth)
    response = lookup(client, auth, ticket)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ticket_number"] == ticket
    assert body["status"] == "new"
    assert body["station_name"] == "镇雄县法律援助中心"
    assert "station_phone" in body
    # Art. 43's 7 working days run from a complete application: the citizen is promised no date
    assert body["status_text"] == ("已经收到，正在等工作人员处理，工作人员会打电话联系您。"
                                   "申请材料齐全后，法律援助机构会在7个工作日内决定给不给您法律援助。")


def test_ticket_is_normalised(client, auth):
    ticket = submit(client, auth)
    messy = " " + ticket.lower()[:4] + " " + ticket.lower()[4:] + " "
    assert lookup(client, auth, messy).status_code == 200


def test_wrong_digits_get_the_same_404_as_an_unknown_ticket(client, auth):
    ticket = submit(client, auth)
    wrong = lookup(client, auth, ticket, "0000")
    unknown = lookup(client, auth, "FY000101-0000")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() == {"detail": "no referral with this number and phone"}


@pytest.mark.parametrize("last4", ["567", "56789", "abcd", "５６７８", ""])
def test_last_four_must_be_four_digits(client, auth, last4):
    ticket = submit(client, auth)
    assert lookup(client, auth, ticket, last4).status_code == 422


def test_locks_after_five_wrong_attempts_for_an_hour(client, auth):
    ticket = submit(client, auth)
    other = submit(client, auth)
    for _ in range(5):
        assert lookup(client, auth, ticket, "0000").status_code == 404
    blocked = lookup(client, auth, ticket)  # even the right digits
    assert blocked.status_code == 429
    assert "one hour" in blocked.json()["detail"]
    assert lookup(client, auth, other).status_code == 200  # other tickets are not affected
    # an hour later it works again (SQLite stores naive UTC)
    with client.app.state.session_factory() as db:
        referral = db.scalar(select(Referral).where(Referral.ticket_number == ticket))
        until = referral.lookup_blocked_until
        until = until if until.tzinfo else until.replace(tzinfo=timezone.utc)
        assert timedelta(minutes=59) < until - datetime.now(timezone.utc) <= timedelta(hours=1)
        referral.lookup_blocked_until = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.commit()
    assert lookup(client, auth, ticket).status_code == 200


def test_a_correct_lookup_resets_the_count(client, auth):
    ticket = submit(client, auth)
    for _ in range(4):
        assert lookup(client, auth, ticket, "0000").status_code == 404
    assert lookup(client, auth, ticket).status_code == 200
    for _ in range(4):
        assert lookup(client, auth, ticket, "0000").status_code == 404
    assert lookup(client, auth, ticket).status_code == 200
    with client.app.state.session_factory() as db:
        assert db.scalar(select(Referral.lookup_failures).where(Referral.ticket_number == ticket)) == 0


@pytest.mark.parametrize(
    ("new_status", "station_code", "expected", "absent"),
    [
        (ReferralStatus.claimed, None, "镇雄县法律援助中心的工作人员已经在办理，会打电话联系您。", None),
        (ReferralStatus.accepted, None,
         "已经决定给您法律援助，工作人员会在3个工作日内安排律师或法律援助人员联系您。", None),
        (ReferralStatus.refused, None, "镇雄县司法局", None),
        (ReferralStatus.refused, "elderly", "昭通市司法局", None),  # a workstation: its agency's bureau
        (ReferralStatus.transferred, "ludian", "已经转给鲁甸县法律援助中心，由他们办理。", None),
        (ReferralStatus.closed, None, "这件事已经办结。", None),
    ],
)
def test_status_text_per_status(client, auth, new_status, station_code, expected, absent):
    ticket = submit(client, auth)
    set_status(client, ticket, new_status, station_code)
    body = lookup(client, auth, ticket).json()
    assert body["status"] == new_status.value
    assert expected in body["status_text"]
    if new_status == ReferralStatus.refused:
        assert "不给您法律援助" in body["status_text"]
        assert "书面通知" in body["status_text"] and "第四十九条" in body["status_text"]


def test_claimed_text_never_names_the_staff_member(client, auth):
    from referral.models import Role
    from referral.staff_auth import create_user

    ticket = submit(client, auth)
    with client.app.state.session_factory() as db:
        user = create_user(db, username="wang", display_name="王芳", password="correct-horse-42", role=Role.staff,
                           station=db.scalar(select(Station).where(Station.code == "zhenxiong")))
        referral = db.scalar(select(Referral).where(Referral.ticket_number == ticket))
        referral.status, referral.claimed_by_id = ReferralStatus.claimed, user.id
        db.commit()
    response = lookup(client, auth, ticket)
    assert "王芳" not in response.text


def test_status_needs_the_token(client, auth):
    ticket = submit(client, auth)
    response = client.post(URL, json={"ticket_number": ticket, "phone_last4": "5678"})
    assert response.status_code == 401
    response = client.post(URL, json={"ticket_number": ticket, "phone_last4": "5678"},
                           headers={"Authorization": "Bearer wrong-token-0123456789"})
    assert response.status_code == 401


def test_status_is_in_the_openapi_spec(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"][URL]["post"]
    assert operation["tags"] == ["referrals"]
    assert {"200", "404", "429"} <= set(operation["responses"])


def test_every_citizen_check_of_a_ticket_is_audited_without_the_digits(client, auth):
    from sqlalchemy import select

    from referral.models import AuditEntry

    created = client.post("/api/referrals", json=referral_body(applicant_phone="13812345678"),
                          headers={**auth, "Idempotency-Key": "audit-status-0001"}).json()
    ticket = created["ticket_number"]
    client.post("/api/referrals/status", json={"ticket_number": ticket, "phone_last4": "0000"}, headers=auth)
    client.post("/api/referrals/status", json={"ticket_number": ticket, "phone_last4": "5678"}, headers=auth)
    with client.app.state.session_factory() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("citizen_status%"))
                                  .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["citizen_status_denied", "citizen_status"]
        assert all(e.detail is None for e in entries)


def test_a_sample_station_phone_is_never_told_to_the_citizen(client, auth):
    ticket = submit(client, auth)
    set_status(client, ticket, ReferralStatus.claimed, "city")  # the shipped config's city phone is a sample
    with client.app.state.session_factory() as db:
        city = db.scalar(select(Station).where(Station.code == "city"))
        assert city.phone == "0870-2152348" and city.phone_sample is True  # staff still see it, marked
    assert lookup(client, auth, ticket).json()["station_phone"] is None
    with client.app.state.session_factory() as db:
        db.scalar(select(Station).where(Station.code == "city")).phone_sample = False  # a real number
        db.commit()
    assert lookup(client, auth, ticket).json()["station_phone"] == "0870-2152348"
