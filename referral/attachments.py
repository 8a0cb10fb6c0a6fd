"""Images citizens send with an application (a judgment, an IOU, an injury): evidence for staff.

A channel uploads each image as it arrives (``store``); it waits *pending* until the citizen's
referral claims it (``claim_pending``, in the referral's own transaction): the same channel, the
same owner (the referral's ``reply_to``, e.g. a WeChat OpenID), sent in the last 24 hours.
Personal data is kept only when it became part of an application, so a pending image older than
24 hours is deleted, row and file (``purge_expired``, on every upload and at start-up).

The bytes live in files under ``Settings.attachments_dir``, each named by a random id (never by
the citizen's data); the row holds the metadata. Staff open an image with the same visibility
as its referral, and every view is written to the audit trail (``open_for``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from referral import desk
from referral.models import Attachment, Referral, StaffUser, utcnow
from referral.rules.images import IMAGE_TYPES, MAX_IMAGE_BYTES, image_type

log = logging.getLogger(__name__)

MAX_BYTES = MAX_IMAGE_BYTES  # anything larger is refused with 413
PENDING_FOR = timedelta(hours=24)  # an unclaimed image is deleted after this
MAX_PER_REFERRAL = 20  # a referral claims at most this many (the oldest first) ...
MAX_PENDING = MAX_PER_REFERRAL  # ... so no more than this many wait for one owner
# Headers of every response that carries an image's bytes (staff API and console).
IMAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_STORAGE_NAME = re.compile(r"^[0-9a-f]{32}$")


def openapi_image_content() -> dict[str, Any]:
    """The OpenAPI ``content`` of a request or response that is one image's bytes."""
    return {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in IMAGE_TYPES}


class AttachmentError(Exception):
    """An upload refused; ``status_code`` and ``message`` (English, for the channel's engineers) say why."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class FileMissing(desk.DeskError):
    """The row exists but its file does not (deleted by hand, or a broken volume)."""

    def __init__(self, what: str = "这张图片") -> None:
        super().__init__(f"{what}的文件找不到了，请联系管理员", 404)


def declared_type(header: str | None) -> str:
    """The media type of a Content-Type header if it is an accepted image type (parameters ignored)."""
    media_type = (header or "").split(";", 1)[0].strip().lower()
    if media_type not in IMAGE_TYPES:
        raise AttachmentError(415, f"Content-Type must be one of {', '.join(IMAGE_TYPES)}; "
                                   f"got {media_type or 'none'}")
    return media_type


def check_image(content_type: str, data: bytes) -> None:
    """Refuse an empty or too large body, and bytes that are not the declared type of image."""
    if not data:
        raise AttachmentError(400, "the body is empty: send the image's bytes")
    if len(data) > MAX_BYTES:
        raise AttachmentError(413, f"the image is larger than {MAX_BYTES} bytes (5 MB)")
    actual = image_type(data)
    if actual != content_type:
        found = f"the bytes of a {IMAGE_TYPES[actual]} image" if actual else "no JPEG, PNG or WebP signature"
        raise AttachmentError(415, f"Content-Type is {content_type} but the body's first bytes show {found}")


def file_path(directory: Path, storage_name: str) -> Path:
    if not _STORAGE_NAME.match(storage_name):  # names are ours; anything else is not a file of this store
        raise ValueError("not an attachment storage name")
    return directory / storage_name


def _write(directory: Path, data: bytes) -> str:
    """Write the bytes to a new file with a random name (readable by the service only); return the name."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    final = file_path(directory, name)
    partial = directory / f"{name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return name


def _pending(channel: str, owner: str, now: datetime):
    return (Attachment.referral_id.is_(None), Attachment.channel == channel, Attachment.owner == owner,
            Attachment.created_at >= now - PENDING_FOR)


def _find_pending_copy(session: Session, channel: str, owner: str, digest: str) -> Attachment | None:
    return session.scalar(select(Attachment).where(Attachment.referral_id.is_(None), Attachment.channel == channel,
                                                   Attachment.owner == owner, Attachment.sha256 == digest))


