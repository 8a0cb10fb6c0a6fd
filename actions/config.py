"""Action server settings, read once from the environment (documented in the README).

Every value is checked here, so that a wrong one stops the action server when it starts,
with the variable named, instead of failing a citizen's application later.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

# Values that show a token was never set (the referral service refuses the same ones).
PLACEHOLDER_TOKENS = frozenset({"changethis", "change-me", "secret", "token"})
MIN_TOKEN_CHARS = 16
# Rasa holds a conversation's lock for 60 s: one call must end well before it is released.
MAX_TIMEOUT_SECONDS = 60.0
MAX_RETRIES = 5


class ConfigurationError(RuntimeError):
    """A setting of the action server is missing or wrong; the message names each variable."""


@dataclass(frozen=True)
class ActionSettings:
    referral_api_url: str
    referral_api_token: str
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 1


def load_settings(environ: Mapping[str, str] = os.environ) -> ActionSettings:
    """Read and check the settings; raise ConfigurationError naming every wrong variable."""
    problems: list[str] = []
    url = _url(environ.get("REFERRAL_API_URL", ""), problems)
    token = _token(environ.get("REFERRAL_API_TOKEN", ""), problems)
    connect_timeout = _seconds(environ, "REFERRAL_API_CONNECT_TIMEOUT", "3", problems)
    read_timeout = _seconds(environ, "REFERRAL_API_READ_TIMEOUT", "10", problems)
    retries = _retries(environ.get("REFERRAL_API_RETRIES", "1"), problems)
    if problems:
        raise ConfigurationError(
            "action server misconfigured: " + "; ".join(problems) + " (see the README's configuration table)"
        )
    return ActionSettings(url, token, connect_timeout, read_timeout, retries)


def _url(value: str, problems: list[str]) -> str:
    url = value.strip().rstrip("/")
    if not url:
        problems.append("set REFERRAL_API_URL to the referral service's address, e.g. http://127.0.0.1:8000")
    elif not _is_http_address(url):
        problems.append(f"REFERRAL_API_URL must be an http:// or https:// address such as "
                        f"http://127.0.0.1:8000, got {value!r}")
    return url


def _is_http_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number from 0 to 65535 raises ValueError
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment


def _token(value: str, problems: list[str]) -> str:
    # the token's value is never repeated in a message
    if not value:
        problems.append("set REFERRAL_API_TOKEN to the referral service's API token")
    elif value.strip().lower() in PLACEHOLDER_TOKENS:
        problems.append("REFERRAL_API_TOKEN is a placeholder, not the referral service's API token")
    elif len(value) < MIN_TOKEN_CHARS:
        problems.append(f"REFERRAL_API_TOKEN is shorter than {MIN_TOKEN_CHARS} characters")
    return value


def _seconds(environ: Mapping[str, str], name: str, default: str, problems: list[str]) -> float:
    value = environ.get(name, default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT_SECONDS:  # also true for nan
        problems.append(f"{name} must be a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS:g}, "
                        f"got {value!r}")
    return seconds


def _retries(value: str, problems: list[str]) -> int:
    try:
        retries = int(value)
    except ValueError:
        retries = -1
    if not 0 <= retries <= MAX_RETRIES:
        problems.append(f"REFERRAL_API_RETRIES must be a whole number from 0 to {MAX_RETRIES}, got {value!r}")
    return retries
