"""Action server settings, read once from the environment (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSettings:
    referral_api_url: str
    referral_api_token: str
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 1


def load_settings() -> ActionSettings:
    """Read the settings; a missing value is a start-up error that names the variable."""
    missing = [name for name in ("REFERRAL_API_URL", "REFERRAL_API_TOKEN") if not os.environ.get(name)]
    if missing:
        raise RuntimeError(f"action server: set {', '.join(missing)} (see the README's configuration table)")
    return ActionSettings(
        referral_api_url=os.environ["REFERRAL_API_URL"].rstrip("/"),
        referral_api_token=os.environ["REFERRAL_API_TOKEN"],
        connect_timeout=float(os.environ.get("REFERRAL_API_CONNECT_TIMEOUT", "3")),
        read_timeout=float(os.environ.get("REFERRAL_API_READ_TIMEOUT", "10")),
        retries=int(os.environ.get("REFERRAL_API_RETRIES", "1")),
    )
