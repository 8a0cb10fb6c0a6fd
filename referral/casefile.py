"""The case file of one referral: staff notes, the documents staff upload, the materials checklist.

Who may do what (the same rules as the desk, referral/desk.py):

- Reading: whoever may see the referral (``desk.get_for``) sees its notes, its documents and
  its checklist, and may download a document (each download is audited).
- Writing (a note, a document, the checklist): the holder of the referral or an administrator
  (``desk._held``), like every other step of the desk. A colleague at the same station who has
  something to add (a call they took while the holder was out) asks the holder, or the referral
  is reassigned to them: one person answers for what the file says, and a note can never be
  slipped into a colleague's case without their knowing. An unclaimed referral has no file to
  write in until someone claims it.

Notes are kept in ``case_notes`` (no history entry: the file lists them itself); documents are
``Attachment`` rows of channel "console" with a ``document_kind``, their bytes in a file under
``Settings.attachments_dir`` named by a random id (the store of referral/attachments.py). Every
write is in the audit trail, whose detail never holds the note's text or the document itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from referral import attachments, desk
from referral.models import Attachment, CaseNote, Referral, StaffUser, utcnow
from referral.rules.images import IMAGE_TYPES, image_type
from referral.rules.materials import case_papers

MAX_NOTE_CHARS = desk.MAX_NOTE_CHARS
# What a document staff upload is (Attachment.document_kind) → the label the console shows.
DOCUMENT_KINDS: dict[str, str] = {
    "id_card": "身份证",
    "poverty_proof": "建档立卡或低保证明",
    "wage_record": "工资欠条或记录",
    "judgment": "判决书或裁决书",
    "contract": "合同",
    "medical": "病历或伤情鉴定",
    "application": "法律援助申请表",
    "other": "其他",
}
# Accepted documents, judged by their first bytes (never by the file's name) → the name staff read.
DOCUMENT_TYPES: dict[str, str] = {"application/pdf": "PDF", **IMAGE_TYPES}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MB: a scanned judgment of a few dozen pages
MAX_DOCUMENTS = 100  # per referral: enough for any case file, and a full disk stays out of reach
CONSOLE_CHANNEL = "console"
# Items of the screening's list that are warnings, not papers to bring (referral/rules/eligibility.py).
_NOT_A_PAPER = ("注意",)


def document_type(data: bytes) -> str | None:
    """The content type of a PDF, JPEG, PNG or WebP file, judged by its magic bytes; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return image_type(data)


def document_owner(user: StaffUser) -> str:
    """The ``Attachment.owner`` of a document staff uploaded (not a citizen's address)."""
    return f"staff-{user.id}"


# --- reading ---

def screening_papers(referral: Referral) -> list[str]:
    """The papers the screening decision listed (its warnings left out); empty without a screening."""
    materials = (referral.screening_decision or {}).get("materials") or []
    return [str(m) for m in materials if str(m).strip() and not str(m).startswith(_NOT_A_PAPER)]


def checklist(referral: Referral) -> list[str]:
    """The papers to collect: the screening decision's list or, without one, the matter's papers."""
    return screening_papers(referral) or list(case_papers(referral.matter))


def received(referral: Referral) -> list[str]:
    """The papers of the checklist staff ticked as received, in the checklist's order."""
    have = set(referral.materials_received or ())
    return [m for m in checklist(referral) if m in have]


def missing_materials(referral: Referral) -> list[str]:
    """The papers of the checklist not received yet, in the checklist's order (what to ask the applicant for)."""
    have = set(referral.materials_received or ())
    return [m for m in checklist(referral) if m not in have]


def documents(referral: Referral) -> list[Attachment]:
    """The documents staff uploaded to the referral, oldest first (the citizen's own images are not among them)."""
    return [a for a in referral.attachments if a.document_kind is not None]


def uploader_names(referral: Referral, rows: list[Attachment]) -> list[str]:
    """Who uploaded each of ``rows`` (display names, in the same order; "" when unknown)."""
    session = object_session(referral)
    ids = {a.uploaded_by_id for a in rows if a.uploaded_by_id is not None}
    if session is None or not ids:
        return ["" for _ in rows]
    names = {user_id: name for user_id, name in
             session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))).tuples()}
    return [names.get(a.uploaded_by_id, "") if a.uploaded_by_id is not None else "" for a in rows]


# --- notes ---

