"""Alembic environment: migrates the database named by DATABASE_URL (or the URL passed in)."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context

from referral import models  # noqa: F401  (registers the tables)
from referral.db import Base, make_engine, normalise_database_url
from referral.settings import DEFAULT_DATABASE_URL

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return normalise_database_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
