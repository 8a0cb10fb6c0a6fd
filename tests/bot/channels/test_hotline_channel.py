"""The hotline channel's parts: the console's message shape, the state it reports, going back one
question, and the token check; and the content it relies on: a hotline variant of every question
the forms ask (and of each condition), of every matter's answer, and the danger alert.
A whole call through the running assistant and Chromium is in tests/e2e/test_hotline.py."""

from __future__ import annotations

import re

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import hotline
from referral.rules.matters import MATTER_CODES
from tests.support.content import merged_responses

RESPONSES = merged_responses()
ANSWERS = {"utter_answer_labor_wage": [{"text": "被拖欠工资，可以这样做：1. …"},
                                       {"channel": "hotline", "text": "请对来电人说：先留证据。"}],
           "utter_ask_region": [{"text": "您在哪个县或者区？"}]}


def test_a_hotline_variant_is_for_the_operator_and_keeps_the_full_answer_folded():
    message = {"text": "请对来电人说：先留证据。", "utter_action": "utter_answer_labor_wage", "custom": None}
    shaped = hotline.for_console(message, ANSWERS)
    assert shaped["for_operator"] is True
    assert shaped["full_text"] == "被拖欠工资，可以这样做：1. …"
    plain = hotline.for_console({"text": "您在哪个县或者区？", "utter_action": "utter_ask_region"}, ANSWERS)
    assert plain["for_operator"] is False and "full_text" not in plain


def test_buttons_and_the_danger_alert_are_kept_and_nothing_else_is_trusted():
    message = {"text": "快打110", "utter_action": "utter_safety_danger_now", "custom": {"alert": "danger"},
               "buttons": [{"title": "同意", "payload": "/affirm", "extra": 1}, "junk"]}
    shaped = hotline.for_console(message, RESPONSES)
    assert shaped["alert"] == "danger"
    assert shaped["buttons"] == [{"title": "同意", "payload": "/affirm"}]
    assert hotline.for_console({**message, "custom": {"alert": "<script>"}}, RESPONSES)["alert"] is None


SLOTS = [TextSlot(name, mappings=[{}]) for name in ("requested_slot", "referral_consent", "applicant_name",
                                                     "region", "matter")]


def _form_events() -> list:
    """A referral form on its happy path: consent, then the name, then the region asked."""
    return [
        ActionExecuted("action_listen"),
        UserUttered("老板欠我工资"),
        SlotSet("matter", "labor_wage"),
        ActionExecuted("action_listen"),
        UserUttered("我要申请法律援助"),
        ActionExecuted("referral_form"),
        ActiveLoop("referral_form"),
        SlotSet("requested_slot", "referral_consent"),
        BotUttered("请询问来电人：同意吗？", metadata={"utter_action": "utter_ask_referral_consent"}),
        ActionExecuted("action_listen"),
        UserUttered("同意"),
        SlotSet("referral_consent", True),
        ActionExecuted("referral_form"),
        SlotSet("requested_slot", "applicant_name"),
        BotUttered("请询问来电人：您怎么称呼？", metadata={"utter_action": "utter_ask_applicant_name"}),
        ActionExecuted("action_listen"),
        UserUttered("李四"),  # the answer to undo: event 15
        SlotSet("applicant_name", "李四"),
        ActionExecuted("referral_form"),
        SlotSet("requested_slot", "region"),
        BotUttered("请询问来电人：哪个县区？", metadata={"utter_action": "utter_ask_region"}),
        ActionExecuted("action_listen"),
    ]


def _tracker(events: list) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("hotline-" + "a" * 32, events, slots=SLOTS)


def test_back_restores_the_slots_and_the_form_before_the_last_answer():
    events = _form_events()
    now, then = _tracker(events), _tracker(events[:16])
    assert isinstance(events[16], UserUttered) and events[16].text == "李四"
    restore = hotline.restoring_events(now, then)
    assert restore == [SlotSet("requested_slot", "applicant_name"), SlotSet("applicant_name", None)]
    for event in restore:
        now.update(event)
    assert now.current_slot_values() == then.current_slot_values()
    assert now.active_loop_name == "referral_form" and now.get_slot("referral_consent") is True


