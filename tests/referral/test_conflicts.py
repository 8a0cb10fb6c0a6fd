"""The opposing party and the conflict and duplicate check (referral.conflicts, referral/console/conflicts.py),
on SQLite and PostgreSQL: names and numbers written differently, station isolation, the desk step's history
and audit trail, and the referral page's warning."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from referral import admin, conflicts, desk
from referral.app import create_app
from referral.models import AuditEntry, Referral, ReferralEvent, StaffUser
from referral.settings import Settings
from tests.support.console import PASSWORD, csrf, login
from tests.support.referrals import TOKEN, referral_body


@pytest.fixture
def app(settings: Settings) -> Iterator:
    application = create_app(settings)
    with application.state.session_factory() as session:
        admin.create_user(session, None, username="admin", display_name="管理员甲", password=PASSWORD, role="admin",
                          station_code=None)
        for username, name, station in (("zx1", "张一", "zhenxiong"), ("zx2", "李二", "zhenxiong"),
                                        ("ld1", "王三", "ludian")):
            admin.create_user(session, None, username=username, display_name=name, password=PASSWORD, role="staff",
                              station_code=station)
    yield application
    application.state.engine.dispose()


def new_referral(app, *, phone: str | None = None, opposing: str | None = None, days_ago: int = 0,
                 **overrides: object) -> str:
    """A referral through the API (a unique mobile unless given); ``phone`` stores a number as written
    (the API only takes 11 digits), ``opposing`` the opposing party, ``days_ago`` an older receipt time."""
    overrides.setdefault("applicant_phone", f"139{uuid.uuid4().int % 10**8:08d}")
    with TestClient(app) as c:
        response = c.post("/api/referrals", json=referral_body(**overrides),
                          headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket_number"]
    values: dict[str, object] = {}
    if phone is not None:
        values["applicant_phone"] = phone
    if opposing is not None:
        values["opposing_party"] = opposing
    if values or days_ago:
        with app.state.session_factory() as session:
            referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
            assert referral is not None
            if days_ago:
                values["created_at"] = referral.created_at - timedelta(days=days_ago)
            session.execute(update(Referral).where(Referral.id == referral.id).values(**values))
            session.commit()
    return ticket


def check(app, username: str, ticket: str) -> dict[str, list[str]]:
    """What the check finds for ``username`` on this referral: other ticket -> reason codes."""
    with app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
        assert user is not None and referral is not None
        return {m.ticket_number: m.reasons for m in conflicts.find_conflicts(session, user, referral)}






def claim(c: TestClient, ticket: str) -> None:
    response = c.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(c)}, follow_redirects=False)
    assert response.status_code == 303, response.text


def post_opposing(c: TestClient, ticket: str, name: str, **kwargs):
    return c.post(f"/console/referrals/{ticket}/opposing-party", data={"csrf_token": csrf(c), "name": name},
                  **kwargs)


def test_keys_ignore_how_a_name_or_number_is_written():
    assert conflicts.name_key("張 三") == conflicts.name_key("张三") == conflicts.name_key(" 张　三 ") == "张三"
    assert conflicts.name_key("阿依·木呷") == conflicts.name_key("阿依木呷")
    assert conflicts.name_key("（昆明）ＡＢＣ建築公司") == conflicts.name_key("(昆明)abc建筑公司")
    assert conflicts.name_key("张三") != conflicts.name_key("张山")
    mobiles = ("13800138000", "138 0013 8000", "+86-13800138000", "0086 138-0013-8000", "8613800138000",
               "１３８００１３８０００")
    assert {conflicts.phone_key(p) for p in mobiles} == {"13800138000"}
    assert conflicts.phone_key("0870-2123456") == conflicts.phone_key("+86 870 2123456") == "08702123456"
    assert conflicts.phone_key("13800138001") != "13800138000"
    assert not conflicts.is_specific("老板") and not conflicts.is_specific(" 公 司") and conflicts.is_specific("李四")


def test_the_same_phone_written_differently_is_a_duplicate(app):
    first = new_referral(app, applicant_name="赵大", applicant_phone="13800138000")
    spaced = new_referral(app, applicant_name="钱二", phone="138 0013 8000", matter="divorce")
    international = new_referral(app, applicant_name="孙三", phone="+86-13800138000")
    wide = new_referral(app, applicant_name="李四", phone="１３８００１３８０００")
    other = new_referral(app, applicant_name="周五", applicant_phone="13800138001")  # one digit apart
    found = check(app, "zx1", first)
    assert found == {spaced: [conflicts.SAME_PHONE], international: [conflicts.SAME_PHONE],
                     wide: [conflicts.SAME_PHONE]}
    assert other not in found and first not in found  # never itself


def test_the_same_name_in_traditional_characters_or_with_spaces_and_the_same_matter(app):
    first = new_referral(app, applicant_name="张三")
    traditional = new_referral(app, applicant_name="張 三")
    wide_spaced = new_referral(app, applicant_name="张　三")
    other_matter = new_referral(app, applicant_name="張三", matter="divorce")
    other_name = new_referral(app, applicant_name="张三丰")
    found = check(app, "zx1", first)
    assert found == {traditional: [conflicts.SAME_NAME], wide_spaced: [conflicts.SAME_NAME]}
    assert other_matter not in found and other_name not in found


def test_duplicates_only_within_the_window_but_conflicts_at_any_time(app):
    first = new_referral(app, applicant_name="吴六", applicant_phone="13700137000", opposing="郑七")
    old_same = new_referral(app, applicant_name="吴六", applicant_phone="13700137000", days_ago=120)
    old_other_side = new_referral(app, applicant_name="鄭 七", days_ago=400)
    recent_same = new_referral(app, applicant_name="吴六", phone="137-0013-7000", days_ago=60)
    found = check(app, "zx1", first)
    assert old_same not in found
    assert found[recent_same] == [conflicts.SAME_PHONE, conflicts.SAME_NAME]
    assert found[old_other_side] == [conflicts.OPPOSING_IS_APPLICANT]


def test_opposing_party_matches_an_applicant_or_another_opposing_party(app):
    # 王五 applies against 李四; 李四 had applied himself (against 王五's company): a conflict both ways.
    ours = new_referral(app, applicant_name="王五", opposing="李 四")
    theirs = new_referral(app, applicant_name="李四", opposing="王五")
    same_adversary = new_referral(app, applicant_name="赵六", opposing="李四")
    boss = new_referral(app, applicant_name="孙八", opposing="老板")
    other_boss = new_referral(app, applicant_name="周九", opposing="老板")
    found = check(app, "zx1", ours)
    assert found[theirs] == [conflicts.OPPOSING_IS_APPLICANT, conflicts.APPLICANT_IS_OPPOSING]
    assert found[same_adversary] == [conflicts.SAME_OPPOSING]
    assert set(found) == {theirs, same_adversary}
    assert check(app, "zx1", same_adversary) == {theirs: [conflicts.OPPOSING_IS_APPLICANT],
                                                  ours: [conflicts.SAME_OPPOSING]}
    assert check(app, "zx1", boss) == {}  # 「老板」 names nobody: no match with another 「老板」
    assert other_boss not in check(app, "zx1", boss)
    with app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "zx1"))
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ours))
        matches = conflicts.find_conflicts(session, user, referral)
    assert matches[0].conflict and matches[0].ticket_number == theirs  # conflicts first
    assert matches[0].labels == ["本单的对方当事人是那张单的申请人", "本单的申请人是那张单的对方当事人"]
    assert not matches[1].conflict and matches[1].labels == ["对方当事人相同"]


def test_no_match_with_a_station_the_user_cannot_see(app):
    ours = new_referral(app, applicant_name="冯十", applicant_phone="13600136000", opposing="陈东")
    elsewhere_phone = new_referral(app, applicant_name="冯十", phone="136 0013 6000", region="鲁甸县")
    elsewhere_other_side = new_referral(app, applicant_name="陳東", region="鲁甸县")
    assert check(app, "zx1", ours) == {}
    assert check(app, "zx2", ours) == {}
    everywhere = check(app, "admin", ours)  # the administrator sees every station
    assert everywhere[elsewhere_phone] == [conflicts.SAME_PHONE, conflicts.SAME_NAME]
    assert everywhere[elsewhere_other_side] == [conflicts.OPPOSING_IS_APPLICANT]
    page = login(app, "zx1").get(f"/console/referrals/{ours}")
    assert page.status_code == 200 and "没有发现利益冲突或重复申请" in page.text
    assert elsewhere_phone not in page.text and elsewhere_other_side not in page.text


def test_recording_the_opposing_party_writes_history_and_audit(app):
    ticket = new_referral(app, applicant_name="褚十一")
    zx1 = login(app, "zx1")
    claim(zx1, ticket)
    response = post_opposing(zx1, ticket, "  昭通某某建筑  有限公司 ", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/referrals/{ticket}?done=opposing_party"
    page = zx1.get(response.headers["location"])
    assert "对方当事人已保存" in page.text and "昭通某某建筑 有限公司" in page.text
    assert post_opposing(zx1, ticket, "昭通某某建筑有限公司", follow_redirects=False).status_code == 303
    assert post_opposing(zx1, ticket, "", follow_redirects=False).status_code == 303
    with app.state.session_factory() as session:
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
        assert referral.opposing_party is None
        events = session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id,
                                                             ReferralEvent.kind == "opposing_party")
                                 .order_by(ReferralEvent.id)).all()
        assert [e.note for e in events] == ["昭通某某建筑 有限公司", "昭通某某建筑有限公司",
                                            "删除了对方当事人（原来写的是：昭通某某建筑有限公司）"]
        assert all(e.actor.username == "zx1" for e in events)
        audits = session.scalars(select(AuditEntry).where(AuditEntry.referral_id == referral.id,
                                                          AuditEntry.action == "opposing_party")
                                 .order_by(AuditEntry.id)).all()
        assert [a.detail for a in audits] == ["记录", "修改", "删除"]
        assert all("昭通" not in (a.detail or "") and a.user.username == "zx1" for a in audits)
    assert "<td>记录对方当事人</td>" in zx1.get(f"/console/referrals/{ticket}").text  # the history's label


def test_only_the_holder_or_an_administrator_records_the_opposing_party(app):
    ticket = new_referral(app, applicant_name="卫十二")
    zx1, zx2, ld1 = login(app, "zx1"), login(app, "zx2"), login(app, "ld1")
    unclaimed = post_opposing(zx1, ticket, "蒋十三")
    assert unclaimed.status_code == 409 and "请先认领这张转介单" in unclaimed.text
    claim(zx1, ticket)
    refused = post_opposing(zx2, ticket, "蒋十三")
    assert refused.status_code == 409 and "这张转介单由张一办理" in refused.text
    assert post_opposing(ld1, ticket, "蒋十三").status_code == 404  # another station: not even visible
    too_long = post_opposing(zx1, ticket, "长" * 201)
    assert too_long.status_code == 422 and "太长了" in too_long.text
    assert f'value="{"长" * 201}"' in too_long.text  # what was typed stays in the form
    assert post_opposing(login(app, "admin"), ticket, "蒋十三", follow_redirects=False).status_code == 303
    with app.state.session_factory() as session:
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
        assert referral.opposing_party == "蒋十三"
        kinds = session.scalars(select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral.id)).all()
        assert kinds.count("opposing_party") == 1
        admin_user = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        desk.close(session, admin_user, ticket, "申请人撤回申请")
        with pytest.raises(desk.DeskError, match="已结案"):
            conflicts.record_opposing_party(session, admin_user, ticket, "沈十四")


def test_the_referral_page_warns_before_the_decision_only(app):
    theirs = new_referral(app, applicant_name="韩十五")
    ours = new_referral(app, applicant_name="杨十六")
    duplicate = new_referral(app, applicant_name="楊 十六")
    zx1 = login(app, "zx1")
    claim(zx1, ours)
    page = zx1.get(f"/console/referrals/{ours}").text
    assert "利益冲突和重复申请检查" in page and 'id="conflict-warning"' not in page
    assert 'id="duplicate-notice"' in page and f'href="/console/referrals/{duplicate}"' in page
    assert "申请人姓名相同，事项也相同" in page and "请核实后再决定" in page
    post_opposing(zx1, ours, "韓十五", follow_redirects=False)
    page = zx1.get(f"/console/referrals/{ours}").text
    warning = page[page.index('id="conflict-warning"'):page.index('id="duplicate-notice"')]
    assert theirs in warning and "本单的对方当事人是那张单的申请人" in warning and "待认领" in warning
    with app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "zx1"))
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ours))
        assert len(conflicts.conflict_matches(session, user, referral)) == 2  # the count beside the button
    refused = zx1.post(f"/console/referrals/{ours}/accept", data={"csrf_token": csrf(zx1)})
    assert refused.status_code == 409 and "请先核实，再勾选" in refused.text  # past a conflict only when ticked off
    zx1.post(f"/console/referrals/{ours}/accept", data={"csrf_token": csrf(zx1), "conflicts_checked": "yes"})
    page = zx1.get(f"/console/referrals/{ours}").text
    assert "利益冲突和重复申请检查" not in page and 'id="conflict-warning"' not in page
    assert "韓十五" in page  # the opposing party is still shown
    with app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "zx1"))
        referral = session.scalar(select(Referral).where(Referral.ticket_number == ours))
        assert conflicts.conflict_matches(session, user, referral) == []
