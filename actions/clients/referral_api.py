"""Client for the referral service's HTTP API (contract 3 in DESIGN.md)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from actions.config import ActionSettings

logger = logging.getLogger(__name__)


class ReferralApiError(Exception):
    """The referral service did not accept the request (down, timed out or refused it)."""


@dataclass(frozen=True)
class Ticket:
    ticket_number: str
    status: str
    replayed: bool


class ReferralClient(Protocol):
    async def create_referral(self, payload: dict[str, Any], idempotency_key: str) -> Ticket: ...


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

    def _post(self, payload: dict[str, Any], idempotency_key: str) -> Ticket:
        url = f"{self._settings.referral_api_url}/api/referrals"
        try:
            response = self._session.post(
                url,
                json=payload,
                headers={"Idempotency-Key": idempotency_key},
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
            )
        except requests.RequestException as exc:
            # The exception text holds no request body, so no personal data is logged.
            logger.warning("referral API unreachable: %s", type(exc).__name__)
            raise ReferralApiError(f"referral API unreachable: {type(exc).__name__}") from exc
        if response.status_code not in (200, 201):
            logger.warning("referral API refused the request: HTTP %s %s", response.status_code, _error_fields(response))
            raise ReferralApiError(f"referral API answered HTTP {response.status_code}")
        body = response.json()
        return Ticket(
            ticket_number=body["ticket_number"],
            status=body["status"],
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )

    async def create_referral(self, payload: dict[str, Any], idempotency_key: str) -> Ticket:
        return await asyncio.to_thread(self._post, payload, idempotency_key)


def _error_fields(response: requests.Response) -> str:
    """Which fields a 422 names, without their values (they may be personal data)."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return ""
    if isinstance(detail, list):
        return "fields=" + ",".join(".".join(str(p) for p in item.get("loc", [])) for item in detail)
    return str(detail)[:200]
