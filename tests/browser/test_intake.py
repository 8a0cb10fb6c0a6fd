"""Counter intake in headless Chromium: fill the form, run the pre-screen, save, print the application form."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_counter_intake_through_the_printed_application_form(open_as):
    page = open_as("zx1")
    page.goto("/console/intake")
    expect(page.get_by_label("窗口来访")).to_be_checked()  # the default channel
    page.get_by_label("申请人姓名 *").fill("周小梅")
    page.get_by_label("联系电话 *").fill("0870-2123456")  # a landline: fine at the counter
    page.get_by_label("所在县区 *").select_option("镇雄县")
    page.get_by_label("事项 *").select_option(label="拖欠劳动报酬（讨薪）")
    page.get_by_label("申请人自己说的情况 *").fill("在砖厂干了半年，老板欠八千元工资，说下个月也不给。")
    page.get_by_label("对方当事人（可不填）").fill("镇雄县某砖厂")
    page.get_by_label("农民工（讨薪、工伤）").check()
    page.get_by_label(re.compile("离诉讼时效")).fill("5")

    page.get_by_role("button", name="预审").click()
    expect(page.locator("#preview-outcome")).to_have_text("符合条件")
    expect(page.locator("#preview-priority")).to_contain_text("紧急")  # 5 days: Art. 44
    expect(page.get_by_label("申请人姓名 *")).to_have_value("周小梅")  # what was typed stays
    expect(page.get_by_label("农民工（讨薪、工伤）")).to_be_checked()

    consent = page.get_by_label("申请人同意把以上信息交给法律援助机构办理")
    consent.focus()
    page.keyboard.press("Space")  # the keyboard works as well as the mouse
    expect(consent).to_be_checked()
    page.get_by_role("button", name="保存申请").click()

    expect(page).to_have_url(re.compile(r"/console/referrals/FY\d{6}-\d{4}\?done=intake$"))
    ticket = re.search(r"FY\d{6}-\d{4}", page.url).group(0)
    expect(page.locator("#intake-saved")).to_contain_text("已由您认领办理")
    expect(page.locator("#holder")).to_have_text("张一")
    expect(page.locator("table.history")).to_contain_text("窗口来访：张一当面登记申请")

    page.get_by_role("link", name="打印申请表").click()
    expect(page).to_have_url(re.compile(rf"/console/referrals/{ticket}/print/application$"))
    expect(page.locator("#paper-name")).to_have_text("周小梅")
    expect(page.locator("#paper-phone")).to_have_text("08702123456")
    expect(page.locator("#paper-opposing")).to_have_text("镇雄县某砖厂")
    expect(page.locator("#paper-received")).to_contain_text("接待人：张一")
    expect(page.locator("header.top")).to_be_visible()  # on screen the menu is there

    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("navigation", name="主菜单")).to_be_hidden()
    expect(page.get_by_role("button", name="退出登录")).to_be_hidden()
    expect(page.locator("#print-hint")).to_be_hidden()
    expect(page.locator("#paper-name")).to_be_visible()
    expect(page.locator("#paper-statement")).to_be_visible()
    assert page.locator("body").evaluate("e => getComputedStyle(e).backgroundColor") in ("rgba(0, 0, 0, 0)",
                                                                                        "rgb(255, 255, 255)")

    page.go_back()  # the referral page prints without its forms and buttons too
    expect(page.locator("h1")).to_have_text(f"转介单 {ticket}")
    expect(page.locator("section.actions")).to_be_hidden()
    expect(page.get_by_role("button", name="放回待认领")).to_be_hidden()
    expect(page.get_by_role("link", name="打印申请表")).to_be_hidden()
    expect(page.locator("table.history")).to_be_visible()