def test_rasas_own_revert_would_undo_the_whole_form_which_is_why_the_channel_does_not_use_it():
    tracker = _tracker(_form_events())
    tracker.update(UserUtteranceReverted())
    assert tracker.get_slot("referral_consent") is None and tracker.active_loop_name is None


def test_back_out_of_a_form_ends_the_form():
    events = _form_events()
    restore = hotline.restoring_events(_tracker(events), _tracker(events[:4]))
    assert restore[0] == ActiveLoop(None)
    assert SlotSet("referral_consent", None) in restore and SlotSet("matter", "labor_wage") not in restore


@pytest.mark.parametrize(("header", "ok"), [
    ("Bearer " + "s" * 32, True), ("bearer " + "s" * 32, True), ("Bearer " + "x" * 32, False), ("", False),
    ("Basic " + "s" * 32, False),
])
def test_the_bearer_token_is_checked(header, ok):
    class Request:
        def __init__(self) -> None:
            self.headers = {"Authorization": header}
    assert hotline.authorised(Request(), "s" * 32) is ok


def test_the_channel_is_off_without_a_long_enough_token(monkeypatch):
    monkeypatch.setenv(hotline.TOKEN_VARIABLE, "short")
    assert hotline.configured_token() is None
    monkeypatch.setenv(hotline.TOKEN_VARIABLE, "k" * 20)
    assert hotline.configured_token() == "k" * 20


def test_sender_ids_are_the_consoles_random_ones():
    assert hotline.is_sender_id("hotline-" + "0f" * 16)
    assert not hotline.is_sender_id("hotline-1") and not hotline.is_sender_id("0f" * 16)


# --- the content the channel relies on ---

def _hotline_variants(name: str) -> list[dict]:
    return [v for v in RESPONSES[name] if v.get("channel") == hotline.CHANNEL]


def test_every_question_the_forms_ask_has_a_hotline_variant():
    questions = [name for name in RESPONSES if name.startswith("utter_ask_")]
    assert len(questions) >= 18
    assert [q for q in questions if not _hotline_variants(q)] == []


def test_every_condition_of_a_question_has_its_hotline_twin():
    """Rasa prefers any unconditioned channel variant to a conditioned plain one: each condition needs a twin."""
    for name, variants in RESPONSES.items():
        for variant in variants:
            if variant.get("condition") and variant.get("channel") is None:
                twins = [v for v in _hotline_variants(name) if v.get("condition") == variant["condition"]]
                assert twins, (name, variant["condition"])


def test_hotline_variants_keep_the_slots_and_the_buttons_of_the_citizen_text():
    for name, variants in RESPONSES.items():
        for variant in _hotline_variants(name):
            plain = next((v for v in variants if v.get("channel") is None
                          and v.get("condition") == variant.get("condition")), None)
            if plain is None:
                continue
            slots = set(re.findall(r"\{(\w+)\}", plain.get("text", "")))
            assert slots <= set(re.findall(r"\{(\w+)\}", variant.get("text", ""))), name
            payloads = {b["payload"] for b in plain.get("buttons") or []}
            assert payloads <= {b["payload"] for b in variant.get("buttons") or []}, name
            assert len(variant.get("buttons") or []) <= 9, name  # the number keys 1–9


def test_every_matter_answer_has_a_spoken_version_shorter_than_the_text():
    for code in MATTER_CODES:
        name = "utter_answer_enforce_judgment" if code == "enforcement" else f"utter_answer_{code}"
        spoken = _hotline_variants(name)
        assert spoken, name
        plain = next(v for v in RESPONSES[name] if v.get("channel") is None)
        assert len(spoken[0]["text"]) < len(plain["text"]), name
        assert not re.search(r"^\s*[2-9][.、]", spoken[0]["text"], re.M), name  # no numbered list to read out


def test_danger_lines_carry_the_red_banner():
    for name in ("utter_safety_self_harm", "utter_safety_danger_now", "utter_safety_fraud_now"):
        assert [v.get("custom") for v in _hotline_variants(name)] == [{"alert": "danger"}], name
