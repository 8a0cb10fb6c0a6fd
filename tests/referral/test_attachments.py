"""Images citizens send while applying, on SQLite and PostgreSQL: uploaded by their channel, pending
until the owner's referral claims them, shown to the referral's station only (every view audited),
never duplicated by retries, and deleted after 24 hours when no application claimed them."""

from __future__ import annotations

import hashlib
import re
import struct
import uuid
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, update

from referral import attachments
from referral.app import create_app
from referral.models import Attachment, AuditEntry, Role, Station, utcnow
from referral.settings import PROJECT_ROOT, Settings
from referral.staff_auth import create_user
from tests.support.referrals import TOKEN, referral_body

PASSWORD = "correct-horse-42"
OPENID = "oXyz-openid-0123456789"
OTHER_OPENID = "oAbc-openid-9876543210"
# A real 1×1 grey JPEG (baseline, 159 bytes) and a real 1×1 lossless WebP (38 bytes).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a"
    "333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffc0000b080001000101011100ffc4"
    "0014000100000000000000000000000000000000ffc40014100100000000000000000000000000000000ffda0008010100003f00"
    "3fffd9")
WEBP = bytes.fromhex("524946461e000000574542505650384c110000002f000000000750c00216b0ff8188e87f0000")


def png(red: int = 200, green: int = 30, blue: int = 30) -> bytes:
    """A valid 1×1 RGB PNG of this colour (different colours, different bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8 bits, truecolour
    pixels = zlib.compress(b"\x00" + bytes((red, green, blue)))  # filter byte 0, one pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The shared settings, with the images in this test's own folder."""
    return Settings(database_url=database_url, referral_api_token=TOKEN, legalaid_env="test",
                    attachments_dir=tmp_path / "attachments")


@pytest.fixture
def staff(client, db) -> dict[str, dict[str, str]]:
    """A staff member at the 镇雄县 centre and one at 鲁甸县; their API headers."""
    headers = {}
    for username, name, code in (("wang", "王芳", "zhenxiong"), ("zhao", "赵敏", "ludian")):
        create_user(db, username=username, display_name=name, password=PASSWORD, role=Role.staff,
                    station=db.scalar(select(Station).where(Station.code == code)))
        response = client.post("/api/staff/sessions", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.text
        headers[username] = {"Authorization": f"Bearer {response.json()['token']}"}
    return headers


def upload(client, auth, data: bytes, content_type: str = "image/png", owner: str = OPENID, channel: str = "wechat"):
    return client.post("/api/attachments", params={"channel": channel, "owner": owner}, content=data,
                       headers={**auth, "Content-Type": content_type})


def submit(client, auth, key: str | None = None, **overrides) -> dict:
    response = client.post("/api/referrals", json=referral_body(**overrides),
                           headers={**auth, "Idempotency-Key": key or uuid.uuid4().hex})
    assert response.status_code in (200, 201), response.text
    return response.json()


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.attachments_dir
    return sorted(folder.iterdir()) if folder.exists() else []


def age(db, attachment_id: int, hours: float) -> None:
    """Make an upload look ``hours`` old."""
    db.execute(update(Attachment).where(Attachment.id == attachment_id)
               .values(created_at=utcnow() - timedelta(hours=hours)))
    db.commit()


# --- uploading ---

def test_an_upload_is_kept_pending_in_a_file_named_by_a_random_id(client, auth, db, settings):
    image = png()
    response = upload(client, auth, image)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "content_type", "size", "sha256", "created_at"}
    assert body["content_type"] == "image/png" and body["size"] == len(image)
    assert body["sha256"] == hashlib.sha256(image).hexdigest()
    row = db.get(Attachment, body["id"])
    assert row.referral_id is None and row.claimed_at is None and row.owner == OPENID and row.channel == "wechat"
    [path] = stored_files(settings)
    assert path.name == row.storage_name and re.fullmatch(r"[0-9a-f]{32}", path.name)  # nothing of the citizen's
    assert path.read_bytes() == image
    assert path.stat().st_mode & 0o077 == 0  # readable by the service only
    # the bytes live in the file, not in the database
    columns = {c["name"] for c in inspect(db.get_bind()).get_columns("attachments")}
    assert columns == {"id", "referral_id", "channel", "owner", "content_type", "size", "sha256", "storage_name",
                       "created_at", "claimed_at", "document_kind", "uploaded_by_id"}


@pytest.mark.parametrize(("data", "content_type"), [(JPEG, "image/jpeg"), (WEBP, "image/webp"),
                                                    (png(), "image/png; charset=binary")],
                         ids=["jpeg", "webp", "png-with-parameter"])
