"""Client for the referral service's HTTP API (contract 3 in DESIGN.md)."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from actions.config import ActionSettings, ConfigurationError, load_settings

logger = logging.getLogger(__name__)


class ReferralApiError(Exception):
    """The referral service did not accept the request (down, timed out or refused it)."""


@dataclass(frozen=True)
class Ticket:
    ticket_number: str
    status: str
    replayed: bool


class StatusNotFound(Exception):
    """No referral with this number and phone (the service says no more than that)."""


class StatusLookupPaused(Exception):
    """Too many wrong attempts for this ticket: lookups pause for an hour."""


class ReferralClient(Protocol):
    async def create_referral(self, payload: dict[str, Any], idempotency_key: str) -> Ticket: ...


class StatusClient(Protocol):
    async def lookup_status(self, ticket_number: str, phone_last4: str) -> dict[str, Any]: ...


class HttpReferralClient:
    """Blocking ``requests`` calls run in a worker thread so the action server's loop never stalls.

    POST is retried on connection errors and 502/503/504: safe, because the
    Idempotency-Key makes a repeated request return the first ticket.
    """

    def __init__(self, settings: ActionSettings) -> None:
        self._settings = settings
        self._session = requests.Session()
        retry = Retry(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            backoff_factor=0.5,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET", "POST"}),
            raise_on_status=False,
        )
        self._session.mount("http://", HTTPAdapter(max_retries=retry))
        self._session.mount("https://", HTTPAdapter(max_retries=retry))
        self._session.headers["Authorization"] = f"Bearer {settings.referral_api_token}"

    def _send(self, path: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> requests.Response:
        try:
            return self._session.post(
                f"{self._settings.referral_api_url}{path}",
                json=payload,
                headers=headers or {},
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
            )
        except requests.RequestException as exc:
            # The exception text holds no request body, so no personal data is logged.
            logger.warning("referral API unreachable: %s", type(exc).__name__)
            raise ReferralApiError(f"referral API unreachable: {type(exc).__name__}") from exc

    def _post(self, payload: dict[str, Any], idempotency_key: str) -> Ticket:
        response = self._send("/api/referrals", payload, {"Idempotency-Key": idempotency_key})
        if response.status_code not in (200, 201):
            logger.warning("referral API refused the request: HTTP %s %s", response.status_code,
                           _error_fields(response))
            raise ReferralApiError(f"referral API answered HTTP {response.status_code}")
        body = response.json()
        return Ticket(
            ticket_number=body["ticket_number"],
            status=body["status"],
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )

    async def create_referral(self, payload: dict[str, Any], idempotency_key: str) -> Ticket:
        return await asyncio.to_thread(self._post, payload, idempotency_key)

    def _lookup(self, ticket_number: str, phone_last4: str) -> dict[str, Any]:
        response = self._send("/api/referrals/status", {"ticket_number": ticket_number, "phone_last4": phone_last4})
        if response.status_code == 404:
            raise StatusNotFound()
        if response.status_code == 429:
            raise StatusLookupPaused()
        if response.status_code != 200:
            # only the status code: the request holds personal data
            logger.warning("referral API refused a status lookup: HTTP %s", response.status_code)
            raise ReferralApiError(f"referral API answered HTTP {response.status_code}")
        return response.json()

    async def lookup_status(self, ticket_number: str, phone_last4: str) -> dict[str, Any]:
        """The status in plain words for a ticket and the applicant's last four phone digits."""
        return await asyncio.to_thread(self._lookup, ticket_number, phone_last4)


@functools.cache
def referral_api() -> HttpReferralClient:
    """The action server's one client of the referral service, built from the environment.

    rasa-sdk creates every action once while `rasa run actions` loads the actions package; the
    actions that call the service take this client then. So it is built once, at boot, and a
    misconfiguration stops the action server there, naming the variable, before any citizen
    is told that their application failed.
    """
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        raise SystemExit(str(exc)) from None
    return HttpReferralClient(settings)


def _error_fields(response: requests.Response) -> str:
    """Which fields a 422 names, without their values (they may be personal data)."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return ""
    if isinstance(detail, list):
        return "fields=" + ",".join(".".join(str(p) for p in item.get("loc", [])) for item in detail)
    return str(detail)[:200]
