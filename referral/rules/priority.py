"""A ticket's priority and the reasons staff see for it.

The eligibility decision gives the green channel (fast_track) and Art. 44's urgency. Danger the
citizen spoke of (thoughts of suicide, violence or a death threat, a fraud in progress) and a case
where the authorities must appoint a defender (Art. 25, e.g. a detained minor) raise a normal
ticket to urgent as well: staff must call these people first. The reasons are codes; their
Chinese labels are in referral/labels.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# What the bot's safety rules recognised in the conversation (bot/safety.py), most urgent first.
DANGERS = ("self_harm", "violence", "fraud")
# Reasons that make a normal ticket urgent.
URGENT_REASONS = frozenset({*DANGERS, "mandatory_notification", "deadline_soon"})


def ticket_priority(decision: dict[str, Any] | None, dangers: Iterable[str] = ()) -> tuple[str, list[str]]:
    """(priority, reason codes) for a new ticket from its eligibility decision (or None) and dangers."""
    told = set(dangers)
    reasons = [d for d in DANGERS if d in told]
    priority = "normal"
    if decision is not None:
        priority = decision["priority"]
        if decision["outcome"] == "mandatory_notification":
            reasons.append("mandatory_notification")  # Art. 25/36: the court or police must appoint a defender
        if decision.get("urgent"):
            reasons.append("deadline_soon")  # Art. 44
        if decision["priority"] == "fast_track":
            reasons.append("fast_track")  # the green channel (registered poverty household)
    if priority == "normal" and URGENT_REASONS & set(reasons):
        priority = "urgent"
    return priority, reasons
