"""Settings refuse placeholder secrets and normalise database URLs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from referral.settings import Settings


def test_settings_refuse_placeholder_token():
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(referral_api_token="changethis", database_url="sqlite://")


def test_settings_refuse_short_token():
    with pytest.raises(ValidationError, match="referral_api_token"):
        Settings(referral_api_token="short", database_url="sqlite://")


def test_settings_require_token(monkeypatch):
    monkeypatch.delenv("REFERRAL_API_TOKEN", raising=False)
    with pytest.raises(ValidationError, match="referral_api_token"):
        Settings(database_url="sqlite://")


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_settings_use_psycopg_driver(url):
    settings = Settings(referral_api_token="x" * 20, database_url=url)
    assert settings.database_url == "postgresql+psycopg://u@h/db"
