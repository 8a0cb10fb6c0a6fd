"""A throw-away PostgreSQL database for tests; required in CI, skipped with a reason elsewhere."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Admin connection (trust auth on these machines) used to create and drop the database.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_postgres() -> None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        where = make_url(POSTGRES_ADMIN_URL).render_as_string(hide_password=True)
        reason = f"PostgreSQL not reachable at {where}: {type(exc).__name__}"
        if in_ci():
            pytest.fail(f"{reason} (PostgreSQL is required in CI)")
        pytest.skip(reason + " (set CI=true to make this a failure)")


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create an empty database, yield its URL, drop it afterwards."""
    require_postgres()
    name = f"legalaid_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
