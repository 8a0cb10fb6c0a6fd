"""Evidence photos: the checks that need no conversation (what a file is, the referral settings)."""

from __future__ import annotations

from bot.channels.wechat_media import ReferralService, image_type
from tests.bot.channels.fake_wechat import JPEG_BYTES, PNG_BYTES, WEBP_BYTES


def test_image_type_reads_the_magic_bytes() -> None:
    assert image_type(JPEG_BYTES) == "image/jpeg"
    assert image_type(PNG_BYTES) == "image/png"
    assert image_type(WEBP_BYTES) == "image/webp"
    assert image_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert image_type(b"\xff\xd8") is None
    assert image_type(b"") is None


def test_referral_settings_need_an_address_and_a_token() -> None:
    assert ReferralService.from_env({}) is None
    assert ReferralService.from_env({"REFERRAL_API_URL": "http://127.0.0.1:8000"}) is None
    assert ReferralService.from_env({"REFERRAL_API_URL": "127.0.0.1:8000", "REFERRAL_API_TOKEN": "x" * 20}) is None
    service = ReferralService.from_env({"REFERRAL_API_URL": "http://127.0.0.1:8000/", "REFERRAL_API_TOKEN": "sekrit"})
    assert service is not None and service.url == "http://127.0.0.1:8000"
    assert "sekrit" not in repr(service)
