"""The case file of a referral on SQLite and PostgreSQL: notes, staff documents (type- and size-checked,
stored outside the row, every upload and download audited) and the materials checklist."""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from referral import admin, casefile
from referral.models import Attachment, AuditEntry, CaseNote, Referral, ReferralEvent, StaffUser
from referral.rules.materials import case_papers
from referral.settings import Settings
from tests.support.console import login as console_login
from tests.support.referrals import TOKEN, referral_body

PASSWORD = "correct-horse-battery"
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def png() -> bytes:
    """A valid 1×1 RGB PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xc8\x1e\x1e"))
            + chunk(b"IEND", b""))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The shared settings, with the files in this test's own folder."""
    return Settings(database_url=database_url, referral_api_token=TOKEN, legalaid_env="test",
                    attachments_dir=tmp_path / "files")


@pytest.fixture
def users(client, db) -> dict[str, StaffUser]:
    """Two staff members at the 镇雄县 centre, one at 鲁甸县, an administrator."""
    made = {}
    for username, name, role, station in (("zx1", "张一", "staff", "zhenxiong"), ("zx2", "李二", "staff", "zhenxiong"),
                                          ("ld1", "王三", "staff", "ludian"), ("admin", "管理员甲", "admin", None)):
        made[username] = admin.create_user(db, None, username=username, display_name=name, password=PASSWORD,
                                           role=role, station_code=station)
    return made


def login(client: TestClient, username: str) -> TestClient:
    return console_login(client.app, username, PASSWORD)


def csrf(c: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get("/console/").text).group(1)


def new_referral(client: TestClient, **overrides) -> str:
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def claimed(client: TestClient, c: TestClient, **overrides) -> str:
    """A new referral at 镇雄县, claimed by the user of ``c``."""
    ticket = new_referral(client, **overrides)
    response = c.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(c)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return ticket


def referral(db, ticket: str) -> Referral:
    db.expire_all()
    return db.scalar(select(Referral).where(Referral.ticket_number == ticket))


def audits(db, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def upload(c: TestClient, ticket: str, data: bytes, *, name: str = "scan.pdf", media_type: str = "application/pdf",
           kind: str = "judgment", token: str | None = None):
    """Upload a document; a refused one is followed to the page that says why (its status is the refusal's)."""
    response = c.post(f"/console/referrals/{ticket}/documents", data={"csrf_token": token or csrf(c), "kind": kind},
                      files={"file": (name, data, media_type)}, follow_redirects=False)
    location = response.headers.get("location", "")
    if response.status_code == 303 and "done=" not in location:  # refused: the page shows why, once
        assert location.endswith("#casefile")
        return c.get(location)
    return response


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.attachments_dir
    return sorted(p for p in folder.iterdir()) if folder.exists() else []


# --- notes ---

def test_a_note_is_saved_shown_newest_last_and_audited_without_its_text(client, db, users):
    c = login(client, "zx1")
    ticket = claimed(client, c)
    for text in ("申请人下午来过电话，说老板答应月底付一半", "  约好周三带欠条来  "):
        response = c.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(c), "text": text},
                          follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/console/referrals/{ticket}?done=casefile_note#casefile"
    notes = referral(db, ticket).notes
    assert [n.text for n in notes] == ["申请人下午来过电话，说老板答应月底付一半", "约好周三带欠条来"]
    assert {n.author_id for n in notes} == {users["zx1"].id}
    page = c.get(f"/console/referrals/{ticket}?done=casefile_note")
    section = page.text[page.text.index('id="casefile"'):]
    assert "备注已保存。" in section
    assert section.index("老板答应月底付一半") < section.index("约好周三带欠条来")  # newest last
    assert re.search(r"张一 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}", section)
    entries = audits(db, "case_note")
    assert len(entries) == 2 and entries[0].user_id == users["zx1"].id
    assert all("欠条" not in (e.detail or "") and "老板" not in (e.detail or "") for e in entries)


