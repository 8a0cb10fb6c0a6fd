"""Alembic migrations match the models and go up and down on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from referral.db import Base
from referral.migrate import downgrade, upgrade


def test_migrations_match_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_downgrade_and_upgrade(database_url):
    downgrade(database_url, "base")
    engine = create_engine(database_url)
    assert "referrals" not in inspect(engine).get_table_names()
    upgrade(database_url)
    assert "referrals" in inspect(engine).get_table_names()
    engine.dispose()
