"""The queue's filters as staff send them (the console's query string, the staff API's parameters).

One parser for both: it refuses an unknown status, priority or station code (UnknownFilterValue
names which) and looks the station code up; each caller words the refusal its own way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.desk import DUE_VIEWS, OPEN, TODO, TRANSFERRED_OUT, QueueFilter
from referral.models import Priority, ReferralStatus, Station


class UnknownFilterValue(ValueError):
    """A filter value the queue does not know; ``field`` is ``status``, ``priority``, ``station`` or ``due``."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def station_id(session: Session, code: str) -> int | None:
    """The id of the station with this code (active or not), or None."""
    return session.scalar(select(Station.id).where(Station.code == code))


def parse(session: Session, *, status: str | None = None, matter: str | None = None, region: str | None = None,
          priority: str | None = None, channel: str | None = None, station: str | None = None,
          overdue: bool = False, search: str | None = None, due: str | None = None,
          holder_id: int | None = None) -> QueueFilter:
    """The filters, checked. ``status`` None is every status; an empty status is refused, other empty
    values mean "any"."""
    if status is not None and status not in (OPEN, TODO, TRANSFERRED_OUT):
        try:
            ReferralStatus(status)
        except ValueError as exc:
            raise UnknownFilterValue("status", str(exc)) from None
    if priority:
        try:
            Priority(priority)
        except ValueError as exc:
            raise UnknownFilterValue("priority", str(exc)) from None
    found_station = None
    if station:
        found_station = station_id(session, station)
        if found_station is None:
            raise UnknownFilterValue("station", f"unknown station code {station!r}")
    if due and due not in DUE_VIEWS:
        raise UnknownFilterValue("due", f"unknown deadline view {due!r}")
    search = search.strip() if search else ""
    return QueueFilter(status=status, matter=matter or None, region=region or None, priority=priority or None,
                       channel=channel or None, station_id=found_station, overdue=overdue, search=search or None,
                       due=due or None, holder_id=holder_id)