def add_note(session: Session, user: StaffUser, ticket_number: str, text: str, *,
             client: str | None = None) -> CaseNote:
    """Write a note in the case file (the holder or an administrator); audited without its text."""
    text = text.strip()
    if not text:
        raise desk.DeskError("备注是空的，请写上内容", 422)
    if len(text) > MAX_NOTE_CHARS:
        raise desk.DeskError(f"备注太长了（最多 {MAX_NOTE_CHARS} 个字），请分成几条写", 422)
    referral = desk._held(session, user, ticket_number)
    note = CaseNote(referral_id=referral.id, at=utcnow(), author_id=user.id, text=text)
    session.add(note)
    session.flush()
    desk.audit(session, user, "case_note", referral, detail=f"note {note.id}", client=client)
    session.commit()
    session.expire(referral, ["notes"])
    return note


# --- documents ---

def check_document(data: bytes) -> str:
    """The document's content type; refuses an empty, too large or unknown file with a message staff read."""
    if not data:
        raise desk.DeskError("请选择要上传的文件", 422)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise desk.DeskError("文件太大了，最多 10 MB", 413)
    content_type = document_type(data)
    if content_type is None:
        raise desk.DeskError("只能上传 PDF 文件或 JPEG、PNG、WebP 图片（按文件内容判断，不看文件名）", 415)
    return content_type


def add_document(session: Session, user: StaffUser, directory: Path, ticket_number: str, kind: str,
                 data: bytes, *, client: str | None = None) -> Attachment:
    """Keep a document staff uploaded (the holder or an administrator): the bytes in a file named by a
    random id, the row with its kind and uploader, a history entry naming the kind, an audit entry."""
    if kind not in DOCUMENT_KINDS:
        raise desk.DeskError(f"请选择材料的种类：{'、'.join(DOCUMENT_KINDS.values())}", 422)
    referral = desk._held(session, user, ticket_number)
    content_type = check_document(data)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Attachment).where(
        Attachment.referral_id == referral.id, Attachment.document_kind.is_not(None), Attachment.sha256 == digest))
    if existing is not None:
        label = DOCUMENT_KINDS.get(existing.document_kind or "", existing.document_kind)
        raise desk.DeskError(f"这份文件已经上传过了（{label}）", 409)
    count = session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.referral_id == referral.id, Attachment.document_kind.is_not(None))) or 0
    if count >= MAX_DOCUMENTS:
        raise desk.DeskError(f"这张转介单已经有 {MAX_DOCUMENTS} 份材料了，不能再上传，请联系管理员", 409)
    name = attachments._write(directory, data)
    now = utcnow()
    try:
        row = Attachment(referral_id=referral.id, channel=CONSOLE_CHANNEL, owner=document_owner(user),
                         content_type=content_type, size=len(data), sha256=digest, storage_name=name,
                         created_at=now, claimed_at=now, document_kind=kind, uploaded_by_id=user.id)
        session.add(row)
        session.flush()
        desk._event(session, referral, user, "document", referral.status,
                    note=f"{DOCUMENT_KINDS[kind]}（{DOCUMENT_TYPES[content_type]}）")
        desk.audit(session, user, "upload_document", referral, detail=f"document {row.id} {kind}", client=client)
        session.commit()
    except BaseException:
        session.rollback()
        attachments.file_path(directory, name).unlink(missing_ok=True)
        raise
    session.expire(referral, ["attachments"])
    return row


def open_document(session: Session, user: StaffUser, directory: Path, ticket_number: str, document_id: int, *,
                  client: str | None = None) -> tuple[Referral, Attachment, bytes]:
    """A document of the case file, for those who work the referral; each download audited
    (``attachments.open_stored``: a missing file raises ``attachments.FileMissing``)."""
    return attachments.open_stored(session, user, directory, ticket_number, document_id, document=True, client=client)


# --- the materials checklist ---

def save_materials(session: Session, user: StaffUser, ticket_number: str, ticked: list[str], *,
                   client: str | None = None) -> tuple[list[str], list[str]]:
    """Store which papers of the checklist were received (the holder or an administrator).

    Returns the papers newly ticked and those no longer ticked; when nothing changed nothing is
    written. An uploaded document ticks nothing by itself: staff decide what counts as received.
    """
    referral = desk._held(session, user, ticket_number)
    items = checklist(referral)
    unknown = [t for t in ticked if t not in items]
    if unknown:
        raise desk.DeskError("材料清单里没有这一项，请刷新页面后重新勾选", 422)
    before = set(received(referral))
    after = [m for m in items if m in set(ticked)]
    came = [m for m in after if m not in before]
    gone = [m for m in items if m in before and m not in after]
    if not came and not gone:
        return [], []
    referral.materials_received = after
    lines = [f"已收：{m}" for m in came] + [f"未收：{m}" for m in gone]
    desk._event(session, referral, user, "materials", referral.status, note="\n".join(lines))
    desk.audit(session, user, "materials", referral, detail=f"received {len(came)}, unticked {len(gone)}",
               client=client)
    session.commit()
    return came, gone
