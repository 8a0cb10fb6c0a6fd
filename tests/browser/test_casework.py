"""Casework in headless Chromium: a centre head assigns a colleague, the colleague records the lawyer
against the 3-day deadline, the decision clock paused and resumed, the county centre working a
workstation's referral, the deadline views, and Back after a refused form."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _row(page, ticket: str):
    return page.locator(f'tr[data-ticket="{ticket}"]')


def test_a_head_assigns_a_colleague_who_records_the_lawyer_within_the_deadline(open_as, service):
    ticket = service.new_referral()
    head = open_as("zxhead")
    head.goto(f"/console/referrals/{ticket}")
    head.get_by_label("交给").select_option(label="李二（镇雄县法律援助中心）")
    head.get_by_role("button", name="指定", exact=True).click()
    expect(head.get_by_role("status")).to_have_text("经办人已改好。")
    expect(head.locator("#holder")).to_have_text("李二")

    page = open_as("zx2")
    page.goto("/console/?mine=1")
    expect(_row(page, ticket)).to_contain_text("已认领，待决定")
    expect(_row(page, ticket).locator("td.days")).to_contain_text("个工作日")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="给予法律援助").click()
    expect(page.locator("#assignment-due")).to_contain_text("前指派法律援助人员")
    page.get_by_label("类别").select_option(label="律师")
    page.get_by_label("姓名（必填）").fill("陈明")
    page.get_by_label("律师事务所或工作单位").fill("云南某某律师事务所")
    page.get_by_label("案号（本中心的编号，可不填）").fill("镇援2026-118")
    page.get_by_role("button", name="保存法律援助人员").click()
    expect(page.get_by_role("status")).to_have_text("法律援助人员已登记。")
    expect(page.locator("#aid-provider")).to_contain_text("律师 陈明（云南某某律师事务所）")
    expect(page.locator("#assignment-due")).to_contain_text("已指派")
    expect(page.locator("table.history")).to_contain_text("指派法律援助人员")


def test_missing_materials_pause_the_deadline_until_they_are_in(open_as, service):
    ticket = service.new_referral()
    page = open_as("zx1")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="认领").click()
    expect(page.locator("#decision-due")).to_contain_text("还剩")
    page.get_by_label(re.compile("要申请人补充哪些材料")).fill("身份证复印件、欠条")
    page.get_by_role("button", name="暂停决定期限").click()
    expect(page.get_by_role("status")).to_contain_text("决定期限已暂停")
    expect(page.locator("#decision-due")).to_contain_text("暂停中")
    page.goto("/console/?status=open")
    expect(_row(page, ticket)).to_contain_text("暂停中（材料不齐）")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="材料补齐，期限继续").click()
    expect(page.get_by_role("status")).to_have_text("决定期限已恢复计算。")
    expect(page.locator("#decision-due")).to_contain_text("还剩")
    history = page.locator("table.history")
    expect(history).to_contain_text("一次性告知申请人补充：身份证复印件、欠条")
    expect(history).to_contain_text("材料补齐，决定期限继续")


def test_the_county_centre_sees_and_decides_a_workstation_referral(open_as, service):
    ticket = service.new_referral(township="乌峰街道")
    station = open_as("wf1")
    station.goto("/console/")
    expect(_row(station, ticket)).to_contain_text("待认领")
    county = open_as("zx1")
    county.goto("/console/?status=open")
    expect(_row(county, ticket)).to_have_count(1)
    county.goto(f"/console/referrals/{ticket}")
    expect(county.locator("#h-station + dl")).to_contain_text("镇雄县乌峰街道法律援助工作站")
    county.get_by_role("button", name="认领").click()
    expect(county.locator("#holder")).to_have_text("张一")
    other = open_as("ld1")
    other.goto(f"/console/referrals/{ticket}")
    expect(other.locator("main")).to_contain_text("没有这张转介单")


def test_back_after_a_refused_form_does_not_resubmit(open_as, service):
    ticket = service.new_referral()
    page = open_as("zx1")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="认领").click()
    page.get_by_role("button", name="延长 3 个工作日").click()  # no reason: refused
    expect(page.get_by_role("alert")).to_contain_text("延长决定期限要写明理由")
    expect(page).to_have_url(re.compile(rf"/console/referrals/{ticket}#h-actions$"))  # redirected, not a POST page
    page.reload()  # the message was shown once; reloading is a plain GET
    expect(page.get_by_role("alert")).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/console/referrals/{ticket}"))
    expect(page.locator("#status")).to_have_text("已认领，待决定")


def test_the_queue_and_a_referral_fit_a_390_px_phone(browser, service):
    from tests.support.browser import sign_in

    ticket = service.new_referral()
    context = browser.new_context(base_url=service.url, locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, "zx1")
    for path in ("/console/", f"/console/referrals/{ticket}", "/console/statistics"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path  # no sideways page scroll
    expect(page.locator("h1")).to_be_visible()
    context.close()
