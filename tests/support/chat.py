"""The end-to-end conversations: a fresh sender, the bot's texts as one string, a ticket number in them."""

from __future__ import annotations

import re
import uuid

TICKET = re.compile(r"FY\d{6}-\d{4}")


def sender() -> str:
    return "e2e-" + uuid.uuid4().hex[:12]


def joined(texts: list[str]) -> str:
    return "\n".join(texts)