def test_jpeg_png_and_webp_are_accepted(client, auth, data, content_type):
    response = upload(client, auth, data, content_type)
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == content_type.split(";")[0]


def test_a_retried_upload_returns_the_first_row(client, auth, db, settings):
    first = upload(client, auth, png())
    again = upload(client, auth, png())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(db.scalars(select(Attachment)).all()) == 1 and len(stored_files(settings)) == 1
    # the same picture from someone else, or on another channel, is theirs
    assert upload(client, auth, png(), owner=OTHER_OPENID).status_code == 201
    assert upload(client, auth, png(), channel="web").status_code == 201
    assert len(stored_files(settings)) == 3


def test_two_copies_racing_keep_one_row(client, auth, db, settings, monkeypatch):
    """When both copies miss each other's row, the unique index decides and the loser answers with the winner."""
    first = upload(client, auth, png()).json()
    real = attachments._find_pending_copy
    calls = []

    def missed_once(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(attachments, "_find_pending_copy", missed_once)
    response = upload(client, auth, png())
    assert response.status_code == 200 and response.json()["id"] == first["id"]
    assert len(db.scalars(select(Attachment)).all()) == 1 and len(stored_files(settings)) == 1  # no stray file


@pytest.mark.parametrize(("data", "content_type", "code", "words"), [
    (png(), "image/jpeg", 415, "Content-Type is image/jpeg but the body's first bytes show the bytes of a PNG image"),
    (JPEG, "image/png", 415, "Content-Type is image/png but the body's first bytes show the bytes of a JPEG image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png", 415, "no JPEG, PNG or WebP signature"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", 415,
     "Content-Type must be one of image/jpeg, image/png, image/webp; got image/svg+xml"),
    (png(), "application/octet-stream", 415, "got application/octet-stream"),
    (b"\x89PNG\r\n\x1a\n" + bytes(attachments.MAX_BYTES), "image/png", 413, "larger than 5242880 bytes"),
    (b"", "image/png", 400, "the body is empty"),
], ids=["png-as-jpeg", "jpeg-as-png", "svg-as-png", "svg", "octet-stream", "over-5-mb", "empty"])
def test_an_upload_must_be_a_small_image_of_the_declared_type(client, auth, settings, data, content_type, code,
                                                               words):
    response = upload(client, auth, data, content_type)
    assert response.status_code == code, response.text
    assert words in response.json()["detail"]
    assert stored_files(settings) == []


def test_a_body_without_a_length_is_cut_off_at_5_mb(client, auth, settings):
    def chunks():
        yield png()
        for _ in range(6):
            yield bytes(1024 * 1024)

    response = client.post("/api/attachments", params={"channel": "wechat", "owner": OPENID}, content=chunks(),
                           headers={**auth, "Content-Type": "image/png"})
    assert response.status_code == 413 and stored_files(settings) == []


def test_exactly_5_mb_is_accepted(client, auth):
    image = png()
    big = image + bytes(attachments.MAX_BYTES - len(image))  # trailing bytes after IEND: still starts as a PNG
    assert upload(client, auth, big).status_code == 201


def test_uploads_need_the_service_token_a_channel_and_an_owner(client, auth):
    assert upload(client, {}, png()).status_code == 401
    assert upload(client, {"Authorization": "Bearer wrong-token-0123456789"}, png()).status_code == 401
    response = client.post("/api/attachments", params={"channel": "wechat"}, content=png(),
                           headers={**auth, "Content-Type": "image/png"})
    assert response.status_code == 422
    assert upload(client, auth, png(), owner="x" * 129).status_code == 422


def test_at_most_20_images_wait_for_one_owner(client, auth, db):
    for i in range(attachments.MAX_PENDING):
        assert upload(client, auth, png(red=i)).status_code == 201
    refused = upload(client, auth, png(red=250))
    assert refused.status_code == 429 and "20 images already wait" in refused.json()["detail"]
    assert upload(client, auth, png(red=0)).status_code == 200  # a retry of one of them still answers
    assert upload(client, auth, png(red=250), owner=OTHER_OPENID).status_code == 201
    claimed = submit(client, auth, channel="wechat", reply_to=OPENID)["attachments"]
    assert len(claimed) == attachments.MAX_PER_REFERRAL
    assert upload(client, auth, png(red=250)).status_code == 201  # room again once claimed


# --- claiming ---

def test_a_referral_claims_its_owners_images_and_its_station_sees_them(client, auth, db, settings, staff):
    first = upload(client, auth, png()).json()
    second = upload(client, auth, JPEG, "image/jpeg").json()
    referral = submit(client, auth, channel="wechat", reply_to=OPENID)  # 镇雄县: the zhenxiong centre
    ticket = referral["ticket_number"]
    assert [a["id"] for a in referral["attachments"]] == [first["id"], second["id"]]
    assert set(referral["attachments"][0]) == {"id", "content_type", "size", "created_at"}
    rows = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert all(r.referral_id is not None and r.claimed_at is not None for r in rows)

    wang = staff["wang"]
    page = client.get(f"/api/staff/referrals/{ticket}", headers=wang)
    assert [a["id"] for a in page.json()["attachments"]] == [first["id"], second["id"]]
    assert OPENID not in page.text
    listed = client.get(f"/api/staff/referrals/{ticket}/attachments", headers=wang)
    assert listed.status_code == 200 and OPENID not in listed.text
    assert [(a["id"], a["content_type"], a["size"]) for a in listed.json()] == [
        (first["id"], "image/png", len(png())), (second["id"], "image/jpeg", len(JPEG))]
    image = client.get(f"/api/staff/referrals/{ticket}/attachments/{second['id']}", headers=wang)
    assert image.status_code == 200 and image.content == JPEG
    assert image.headers["content-type"] == "image/jpeg"
    assert image.headers["cache-control"] == "no-store" and image.headers["x-content-type-options"] == "nosniff"

    # another station's staff get the same 404 as for the referral itself
    zhao = staff["zhao"]
    denied_referral = client.get(f"/api/staff/referrals/{ticket}", headers=zhao)
    for path in (f"/api/staff/referrals/{ticket}/attachments",
                 f"/api/staff/referrals/{ticket}/attachments/{first['id']}"):
        denied = client.get(path, headers=zhao)
        assert (denied.status_code, denied.json()) == (404, denied_referral.json())
    # an image of another referral is not reachable through this one
    other = submit(client, auth)["ticket_number"]
    assert client.get(f"/api/staff/referrals/{other}/attachments/{first['id']}", headers=wang).status_code == 404

    db.expire_all()
    trail = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_attachment")).all()
    assert [(a.user.username, a.referral.ticket_number, a.detail) for a in trail] == [
        ("wang", ticket, f"attachment {second['id']}")]
    denials = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_denied")).all()
    assert {a.user.username for a in denials} == {"zhao"} and len(denials) == 3
    everything = " ".join(f"{a.action} {a.detail}" for a in db.scalars(select(AuditEntry)).all())
    assert OPENID not in everything and "PNG" not in everything


def test_only_the_owners_images_on_the_same_channel_are_claimed(client, auth, db):
    mine = upload(client, auth, png(red=1)).json()
    someone_elses = upload(client, auth, png(red=2), owner=OTHER_OPENID).json()
    other_channel = upload(client, auth, png(red=3), channel="web").json()
    referral = submit(client, auth, channel="wechat", reply_to=OPENID)
    assert [a["id"] for a in referral["attachments"]] == [mine["id"]]
    for pending in (someone_elses, other_channel):
        assert db.get(Attachment, pending["id"]).referral_id is None


def test_a_referral_without_reply_to_claims_none(client, auth, db):
    image = upload(client, auth, png()).json()
    assert submit(client, auth, channel="wechat")["attachments"] == []
    assert submit(client, auth, channel="rest")["attachments"] == []
    assert db.get(Attachment, image["id"]).referral_id is None


def test_a_replayed_referral_claims_nothing_new(client, auth, db):
    before = upload(client, auth, png(red=1)).json()
    key = uuid.uuid4().hex
    created = submit(client, auth, key=key, channel="wechat", reply_to=OPENID)
    later = upload(client, auth, png(red=2)).json()
    replay = client.post("/api/referrals", json=referral_body(channel="wechat", reply_to=OPENID),
                         headers={**auth, "Idempotency-Key": key})
    assert replay.status_code == 200 and replay.json()["ticket_number"] == created["ticket_number"]
    assert [a["id"] for a in replay.json()["attachments"]] == [before["id"]]
    assert db.get(Attachment, later["id"]).referral_id is None
    # the same bytes again after the claim wait for the next application, as a new upload
    assert upload(client, auth, png(red=1)).status_code == 201


def test_an_image_older_than_24_hours_is_not_claimed(client, auth, db):
    old = upload(client, auth, png(red=1)).json()
    fresh = upload(client, auth, png(red=2)).json()
    age(db, old["id"], hours=24.5)
    referral = submit(client, auth, channel="wechat", reply_to=OPENID)
    assert [a["id"] for a in referral["attachments"]] == [fresh["id"]]


# --- deleting what no application claimed ---

def test_unclaimed_images_older_than_24_hours_are_deleted_on_upload(client, auth, db, settings):
    old = upload(client, auth, png(red=1)).json()
    recent = upload(client, auth, png(red=2)).json()
    claimed = upload(client, auth, png(red=3), owner=OTHER_OPENID).json()
    submit(client, auth, channel="wechat", reply_to=OTHER_OPENID)
    old_file = settings.attachments_dir / db.get(Attachment, old["id"]).storage_name
    age(db, old["id"], hours=25)
    age(db, recent["id"], hours=23)
    age(db, claimed["id"], hours=48)  # part of an application: kept
    assert old_file.exists()
    assert upload(client, auth, png(red=4)).status_code == 201
    db.expire_all()
    assert db.get(Attachment, old["id"]) is None and not old_file.exists()
    assert db.get(Attachment, recent["id"]) is not None and db.get(Attachment, claimed["id"]) is not None
    assert len(stored_files(settings)) == 3


def test_unclaimed_images_older_than_24_hours_are_deleted_at_start_up(client, auth, db, settings):
    old = upload(client, auth, png(red=1)).json()
    kept = upload(client, auth, png(red=2)).json()
    age(db, old["id"], hours=30)
    old_file = settings.attachments_dir / db.get(Attachment, old["id"]).storage_name
    app = create_app(settings)
    app.state.engine.dispose()
    db.expire_all()
    assert db.get(Attachment, old["id"]) is None and not old_file.exists()
    assert db.get(Attachment, kept["id"]) is not None and len(stored_files(settings)) == 1


# --- the staff console ---

def test_the_console_shows_the_images_to_the_referrals_station_only(client, auth, db, settings, staff):
    image = upload(client, auth, png()).json()
    ticket = submit(client, auth, channel="wechat", reply_to=OPENID)["ticket_number"]

    def signed_in(username: str) -> TestClient:
        browser = TestClient(client.app)
        form = browser.get("/console/login")
        token = re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)
        response = browser.post("/console/login", data={"username": username, "password": PASSWORD,
                                                        "login_csrf": token}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return browser

    wang = signed_in("wang")
    page = wang.get(f"/console/referrals/{ticket}")
    assert page.status_code == 200 and "群众发来的图片" in page.text
    src = f"/console/referrals/{ticket}/attachments/{image['id']}"
    assert f'<img src="{src}"' in page.text and OPENID not in page.text
    shown = wang.get(src)
    assert shown.status_code == 200 and shown.content == png()
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["cache-control"] == "no-store" and shown.headers["x-content-type-options"] == "nosniff"

    zhao = signed_in("zhao")
    assert zhao.get(f"/console/referrals/{ticket}").status_code == 404
    assert zhao.get(src).status_code == 404
    assert TestClient(client.app).get(src, follow_redirects=False).status_code == 303  # signed out: to the login
    db.expire_all()
    views = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_attachment")).all()
    assert [(a.user.username, a.detail) for a in views] == [("wang", f"attachment {image['id']}")]


def test_a_referral_without_images_lists_none(client, auth, staff):
    ticket = submit(client, auth, channel="wechat", reply_to=OPENID)["ticket_number"]
    response = client.get(f"/api/staff/referrals/{ticket}/attachments", headers=staff["wang"])
    assert response.status_code == 200 and response.json() == []
    assert client.get(f"/api/staff/referrals/{ticket}", headers=staff["wang"]).json()["attachments"] == []


def test_the_folder_comes_from_the_environment_relative_to_the_project(monkeypatch):
    monkeypatch.setenv("REFERRAL_ATTACHMENTS_DIR", "var/test-images")
    assert Settings(referral_api_token=TOKEN).attachments_dir == PROJECT_ROOT / "var" / "test-images"
    monkeypatch.setenv("REFERRAL_ATTACHMENTS_DIR", "/srv/legalaid/images")
    assert Settings(referral_api_token=TOKEN).attachments_dir == Path("/srv/legalaid/images")
    monkeypatch.delenv("REFERRAL_ATTACHMENTS_DIR")
    assert Settings(referral_api_token=TOKEN).attachments_dir == PROJECT_ROOT / "var" / "attachments"


def test_a_missing_file_is_a_404_that_says_so_and_no_view_is_recorded(client, auth, db, settings, staff):
    image = upload(client, auth, png()).json()
    ticket = submit(client, auth, channel="wechat", reply_to=OPENID)["ticket_number"]
    (settings.attachments_dir / db.get(Attachment, image["id"]).storage_name).unlink()
    response = client.get(f"/api/staff/referrals/{ticket}/attachments/{image['id']}", headers=staff["wang"])
    assert response.status_code == 404 and "文件找不到了" in response.json()["detail"]
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "view_attachment")).all() == []
