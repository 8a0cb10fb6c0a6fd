"""The action server's settings: every wrong value is named, the token's value never is."""

from __future__ import annotations

import pytest

from actions.config import ActionSettings, ConfigurationError, load_settings

GOOD = {"REFERRAL_API_URL": "http://127.0.0.1:8000/", "REFERRAL_API_TOKEN": "a-real-token-of-32-characters-xx"}


def test_settings_from_a_good_environment():
    assert load_settings(GOOD) == ActionSettings("http://127.0.0.1:8000", GOOD["REFERRAL_API_TOKEN"], 3.0, 10.0, 1)
    timeouts = {"REFERRAL_API_CONNECT_TIMEOUT": "0.5", "REFERRAL_API_READ_TIMEOUT": "5", "REFERRAL_API_RETRIES": "0"}
    settings = load_settings({**GOOD, **timeouts})
    assert (settings.connect_timeout, settings.read_timeout, settings.retries) == (0.5, 5.0, 0)


def test_settings_name_missing_variables(monkeypatch):
    monkeypatch.delenv("REFERRAL_API_URL", raising=False)
    monkeypatch.setenv("REFERRAL_API_TOKEN", "x" * 20)
    with pytest.raises(RuntimeError, match="REFERRAL_API_URL"):
        load_settings()


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("REFERRAL_API_URL", "", "set REFERRAL_API_URL"),
    ("REFERRAL_API_URL", "127.0.0.1:8000", "REFERRAL_API_URL must be an http:// or https:// address"),
    ("REFERRAL_API_URL", "http://127.0.0.1:80000", "REFERRAL_API_URL must be an http:// or https:// address"),
    ("REFERRAL_API_URL", "ftp://127.0.0.1", "REFERRAL_API_URL must be an http:// or https:// address"),
    ("REFERRAL_API_TOKEN", "", "set REFERRAL_API_TOKEN"),
    ("REFERRAL_API_TOKEN", "changethis", "REFERRAL_API_TOKEN is a placeholder"),
    ("REFERRAL_API_TOKEN", "short-token", "REFERRAL_API_TOKEN is shorter than 16 characters"),
    ("REFERRAL_API_CONNECT_TIMEOUT", "three", "REFERRAL_API_CONNECT_TIMEOUT must be a number of seconds"),
    ("REFERRAL_API_READ_TIMEOUT", "0", "REFERRAL_API_READ_TIMEOUT must be a number of seconds"),
    ("REFERRAL_API_READ_TIMEOUT", "300", "REFERRAL_API_READ_TIMEOUT must be a number of seconds"),
    ("REFERRAL_API_READ_TIMEOUT", "nan", "REFERRAL_API_READ_TIMEOUT must be a number of seconds"),
    ("REFERRAL_API_RETRIES", "-1", "REFERRAL_API_RETRIES must be a whole number from 0 to 5"),
    ("REFERRAL_API_RETRIES", "1.5", "REFERRAL_API_RETRIES must be a whole number from 0 to 5"),
])
def test_a_wrong_setting_is_named(name, value, problem):
    with pytest.raises(ConfigurationError, match=problem) as raised:
        load_settings({**GOOD, name: value})
    assert GOOD["REFERRAL_API_TOKEN"] not in str(raised.value)


def test_all_wrong_settings_are_named_at_once():
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"REFERRAL_API_TOKEN": "token", "REFERRAL_API_RETRIES": "many"})
    message = str(raised.value)
    assert "REFERRAL_API_URL" in message and "placeholder" in message and "REFERRAL_API_RETRIES" in message
