"""Submitting an application and dropping it, with exact events (rasa-sdk style)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.clients.fake_referral_api import FakeReferralClient
from actions.referral_request import idempotency_key, referral_payload
from actions.referral_slots import CLEARED_SLOTS
from actions.submit_referral import ActionResetReferral, ActionSubmitReferral
from tests.support.dispatcher import responses
from tests.support.referral_application import CONSENTED, FILLED, FORM_OPENED
from tests.support.trackers import make_tracker


@pytest.mark.asyncio
async def test_submit_creates_ticket_and_forgets_personal_data(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral(client)
    tracker = make_tracker(slots=FILLED, events=[FORM_OPENED, CONSENTED])
    events = await action.run(dispatcher, tracker, {})
    assert events == [
        SlotSet("ticket_number", "FY261128-0042"),
        SlotSet("referral_pending", False),
        SlotSet("pending_referral", None),
        *[SlotSet(slot, None) for slot in CLEARED_SLOTS],
    ]
    assert dispatcher.messages[0]["response"] == "utter_referral_created"
    assert dispatcher.messages[0]["ticket_number"] == "FY261128-0042"
    assert "欠条" in dispatcher.messages[0]["materials"]  # the wage claim's own papers
    payload, key = client.submitted[0]
    assert payload == {
        "channel": "rest",
        "applicant_name": "张三",
        "applicant_phone": "13812345678",
        "region": "镇雄县",
        "matter": "labor_wage",
        "description": "老板拖欠我三个月工资",
        "consent": True,
        "consent_at": "2023-11-14T22:13:30.500000+00:00",
    }
    assert key == idempotency_key(tracker)


@pytest.mark.asyncio
async def test_violence_ticket_ends_with_a_safety_reminder(dispatcher):
    action = ActionSubmitReferral(FakeReferralClient())
    slots = {**FILLED, "matter": "domestic_violence"}
    await action.run(dispatcher, make_tracker(slots=slots, events=[FORM_OPENED]), {})
    assert responses(dispatcher) == ["utter_referral_created", "utter_safety_reminder"]
    materials = dispatcher.messages[0]["materials"]
    assert "报警回执" in materials and "验伤" in materials and "欠条" not in materials and "合同" not in materials


@pytest.mark.asyncio
async def test_submit_without_matter_sends_other(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral(client)
    await action.run(dispatcher, make_tracker(slots={**FILLED, "matter": None}, events=[FORM_OPENED]), {})
    assert client.submitted[0][0]["matter"] == "other"


@pytest.mark.asyncio
async def test_submit_failure_tells_the_truth_and_freezes_the_request(dispatcher):
    action = ActionSubmitReferral(FakeReferralClient(down=True))
    tracker = make_tracker(slots=FILLED, events=[FORM_OPENED, CONSENTED])
    events = await action.run(dispatcher, tracker, {})
    frozen = {"key": idempotency_key(tracker), "payload": referral_payload(tracker)}
    assert events == [SlotSet("referral_pending", True), SlotSet("pending_referral", frozen),
                      *[SlotSet(slot, None) for slot in CLEARED_SLOTS]]
    assert responses(dispatcher) == ["utter_referral_failed"]


@pytest.mark.asyncio
async def test_retry_sends_the_frozen_request_whatever_changed(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral(client)
    frozen = {"key": "rasa-frozen-key", "payload": {"matter": "labor_wage", "applicant_name": "张三"}}
    # the form slots are gone and the matter has changed since the first attempt
    tracker = make_tracker(slots={"pending_referral": frozen, "referral_pending": True, "matter": "divorce"},
                           events=[{**FORM_OPENED, "timestamp": 1.0}])
    events = await action.run(dispatcher, tracker, {})
    assert client.submitted == [(frozen["payload"], "rasa-frozen-key")]
    assert SlotSet("pending_referral", None) in events and SlotSet("ticket_number", "FY261128-0042") in events


@pytest.mark.asyncio
async def test_submit_after_refused_consent_keeps_nothing(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral(client)
    events = await action.run(dispatcher, make_tracker(slots={"referral_consent": False}), {})
    assert client.submitted == []
    assert responses(dispatcher) == ["utter_consent_refused"]
    assert events == [SlotSet("referral_pending", False), *[SlotSet(slot, None) for slot in CLEARED_SLOTS]]


@pytest.mark.asyncio
async def test_submit_without_confirmation_submits_nothing(dispatcher):
    client = FakeReferralClient()
    action = ActionSubmitReferral(client)
    await action.run(dispatcher, make_tracker(slots={**FILLED, "referral_confirmed": None}), {})
    assert client.submitted == []


@pytest.mark.asyncio
async def test_reset_forgets_everything(dispatcher):
    events = await ActionResetReferral().run(dispatcher, make_tracker(slots=FILLED), {})
    assert events == [*[SlotSet(s, None) for s in CLEARED_SLOTS], SlotSet("referral_pending", False),
                      SlotSet("pending_referral", None), SlotSet("requested_slot", None)]
    assert responses(dispatcher) == ["utter_referral_stopped"]


@pytest.mark.asyncio
async def test_stopping_or_starting_over_forgets_the_matter_too(dispatcher):
    tracker = make_tracker(slots={**FILLED, "matter": "labor_wage"}, text="算了", intent="stop")
    events = await ActionResetReferral().run(dispatcher, tracker, {})
    assert events[-1] == SlotSet("matter", None)


@pytest.mark.asyncio
async def test_reset_of_a_pending_application_is_honest(dispatcher):
    tracker = make_tracker(slots={"referral_pending": True, "pending_referral": {"key": "k", "payload": {}}})
    await ActionResetReferral().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_pending_dropped"]
