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


def test_referrals_from_before_routing_are_routed_at_start_up(database_url):
    """A referral stored under revision 0002 gets a station and a history when the service starts."""
    from sqlalchemy import select, text

    from referral.app import create_app
    from referral.models import Referral
    from referral.settings import Settings

    downgrade(database_url, "0002")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO referrals (ticket_number, status, created_at, channel, applicant_name, applicant_phone,"
            " region, matter, description, consent, consent_at, idempotency_key, request_fingerprint, priority,"
            " decision_due) VALUES ('FY261101-0001', 'new', '2026-11-01 02:00:00', 'rest', '张三', '13800000000',"
            " '鲁甸县', 'labor_wage', '欠薪', true, '2026-11-01 02:00:00', 'old-key-0001', 'x', 'normal',"
            " '2026-11-10')"))
    engine.dispose()
    upgrade(database_url)
    app = create_app(Settings(database_url=database_url, referral_api_token="t" * 20, legalaid_env="test"))
    with app.state.session_factory() as session:
        referral = session.scalar(select(Referral).where(Referral.ticket_number == "FY261101-0001"))
        assert referral.station.code == "ludian"
        assert [e.kind for e in referral.events] == ["created", "routed"]
    app.state.engine.dispose()


def test_an_unmigrated_database_stops_the_service_with_the_fix(tmp_path):
    import pytest

    from referral.app import create_app
    from referral.settings import Settings

    with pytest.raises(RuntimeError, match="python -m referral migrate"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", referral_api_token="t" * 20))
