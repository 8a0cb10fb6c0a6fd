"""Every response the actions send exists in the domain Rasa serves (domain.yml merged with the
responses under data/), and every intent, matter, follow-up, danger and outcome has its response.

Response names are written out in tables and literals, never built at run time, so this check
sees them all: a renamed or moved response fails here, not in front of a citizen.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from actions.answer_responses import FOLLOWUP_ANSWERS, MATTER_ANSWERS, QUESTION_ANSWERS, SAFETY_REPLIES
from actions.bot_answers import ASIDES, FOLLOWUPS, answer_response
from actions.screening import OUTCOME_REPLIES
from bot.safety import SAFETY_INTENTS
from referral.rules.eligibility import OUTCOME_RANK
from referral.rules.matters import MATTER_CODES

ACTIONS = Path(__file__).resolve().parents[2] / "actions"
RESPONSE_NAME = re.compile(r"^utter_[a-z0-9_]+$")
# Strings that look like response names but are not: Rasa's metadata key that names the response a
# bot message came from (actions/tracker_history.responses_sent).
NOT_RESPONSES = {"utter_action"}


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(ACTIONS.rglob("*.py"))]


def referenced_responses() -> set[str]:
    """Every string in actions/ that is a response name: table entries and `response="utter_..."`."""
    return {
        node.value for _, tree in _trees() for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RESPONSE_NAME.match(node.value)
    } - NOT_RESPONSES


def intents(domain: dict) -> set[str]:
    return {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}


def test_the_scan_sees_the_tables_and_the_literals():
    found = referenced_responses()
    assert set(MATTER_ANSWERS.values()) | set(OUTCOME_REPLIES.values()) <= found
    assert {"utter_referral_created", "utter_status_result", "utter_screening_details"} <= found


def test_every_response_the_actions_name_is_in_the_merged_domain(merged_domain):
    missing = sorted(referenced_responses() - set(merged_domain["responses"]))
    assert missing == []


def test_no_response_name_is_built_at_run_time():
    built = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            parts = node.values if isinstance(node, ast.JoinedStr) else (
                [node.left] if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) else [])
            if any(isinstance(p, ast.Constant) and str(p.value).startswith("utter_") for p in parts):
                built.append(f"{path.relative_to(ACTIONS.parent)}:{node.lineno}")
    assert built == []


def test_every_matter_has_its_answer():
    assert set(MATTER_ANSWERS) == MATTER_CODES - {"other"}


def test_every_legal_question_intent_of_the_domain_has_its_answer(merged_domain):
    legal = {i for i in intents(merged_domain) if i.startswith(("matter_", "question_"))} - {"matter_other"}
    assert {i for i in legal if answer_response(i) is None} == set()
    assert set(QUESTION_ANSWERS) <= intents(merged_domain)  # no answer kept for an intent that is gone


def test_follow_up_answers_are_for_known_follow_ups_and_matters():
    assert {what for what, _ in FOLLOWUP_ANSWERS} <= set(FOLLOWUPS.values())
    assert {matter for _, matter in FOLLOWUP_ANSWERS} <= set(MATTER_ANSWERS)


def test_every_danger_has_its_reply():
    assert set(SAFETY_REPLIES) == set(SAFETY_INTENTS)


def test_every_outcome_of_the_engine_has_its_reply():
    assert set(OUTCOME_REPLIES) == set(OUTCOME_RANK)


@pytest.mark.parametrize("intent", sorted(ASIDES))
def test_every_aside_is_an_intent_of_the_domain(merged_domain, intent):
    assert intent in intents(merged_domain)
