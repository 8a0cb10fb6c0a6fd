"""The staff API on SQLite and PostgreSQL: routing, sign-in, queue, visibility, claims, decisions, audit."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from referral import desk
from referral.models import AuditEntry, Referral, Role, StaffUser
from referral.staff_auth import create_user
from tests.referral.conftest import station
from tests.support.referrals import referral_body, submit

PASSWORD = "correct-horse-42"
NAMES = {"wang": "王芳", "li": "李强"}


@pytest.fixture
def users(client, db) -> dict[str, str]:
    """Two staff at the 镇雄县 centre, one at 鲁甸县, one city administrator; returns their tokens."""
    specs = {
        "wang": ("王芳", Role.staff, "zhenxiong"),
        "li": ("李强", Role.staff, "zhenxiong"),
        "zhao": ("赵敏", Role.staff, "ludian"),
        "admin": ("管理员", Role.admin, None),
    }
    tokens = {}
    for username, (name, role, code) in specs.items():
        create_user(db, username=username, display_name=name, password=PASSWORD, role=role,
                    station=station(db, code) if code else None)
        response = client.post("/api/staff/sessions", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.text
        tokens[username] = response.json()["token"]
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def station_of(db, ticket: str) -> str:
    db.expire_all()
    return db.scalar(select(Referral).where(Referral.ticket_number == ticket)).station.code


# --- routing ---

@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"region": "镇雄县"}, "zhenxiong"),
        ({"region": "鲁甸县"}, "ludian"),
        ({"region": "镇雄县", "township": "乌峰街道"}, "zhenxiong_wufeng"),
        ({"region": "镇雄县", "township": "泼机镇"}, "zhenxiong"),  # no workstation there: the county centre
        ({"region": "巧家县", "screening": {"matter": "labor_wage", "statuses": ["migrant_worker"]}},
         "migrant_workers"),
        ({"region": "盐津县", "matter": "domestic_violence"}, "women_children"),
        ({"region": "水富市", "screening": {"matter": "support_payment", "statuses": ["elderly_no_income"]},
          "matter": "support_payment"}, "elderly"),
    ],
)
def test_new_referrals_are_routed_by_region_township_and_group(client, auth, db, overrides, expected):
    assert station_of(db, submit(client, auth, **overrides)) == expected


def test_a_township_must_belong_to_the_region(client, auth):
    response = client.post("/api/referrals", json=referral_body(region="鲁甸县", township="乌峰街道"),
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 422
    assert "township" in response.text


def test_a_disabled_station_is_skipped(client, auth, db):
    station(db, "zhenxiong").active = False
    db.commit()
    assert station_of(db, submit(client, auth, region="镇雄县")) == "city"


def test_history_starts_with_receipt_and_routing(client, auth, users):
    ticket = submit(client, auth)
    events = client.get(f"/api/staff/referrals/{ticket}", headers=bearer(users["wang"])).json()["events"]
    assert [(e["kind"], e["actor"]) for e in events] == [("created", None), ("routed", None)]
    assert events[1]["note"] == "镇雄县法律援助中心"


# --- sign-in ---

def test_sign_in_refuses_a_wrong_password_and_locks_after_five(client, users):
    for _ in range(5):
        response = client.post("/api/staff/sessions", json={"username": "wang", "password": "wrong-password"})
        assert response.status_code == 401
        assert response.json()["detail"] == "用户名或密码不对"
    locked = client.post("/api/staff/sessions", json={"username": "wang", "password": PASSWORD})
    assert locked.status_code == 401
    assert "锁定" in locked.json()["detail"]


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client, users):
    response = client.post("/api/staff/sessions", json={"username": "nobody", "password": PASSWORD})
    assert (response.status_code, response.json()["detail"]) == (401, "用户名或密码不对")


def test_the_staff_api_needs_a_session(client, users):
    assert client.get("/api/staff/referrals").status_code == 401
    assert client.get("/api/staff/referrals", headers=bearer("not-a-session")).status_code == 401
    assert client.delete("/api/staff/sessions/current", headers=bearer(users["wang"])).status_code == 204
    assert client.get("/api/staff/me", headers=bearer(users["wang"])).status_code == 401


def test_passwords_are_stored_as_argon2id(db, users):
    user = db.scalar(select(StaffUser).where(StaffUser.username == "wang"))
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


# --- queue and visibility ---

def test_queue_orders_by_priority_then_deadline_and_filters(client, auth, db, users):
    normal = submit(client, auth)
    fast = submit(client, auth, screening={"matter": "labor_wage", "statuses": ["poverty_registered"]},
                  poverty_certificate="530621-2016-0042")
    urgent = submit(client, auth, screening={"matter": "labor_wage", "days_to_deadline": 3})
    older_normal = submit(client, auth)
    row = db.scalar(select(Referral).where(Referral.ticket_number == older_normal))
    row.decision_due = row.decision_due.replace(year=row.decision_due.year - 1)  # overdue
    db.commit()

    queue = client.get("/api/staff/referrals", headers=bearer(users["wang"])).json()
    assert [i["ticket_number"] for i in queue["items"]] == [fast, urgent, older_normal, normal]
    assert [i["overdue"] for i in queue["items"]] == [False, False, True, False]

    def tickets(**params):
        response = client.get("/api/staff/referrals", params=params, headers=bearer(users["wang"]))
        assert response.status_code == 200, response.text
        return {i["ticket_number"] for i in response.json()["items"]}

    assert tickets(priority="fast_track") == {fast}
    assert tickets(overdue="true") == {older_normal}
    assert tickets(matter="divorce") == set()
    assert tickets(channel="rest", region="镇雄县", status="new") == {normal, fast, urgent, older_normal}
    bad = client.get("/api/staff/referrals", params={"status": "lost"}, headers=bearer(users["wang"]))
    assert bad.status_code == 422


def test_station_staff_see_only_their_station(client, auth, users):
    mine = submit(client, auth, region="镇雄县")
    theirs = submit(client, auth, region="鲁甸县")
    def queue(username: str) -> set[str]:
        items = client.get("/api/staff/referrals", headers=bearer(users[username])).json()["items"]
        return {i["ticket_number"] for i in items}

    wang = queue("wang")
    admin = queue("admin")
    assert wang == {mine}
    assert admin == {mine, theirs}


def test_guessing_another_stations_url_reveals_nothing(client, auth, db, users):
    theirs = submit(client, auth, region="鲁甸县", applicant_name="秘密人", applicant_phone="13900001111")
    guessed = client.get(f"/api/staff/referrals/{theirs}", headers=bearer(users["wang"]))
    unknown = client.get("/api/staff/referrals/FY000101-0000", headers=bearer(users["wang"]))
    assert guessed.status_code == unknown.status_code == 404
    assert guessed.json() == unknown.json()
    assert "秘密人" not in guessed.text and "13900001111" not in guessed.text
    for step in ("claim", "release"):
        assert client.post(f"/api/staff/referrals/{theirs}/{step}", headers=bearer(users["wang"])).status_code == 404
    denied = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_denied")).all()
    assert any(a.detail == theirs for a in denied)


# --- claims ---

def test_a_second_claim_is_told_who_has_it(client, auth, users):
    ticket = submit(client, auth)
    first = client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["wang"]))
    assert first.status_code == 200 and first.json()["holder"] == "王芳"
    second = client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["li"]))
    assert second.status_code == 409
    assert second.json()["detail"] == "这张转介单已经被王芳认领了"


def test_exactly_one_of_two_simultaneous_claims_wins(client, auth, db, users):
    """Two staff claim the same referral at the same instant, 12 times over, each in its own session."""
    factory = client.app.state.session_factory
    staff = {u.username: u.id for u in db.scalars(select(StaffUser)).all()}

    def attempt(username: str, ticket: str, barrier: threading.Barrier, results: dict[str, str]) -> None:
        with factory() as session:
            user = session.get(StaffUser, staff[username])
            barrier.wait()
            try:
                desk.claim(session, user, ticket)
                results[username] = "won"
            except desk.DeskError as exc:
                results[username] = exc.message

    for _ in range(12):
        ticket = submit(client, auth)
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}
        threads = [threading.Thread(target=attempt, args=(name, ticket, barrier, results)) for name in ("wang", "li")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results.values()).count("won") == 1, results
        winner = next(name for name, r in results.items() if r == "won")
        loser = next(name for name in results if name != winner)
        assert results[loser] == f"这张转介单已经被{NAMES[winner]}认领了"
        db.expire_all()
        row = db.scalar(select(Referral).where(Referral.ticket_number == ticket))
        assert row.claimed_by_id == staff[winner]
        assert [e.kind for e in row.events].count("claimed") == 1


# --- decisions, transfer, close ---

def test_refusal_needs_a_reason_and_carries_the_objection_notice(client, auth, users):
    ticket = submit(client, auth)
    headers = bearer(users["wang"])
    not_claimed = client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "accept"}, headers=headers)
    assert not_claimed.status_code == 409 and "认领" in not_claimed.json()["detail"]
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=headers)
    other = client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "accept"},
                        headers=bearer(users["li"]))
    assert other.status_code == 409 and "王芳" in other.json()["detail"]
    no_reason = client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "refuse", "reason": " "},
                            headers=headers)
    assert no_reason.status_code == 422 and "理由" in no_reason.json()["detail"]
    refused = client.post(f"/api/staff/referrals/{ticket}/decision",
                          json={"decision": "refuse", "reason": "家庭人均收入高于本地标准"}, headers=headers)
    assert refused.status_code == 200, refused.text
    body = refused.json()
    assert body["status"] == "refused" and body["decided_at"]
    assert "镇雄县司法局" in body["refusal_notice"] and "第四十九条" in body["refusal_notice"]
    assert body["events"][-1]["kind"] == "refused" and "第四十九条" in body["events"][-1]["note"]
    again = client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "accept"}, headers=headers)
    assert again.status_code == 409


def test_a_workstation_refusal_names_its_agencys_justice_bureau(client, auth, users):
    ticket = submit(client, auth, township="乌峰街道")
    admin = bearer(users["admin"])
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=admin)
    body = client.post(f"/api/staff/referrals/{ticket}/decision",
                       json={"decision": "refuse", "reason": "不属于援助范围"}, headers=admin).json()
    assert body["deciding_agency"] == "镇雄县法律援助中心"
    assert "镇雄县司法局" in body["refusal_notice"]


def test_contact_accept_and_close(client, auth, users):
    ticket = submit(client, auth)
    headers = bearer(users["wang"])
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=headers)
    bad = client.post(f"/api/staff/referrals/{ticket}/contacts", json={"result": "maybe"}, headers=headers)
    assert bad.status_code == 422
    client.post(f"/api/staff/referrals/{ticket}/contacts", json={"result": "no_answer"}, headers=headers)
    client.post(f"/api/staff/referrals/{ticket}/contacts", json={"result": "reached", "note": "约好周一来中心"},
                headers=headers)
    accepted = client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "accept"}, headers=headers)
    assert accepted.json()["status"] == "accepted" and accepted.json()["refusal_notice"] is None
    closed = client.post(f"/api/staff/referrals/{ticket}/close", json={}, headers=headers).json()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert [(e["kind"], e["to_status"]) for e in closed["events"]] == [
        ("created", "new"), ("routed", "new"), ("claimed", "claimed"), ("contact", "claimed"),
        ("contact", "claimed"), ("accepted", "accepted"), ("closed", "closed"),
    ]
    assert closed["events"][4]["note"] == "联系上了：约好周一来中心"


def test_closing_without_a_decision_needs_a_reason(client, auth, users):
    ticket = submit(client, auth)
    headers = bearer(users["wang"])
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=headers)
    assert client.post(f"/api/staff/referrals/{ticket}/close", json={}, headers=headers).status_code == 422
    closed = client.post(f"/api/staff/referrals/{ticket}/close", json={"note": "申请人撤回申请"}, headers=headers)
    assert closed.json()["status"] == "closed"


def test_transfer_moves_the_referral_to_the_other_stations_queue(client, auth, users):
    ticket = submit(client, auth)
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["wang"]))
    no_reason = client.post(f"/api/staff/referrals/{ticket}/transfer", json={"station": "ludian", "reason": ""},
                            headers=bearer(users["wang"]))
    assert no_reason.status_code == 422
    unknown = client.post(f"/api/staff/referrals/{ticket}/transfer", json={"station": "mars", "reason": "x"},
                          headers=bearer(users["wang"]))
    assert unknown.status_code == 422
    moved = client.post(f"/api/staff/referrals/{ticket}/transfer",
                        json={"station": "ludian", "reason": "事情发生在鲁甸县"}, headers=bearer(users["wang"]))
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["holder"]) == ("transferred", None)
    # the sending station keeps read access (issue 17), but cannot take it back
    assert client.get(f"/api/staff/referrals/{ticket}", headers=bearer(users["wang"])).status_code == 200
    again = client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["wang"]))
    assert again.status_code == 409 and "只能查看" in again.json()["detail"]
    queue = client.get("/api/staff/referrals", params={"status": "transferred"}, headers=bearer(users["zhao"])).json()
    assert [i["ticket_number"] for i in queue["items"]] == [ticket]
    claimed = client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["zhao"]))
    assert claimed.json()["holder"] == "赵敏"


def test_release_puts_it_back(client, auth, users):
    ticket = submit(client, auth)
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["wang"]))
    released = client.post(f"/api/staff/referrals/{ticket}/release", headers=bearer(users["wang"])).json()
    assert (released["status"], released["holder"]) == ("new", None)
    assert client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["li"])).json()["holder"] == "李强"


# --- the audit trail ---

def test_every_view_and_change_is_audited_without_personal_data(client, auth, users):
    ticket = submit(client, auth, applicant_name="刘大明", applicant_phone="13712345678")
    wang = bearer(users["wang"])
    client.get(f"/api/staff/referrals/{ticket}", headers=wang)
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=wang)
    client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "accept"}, headers=wang)
    assert client.get("/api/staff/audit", headers=wang).status_code == 403
    trail = client.get("/api/staff/audit", headers=bearer(users["admin"])).json()
    mine = [(a["user"], a["action"], a["detail"]) for a in trail if a["ticket_number"] == ticket]
    assert mine == [("wang", "decide", "accepted"), ("wang", "claim", None), ("wang", "view", None)]
    assert "刘大明" not in str(trail) and "13712345678" not in str(trail)


def test_reads_with_the_service_token_are_audited_too(client, auth, users):
    ticket = submit(client, auth)
    client.get(f"/api/referrals/{ticket}", headers=auth)
    client.get("/api/referrals", headers=auth)
    trail = client.get("/api/staff/audit", headers=bearer(users["admin"])).json()
    assert [(a["user"], a["action"]) for a in trail[:2]] == [(None, "token_list"), (None, "token_view")]
    assert trail[1]["ticket_number"] == ticket


def test_an_urgent_fast_track_case_is_urgent_too(client, auth, users):
    fast = submit(client, auth, screening={"matter": "labor_wage", "statuses": ["poverty_registered"]})
    fast_urgent = submit(client, auth, screening={"matter": "labor_wage", "statuses": ["poverty_registered"],
                                                  "days_to_deadline": 2})
    urgent = submit(client, auth, screening={"matter": "labor_wage", "days_to_deadline": 3})
    wang = bearer(users["wang"])
    order = [i["ticket_number"] for i in client.get("/api/staff/referrals", headers=wang).json()["items"]]
    assert order == [fast_urgent, fast, urgent]
    only_urgent = client.get("/api/staff/referrals", params={"priority": "urgent"}, headers=wang).json()["items"]
    assert {i["ticket_number"] for i in only_urgent} == {fast_urgent, urgent}


def test_search_by_ticket_name_or_phone(client, auth, users):
    first = submit(client, auth, applicant_name="陈小红", applicant_phone="13611112222")
    second = submit(client, auth, applicant_name="周大山", applicant_phone="13633334444")
    wang = bearer(users["wang"])

    def found(term: str) -> set[str]:
        return {i["ticket_number"] for i in client.get("/api/staff/referrals", params={"q": term},
                                                        headers=wang).json()["items"]}

    assert found("小红") == {first}
    assert found("3333") == {second}
    assert found(second.lower()) == {second}


def test_routing_passes_over_a_station_nobody_works_at(client, auth, db, users):
    """The migrant-workers station has no staff here: a 镇雄县 migrant worker's case goes to the county centre."""
    ticket = submit(client, auth, region="镇雄县", screening={"matter": "labor_wage", "statuses": ["migrant_worker"]})
    assert station_of(db, ticket) == "zhenxiong"
    create_user(db, username="mw", display_name="农民工站", password=PASSWORD, role=Role.staff,
                station=station(db, "migrant_workers"))
    ticket = submit(client, auth, region="镇雄县", screening={"matter": "labor_wage", "statuses": ["migrant_worker"]})
    assert station_of(db, ticket) == "migrant_workers"


