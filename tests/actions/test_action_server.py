"""The action server's boot, as `rasa run actions` does it: rasa-sdk loads the actions package
and registers each action once; the referral API client is built then, once, from the environment,
and a misconfiguration stops the server there."""

from __future__ import annotations

import logging

import pytest
from rasa_sdk.executor import ActionExecutor

from actions.clients.referral_api import HttpReferralClient, referral_api

TOKEN = "t" * 20


@pytest.fixture(autouse=True)
def no_client_yet():
    referral_api.cache_clear()
    yield
    referral_api.cache_clear()


def boot() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def test_the_server_registers_each_action_of_the_domain_once(monkeypatch, caplog, merged_domain):
    monkeypatch.setenv("REFERRAL_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("REFERRAL_API_TOKEN", TOKEN)
    with caplog.at_level(logging.INFO):
        executor = boot()
    custom = {name for name in merged_domain["actions"] if not name.startswith("utter_")}
    assert set(executor.actions) == custom
    assert "Re-registered" not in caplog.text


def test_the_actions_share_one_client_built_at_boot(monkeypatch):
    monkeypatch.setenv("REFERRAL_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("REFERRAL_API_TOKEN", TOKEN)
    executor = boot()
    submit = executor.actions["action_submit_referral"].__self__
    check = executor.actions["action_check_status"].__self__
    assert isinstance(submit.client, HttpReferralClient) and submit.client is check.client


@pytest.mark.parametrize(("environment", "named"), [
    ({"REFERRAL_API_TOKEN": TOKEN}, "set REFERRAL_API_URL"),
    ({"LEGALAID_ENV": "production", "REFERRAL_API_URL": "http://127.0.0.1:8000"}, "set REFERRAL_API_TOKEN"),
    ({"REFERRAL_API_URL": "http://127.0.0.1:8000", "REFERRAL_API_TOKEN": "changethis"}, "placeholder"),
    ({"REFERRAL_API_URL": "http://127.0.0.1:8000", "REFERRAL_API_TOKEN": TOKEN, "REFERRAL_API_READ_TIMEOUT": "ten"},
     "REFERRAL_API_READ_TIMEOUT"),
])
def test_a_misconfigured_server_stops_at_boot_naming_the_variable(monkeypatch, environment, named):
    for name in ("REFERRAL_API_URL", "REFERRAL_API_TOKEN", "REFERRAL_API_READ_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit, match=named):
        boot()
