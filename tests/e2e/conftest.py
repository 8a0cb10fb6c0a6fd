"""Start the whole assistant (scripts/stack.py) on free ports, once per database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from scripts.stack import launch, stop_launched
from tests.support.pg import temporary_database

TOKEN = "e2e-token-" + uuid.uuid4().hex
RASA_TOKEN = "e2e-rasa-" + uuid.uuid4().hex
HOTLINE_TOKEN = "e2e-hotline-" + uuid.uuid4().hex
STARTUP_TIMEOUT = 300


@dataclass
class Assistant:
    rasa: str
    referral: str
    pids: dict[str, int]
    log_dir: Path
    database_url: str
    http: requests.Session = field(default_factory=requests.Session)

    def say(self, sender: str, message: str) -> list[str]:
        """Send one message through the REST channel; return the bot's texts."""
        response = self.http.post(
            f"{self.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        texts = [m["text"] for m in response.json() if "text" in m]
        # The REST channel answers 200 with [] even when processing failed.
        assert texts, f"no reply to {message!r}; see logs in {self.log_dir}"
        return texts

    def tracker(self, sender: str) -> dict:
        response = self.http.get(
            f"{self.rasa}/conversations/{sender}/tracker", params={"token": RASA_TOKEN}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def referrals(self) -> dict:
        response = self.http.get(
            f"{self.referral}/api/referrals", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def ticket(self, number: str) -> requests.Response:
        return self.http.get(
            f"{self.referral}/api/referrals/{number}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )


def start_stack(tmp: Path, database_url: str | None,
                env_overrides: dict[str, str | None] | None = None) -> Iterator[Assistant]:
    """The three processes on free ports; ``env_overrides`` sets (or, with None, removes) variables."""
    log_dir = tmp / "logs"
    args = ["--free-ports", "--var-dir", str(tmp / "var"), "--log-dir", str(log_dir),
            "--startup-timeout", str(STARTUP_TIMEOUT)]
    if database_url:
        args += ["--database-url", database_url]
    # a shorter read timeout than production's 10 s, so the outage test waits ~11 s, not ~21 s
    env = {**os.environ, "REFERRAL_API_TOKEN": TOKEN, "RASA_API_TOKEN": RASA_TOKEN, "REFERRAL_API_READ_TIMEOUT": "5",
           "HOTLINE_CHANNEL_TOKEN": HOTLINE_TOKEN}
    for key, value in (env_overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    try:
        proc, ready = launch(args, env, timeout=STARTUP_TIMEOUT + 30)
    except RuntimeError as exc:
        logs = "".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(log_dir.glob("*.log")))
        pytest.fail(f"{exc}\n{logs}")
    try:
        yield Assistant(rasa=ready["rasa"], referral=ready["referral"], pids=ready["pids"], log_dir=log_dir,
                        database_url=database_url or f"sqlite:///{tmp / 'var' / 'referral.db'}")
    finally:
        stop_launched(proc)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def assistant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp(f"stack-{request.param}")
    if request.param == "sqlite":
        yield from start_stack(tmp, None)
    else:
        with temporary_database() as url:
            yield from start_stack(tmp, url)
