"""Messages to citizens after staff decide: a transactional outbox the channels drain.

When staff give or refuse legal aid, the decision's plain-words status text is queued for the
citizen in the same transaction, if the application came through a channel that can write to
the citizen later (WeChat: a customer-service message while its 48-hour window is open). The
channel fetches pending messages, sends them and reports each one delivered, failed (tried again
later, with backoff) or undeliverable (the status lookup still tells it). A channel that is
down loses nothing: the rows wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.models import Notification, Referral, utcnow
from referral.status_text import status_text

# Channels that can write to a citizen after the conversation (their recipient id is `reply_to`).
PUSH_CHANNELS = frozenset({"wechat"})
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)


class UnknownNotification(Exception):
    """No notification with this id for this channel."""


def decision_text(referral: Referral) -> str:
    return f"您的法律援助申请（受理编号 {referral.ticket_number}）有结果了：{status_text(referral)}"


def queue_decision(session: Session, referral: Referral) -> Notification | None:
    """Queue the decision for the citizen (call before the decision's commit); None when the
    channel cannot write to the citizen."""
    if referral.channel not in PUSH_CHANNELS or not referral.reply_to:
        return None
    notification = Notification(referral=referral, kind="decision", channel=referral.channel,
                                recipient=referral.reply_to, text=decision_text(referral))
    session.add(notification)
    return notification


def pending(session: Session, channel: str, *, limit: int = 50, now: datetime | None = None) -> list[Notification]:
    """The channel's messages due now, oldest first."""
    now = now or utcnow()
    return list(session.scalars(
        select(Notification)
        .where(Notification.channel == channel, Notification.delivered_at.is_(None),
               Notification.given_up_at.is_(None), Notification.next_attempt_at <= now)
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    ))


def _get(session: Session, channel: str, notification_id: int) -> Notification:
    found = session.get(Notification, notification_id)
    if found is None or found.channel != channel:
        raise UnknownNotification(notification_id)
    return found


def delivered(session: Session, channel: str, notification_id: int) -> Notification:
    """The channel sent it (idempotent: reporting twice changes nothing)."""
    found = _get(session, channel, notification_id)
    if found.delivered_at is None:
        found.delivered_at = utcnow()
        found.attempts += 1
        session.commit()
    return found


def failed(session: Session, channel: str, notification_id: int, error: str, *, retry: bool) -> Notification:
    """The channel could not send it: tried again later (doubling waits) or, when ``retry`` is
    false or the attempts are used up, given up (the status lookup still tells the citizen)."""
    found = _get(session, channel, notification_id)
    if found.delivered_at is not None or found.given_up_at is not None:
        return found
    found.attempts += 1
    found.last_error = error[:200]
    if not retry or found.attempts >= MAX_ATTEMPTS:
        found.given_up_at = utcnow()
    else:
        found.next_attempt_at = utcnow() + FIRST_RETRY * 2 ** (found.attempts - 1)
    session.commit()
    return found
