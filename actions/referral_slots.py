"""The application's slots: what the referral form fills, and what is cleared when an application ends."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

FORM = "referral_form"
# Personal data the form collects; cleared once handed over, refused or abandoned.
PERSONAL_SLOTS = ("applicant_name", "applicant_phone", "region", "description")
FORM_SLOTS = ("referral_consent", *PERSONAL_SLOTS, "referral_confirmed")
# An application that could not be handed over yet: its idempotency key and the exact
# request, frozen at the first attempt so every retry sends the same thing.
PENDING = "pending_referral"
# Cleared once the application is handed over, refused or abandoned: the form's answers and
# the screening that travels with the application.
CLEARED_SLOTS = (*FORM_SLOTS, "screening")


def reset_form_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in CLEARED_SLOTS]
