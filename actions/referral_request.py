"""The request that hands an application to the referral service, and its idempotency key."""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Tracker

from actions.tracker_history import (
    consent_time,
    conversation_before_form,
    dangers_told,
    form_opened_at,
    township_of_answer,
)

# Channels whose sender id can receive the decision later (WeChat: the OpenID).
REPLY_CHANNELS = frozenset({"wechat"})


def idempotency_key(tracker: Tracker) -> str:
    """One key per application: the conversation and the moment this form was opened.

    Retrying the same application (a failed call, a restarted service) reuses the key,
    so the referral service returns the same ticket; a new application gets a new key.
    """
    digest = hashlib.sha256(f"{tracker.sender_id}|{form_opened_at(tracker)}".encode()).hexdigest()
    return f"rasa-{digest[:40]}"


def referral_payload(tracker: Tracker) -> dict[str, Any]:
    payload = {
        "channel": tracker.get_latest_input_channel() or "unknown",
        "applicant_name": tracker.get_slot("applicant_name"),
        "applicant_phone": tracker.get_slot("applicant_phone"),
        "region": tracker.get_slot("region"),
        "matter": tracker.get_slot("matter") or "other",
        "description": tracker.get_slot("description"),
        "consent": True,
        "consent_at": consent_time(tracker),
    }
    conversation = conversation_before_form(tracker)
    if conversation:
        payload["conversation"] = conversation
    if payload["channel"] in REPLY_CHANNELS:
        # the referral service sends the decision back through this channel (its outbox)
        payload["reply_to"] = tracker.sender_id
    dangers = dangers_told(tracker)
    if dangers:
        payload["dangers"] = dangers  # staff call these citizens first (the ticket is urgent)
    township = township_of_answer(tracker)
    if township:
        payload["township"] = township
    screening = tracker.get_slot("screening")
    if screening:
        # the service recomputes the decision and priority from this input (contract 2)
        # the region the application gives decides the threshold where the screening did not ask it
        payload["screening"] = {**screening["input"], "region": screening["input"].get("region") or payload["region"]}
        payload["matter"] = screening["input"]["matter"]
        if screening.get("poverty_certificate"):
            payload["poverty_certificate"] = screening["poverty_certificate"]
    return payload
