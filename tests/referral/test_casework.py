"""Casework at the desk (issue 17): the assigned provider and its 3-day deadline, the paused and
extended decision clock, how a case closes, a centre head assigning colleagues, what a county centre
and a sending station see, the deadline views of the queue. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from referral import casefile, desk
from referral.models import Referral, ReferralEvent, ReferralStatus, Role, StaffUser
from referral.rules.contract import china_today
from referral.rules.deadlines import add_working_days, working_days_between
from referral.staff_auth import create_user
from tests.referral.conftest import station
from tests.support.referrals import submit

PASSWORD = "correct-horse-42"


@pytest.fixture
def people(db) -> dict[str, StaffUser]:
    """The 镇雄县 centre's head and two staff, a 乌峰街道 workstation worker, a 鲁甸县 worker, an administrator."""
    specs = {
        "head": ("周主任", "zhenxiong", True),
        "wang": ("王芳", "zhenxiong", False),
        "li": ("李强", "zhenxiong", False),
        "wufeng": ("吴峰", "zhenxiong_wufeng", False),
        "zhao": ("赵敏", "ludian", False),
    }
    found = {}
    for username, (name, code, head) in specs.items():
        user = create_user(db, username=username, display_name=name, password=PASSWORD, role=Role.staff,
                           station=station(db, code))
        user.head = head
        found[username] = user
    found["admin"] = create_user(db, username="admin", display_name="管理员", password=PASSWORD, role=Role.admin,
                                 station=None)
    db.commit()
    return found


def row(db, ticket: str) -> Referral:
    db.expire_all()
    return db.scalar(select(Referral).where(Referral.ticket_number == ticket))


def last_event(db, ticket: str) -> ReferralEvent:
    return row(db, ticket).events[-1]


def test_working_days_between_counts_forward_and_back():
    monday = dt.date(2026, 12, 7)
    assert working_days_between(monday, dt.date(2026, 12, 11)) == 4  # Tue..Fri
    assert working_days_between(monday, dt.date(2026, 12, 14)) == 5  # the weekend does not count
    assert working_days_between(dt.date(2026, 12, 14), monday) == -5
    assert working_days_between(monday, monday) == 0
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2  # National Day week off


