"""Trackers and their events built in code, the way rasa-sdk's own tests build them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "citizen-1",
    channel: str = "rest",
    requested_slot: str | None = None,
    after_user: list[dict[str, Any]] | None = None,
    form: str = "referral_form",
    text: str = "",
    intent: str = "inform",
    confidence: float = 1.0,
) -> Tracker:
    all_slots = {"requested_slot": requested_slot, **(slots or {})}
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    events = events or []
    events = [*events, {"event": "user", "timestamp": 1_700_000_100.0, "text": text, "input_channel": channel,
                        "parse_data": latest}, *(after_user or [])]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": form} if requested_slot else {},
        latest_action_name="action_listen",
    )


def user_message(text: str, t: float) -> dict[str, Any]:
    """A citizen's message event, read as `inform`."""
    return {"event": "user", "text": text, "timestamp": t, "parse_data": {"intent": {"name": "inform"}}}


def slot_event(name: str, value: Any, t: float) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": t}


def ranked(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    """An NLU intent ranking: ``ranked(("safety_self_harm", 1.0), ("matter_labor_wage", 0.7))``."""
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]
