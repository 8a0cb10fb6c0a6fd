"""Which legal matter an intent names, and which matter an account of a problem is about.

The classifier has one intent per matter code (`matter_<code>`) and per follow-up question on a
topic (`question_<code>_<what>`). A long account full of amounts, dates and names often looks like
something else to it (a form answer, a topic-free follow-up, a request to apply); the matter the
account is about is still in its ranking: the code whose intents hold most of what the legal
intents hold together (DESIGN.md, "Understanding": a problem always ends with a matter code, or
`other` and one clarifying question).
"""

from __future__ import annotations

import collections
import re
from typing import Any

from bot.text import normalise
from referral.rules.matters import MATTER_CODES

# Codes longest first, so that 「question_labor_wage_where」 is read as labor_wage.
_CODES_BY_LENGTH = sorted(MATTER_CODES, key=len, reverse=True)
# Shorter than this (in characters, without spaces or punctuation) a message is an answer
# (「张三」「三千块」「镇雄县」「没有请律师」), not an account of a problem.
MIN_ACCOUNT_CHARS = 12
# The share of the legal intents' probability the leading matter needs; below it the account is
# too unclear to name a matter, and the citizen is asked what happened (`other`).
MIN_MATTER_SHARE = 0.3
_WORDS = re.compile(r"\w", re.UNICODE)
# The intents under which the classifier files an account it did not file under a matter: a form
# answer, a message it could not place, a request to apply (bot.components.AccountReader).
UNFILED_ACCOUNT_INTENTS = frozenset({"inform", "nlu_fallback", "apply_legal_aid"})
# Where bot.classifier.MatterTopicReader puts its reading of a message in the NLU result, beside the
# intent: every matter code with the probability that the message's words speak of it, most likely first.
MATTER_RANKING = "matter_ranking"


def matter_code(intent: str) -> str | None:
    """The matter code an intent names: `matter_<code>`, or a follow-up `question_<code>_<what>`."""
    for prefix in ("matter_", "question_"):
        if intent.startswith(prefix):
            rest = intent[len(prefix):]
            for code in _CODES_BY_LENGTH:
                if rest == code or rest.startswith(code + "_"):
                    return code
    return None


def account_length(text: str | None) -> int:
    """Characters of a message, without spaces, punctuation and emoji."""
    return len(_WORDS.findall(normalise(text or "")))


def matter_shares(ranking: list[dict[str, Any]]) -> collections.Counter[str]:
    """Each matter code's share of the probability the classifier gave to legal intents."""
    shares: collections.Counter[str] = collections.Counter()
    for ranked in ranking:
        code = matter_code(ranked.get("name") or "")
        if code:
            shares[code] += ranked.get("confidence") or 0.0
    total = sum(shares.values())
    return collections.Counter({code: share / total for code, share in shares.items()}) if total else shares


def matter_of_account(text: str | None, ranking: list[dict[str, Any]]) -> tuple[str, float] | None:
    """(matter code, its share) of a message that tells a problem; None for one too short to tell one."""
    if account_length(text) < MIN_ACCOUNT_CHARS:
        return None
    shares = matter_shares(ranking)
    if not shares:
        return "other", 0.0
    code, share = shares.most_common(1)[0]
    return (code, share) if share >= MIN_MATTER_SHARE else ("other", share)