def test_a_too_long_or_empty_note_is_refused_and_what_was_typed_is_kept(client, db, users):
    c = login(client, "zx1")
    ticket = claimed(client, c)
    too_long = "欠" * (casefile.MAX_NOTE_CHARS + 1)
    response = c.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(c), "text": too_long})
    assert response.status_code == 422
    assert "备注太长了（最多 2000 个字）" in response.text
    assert too_long in response.text  # still in the textarea
    response = c.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(c), "text": "   "})
    assert response.status_code == 422 and "备注是空的" in response.text
    assert referral(db, ticket).notes == [] and audits(db, "case_note") == []
    exactly = "欠" * casefile.MAX_NOTE_CHARS
    response = c.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(c), "text": exactly},
                      follow_redirects=False)
    assert response.status_code == 303
    assert [n.text for n in referral(db, ticket).notes] == [exactly]


def test_only_the_holder_or_an_administrator_writes_notes(client, db, users):
    holder, colleague, elsewhere = login(client, "zx1"), login(client, "zx2"), login(client, "ld1")
    ticket = claimed(client, holder)
    response = colleague.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(colleague),
                                                                          "text": "我也想写一句"})
    assert response.status_code == 409 and "这张转介单由张一办理" in response.text
    assert 'action="/console/referrals/' + ticket + '/notes"' not in response.text  # no note form for them
    response = elsewhere.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(elsewhere),
                                                                          "text": "别的站点"})
    assert response.status_code == 404
    unclaimed = new_referral(client)
    response = holder.post(f"/console/referrals/{unclaimed}/notes", data={"csrf_token": csrf(holder), "text": "x"})
    assert response.status_code == 409 and "请先认领这张转介单" in response.text
    boss = login(client, "admin")
    response = boss.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(boss), "text": "管理员核对过"},
                         follow_redirects=False)
    assert response.status_code == 303
    assert [(n.text, n.author_id) for n in referral(db, ticket).notes] == [("管理员核对过", users["admin"].id)]
    # the colleague still reads the file (the referral's own visibility)
    assert "管理员核对过" in colleague.get(f"/console/referrals/{ticket}").text


# --- documents ---

def test_a_pdf_and_a_png_are_stored_outside_the_row_with_kind_and_uploader(client, db, users, settings):
    c = login(client, "zx1")
    ticket = claimed(client, c)
    response = upload(c, ticket, PDF, kind="judgment")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/console/referrals/{ticket}?done=casefile_document#casefile"
    # a PNG sent under a PDF's name and type is kept as what its bytes are
    assert upload(c, ticket, png(), name="id.pdf", kind="id_card").status_code == 303
    r = referral(db, ticket)
    pdf_row, png_row = casefile.documents(r)
    assert (pdf_row.document_kind, pdf_row.content_type, pdf_row.size) == ("judgment", "application/pdf", len(PDF))
    assert (png_row.document_kind, png_row.content_type) == ("id_card", "image/png")
    for row in (pdf_row, png_row):
        assert row.channel == "console" and row.owner == f"staff-{users['zx1'].id}"
        assert row.uploaded_by_id == users["zx1"].id and row.referral_id == r.id and row.claimed_at is not None
        assert re.fullmatch(r"[0-9a-f]{32}", row.storage_name)
    files = {p.name: p.read_bytes() for p in stored_files(settings)}
    assert files == {pdf_row.storage_name: PDF, png_row.storage_name: png()}
    history = [(e.kind, e.note) for e in r.events if e.kind == "document"]
    assert history == [("document", "判决书或裁决书（PDF）"), ("document", "身份证（PNG）")]
    assert [e.detail for e in audits(db, "upload_document")] == [f"document {pdf_row.id} judgment",
                                                                 f"document {png_row.id} id_card"]
    page = c.get(f"/console/referrals/{ticket}?done=casefile_document").text
    section = page[page.index('id="casefile"'):]
    assert "材料已上传。" in section and "判决书或裁决书" in section and "身份证" in section
    assert f'href="/console/referrals/{ticket}/documents/{pdf_row.id}">下载 PDF' in section
    assert f"{len(PDF)} 字节" in section
    assert re.search(r'id="documents-count">2<', section)
    # the citizen's-images section does not list staff documents
    assert "群众发来的图片" not in page


