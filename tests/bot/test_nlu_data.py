"""The NLU data, the domain and the rules fit together: every matter code and every follow-up
question is trained, answered and tested; the test set is never trained on."""

from __future__ import annotations

import pytest

from actions.bot_answers import ASIDES, answer_response, legal_answer
from bot.matters import matter_code
from bot.text import normalise
from referral.rules.matters import MATTER_CODES
from tests.support.content import ROOT, domain, examples, merged_responses, rules

DOMAIN = {**domain(), "responses": merged_responses()}  # the skeleton with every topic's responses
# Topics of issue 4 that need at least five follow-up questions (code "legal_aid": the process).
FOLLOW_UP_TOPICS = ("labor_wage", "work_injury", "traffic_accident", "divorce", "domestic_violence",
                    "support_payment", "criminal_defense", "legal_aid")
# Issue 13: every matter code has at least 250 examples of its own, mostly long accounts.
MIN_TRAINING, MIN_TEST, MIN_FOLLOW_UPS = 250, 15, 5
TRAINING = examples()
TESTS = examples(ROOT / "tests" / "nlu")
RULE_STEPS = [rule["steps"] for rule in rules()]
# Outside the forms a matter's and a question's answer depend on the matter so far (actions/followups.py).
LEGAL_ANSWER = "action_answer_legal_question"
QUESTIONS = sorted(intent for intent in TRAINING if intent.startswith("question_"))


def answered_by_rule(intent: str, response: str) -> bool:
    return any(steps[:2] == [{"intent": intent}, {"action": response}] for steps in RULE_STEPS)


@pytest.mark.parametrize("code", sorted(MATTER_CODES))
def test_every_matter_code_is_trained_tested_and_answered(code):
    intent = f"matter_{code}"
    assert intent in DOMAIN["intents"]
    assert len(TRAINING[intent]) >= MIN_TRAINING, len(TRAINING[intent])
    assert len(TESTS[intent]) >= MIN_TEST, len(TESTS[intent])
    assert f"utter_answer_{code}" in DOMAIN["responses"]
    # `other` has no answer of its own: the action asks what happened, unless a matter is known
    # and the words do not clearly leave it (tests/actions/test_bot_answers.py)
    assert answer_response(intent) == (None if code == "other" else f"utter_answer_{code}")
    assert answered_by_rule(intent, LEGAL_ANSWER)
    assert matter_code(intent) == code


def test_follow_up_questions_cover_the_most_asked_topics():
    for topic in FOLLOW_UP_TOPICS:
        count = sum(1 for q in QUESTIONS if q.startswith(f"question_{topic}_"))
        assert count >= MIN_FOLLOW_UPS, (topic, count)


@pytest.mark.parametrize("intent", QUESTIONS)
def test_every_follow_up_question_is_answered(intent):
    response = answer_response(intent)
    assert intent in DOMAIN["intents"]
    assert response in DOMAIN["responses"]
    assert answered_by_rule(intent, LEGAL_ANSWER)
    assert len(TRAINING[intent]) >= 10


# Asides that start something of their own outside the forms (inside them, ASIDES' reply answers).
OUTSIDE_FORMS = {"check_application": "action_start_status_check"}


def test_every_aside_has_its_reply_and_rule():
    for intent, response in ASIDES.items():
        assert intent in DOMAIN["intents"] and response in DOMAIN["responses"]
        assert answered_by_rule(intent, OUTSIDE_FORMS.get(intent, response))
        assert len(TRAINING[intent]) >= 20 and len(TESTS[intent]) >= 10


def test_no_test_message_is_trained_on():
    trained = {normalise(text) for texts in TRAINING.values() for text in texts}
    leaked = [text for texts in TESTS.values() for text in texts if normalise(text) in trained]
    assert leaked == []


def test_no_message_is_trained_as_two_intents():
    seen: dict[str, str] = {}
    twice = []
    for intent, texts in TRAINING.items():
        for text in texts:
            key = normalise(text)
            if key in seen and seen[key] != intent:
                twice.append((text, seen[key], intent))
            seen[key] = intent
    assert twice == []


def test_the_matter_slot_takes_the_code_of_every_problem_and_follow_up_intent():
    # the action that answers them records it (in the light of the matter so far)
    named = {intent: matter_code(intent) for intent in TRAINING if matter_code(intent)}
    recorded = {intent: legal_answer(intent, [{"name": intent, "confidence": 1.0}], None, set())[1]
                for intent in named}
    assert recorded == named
    # no intent maps the slot itself: an unclear problem must not overwrite a known matter either
    assert [m for m in DOMAIN["slots"]["matter"]["mappings"] if m["type"] == "from_intent"] == []
