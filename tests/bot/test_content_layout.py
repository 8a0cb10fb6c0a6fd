"""One home per topic (issue 12): each matter code's examples, rules and responses live in
data/topics/<code>/ and nowhere else, domain.yml keeps the dialogue skeleton, and the plain-YAML
reading of the content (tests/support/content.py) is exactly what Rasa merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from referral.rules.matters import MATTER_CODES
from tests.support.content import (
    ROOT,
    TOPICS,
    _load,
    data_files,
    domain,
    merged_responses,
    rasa_merged_domain,
    responses_by_file,
)

# Topics beside the matter codes: legal aid itself, and enforcing a judgment.
EXTRA_TOPICS = {"legal_aid", "enforcement"}
TOPIC_NAMES = sorted(MATTER_CODES | EXTRA_TOPICS)


def topic_of(name: str) -> str | None:
    """The topic an intent or response belongs to: `matter_divorce`, `question_divorce_property`,
    `utter_answer_divorce_where` → divorce; `question_enforce_judgment` → enforcement."""
    for prefix in ("matter_", "question_", "utter_answer_"):
        if name.startswith(prefix):
            rest = name[len(prefix):]
            if rest == "enforce_judgment":
                return "enforcement"
            for topic in sorted(TOPIC_NAMES, key=len, reverse=True):
                if rest == topic or rest.startswith(topic + "_"):
                    return topic
    return None


def test_plain_reading_gives_rasas_merged_responses():
    responses = rasa_merged_domain()["responses"]
    assert merged_responses() == responses
    assert len(responses) >= 180


@pytest.mark.parametrize("topic", TOPIC_NAMES)
def test_every_topic_has_its_home(topic):
    home = TOPICS / topic
    assert (home / "nlu.yml").is_file() and (home / "answers.yml").is_file()
    answers = _load(home / "answers.yml")
    assert answers.get("rules") and answers.get("responses")


def _homes_of(kind: str) -> list[tuple[str, Path]]:
    """(name, file) for every intent example block, rule intent or response in the content."""
    found = []
    for path in data_files():
        content = _load(path)
        if kind == "nlu":
            found += [(item["intent"], path) for item in content.get("nlu") or [] if "intent" in item]
        elif kind == "rules":
            found += [(step["intent"], path) for rule in content.get("rules") or []
                      for step in rule["steps"] if "intent" in step]
    if kind == "responses":
        found = [(name, path) for path, responses in responses_by_file().items() for name in responses]
    return found


@pytest.mark.parametrize("kind,filename", [("nlu", "nlu.yml"), ("rules", "answers.yml"),
                                           ("responses", "answers.yml")])
def test_topic_content_lives_only_in_its_home(kind, filename):
    misplaced = [(name, str(path.relative_to(ROOT))) for name, path in _homes_of(kind)
                 if topic_of(name) and path != TOPICS / topic_of(name) / filename]
    assert misplaced == []


def test_domain_file_keeps_the_dialogue_skeleton_only():
    skeleton = domain()
    assert {"intents", "slots", "forms", "actions", "responses"} <= set(skeleton)
    assert [name for name in skeleton["responses"] if topic_of(name)] == []


def test_no_file_named_after_a_round_of_work():
    assert [p.name for p in data_files() if p.name.startswith(("extra", "more", "round"))] == []
