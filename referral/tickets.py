"""Creating and finding referral tickets (idempotent creation, ticket numbers)."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from referral.attachments import claim_pending
from referral.desk import route_new
from referral.models import Priority, Referral, utcnow
from referral.rules.contract import CHINA_TZ
from referral.rules.deadlines import decision_due
from referral.rules.eligibility import parse_screening, screen
from referral.rules.priority import ticket_priority
from referral.schemas import ReferralCreate

# Ticket numbers are read out over the phone: a fixed prefix, the local date and four
# random digits, e.g. FY261128-4821. Random digits reveal nothing about volume.
TICKET_PREFIX = "FY"
_NUMBER_ATTEMPTS = 8


class IdempotencyConflict(Exception):
    """The idempotency key was already used for a different request."""


def new_ticket_number(now: datetime | None = None) -> str:
    local = (now or utcnow()).astimezone(CHINA_TZ)
    return f"{TICKET_PREFIX}{local:%y%m%d}-{secrets.randbelow(10_000):04d}"


def applicant_due(applied_on: date, screening: dict | None) -> date | None:
    """The citizen's own limitation or filing deadline: the days they told the screening, from receipt."""
    days = (screening or {}).get("days_to_deadline")
    return None if days is None else applied_on + timedelta(days=int(days))


def fingerprint(data: ReferralCreate) -> str:
    payload = data.model_dump(mode="json", exclude_none=True)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def find_by_key(session: Session, key: str) -> Referral | None:
    return session.scalar(select(Referral).where(Referral.idempotency_key == key))


def find_by_number(session: Session, ticket_number: str) -> Referral | None:
    return session.scalar(select(Referral).where(Referral.ticket_number == ticket_number))


def _replay(existing: Referral, print_: str) -> Referral:
    if existing.request_fingerprint != print_:
        raise IdempotencyConflict(existing.idempotency_key)
    return existing


def create_referral(*, session: Session, data: ReferralCreate, idempotency_key: str) -> tuple[Referral, bool]:
    """Create the referral for ``idempotency_key`` once; return it and whether it is new.

    The same key with the same request returns the first ticket, however often it
    comes and however the requests race: the unique index on the key decides, and
    the loser of a race reads the winner's row.
    """
    print_ = fingerprint(data)
    existing = find_by_key(session, idempotency_key)
    if existing is not None:
        return _replay(existing, print_), False

    now = utcnow()
    applied_on = now.astimezone(CHINA_TZ).date()
    decision = None
    if data.screening is not None:
        case = parse_screening({**data.screening, "application_date": applied_on.isoformat()})
        decision = screen(case).to_dict()
    priority, reasons = ticket_priority(decision, data.dangers or ())
    for _ in range(_NUMBER_ATTEMPTS):
        referral = Referral(
            ticket_number=new_ticket_number(now),
            created_at=now,
            channel=data.channel,
            applicant_name=data.applicant_name,
            applicant_phone=data.applicant_phone,
            region=data.region,
            matter=data.matter,
            description=data.description,
            consent=data.consent,
            consent_at=data.consent_at or now,
            idempotency_key=idempotency_key,
            request_fingerprint=print_,
            screening_input=data.screening,
            screening_decision=decision,
            poverty_certificate=data.poverty_certificate,
            priority=Priority(priority),
            priority_reasons=reasons or None,
            decision_due=decision_due(applied_on),
            urgent=bool(decision and decision.get("urgent")),
            township=data.township,
            conversation=data.conversation,
            opposing_party=data.opposing_party,
            applicant_deadline=applicant_due(applied_on, data.screening),
            reply_to=data.reply_to,
        )
        session.add(referral)
        try:
            session.flush()  # the unique indexes decide here: a replayed key or a taken number
            route_new(session, referral)
            claim_pending(session, referral, now)  # the images its owner sent, in the same transaction
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = find_by_key(session, idempotency_key)
            if existing is not None:
                return _replay(existing, print_), False
            continue  # the random ticket number was taken that day: draw again
        return referral, True
    raise RuntimeError("could not draw a free ticket number; the day's numbers are nearly used up")


def list_referrals(*, session: Session, limit: int = 50, offset: int = 0) -> tuple[list[Referral], int]:
    total = session.scalar(select(func.count()).select_from(Referral)) or 0
    rows = session.scalars(
        select(Referral).order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total
