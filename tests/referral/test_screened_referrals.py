"""Referrals made after an eligibility screening: decision, priority and deadline. Both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text

from referral.migrate import downgrade, upgrade
from referral.rules import deadlines
from tests.support.referrals import field_error, post


def test_referral_with_screening_stores_the_services_decision(client, auth):
    screening = {"matter": "labor_wage", "statuses": ["migrant_worker"], "days_to_deadline": 3}
    response = post(client, auth, screening=screening)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["screening_input"] == screening
    decision = body["screening_decision"]
    assert decision["outcome"] == "eligible" and decision["hardship_check"] == "exempt"
    assert "法律援助法第四十二条" in decision["legal_basis"] and decision["reasons"] and decision["materials"]
    assert body["priority"] == "urgent"
    # the stored copy is what a reader gets later
    again = client.get(f"/api/referrals/{body['ticket_number']}", headers=auth).json()
    assert again["screening_decision"] == decision and again["priority"] == "urgent"


def test_poverty_household_referral_is_fast_tracked_with_its_certificate(client, auth):
    response = post(client, auth, matter="debt_loan", poverty_certificate="5306271234",
                    screening={"matter": "debt_loan", "statuses": ["poverty_registered"]})
    body = response.json()
    assert body["priority"] == "fast_track"
    assert body["screening_decision"]["outcome"] == "fast_track"
    assert body["poverty_certificate"] == "5306271234"


def test_referral_without_screening_is_normal_with_a_deadline(client, auth):
    body = post(client, auth).json()
    assert body["priority"] == "normal" and body["screening_decision"] is None
    created = dt.datetime.fromisoformat(body["created_at"]).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    due = dt.date.fromisoformat(body["decision_due"])
    assert due == deadlines.decision_due(created)
    assert (due - created).days >= 7  # 7 working days are never fewer than 7 calendar days


def test_bad_screening_input_names_the_field(client, auth):
    message = field_error(post(client, auth, screening={"matter": "labor_wage", "household_size": 0}),
                           "screening")
    assert "household_size" in message
    message = field_error(post(client, auth, screening={"matter": "labor_wage", "mood": "sad"}), "screening")
    assert "mood" in message


def test_screening_is_part_of_the_idempotent_request(client, auth):
    first = post(client, auth, key="key-screen-1", screening={"matter": "labor_wage"})
    replay = post(client, auth, key="key-screen-1", screening={"matter": "labor_wage"})
    other = post(client, auth, key="key-screen-1", screening={"matter": "labor_wage", "has_lawyer": True})
    assert first.status_code == 201 and replay.status_code == 200
    assert replay.json()["ticket_number"] == first.json()["ticket_number"]
    assert other.status_code == 409


def test_upgrade_gives_existing_referrals_a_deadline(database_url):
    downgrade(database_url, "0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO referrals (ticket_number, status, created_at, channel, applicant_name, applicant_phone,"
            " region, matter, description, consent, consent_at, idempotency_key, request_fingerprint) VALUES"
            " ('FY261102-0001', 'new', '2026-11-01 20:00:00+00:00', 'rest', '张三', '13812345678', '镇雄县',"
            " 'labor_wage', '工资', true, '2026-11-01 20:00:00+00:00', 'old-key-1', 'x')"
        ))
    upgrade(database_url)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT priority, decision_due FROM referrals WHERE ticket_number='FY261102-0001'")
        ).one()
    engine.dispose()
    assert row[0] == "normal"
    assert str(row[1])[:10] == "2026-11-09"  # the China date (11-02) + 7


def test_danger_and_a_mandatory_defence_make_the_ticket_urgent_and_say_why(client, auth):
    threatened = post(client, auth, key="key-danger-1", matter="domestic_violence", dangers=["violence"],
                      screening={"matter": "domestic_violence"}).json()
    assert threatened["priority"] == "urgent" and threatened["priority_reasons"] == ["violence"]
    suicidal = post(client, auth, key="key-danger-2", dangers=["self_harm"]).json()  # no screening at all
    assert suicidal["priority"] == "urgent" and suicidal["priority_reasons"] == ["self_harm"]
    minor = post(client, auth, key="key-danger-3", matter="criminal_defense", screening={
        "matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["minor"]}).json()
    assert minor["priority"] == "urgent" and minor["priority_reasons"] == ["mandatory_notification"]
    calm = post(client, auth, key="key-danger-4").json()
    assert calm["priority"] == "normal" and calm["priority_reasons"] is None
    # the staff API and the queue carry the reasons too
    again = client.get(f"/api/referrals/{threatened['ticket_number']}", headers=auth).json()
    assert again["priority_reasons"] == ["violence"]


def test_an_unknown_danger_code_is_refused(client, auth):
    response = post(client, auth, dangers=["sad"])
    assert response.status_code == 422, response.text
    assert [e["loc"][:2] for e in response.json()["detail"]] == [["body", "dangers"]]