def test_a_file_with_a_pdf_name_but_other_bytes_is_refused(client, db, users, settings):
    c = login(client, "zx1")
    ticket = claimed(client, c)
    response = upload(c, ticket, b"<html>not a judgment</html>", name="judgment.pdf", kind="judgment")
    assert response.status_code == 415
    assert "只能上传 PDF 文件或 JPEG、PNG、WebP 图片" in response.text
    assert "只能上传 PDF" not in c.get(f"/console/referrals/{ticket}").text  # shown once: Back never resubmits
    assert '<option value="judgment" selected>' in response.text  # the chosen kind is kept
    assert casefile.documents(referral(db, ticket)) == [] and stored_files(settings) == []
    assert audits(db, "upload_document") == []


def test_a_too_large_file_is_refused_with_the_chinese_message_and_nothing_is_stored(client, db, users, settings):
    c = login(client, "zx1")
    ticket = claimed(client, c)
    big = PDF + b"0" * (casefile.MAX_DOCUMENT_BYTES + 1 - len(PDF))
    response = upload(c, ticket, big)
    assert response.status_code == 413
    assert "文件太大了，最多 10 MB" in response.text
    r = referral(db, ticket)
    assert casefile.documents(r) == [] and stored_files(settings) == []
    assert [e for e in r.events if e.kind == "document"] == [] and audits(db, "upload_document") == []
    exactly = PDF + b"0" * (casefile.MAX_DOCUMENT_BYTES - len(PDF))  # 10 MB itself is fine
    assert upload(c, ticket, exactly).status_code == 303
    assert [p.stat().st_size for p in stored_files(settings)] == [casefile.MAX_DOCUMENT_BYTES]


def test_an_upload_needs_the_csrf_field_the_holder_a_file_and_a_kind(client, db, users, settings):
    c, colleague = login(client, "zx1"), login(client, "zx2")
    ticket = claimed(client, c)
    assert upload(c, ticket, PDF, token="forged").status_code == 403
    response = c.post(f"/console/referrals/{ticket}/documents", data={"csrf_token": "", "kind": "judgment"},
                      files={"file": ("a.pdf", PDF, "application/pdf")})
    assert response.status_code == 403
    response = upload(colleague, ticket, PDF)
    assert response.status_code == 409 and "这张转介单由张一办理" in response.text
    for kind in ("selfie", ""):
        response = upload(c, ticket, PDF, kind=kind)
        assert response.status_code == 422 and "请选择材料的种类" in response.text
    response = upload(c, ticket, b"", name="")
    assert response.status_code == 422 and "请选择要上传的文件" in response.text
    assert stored_files(settings) == [] and casefile.documents(referral(db, ticket)) == []
    assert upload(c, ticket, PDF).status_code == 303
    again = upload(c, ticket, PDF, kind="contract")
    assert again.status_code == 409 and "这份文件已经上传过了（判决书或裁决书）" in again.text
    assert len(stored_files(settings)) == 1


