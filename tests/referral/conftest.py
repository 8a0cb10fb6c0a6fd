"""Fixtures for the referral service: a migrated database on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from referral.app import create_app
from referral.migrate import upgrade
from referral.models import Station
from referral.settings import Settings
from tests.support.pg import temporary_database
from tests.support.referrals import TOKEN


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with temporary_database() as url:
        yield url


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
        conn.execute(text("TRUNCATE attachments, audit_log, calls, case_notes, notifications, referral_events,"
                          " referrals, staff_sessions, staff_users, stations RESTART IDENTITY"))
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
def db(client: TestClient) -> Iterator[Session]:
    """A session on the test application's database."""
    with client.app.state.session_factory() as session:
        yield session


def station(db: Session, code: str) -> Station:
    return db.scalar(select(Station).where(Station.code == code))


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
