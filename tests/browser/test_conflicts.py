"""The conflict check in headless Chromium: a staff member records an opposing party who applied to the
centre themselves (written in traditional characters, with a space) and the referral page warns."""

from __future__ import annotations

import random
import re

from playwright.sync_api import expect

# Simplified characters with a different traditional form: the opposing party is typed traditionally.
TRADITIONAL = {"陈": "陳", "张": "張", "刘": "劉", "赵": "趙", "郑": "鄭", "冯": "馮", "韩": "韓", "杨": "楊",
               "邓": "鄧", "龙": "龍", "萧": "蕭", "钱": "錢", "孙": "孫", "卢": "盧", "罗": "羅", "许": "許"}


def _unique_mobile() -> str:
    return f"135{random.randrange(10**8):08d}"


def test_an_opposing_party_who_applied_here_is_a_conflict_warning(open_as, service):
    chars = random.sample(sorted(TRADITIONAL), 3)  # a name no other test's referral has
    other_side = "".join(chars)
    theirs = service.new_referral(applicant_name=other_side, applicant_phone=_unique_mobile())
    ours = service.new_referral(applicant_name="".join(random.sample("甲乙丙丁戊己庚辛壬癸", 3)),
                                applicant_phone=_unique_mobile())
    page = open_as("zx1")
    page.goto(f"/console/referrals/{ours}")
    page.get_by_role("button", name="认领").click()
    section = page.locator("section.conflicts")
    expect(section.get_by_role("heading")).to_have_text("利益冲突和重复申请检查")
    expect(page.locator("#conflicts-none")).to_have_text("没有发现利益冲突或重复申请。")
    # typed as the applicant said it: traditional characters and a space
    typed = TRADITIONAL[chars[0]] + " " + "".join(TRADITIONAL[c] for c in chars[1:])
    page.get_by_label("对方当事人（老板、公司").fill(typed)
    page.get_by_role("button", name="保存对方当事人").click()
    expect(page).to_have_url(re.compile(rf"/console/referrals/{ours}\?done=opposing_party"))
    expect(page.get_by_role("status")).to_have_text("对方当事人已保存。")
    expect(page.locator("#opposing-party")).to_have_text(typed)
    warning = page.locator("#conflict-warning")
    expect(warning).to_contain_text("可能有利益冲突")
    expect(warning).to_contain_text("请核实后再决定")
    row = warning.locator(f'tr[data-ticket="{theirs}"]')
    expect(row).to_contain_text("本单的对方当事人是那张单的申请人")
    expect(row).to_contain_text("待认领")
    expect(page.locator("#conflicts-none")).to_have_count(0)
    expect(page.locator("table.history")).to_contain_text(typed)  # the history keeps the name
    # the other referral warns the other way round
    row.get_by_role("link", name=theirs).click()
    expect(page).to_have_url(re.compile(rf"/console/referrals/{theirs}$"))
    expect(page.locator(f'#conflict-warning tr[data-ticket="{ours}"]')).to_contain_text(
        "本单的申请人是那张单的对方当事人")
