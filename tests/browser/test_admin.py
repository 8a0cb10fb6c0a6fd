"""Administrators in headless Chromium: accounts, stations, the audit trail; pages raise no console errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from referral import admin
from tests.support.browser import PASSWORD, sign_in


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


def test_deactivation_goes_through_a_confirmation_page(open_as, service):
    with service.app.state.session_factory() as session:
        admin.create_user(session, None, username="zx8", display_name="孙八", password=PASSWORD, role="staff",
                          station_code="zhenxiong")
    page = open_as("admin")
    page.goto("/console/admin/users")
    row = page.locator("tr", has_text="孙八")
    row.get_by_role("link", name=re.compile("^停用.*孙八$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("停用账号：孙八（zx8）")
    expect(page.locator("main")).to_contain_text("退出登录")
    page.get_by_role("link", name="返回").click()  # changed their mind: nothing happened
    expect(page).to_have_url(re.compile(r"/console/admin/users$"))
    expect(page.locator("tr", has_text="孙八")).to_contain_text("在用")

    page.locator("tr", has_text="孙八").get_by_role("link", name=re.compile("^停用.*孙八$")).click()
    page.get_by_role("button", name="确认停用").click()
    expect(page.get_by_role("status")).to_contain_text("账号已停用")
    expect(page.locator("tr", has_text="孙八")).to_contain_text("已停用")
    expect(page.locator("tr", has_text="孙八").get_by_role("button", name=re.compile("^恢复.*孙八$"))).to_be_visible()


def _beside(page, checkbox_id: str) -> None:
    """The checkbox sits left of its label, on the label's first line."""
    box = page.locator(f"#{checkbox_id}").bounding_box()
    label = page.locator(f"label[for='{checkbox_id}']").bounding_box()
    assert box and label, checkbox_id
    assert box["x"] + box["width"] <= label["x"] + 1, (checkbox_id, box, label)
    assert label["x"] - (box["x"] + box["width"]) < 16, (checkbox_id, box, label)  # right next to it
    middle = box["y"] + box["height"] / 2
    assert label["y"] <= middle <= label["y"] + min(label["height"], 30), (checkbox_id, box, label)


def test_checkboxes_sit_beside_their_labels_on_a_phone(browser, service):
    context = browser.new_context(base_url=service.url, locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, "admin")
        for path in ("/console/admin/stations/zhenxiong", "/console/admin/stations"):
            page.goto(path)
            ids = page.locator("form input[type=checkbox]").evaluate_all("boxes => boxes.map(b => b.id)")
            assert {"st-all", "st-active", "st-g-elderly", "st-r1"} <= set(ids)
            for checkbox_id in ids:
                _beside(page, checkbox_id)
        page.goto("/console/admin/users")
        _beside(page, "new-head")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width >= 390
    finally:
        context.close()
