"""Administrators in headless Chromium: accounts, stations, the audit trail; pages raise no console errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import sign_in


def test_admin_creates_an_account_that_can_sign_in(open_as, browser, service):
    page = open_as("admin")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.get_by_role("link", name="账号").click()
    page.get_by_label("用户名（登录用）").fill("zx9")
    page.get_by_label("姓名（页面上显示）").fill("钱九")
    page.get_by_label("初始密码（至少 10 个字符）").fill("a-new-password-9")
    page.get_by_label("角色").select_option(label="工作人员")
    page.get_by_label("站点（工作人员必选）").select_option(label="镇雄县法律援助中心")
    page.get_by_role("button", name="新建账号").click()
    expect(page.get_by_role("status")).to_have_text("账号已建好。")
    expect(page.locator("table")).to_contain_text("钱九")

    context = browser.new_context(base_url=service.url, locale="zh-CN")
    try:
        other = context.new_page()
        sign_in(other, "zx9", "a-new-password-9")
        expect(other.locator("header")).to_contain_text("钱九")
        expect(other.locator("header")).to_contain_text("镇雄县法律援助中心")
        other.goto("/console/admin/users")
        expect(other.get_by_role("alert")).to_contain_text("只有管理员")
    finally:
        context.close()

    page.get_by_role("link", name="站点").click()
    page.get_by_role("link", name=re.compile("修改.*鲁甸县法律援助中心$")).click()
    page.get_by_label("电话").fill("0870-5123456")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("站点已保存。")
    expect(page.locator("tr", has_text="鲁甸县法律援助中心").first).to_contain_text("0870-5123456")

    page.get_by_role("link", name="操作记录").click()
    page.get_by_label("操作").select_option(label="新建账号")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr").first).to_contain_text("管理员甲")
    for path in ("/console/", "/console/statistics", "/console/admin/stations"):
        page.goto(path)
    assert errors == []  # e.g. no Content-Security-Policy violations
