"""The case file in headless Chromium: a note, an uploaded PDF and a ticked material on the referral page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from referral.rules.eligibility import ALWAYS_MATERIALS

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def test_claim_write_a_note_upload_a_pdf_and_tick_a_material(open_as, service):
    # the uploaded file goes to the service's temporary folder (tests/browser/conftest.py), not to var/
    folder = service.app.state.settings.attachments_dir
    ticket = service.new_referral(screening={"matter": "labor_wage"})
    page = open_as("zx1")
    page.goto(f"/console/referrals/{ticket}")
    page.get_by_role("button", name="认领").click()
    expect(page.locator("#holder")).to_have_text("张一")
    casefile = page.locator("#casefile")
    done = casefile.get_by_role("status")

    casefile.get_by_label("写一条备注").fill("申请人说周三带欠条来")
    casefile.get_by_role("button", name="保存备注").click()
    expect(page).to_have_url(re.compile(r"done=casefile_note#casefile$"))
    expect(done).to_have_text("备注已保存。")
    expect(casefile.locator(".case-notes li")).to_have_count(1)
    expect(casefile.locator(".case-notes")).to_contain_text("申请人说周三带欠条来")
    expect(casefile.locator(".case-notes")).to_contain_text("张一 · ")

    casefile.get_by_label("材料种类").select_option(label="判决书或裁决书")
    casefile.get_by_label("文件（PDF").set_input_files(
        files=[{"name": "判决书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    casefile.get_by_role("button", name="上传材料").click()
    expect(done).to_have_text("材料已上传。")
    row = casefile.locator("table.documents tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("判决书或裁决书")
    expect(row).to_contain_text("张一")
    expect(casefile.locator("#documents-count")).to_have_text("1")
    with page.expect_download() as info:
        casefile.get_by_role("link", name="下载 PDF").click()
    download = info.value
    assert re.fullmatch(rf"{ticket}-\d+\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
    assert PDF in [p.read_bytes() for p in folder.iterdir()]  # stored outside the row, under a random name

    identity = ALWAYS_MATERIALS[1]  # 身份证（……）
    box = casefile.get_by_label(identity)
    expect(box).not_to_be_checked()  # the upload ticked nothing by itself
    box.check()
    casefile.get_by_role("button", name="保存材料清单").click()
    expect(done).to_have_text("材料清单已保存。")
    expect(casefile.get_by_label(identity)).to_be_checked()
    expect(casefile.locator("#materials-received")).to_have_text("1")

    # all three on the page at once, and in the history
    expect(casefile.locator(".case-notes")).to_contain_text("申请人说周三带欠条来")
    expect(casefile.locator("table.documents")).to_contain_text("判决书或裁决书")
    history = page.locator("table.history")
    expect(history).to_contain_text("上传材料")
    expect(history).to_contain_text(f"已收：{identity}")
