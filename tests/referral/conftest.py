"""Fixtures for the referral service: a migrated database on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from referral.app import create_app
from referral.migrate import upgrade
from referral.settings import Settings

TOKEN = "test-token-0123456789abcdef"
# Admin connection used to create a throw-away database per test session.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_or_skip() -> None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        reason = f"PostgreSQL not reachable at {make_url(POSTGRES_ADMIN_URL).render_as_string(hide_password=True)}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (PostgreSQL is required in CI)")
        pytest.skip(reason + " (set CI=true to make this a failure)")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    _postgres_or_skip()
    name = f"legalaid_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'referral.db'}"
        upgrade(url)
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    upgrade(url)
    yield url
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM referrals"))
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, referral_api_token=TOKEN, legalaid_env="test")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def referral_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "channel": "rest",
        "applicant_name": "张三",
        "applicant_phone": "13812345678",
        "region": "镇雄县",
        "matter": "labor_wage",
        "description": "老板拖欠我三个月工资，一共九千元。",
        "consent": True,
        "consent_at": "2026-11-28T08:00:00+00:00",
    }
    body.update(overrides)
    return body
