"""Benchmark the referral desk: the staff API under a realistic backlog, on SQLite and PostgreSQL.

Starts the referral service (uvicorn, one worker) on a free port with a throw-away database
holding --backlog referrals spread over the stations, then times what staff do all day:
the queue, a referral page, a claim, the monthly statistics; and a storm of simultaneous
claims on one referral (exactly one must win). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from referral.db import make_engine, make_session_factory
from referral.desk import route_new
from referral.migrate import upgrade
from referral.models import Referral, Role, Station, utcnow
from referral.routing import seed_stations
from referral.rules.deadlines import decision_due
from referral.staff_auth import create_user
from scripts.stack import free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"
MATTERS = ["labor_wage", "work_injury", "traffic_accident", "divorce", "support_payment", "debt_loan"]


def call(method: str, url: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def seed(database_url: str, backlog: int) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    rng = random.Random(7)
    with factory() as session:
        seed_stations(session)
        regions = sorted({r for s in session.scalars(select(Station)).all() for r in (s.regions or [])})
        zhenxiong = session.scalar(select(Station).where(Station.code == "zhenxiong"))
        for i, name in enumerate(["staff-a", "staff-b"] + [f"storm-{n}" for n in range(8)]):
            create_user(session, username=name, display_name=f"工作人员{i}", password=PASSWORD, role=Role.staff,
                        station=zhenxiong)
        create_user(session, username="admin", display_name="管理员", password=PASSWORD, role=Role.admin, station=None)
        now = utcnow()
        for i in range(backlog):
            created = now - timedelta(days=rng.uniform(0, 60))
            referral = Referral(
                ticket_number=f"FB{i:06d}-{i % 10000:04d}", created_at=created, channel=rng.choice(["rest", "wechat"]),
                applicant_name="测试", applicant_phone="13800000000", region=rng.choice(regions),
                matter=rng.choice(MATTERS), description="基准测试数据", consent=True, consent_at=created,
                idempotency_key=uuid.uuid4().hex, request_fingerprint="0" * 64,
                decision_due=decision_due((created + timedelta(hours=8)).date()),
            )
            session.add(referral)
            session.flush()
            route_new(session, referral)
            if i % 500 == 499:
                session.commit()
        session.commit()
    engine.dispose()


@contextlib.contextmanager
def service(database_url: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REFERRAL_API_TOKEN": "bench-" + uuid.uuid4().hex,
           "PYTHONPATH": str(ROOT), "LEGALAID_ENV": "test"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "referral.app:create_app", "--port",
                             str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/health", timeout=1)
                break
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def timed(samples: int, action) -> list[float]:
    out = []
    for i in range(samples):
        start = time.perf_counter()
        action(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def figure(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"  {label:<44} median {statistics.median(values):6.1f} ms, p95 {p95:6.1f} ms (n={len(values)})"


def run(database_url: str, backlog: int, samples: int) -> list[str]:
    started = time.perf_counter()
    seed(database_url, backlog)
    lines = [f"seeded {backlog} referrals in {time.perf_counter() - started:.1f} s"]
    with service(database_url) as url:
        tokens = {name: call("POST", f"{url}/api/staff/sessions", body={"username": name, "password": PASSWORD})[1]
                  ["token"] for name in ["staff-a", "admin"] + [f"storm-{n}" for n in range(8)]}
        staff = tokens["staff-a"]
        _, queue = call("GET", f"{url}/api/staff/referrals?status=open&limit=100", staff)
        tickets = [item["ticket_number"] for item in queue["items"]]
        lines.append(f"station zhenxiong: {queue['count']} open referrals")
        lines.append(figure("queue, first 100 (station staff)", timed(
            samples, lambda i: call("GET", f"{url}/api/staff/referrals?status=open&limit=100", staff))))
        lines.append(figure("queue, first 100 of all (administrator)", timed(
            samples, lambda i: call("GET", f"{url}/api/staff/referrals?limit=100", tokens["admin"]))))
        lines.append(figure("referral page (with history, audited)", timed(
            samples, lambda i: call("GET", f"{url}/api/staff/referrals/{tickets[i % len(tickets)]}", staff))))
        lines.append(figure("claim", timed(
            min(samples, len(tickets) - 1), lambda i: call("POST", f"{url}/api/staff/referrals/{tickets[i]}/claim",
                                                         staff))))
        # The storm: 8 staff claim the same referral at once, on 10 referrals.
        winners = []
        storm_times = []

        def attempt(name: str, ticket: str, barrier: threading.Barrier, results: list[int]) -> None:
            barrier.wait()
            results.append(call("POST", f"{url}/api/staff/referrals/{ticket}/claim", tokens[name])[0])

        for ticket in tickets[-10:]:
            barrier = threading.Barrier(8)
            results: list[int] = []
            threads = [threading.Thread(target=attempt, args=(f"storm-{n}", ticket, barrier, results))
                       for n in range(8)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            storm_times.append((time.perf_counter() - start) * 1000)
            winners.append(results.count(200))
        lines.append(f"  8 simultaneous claims x 10 referrals: winners per referral {sorted(set(winners))}, "
                     f"median {statistics.median(storm_times):.0f} ms for all 8")
    lines.append(figure("monthly statistics, whole city (in-process)", timed(10, lambda i: monthly(database_url))))
    return lines


def monthly(database_url: str) -> None:
    from referral.models import StaffUser
    from referral.rules.contract import china_today
    from referral.statistics import month_bounds, report

    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        admin = session.scalar(select(StaffUser).where(StaffUser.username == "admin"))
        today = china_today()
        report(session, admin, *month_bounds(today.year, today.month))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (TEST_POSTGRES_URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="legalaid-desk-bench-") as tmp:
        print("referral desk on SQLite")
        print("\n".join(run(f"sqlite:///{tmp}/desk.db", args.backlog, args.samples)))
    if args.postgres:
        from tests.support.pg import temporary_database

        with temporary_database() as url:
            print("referral desk on PostgreSQL")
            print("\n".join(run(url, args.backlog, args.samples)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