def test_a_download_is_audited_and_refused_to_another_station(client, db, users):
    c = login(client, "zx1")
    ticket = claimed(client, c)
    upload(c, ticket, PDF)
    upload(c, ticket, png(), name="id.png", media_type="image/png", kind="id_card")
    pdf_row, png_row = casefile.documents(referral(db, ticket))
    colleague = login(client, "zx2")  # the same station sees the referral, so its file too
    response = colleague.get(f"/console/referrals/{ticket}/documents/{pdf_row.id}")
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{ticket}-{pdf_row.id}.pdf"'
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["cache-control"] == "no-store"
    image = c.get(f"/console/referrals/{ticket.lower()}/documents/{png_row.id}")
    assert image.status_code == 200 and image.content == png() and image.headers["content-type"] == "image/png"
    assert "content-disposition" not in image.headers  # shown in the browser
    viewed = audits(db, "view_document")
    assert [(e.user_id, e.detail) for e in viewed] == [(users["zx2"].id, f"document {pdf_row.id}"),
                                                       (users["zx1"].id, f"document {png_row.id}")]
    elsewhere = login(client, "ld1")
    response = elsewhere.get(f"/console/referrals/{ticket}/documents/{pdf_row.id}")
    assert response.status_code == 404 and PDF not in response.content
    denied = audits(db, "view_denied")
    assert denied and denied[-1].user_id == users["ld1"].id and denied[-1].detail == ticket
    # a document of another referral, under this one's number, is not found either
    other = claimed(client, c)
    assert c.get(f"/console/referrals/{other}/documents/{pdf_row.id}").status_code == 404
    assert len(audits(db, "view_document")) == 2


def test_a_citizens_image_is_not_a_document(client, db, users, settings):
    """The documents route serves staff documents only (the citizen's images have their own)."""
    c = login(client, "zx1")
    ticket = claimed(client, c)
    r = referral(db, ticket)
    db.add(Attachment(referral_id=r.id, channel="wechat", owner="oXyz", content_type="image/png", size=len(png()),
                      sha256="0" * 64, storage_name="a" * 32))
    db.commit()
    settings.attachments_dir.mkdir(parents=True, exist_ok=True)
    (settings.attachments_dir / ("a" * 32)).write_bytes(png())
    image_id = db.scalar(select(Attachment.id).where(Attachment.referral_id == r.id))
    assert c.get(f"/console/referrals/{ticket}/documents/{image_id}").status_code == 404
    assert casefile.documents(referral(db, ticket)) == []


# --- the materials checklist ---