def test_disabling_an_account_puts_its_claims_back(client, auth, db, users):
    from referral.admin import set_active

    ticket = submit(client, auth)
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=bearer(users["li"]))
    admin = db.scalar(select(StaffUser).where(StaffUser.username == "admin"))
    li = db.scalar(select(StaffUser).where(StaffUser.username == "li"))
    set_active(db, admin, li.id, False)
    body = client.get(f"/api/staff/referrals/{ticket}", headers=bearer(users["wang"])).json()
    assert (body["status"], body["holder"]) == ("new", None)
    assert body["events"][-1]["kind"] == "released" and "李强" in body["events"][-1]["note"]
    assert client.get("/api/staff/me", headers=bearer(users["li"])).status_code == 401


def test_sign_ins_are_audited_and_user_names_ignore_case(client, users):
    assert client.post("/api/staff/sessions", json={"username": " WANG ", "password": PASSWORD}).status_code == 201
    client.post("/api/staff/sessions", json={"username": "wang", "password": "not-the-password"})
    client.post("/api/staff/sessions", json={"username": "ghost", "password": "not-the-password"})
    trail = client.get("/api/staff/audit", headers=bearer(users["admin"])).json()
    assert [(a["user"], a["action"], a["detail"]) for a in trail[:3]] == [
        (None, "login_failed", "unknown user"), ("wang", "login_failed", None), ("wang", "login", None),
    ]
    assert PASSWORD not in str(trail) and "not-the-password" not in str(trail)


def test_a_note_longer_than_the_limit_is_refused(client, auth, users):
    ticket = submit(client, auth)
    wang = bearer(users["wang"])
    client.post(f"/api/staff/referrals/{ticket}/claim", headers=wang)
    long = client.post(f"/api/staff/referrals/{ticket}/decision", json={"decision": "refuse", "reason": "理" * 2001},
                       headers=wang)
    assert long.status_code == 422 and "太长" in long.json()["detail"]


def test_a_ticket_number_typed_in_lower_case_or_with_spaces_is_found(client, auth, users):
    ticket = submit(client, auth, region="镇雄县")
    headers = bearer(users["wang"])
    typed = " " + ticket.lower().replace("-", " - ") + " "
    assert client.get(f"/api/staff/referrals/{typed}", headers=headers).json()["ticket_number"] == ticket
    claimed = client.post(f"/api/staff/referrals/{ticket.lower()}/claim", headers=headers)
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
