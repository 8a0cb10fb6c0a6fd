"""What a hotline call adds to the conversation: the caller's number, typed by the operator.

The operator console sends it with every message of the call (bot/channels/hotline.py puts it in
the message's metadata); the referral form takes it as the applicant's phone once the caller has
consented, so the operator never asks for it, and reads it back in the check before sending.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.citizen_replies import parse_mobile

CHANNEL = "hotline"


def caller_phone(tracker: Tracker) -> str | None:
    """The caller's mobile number on a hotline call, or None (other channels, a landline, none typed)."""
    if tracker.get_latest_input_channel() != CHANNEL:
        return None
    metadata = tracker.latest_message.get("metadata") or {}
    value = metadata.get("caller_phone") if isinstance(metadata, dict) else None
    return parse_mobile(value) if isinstance(value, str) else None
