"""A stand-in for the referral service's HTTP API, for tests: the same calls, no network.

Every submission gets the same ticket, a status lookup answers what the fake was given (no
status: not found, an exception: raised), and ``down=True`` makes every call fail as an outage does.
It records what it was sent.
"""

from __future__ import annotations

from typing import Any

from actions.clients.referral_api import ReferralApiError, StatusNotFound, Ticket

TICKET_NUMBER = "FY261128-0042"


class FakeReferralClient:
    def __init__(self, *, down: bool = False, status: dict[str, Any] | Exception | None = None) -> None:
        self.down = down
        self.status = status
        self.submitted: list[tuple[dict[str, Any], str]] = []
        self.lookups: list[tuple[str, str]] = []

    async def create_referral(self, payload: dict[str, Any], idempotency_key: str) -> Ticket:
        self.submitted.append((payload, idempotency_key))
        if self.down:
            raise ReferralApiError("referral API unreachable: the fake is down")
        return Ticket(ticket_number=TICKET_NUMBER, status="new", replayed=False)

    async def lookup_status(self, ticket_number: str, phone_last4: str) -> dict[str, Any]:
        self.lookups.append((ticket_number, phone_last4))
        if self.down:
            raise ReferralApiError("referral API unreachable: the fake is down")
        if isinstance(self.status, Exception):
            raise self.status
        if self.status is None:
            raise StatusNotFound()
        return self.status