def store(session: Session, directory: Path, *, channel: str, owner: str, content_type: str, data: bytes,
          now: datetime | None = None) -> tuple[Attachment, bool]:
    """Keep an uploaded image pending for its owner; return the row and whether it is new.

    The same bytes from the same owner while still pending return the first row: a channel's
    retry never makes a second copy (a unique index decides when two copies race). Expired
    pending images are purged first.
    """
    check_image(content_type, data)
    now = now or utcnow()
    purge_expired(session, directory, now=now)
    digest = hashlib.sha256(data).hexdigest()
    existing = _find_pending_copy(session, channel, owner, digest)
    if existing is not None:
        return existing, False
    waiting = session.scalar(select(func.count()).select_from(Attachment).where(*_pending(channel, owner, now))) or 0
    if waiting >= MAX_PENDING:
        raise AttachmentError(429, f"{MAX_PENDING} images already wait for an application from this owner; "
                                   "no more are kept until a referral claims them or they expire after 24 hours")
    name = _write(directory, data)
    row = Attachment(channel=channel, owner=owner, content_type=content_type, size=len(data), sha256=digest,
                     storage_name=name, created_at=now)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # the same image from the same owner won a race: answer with that one
        session.rollback()
        file_path(directory, name).unlink(missing_ok=True)
        existing = _find_pending_copy(session, channel, owner, digest)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        session.rollback()
        file_path(directory, name).unlink(missing_ok=True)
        raise
    return row, True


def purge_expired(session: Session, directory: Path, *, now: datetime | None = None) -> int:
    """Delete the pending images older than 24 hours, rows and files; return how many.

    One DELETE with a condition decides, so a referral claiming an image at the same moment
    keeps it: the row is deleted only if it is still unclaimed when the DELETE reaches it.
    Files are removed after the commit, so a rolled-back purge never leaves a row without its file.
    """
    cutoff = (now or utcnow()) - PENDING_FOR
    names = session.scalars(
        delete(Attachment)
        .where(Attachment.referral_id.is_(None), Attachment.created_at < cutoff)
        .returning(Attachment.storage_name)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    for name in names:
        try:
            file_path(directory, name).unlink(missing_ok=True)
        except OSError:  # the row is gone already; a stray file holds no reference to anyone
            log.exception("could not delete an expired attachment's file")
    if names:
        log.info("deleted %d unclaimed attachments older than %s", len(names), PENDING_FOR)
    return len(names)


def claim_pending(session: Session, referral: Referral, now: datetime | None = None) -> int:
    """Attach the referral owner's pending images to it (the caller commits); return how many.

    Only a referral with ``reply_to`` claims: the images of the same channel and owner sent in
    the last 24 hours, at most ``MAX_PER_REFERRAL``, oldest first.
    """
    if not referral.reply_to:
        return 0
    now = now or utcnow()
    ids = session.scalars(
        select(Attachment.id).where(*_pending(referral.channel, referral.reply_to, now))
        .order_by(Attachment.created_at, Attachment.id).limit(MAX_PER_REFERRAL)
    ).all()
    if not ids:
        return 0
    # The repeated IS NULL check makes two referrals of the same owner at once never share an image.
    result = cast(CursorResult[Any], session.execute(
        update(Attachment)
        .where(Attachment.id.in_(ids), Attachment.referral_id.is_(None))
        .values(referral_id=referral.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ))
    session.expire(referral, ["attachments"])
    return result.rowcount


def open_stored(session: Session, user: StaffUser, directory: Path, ticket_number: str, attachment_id: int, *,
                document: bool, client: str | None = None) -> tuple[Referral, Attachment, bytes]:
    """A stored file of a referral ``user`` may see, with its bytes; the view is written to the audit trail.

    ``document`` False: an image the citizen sent (the referral's own visibility). True: a document
    staff put in the case file (referral.casefile), only for those who work the referral; a station
    that sent the referral on reads the referral, not its case file. Another station's referral, an
    unknown one, a file of another referral or of the other kind all raise ``desk.NotVisible`` (404),
    as the referral itself does.
    """
    try:
        referral = desk.get_for(session, user, ticket_number, record_view=False)
        if document and not desk.works_on(user, referral):
            raise desk.NotVisible()
    except desk.NotVisible:
        # recorded like a denied view of the referral (the typed number in the detail, as the audit filter expects)
        desk.audit(session, user, "view_denied", detail=ticket_number[:32], client=client)
        session.commit()
        raise
    kind = Attachment.document_kind.is_not(None) if document else Attachment.document_kind.is_(None)
    row = session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                  Attachment.referral_id == referral.id, kind))
    if row is None:
        raise desk.NotVisible()
    what = "document" if document else "attachment"
    try:
        data = file_path(directory, row.storage_name).read_bytes()
    except FileNotFoundError:
        log.error("%s %d has no file in %s", what, row.id, directory)
        raise FileMissing("这份材料" if document else "这张图片") from None
    desk.audit(session, user, "view_document" if document else "view_attachment", referral,
               detail=f"{what} {row.id}", client=client)
    session.commit()
    return referral, row, data


def open_for(session: Session, user: StaffUser, directory: Path, ticket_number: str, attachment_id: int, *,
             client: str | None = None) -> tuple[Attachment, bytes]:
    """An image the citizen sent, with its bytes (``open_stored``)."""
    _referral, row, data = open_stored(session, user, directory, ticket_number, attachment_id, document=False,
                                       client=client)
    return row, data
