"""The staff console in headless Chromium: sign-in, claim, decide, transfer, station isolation."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _row(page, ticket: str):
    return page.locator(f'tr[data-ticket="{ticket}"]')


def test_login_wrong_password_then_right_one_shows_the_queue(anonymous_page, service):
    ticket = service.new_referral()
    page = anonymous_page
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    page.get_by_label("用户名").fill("zx1")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不对")
    # keyboard only: the form works without a mouse
    page.get_by_label("密码").fill("browser-test-password")
    page.get_by_label("密码").press("Enter")
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator("header")).to_contain_text("张一")
    expect(page.locator("header")).to_contain_text("镇雄县法律援助中心")
    expect(_row(page, ticket)).to_contain_text("待认领")
    expect(_row(page, ticket)).to_contain_text("拖欠劳动报酬")
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/console/login"))


def test_claim_and_the_second_claimer_is_told_who_has_it(open_as, service):
    ticket = service.new_referral()
    first, second = open_as("zx1"), open_as("zx2")
    first.goto(f"/console/referrals/{ticket}")
    second.goto(f"/console/referrals/{ticket}")  # both have the page open
    first.get_by_role("button", name="认领").click()
    expect(first.get_by_role("status")).to_contain_text("已认领")
    expect(first.locator("#holder")).to_have_text("张一")
    second.get_by_role("button", name="认领").click()
    expect(second.get_by_role("alert")).to_contain_text("这张转介单已经被张一认领了")


def test_decide_accept(open_as, service):
    ticket = service.new_referral()
    page = open_as("zx1")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="认领").click()
    page.get_by_label("联系结果").select_option(label="联系上了")
    page.get_by_label("备注（可不填）").fill("约好周一带材料来")
    page.get_by_role("button", name="记录联系").click()
    expect(page.get_by_role("status")).to_have_text("联系记录已保存。")
    page.get_by_label("说明（可不填）").first.fill("符合条件")
    page.get_by_role("button", name="给予法律援助").click()
    expect(page.locator("#status")).to_have_text("已决定给予法律援助")
    history = page.locator("table.history")
    expect(history).to_contain_text("联系上了：约好周一带材料来")
    expect(history).to_contain_text("决定给予法律援助")


def test_refuse_needs_a_reason_and_the_history_carries_the_art_49_notice(open_as, service):
    ticket = service.new_referral()
    page = open_as("zx1")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="认领").click()
    expect(page.locator("#notice-49")).to_contain_text("第四十九条")  # shown before submitting
    page.get_by_role("button", name="不予法律援助", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("不予法律援助要写明理由")
    expect(page.locator("#status")).to_have_text("已认领，待决定")
    page.get_by_label("理由（必填，会写进决定书）").fill("家庭收入超过经济困难标准")
    page.get_by_role("button", name="不予法律援助", exact=True).click()
    # A refusal cannot be taken back: the reason and the notice are shown to confirm first.
    expect(page.locator("#confirm-refusal")).to_contain_text("家庭收入超过经济困难标准")
    expect(page.locator("#status")).to_have_text("已认领，待决定")
    page.get_by_role("button", name="确认不予法律援助").click()
    expect(page.locator("#status")).to_have_text("已决定不予法律援助")
    refused = page.locator("table.history tr", has_text="决定不给予法律援助")
    expect(refused).to_contain_text("家庭收入超过经济困难标准")
    expect(refused).to_contain_text("镇雄县司法局")
    expect(refused).to_contain_text("第四十九条")


def test_transfer_moves_the_referral_to_the_other_stations_queue(open_as, service):
    ticket = service.new_referral()
    zx, ld = open_as("zx1"), open_as("ld1")
    ld.goto("/console/")
    expect(_row(ld, ticket)).to_have_count(0)
    zx.goto(f"/console/referrals/{ticket}")
    zx.get_by_role("button", name="认领").click()
    zx.get_by_label("转交给").select_option(label="鲁甸县法律援助中心")
    zx.get_by_label("原因（必填）").fill("申请人住在鲁甸县")
    zx.get_by_role("button", name="转交").click()
    expect(zx.get_by_role("status")).to_have_text("已转交。")
    expect(_row(zx, ticket)).to_have_count(0)
    ld.goto("/console/")
    expect(_row(ld, ticket)).to_contain_text("转交来的，待认领")
    ld.goto(f"/console/referrals/{ticket}")
    expect(ld.locator("table.history")).to_contain_text("转交鲁甸县法律援助中心。原因：申请人住在鲁甸县")


def test_another_stations_referral_by_url_is_a_404_without_personal_data(open_as, service):
    ticket = service.new_referral(applicant_name="赵秘密", applicant_phone="13900001111")
    page = open_as("ld1")
    response = page.goto(f"/console/referrals/{ticket}")
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("没有这张转介单")
    html = page.content()
    for secret in ("赵秘密", "13900001111", "拖欠", "镇雄县法律援助中心"):
        assert secret not in html
    assert page.goto("/console/referrals/ZT-00000000-999").status == 404


def test_overdue_and_fast_track_rows_stand_out(open_as, service):
    from datetime import date

    from referral.models import Priority, Referral

    late, fast = service.new_referral(), service.new_referral()
    with service.app.state.session_factory() as session:
        for number, changes in ((late, {"decision_due": date(2020, 1, 2)}), (fast, {"priority": Priority.fast_track})):
            referral = session.query(Referral).filter_by(ticket_number=number).one()
            for key, value in changes.items():
                setattr(referral, key, value)
        session.commit()
    page = open_as("zx1")
    expect(_row(page, late)).to_have_class(re.compile(r"\boverdue\b"))
    expect(_row(page, late)).to_contain_text("已超期")
    expect(_row(page, fast)).to_have_class(re.compile(r"\bfast\b"))
    expect(_row(page, fast)).to_contain_text("绿色通道")


def test_statistics_match_the_data_and_the_csv_export_has_the_ticket(open_as, service):
    from sqlalchemy import func, or_, select

    from referral.models import Referral, Station

    ticket = service.new_referral()
    with service.app.state.session_factory() as session:
        total = session.scalar(select(func.count()).select_from(Referral))
        zhenxiong = session.scalar(select(func.count()).select_from(Referral).where(  # with its workstations
            Referral.station.has(or_(Station.code == "zhenxiong", Station.parent.has(code="zhenxiong")))))
    page = open_as("admin")
    page.get_by_role("link", name="统计").click()
    expect(page.locator("#fig-total")).to_have_text(str(total))
    expect(page.locator("section", has=page.get_by_role("heading", name="按站点"))
           .get_by_role("img")).to_have_attribute("aria-labelledby", re.compile("t-by_station"))
    staff = open_as("zx1")
    staff.goto("/console/statistics")
    expect(staff.locator("#fig-total")).to_have_text(str(zhenxiong))
    staff.goto("/console/?status=all")
    with staff.expect_download() as info:
        staff.get_by_role("link", name="CSV").first.click()
    content = info.value.path().read_text(encoding="utf-8-sig")
    assert ticket in content