def test_the_checklist_saves_received_items_and_the_history_lists_what_changed(client, db, users):
    c = login(client, "zx1")
    ticket = claimed(client, c, screening={"matter": "labor_wage"})
    r = referral(db, ticket)
    items = casefile.checklist(r)
    assert items == [m for m in r.screening_decision["materials"] if not m.startswith("注意")]
    assert len(items) >= 3 and casefile.missing_materials(r) == items
    first, second, third = items[0], items[1], items[2]
    url = f"/console/referrals/{ticket}/materials"
    response = c.post(url, data={"csrf_token": csrf(c), "received": [second, first]}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/referrals/{ticket}?done=casefile_materials#casefile"
    r = referral(db, ticket)
    assert r.materials_received == [first, second]  # in the checklist's order
    assert casefile.missing_materials(r) == items[2:]
    response = c.post(url, data={"csrf_token": csrf(c), "received": [first, third]}, follow_redirects=False)
    assert response.status_code == 303
    r = referral(db, ticket)
    assert r.materials_received == [first, third]
    notes = [e.note for e in r.events if e.kind == "materials"]
    assert notes == [f"已收：{first}\n已收：{second}", f"已收：{third}\n未收：{second}"]
    assert [e.detail for e in audits(db, "materials")] == ["received 2, unticked 0", "received 1, unticked 1"]
    page = c.get(f"/console/referrals/{ticket}?done=casefile_materials").text
    assert "材料清单已保存。" in page
    assert re.search(r'id="materials-received">2<', page) and re.search(
        rf'id="materials-missing">{len(items) - 2}<', page)
    assert re.search(r'value="' + re.escape(third) + r'" checked>', page)
    assert not re.search(r'value="' + re.escape(second) + r'" checked>', page)
    # the same ticks again change nothing and write nothing
    response = c.post(url, data={"csrf_token": csrf(c), "received": [first, third]}, follow_redirects=False)
    assert response.headers["location"].endswith("?done=casefile_unchanged#casefile")
    assert len([e for e in referral(db, ticket).events if e.kind == "materials"]) == 2
    # a paper that is not on the list is refused
    response = c.post(url, data={"csrf_token": csrf(c), "received": [first, "一张假的证明"]})
    assert response.status_code == 422 and "材料清单里没有这一项" in response.text
    assert referral(db, ticket).materials_received == [first, third]
    # everything unticked
    c.post(url, data={"csrf_token": csrf(c)}, follow_redirects=False)
    assert referral(db, ticket).materials_received == [] and casefile.missing_materials(referral(db, ticket)) == items


def test_an_uploaded_document_ticks_nothing_but_is_counted(client, db, users):
    c = login(client, "zx1")
    ticket = claimed(client, c)  # no screening: the matter's papers
    upload(c, ticket, PDF, kind="wage_record")
    r = referral(db, ticket)
    assert casefile.missing_materials(r) == list(case_papers("labor_wage"))
    page = c.get(f"/console/referrals/{ticket}").text
    assert re.search(r'id="materials-received">0<', page) and re.search(r'id="documents-count">1<', page)
    assert "申请人没有做预审，清单按事项列出。" in page


def test_the_checklist_is_only_for_the_holder_to_change(client, db, users):
    c, colleague = login(client, "zx1"), login(client, "zx2")
    ticket = claimed(client, c)
    item = case_papers("labor_wage")[0]
    response = colleague.post(f"/console/referrals/{ticket}/materials",
                              data={"csrf_token": csrf(colleague), "received": [item]})
    assert response.status_code == 409 and "这张转介单由张一办理" in response.text
    assert referral(db, ticket).materials_received is None
    page = colleague.get(f"/console/referrals/{ticket}").text
    assert f'/console/referrals/{ticket}/materials"' not in page and "未收</span> " + item in page


def test_missing_materials():
    decision = {"materials": ["法律援助申请表", "身份证", "欠条或工资条",
                              "注意：隐瞒或编造经济情况骗取法律援助的，要退还费用并被罚款（法律援助法第六十四条）"]}
    screened = Referral(matter="labor_wage", screening_decision=decision, materials_received=["身份证"])
    assert casefile.missing_materials(screened) == ["法律援助申请表", "欠条或工资条"]  # a warning is no paper
    screened.materials_received = ["身份证", "欠条或工资条", "法律援助申请表"]
    assert casefile.missing_materials(screened) == []
    unscreened = Referral(matter="divorce", screening_decision=None, materials_received=None)
    assert casefile.missing_materials(unscreened) == list(case_papers("divorce"))
    unscreened.materials_received = ["结婚证", "一张不在清单上的纸"]
    assert casefile.missing_materials(unscreened) == list(case_papers("divorce"))[1:]
    empty_decision = Referral(matter="debt_loan", screening_decision={"materials": []}, materials_received=None)
    assert casefile.missing_materials(empty_decision) == list(case_papers("debt_loan"))


def test_notes_survive_as_rows_of_their_own(client, db, users):
    """A note is its own row (case_notes), not a history entry."""
    c = login(client, "zx1")
    ticket = claimed(client, c)
    c.post(f"/console/referrals/{ticket}/notes", data={"csrf_token": csrf(c), "text": "只在案卷里"})
    assert db.scalar(select(CaseNote.text)) == "只在案卷里"
    assert "只在案卷里" not in [e.note for e in db.scalars(select(ReferralEvent))]


def test_file_sizes_are_shown_in_plain_words():
    from referral.console.casefile import file_size

    assert file_size(820) == "820 字节"
    assert file_size(35 * 1024) == "35 KB"
    assert file_size(int(2.4 * 1024 * 1024)) == "2.4 MB"