def test_accepting_starts_the_3_working_day_assignment_deadline_and_the_provider_is_recorded(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    with pytest.raises(desk.DeskError, match="决定给予法律援助以后"):
        desk.assign_aid(db, wang, ticket, "lawyer", "陈律师")
    desk.accept(db, wang, ticket)
    referral = row(db, ticket)
    assert referral.assignment_due == add_working_days(china_today(), 3)[0]
    assert not desk.assignment_overdue(referral)
    with pytest.raises(desk.DeskError, match="姓名"):
        desk.assign_aid(db, wang, ticket, "lawyer", "  ")
    with pytest.raises(desk.DeskError, match="类别"):
        desk.assign_aid(db, wang, ticket, "judge", "陈律师")
    desk.assign_aid(db, wang, ticket, "lawyer", "陈律师", "云南某某律师事务所", "镇援 2026-118")
    referral = row(db, ticket)
    assert (referral.aid_provider_kind, referral.aid_provider_name, referral.case_number) == (
        "lawyer", "陈律师", "镇援 2026-118")
    assert referral.assigned_at is not None
    event = last_event(db, ticket)
    assert event.kind == "aid_assigned" and event.note == "律师：陈律师（云南某某律师事务所），案号 镇援 2026-118"
    # an unassigned accepted referral past its deadline is overdue, and listed in the views
    other = submit(client, auth)
    desk.claim(db, wang, other)
    desk.accept(db, wang, other)
    late = row(db, other)
    late.assignment_due = china_today() - dt.timedelta(days=1)
    db.commit()
    assert desk.assignment_overdue(row(db, other))
    overdue, _ = desk.queue(db, wang, desk.QueueFilter(due="overdue"))
    assign, _ = desk.queue(db, wang, desk.QueueFilter(due="assign"))
    assert [r.ticket_number for r in overdue] == [other]
    assert [r.ticket_number for r in assign] == [other]  # the assigned one is not waiting any more


def test_a_mandatory_defence_needs_a_lawyer_and_goes_to_the_county_centre(client, auth, db, people):
    # a women-and-children workstation is staffed, yet a detained minor's defence goes to the county centre
    create_user(db, username="wc", display_name="妇儿站", password=PASSWORD, role=Role.staff,
                station=station(db, "women_children"))
    db.commit()
    ticket = submit(client, auth, matter="criminal_defense", screening={
        "matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["minor"]})
    referral = row(db, ticket)
    assert referral.station.code == "zhenxiong" and referral.priority.value == "urgent"
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    desk.accept(db, wang, ticket)
    with pytest.raises(desk.DeskError, match="第二十五条"):
        desk.assign_aid(db, wang, ticket, "grassroots", "基层工作者")
    desk.assign_aid(db, wang, ticket, "lawyer", "陈律师")
    assert row(db, ticket).aid_provider_kind == "lawyer"


def test_missing_materials_pause_the_clock_and_resuming_keeps_the_days_that_were_left(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    referral = row(db, ticket)
    referral.decision_due = add_working_days(china_today(), 4)[0]
    db.commit()
    with pytest.raises(desk.DeskError, match="一次性告知"):
        desk.pause_clock(db, wang, ticket, " ")
    desk.pause_clock(db, wang, ticket, "身份证复印件、工资欠条")
    referral = row(db, ticket)
    assert referral.paused_at is not None and referral.paused_days_left == 4
    assert desk.working_days_left(referral) is None
    referral.decision_due = china_today() - dt.timedelta(days=10)  # paused: never overdue
    db.commit()
    assert not desk.is_overdue(row(db, ticket))
    assert desk.queue(db, wang, desk.QueueFilter(due="overdue"))[1] == 0
    assert "身份证复印件、工资欠条" in last_event(db, ticket).note
    with pytest.raises(desk.DeskError, match="已经暂停"):
        desk.pause_clock(db, wang, ticket, "户口本")
    with pytest.raises(desk.DeskError, match="暂停中"):
        desk.extend_deadline(db, wang, ticket, "案情复杂")
    desk.resume_clock(db, wang, ticket)
    referral = row(db, ticket)
    assert referral.paused_at is None and referral.decision_due == add_working_days(china_today(), 4)[0]
    assert desk.working_days_left(referral) == 4
    assert last_event(db, ticket).kind == "clock_resumed"
    with pytest.raises(desk.DeskError, match="没有暂停"):
        desk.resume_clock(db, wang, ticket)


def test_a_complex_case_is_extended_once_by_3_working_days_with_a_reason(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    before = row(db, ticket).decision_due
    with pytest.raises(desk.DeskError, match="理由"):
        desk.extend_deadline(db, wang, ticket, "")
    desk.extend_deadline(db, wang, ticket, "要去工地核实用工情况")
    referral = row(db, ticket)
    assert referral.extended and referral.decision_due == add_working_days(before, 3)[0]
    assert "要去工地核实用工情况" in last_event(db, ticket).note
    with pytest.raises(desk.DeskError, match="延长过一次"):
        desk.extend_deadline(db, wang, ticket, "还要再查")


def test_closing_says_how_the_case_ended(client, auth, db, people):
    wang = people["wang"]
    withdrawn = submit(client, auth)
    desk.claim(db, wang, withdrawn)
    with pytest.raises(desk.DeskError, match="要写明原因"):
        desk.close(db, wang, withdrawn, "")
    with pytest.raises(desk.DeskError, match="申请人撤回"):
        desk.close(db, wang, withdrawn, "已经谈妥", "concluded")
    desk.close(db, wang, withdrawn, "申请人说老板已经给钱了")
    assert row(db, withdrawn).closing_outcome == "withdrawn"

    terminated = submit(client, auth)
    desk.claim(db, wang, terminated)
    desk.accept(db, wang, terminated)
    with pytest.raises(desk.DeskError, match="终止法律援助要写明原因"):
        desk.close(db, wang, terminated, "", "terminated")
    desk.close(db, wang, terminated, "受援人自行委托了律师（第四十八条第六项）", "terminated")
    referral = row(db, terminated)
    assert referral.closing_outcome == "terminated"
    assert "镇雄县司法局" in referral.events[-1].note and "第四十九条" in referral.events[-1].note

    concluded = submit(client, auth)
    desk.claim(db, wang, concluded)
    desk.accept(db, wang, concluded)
    desk.close(db, wang, concluded, "")
    assert row(db, concluded).closing_outcome == "concluded"


def test_a_centre_head_assigns_a_colleague_and_nobody_else_may(client, auth, db, people):
    ticket = submit(client, auth)
    head, wang, li = people["head"], people["wang"], people["li"]
    with pytest.raises(desk.DeskError, match="中心负责人"):
        desk.assign_to(db, wang, ticket, "li")
    with pytest.raises(desk.DeskError, match="在岗工作人员"):
        desk.assign_to(db, head, ticket, "zhao")  # another county's worker
    desk.assign_to(db, head, ticket, "wang")
    referral = row(db, ticket)
    assert referral.status == ReferralStatus.claimed and referral.claimed_by_id == wang.id
    desk.assign_to(db, head, ticket, "li")  # reassign
    referral = row(db, ticket)
    assert referral.claimed_by_id == li.id
    event = last_event(db, ticket)
    assert event.kind == "assigned_to" and event.note == "交给李强（原经办人：王芳）" and event.actor_id == head.id
    with pytest.raises(desk.DeskError, match="已经由李强办理"):
        desk.assign_to(db, head, ticket, "li")
    desk.assign_to(db, people["admin"], ticket, "wang")
    assert row(db, ticket).claimed_by_id == wang.id


def test_a_county_centre_works_its_workstations_referrals(client, auth, db, people):
    ticket = submit(client, auth, township="乌峰街道")
    assert row(db, ticket).station.code == "zhenxiong_wufeng"  # the workstation has a worker
    wang, zhao = people["wang"], people["zhao"]
    queue, _ = desk.queue(db, wang, desk.QueueFilter(status=desk.OPEN))
    assert ticket in [r.ticket_number for r in queue]
    desk.claim(db, wang, ticket)  # the county centre decides for its workstation
    desk.accept(db, wang, ticket)
    with pytest.raises(desk.NotVisible):
        desk.get_for(db, zhao, ticket)
    # the workstation still sees it and cannot act on its parent's behalf beyond its own station
    assert desk.get_for(db, people["wufeng"], ticket).status == ReferralStatus.accepted


def test_the_sending_station_keeps_read_access_after_a_transfer(client, auth, db, people):
    ticket = submit(client, auth)
    wang, zhao = people["wang"], people["zhao"]
    desk.claim(db, wang, ticket)
    desk.transfer(db, wang, ticket, "ludian", "申请人在鲁甸县打工")
    assert desk.get_for(db, wang, ticket).station.code == "ludian"  # still readable
    mine, _ = desk.queue(db, wang, desk.QueueFilter(status=desk.TODO))
    sent, _ = desk.queue(db, wang, desk.QueueFilter(status=desk.TRANSFERRED_OUT))
    assert ticket not in [r.ticket_number for r in mine] and [r.ticket_number for r in sent] == [ticket]
    with pytest.raises(desk.DeskError, match="只能查看"):
        desk.claim(db, wang, ticket)
    assert desk.claim(db, zhao, ticket).claimed_by_id == zhao.id
    assert desk.queue(db, zhao, desk.QueueFilter(status=desk.TRANSFERRED_OUT))[1] == 0
    # what the new station adds to the case file stays with it
    folder = client.app.state.settings.attachments_dir
    document = casefile.add_document(db, zhao, folder, ticket, "judgment", b"%PDF-1.4\n%%EOF\n")
    assert casefile.open_document(db, zhao, folder, ticket, document.id)[2].startswith(b"%PDF")
    with pytest.raises(desk.NotVisible):
        casefile.open_document(db, wang, folder, ticket, document.id)


def test_refused_referrals_stay_in_the_todo_view_until_closed(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    desk.refuse(db, wang, ticket, "家庭收入超过标准")
    assert ticket in [r.ticket_number for r in desk.queue(db, wang, desk.QueueFilter(status=desk.TODO))[0]]
    desk.close(db, wang, ticket, "")
    assert ticket not in [r.ticket_number for r in desk.queue(db, wang, desk.QueueFilter(status=desk.TODO))[0]]


def test_urgent_referrals_are_sorted_by_the_applicants_own_deadline(client, auth, db, people):
    later = submit(client, auth, screening={"matter": "labor_wage", "statuses": ["migrant_worker"],
                                            "days_to_deadline": 5})
    sooner = submit(client, auth, screening={"matter": "labor_wage", "statuses": ["migrant_worker"],
                                             "days_to_deadline": 3})
    calm = submit(client, auth)
    assert row(db, sooner).applicant_deadline == china_today() + dt.timedelta(days=3)
    rows, _ = desk.queue(db, people["wang"], desk.QueueFilter(status=desk.OPEN))
    order = [r.ticket_number for r in rows]
    assert order.index(sooner) < order.index(later) < order.index(calm)


def test_deadline_views_and_search_inside_the_account(client, auth, db, people):
    wang = people["wang"]
    today, soon, far = (submit(client, auth, description=text) for text in (
        "包工头欠我讨薪的钱", "工伤的事", "离婚的事"))
    for ticket, due in ((today, china_today()), (soon, add_working_days(china_today(), 2)[0]),
                        (far, add_working_days(china_today(), 20)[0])):
        row(db, ticket).decision_due = due
        db.commit()

    def view(**kwargs) -> set[str]:
        return {r.ticket_number for r in desk.queue(db, wang, desk.QueueFilter(**kwargs))[0]}

    assert view(due="today") == {today}
    assert view(due="two_days") == {today, soon}
    assert far not in view(due="week")
    assert view(search="包工头") == {today}
    desk.claim(db, wang, soon)
    assert view(holder_id=wang.id) == {soon}
    assert desk.working_days_left(row(db, soon)) == 2 and desk.working_days_left(row(db, today)) == 0


def test_of_two_decisions_at_once_exactly_one_is_taken(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    with client.app.state.session_factory() as other:
        stale = desk.get_for(other, other.get(StaffUser, wang.id), ticket, record_view=False)
        assert stale.status == ReferralStatus.claimed  # the second tab loaded the page before the first decided
        desk.accept(db, wang, ticket)
        with pytest.raises(desk.DeskError, match="已经有人作了决定"):
            desk.refuse(other, other.get(StaffUser, wang.id), ticket, "收入超过标准")
    referral = row(db, ticket)
    assert referral.status == ReferralStatus.accepted
    assert [e.kind for e in referral.events].count("refused") == 0


def test_an_overdue_decision_cannot_be_paused_or_extended_away(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    row(db, ticket).decision_due = china_today() - dt.timedelta(days=1)
    db.commit()
    with pytest.raises(desk.DeskError, match="不能再暂停"):
        desk.pause_clock(db, wang, ticket, "身份证")
    with pytest.raises(desk.DeskError, match="不能再延长"):
        desk.extend_deadline(db, wang, ticket, "案情复杂")
    assert desk.is_overdue(row(db, ticket))


def test_after_aid_is_given_the_case_ends_as_concluded_or_terminated_never_withdrawn(client, auth, db, people):
    ticket = submit(client, auth)
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    desk.accept(db, wang, ticket)
    assert list(desk.closing_choices(row(db, ticket))) == ["concluded", "terminated"]
    with pytest.raises(desk.DeskError, match="办结、终止法律援助"):
        desk.close(db, wang, ticket, "不想打了", "withdrawn")


def test_search_ignores_case_and_takes_percent_signs_literally(client, auth, db, people):
    latin = submit(client, auth, description="在ABC公司上班，老板欠薪")
    submit(client, auth, description="老板欠薪")
    rows, _ = desk.queue(db, people["wang"], desk.QueueFilter(search="abc"))
    assert [r.ticket_number for r in rows] == [latin]
    assert desk.queue(db, people["wang"], desk.QueueFilter(search="%"))[1] == 0


def test_criminal_defence_is_given_to_a_lawyer_only(client, auth, db, people):
    ticket = submit(client, auth, matter="criminal_defense")
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    desk.accept(db, wang, ticket)
    with pytest.raises(desk.DeskError, match="刑事诉讼法》第三十五条"):
        desk.assign_aid(db, wang, ticket, "volunteer", "志愿者")
    desk.assign_aid(db, wang, ticket, "lawyer", "陈律师")
    first = row(db, ticket).assigned_at
    desk.assign_aid(db, wang, ticket, "lawyer", "李律师")  # reassigned: the first assignment's time is kept
    referral = row(db, ticket)
    assert referral.aid_provider_name == "李律师" and referral.assigned_at == first
    assert referral.events[-1].note.startswith("改为律师：李律师")


# --- the same steps through the staff API ---

def token(client, username: str) -> dict[str, str]:
    response = client.post("/api/staff/sessions", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_staff_api_takes_every_casework_step(client, auth, people):
    ticket = submit(client, auth)
    head, wang = token(client, "head"), token(client, "wang")
    url = f"/api/staff/referrals/{ticket}"
    assert client.post(f"{url}/assignment", json={"username": "li"}, headers=wang).status_code == 403
    given = client.post(f"{url}/assignment", json={"username": "wang"}, headers=head).json()
    assert (given["status"], given["holder"]) == ("claimed", "王芳")
    assert given["working_days_left"] is not None and given["working_days_left"] > 0

    opposing = client.put(f"{url}/opposing-party", json={"name": "云南某某建筑公司"}, headers=wang).json()
    assert opposing["opposing_party"] == "云南某某建筑公司"
    paused = client.post(f"{url}/clock/pause", json={"missing": "身份证复印件"}, headers=wang).json()
    assert paused["paused_at"] is not None and paused["working_days_left"] is None
    assert client.post(f"{url}/clock/extension", json={"reason": "复杂"}, headers=wang).status_code == 409
    resumed = client.post(f"{url}/clock/resume", headers=wang).json()
    assert resumed["paused_at"] is None and resumed["working_days_left"] == paused["paused_days_left"]
    extended = client.post(f"{url}/clock/extension", json={"reason": "要去工地核实"}, headers=wang).json()
    assert extended["extended"] is True and extended["decision_due"] > resumed["decision_due"]

    early = client.post(f"{url}/aid-provider", json={"kind": "lawyer", "name": "陈律师"}, headers=wang)
    assert early.status_code == 409 and "决定给予法律援助以后" in early.json()["detail"]
    accepted = client.post(f"{url}/decision", json={"decision": "accept"}, headers=wang).json()
    assert accepted["assignment_due"] is not None
    queue = client.get("/api/staff/referrals", params={"due": "assign"}, headers=wang).json()
    assert [i["ticket_number"] for i in queue["items"]] == [ticket]
    provider = client.post(f"{url}/aid-provider", json={"kind": "lawyer", "name": "陈律师", "org": "某某律师事务所",
                                                       "case_number": "镇援2026-118"}, headers=wang).json()
    assert (provider["aid_provider_name"], provider["case_number"]) == ("陈律师", "镇援2026-118")
    withdrawn = client.post(f"{url}/close", json={"note": "不打了", "outcome": "withdrawn"}, headers=wang)
    assert withdrawn.status_code == 422
    closed = client.post(f"{url}/close", json={"note": "受援人自行委托律师", "outcome": "terminated"},
                         headers=wang).json()
    assert (closed["status"], closed["closing_outcome"]) == ("closed", "terminated")
    kinds = [e["kind"] for e in closed["events"]]
    for kind in ("assigned_to", "opposing_party", "clock_paused", "clock_resumed", "extended", "accepted",
                 "aid_assigned", "closed"):
        assert kind in kinds
    assert client.get("/api/staff/referrals", params={"due": "soon"}, headers=wang).status_code == 422


def test_the_deadline_views_count_the_applicants_own_deadline_too(client, auth, db, people):
    ticket = submit(client, auth, screening={"matter": "labor_wage", "statuses": ["migrant_worker"],
                                             "days_to_deadline": 0})
    referral = row(db, ticket)
    assert referral.applicant_deadline == china_today() and referral.decision_due > china_today()

    def view(due: str) -> list[str]:
        return [r.ticket_number for r in desk.queue(db, people["wang"], desk.QueueFilter(due=due))[0]]

    assert ticket in view("today") and ticket in view("two_days") and ticket in view("week")


def test_only_a_legal_aid_agency_decides_a_workstation_takes_in(client, auth, db, people):
    ticket = submit(client, auth, township="乌峰街道")
    wufeng = people["wufeng"]
    desk.claim(db, wufeng, ticket)  # the workstation takes the application in
    desk.pause_clock(db, wufeng, ticket, "身份证复印件")
    desk.resume_clock(db, wufeng, ticket)
    for step in (lambda: desk.accept(db, wufeng, ticket), lambda: desk.refuse(db, wufeng, ticket, "收入超标"),
                 lambda: desk.extend_deadline(db, wufeng, ticket, "复杂")):
        with pytest.raises(desk.DeskError, match="工作站不作决定"):
            step()
    desk.release(db, wufeng, ticket)
    desk.claim(db, people["wang"], ticket)  # the county centre decides
    assert desk.accept(db, people["wang"], ticket).status == ReferralStatus.accepted


def test_aid_is_not_given_past_a_conflict_warning_nobody_checked(client, auth, db, people):
    from referral import conflicts

    submit(client, auth, applicant_name="王老板", applicant_phone="13700000001")  # the other side applied here
    ticket = submit(client, auth, opposing_party="王老板")
    wang = people["wang"]
    desk.claim(db, wang, ticket)
    with pytest.raises(desk.DeskError, match="利益冲突"):
        conflicts.accept_unless_unchecked(db, wang, ticket, "", conflicts_checked=False)
    assert row(db, ticket).status == ReferralStatus.claimed
    accepted = conflicts.accept_unless_unchecked(db, wang, ticket, "", conflicts_checked=True)
    assert accepted.status == ReferralStatus.accepted


def test_search_finds_traditional_characters_and_a_matters_name(client, auth, db, people):
    zhang = submit(client, auth, applicant_name="张三", matter="divorce", description="想离婚")
    wage = submit(client, auth, applicant_name="李四", matter="labor_wage", description="包工头跑了")

    def found(term: str) -> set[str]:
        return {r.ticket_number for r in desk.queue(db, people["wang"], desk.QueueFilter(search=term))[0]}

    assert zhang in found("張三") and wage not in found("張三")
    assert wage in found("讨薪") and zhang not in found("讨薪")


def test_the_one_time_notice_of_missing_materials_prints(client, auth, db, people):
    from tests.support.console import login

    ticket = submit(client, auth)
    page = login(client.app, "wang", PASSWORD)
    assert page.get(f"/console/referrals/{ticket}/print/materials").status_code == 409  # never paused
    desk.claim(db, people["wang"], ticket)
    desk.pause_clock(db, people["wang"], ticket, "身份证复印件；包工头写的欠条")
    assert "打印补充材料通知" in page.get(f"/console/referrals/{ticket}").text
    notice = page.get(f"/console/referrals/{ticket}/print/materials")
    assert notice.status_code == 200
    text = notice.text
    assert "补充材料通知书" in text and "身份证复印件；包工头写的欠条" in text and "镇雄县法律援助中心" in text
    assert "第四十三条第二款" in text and "视为撤回申请" in text
    desk.resume_clock(db, people["wang"], ticket)  # the notice stays printable: it was given
    assert page.get(f"/console/referrals/{ticket}/print/materials").status_code == 200
