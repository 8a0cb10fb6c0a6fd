"""Rules the texts state, checked against the statute (issue 14, "Wrong rule: fix first").

法律援助法第二十五条第一款第五项 covers 「申请法律援助的死刑复核案件被告人」: the defendant (or a
close relative, Art. 40) must apply; only then must the court notify. No text may put
death-penalty review among the cases that need no application.
"""

from __future__ import annotations

import re

from referral.rules.citations import LAWS_DIR
from tests.legal.test_citations import bot_texts, decision_texts

NO_APPLICATION = re.compile(r"不用(?:自己)?申请|无需申请|不需要申请")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。\n]", text) if s.strip()]


def test_the_statute_says_death_review_needs_an_application():
    text = (LAWS_DIR / "法律援助法(2021-08-20).md").read_text(encoding="utf-8")
    assert "（五）申请法律援助的死刑复核案件被告人；" in text


def test_no_bot_text_says_death_review_needs_no_application():
    said = [(name, s) for name, text in bot_texts() for s in sentences(text) if "死刑复核" in s]
    assert len(said) >= 4  # the criminal-defence answers and the outcome text speak of it at all
    wrong = [(name, s) for name, s in said if NO_APPLICATION.search(s)]
    assert wrong == []


def test_mandatory_notification_outcome_names_the_exception():
    texts = dict(bot_texts())
    outcome = texts["utter_outcome_mandatory_notification"]
    assert "死刑复核" in outcome and "先提出申请" in outcome


def test_no_decision_says_death_review_needs_no_application():
    said = [s for text in set(decision_texts()) for s in sentences(text) if "死刑复核" in s]
    assert said  # the engine speaks of it at all
    assert [s for s in said if NO_APPLICATION.search(s)] == []


# Art. 43: the decision comes 7 days after a *complete* application; the Ministry of Justice's
# procedure rules count working days. Every text that states the decision period says the same.
DECISION_PERIOD = re.compile(r"(?:7|七)(?:个工作)?日内(?:进行审查，)?(?:决定|作出)|(?:7|七)个工作日内")


def test_the_decision_period_is_said_the_same_true_way_everywhere():
    """The bot's texts and the engine's; the status text's exact words: tests/referral/test_status_api.py."""
    texts = [*bot_texts(), *(("decision", t) for t in decision_texts())]
    said = [(name, s) for name, text in texts for s in sentences(text) if DECISION_PERIOD.search(s)]
    assert {"utter_referral_created", "utter_answer_legal_aid_processing_time", "decision"} <= {
        name for name, _ in said}
    for name, sentence in said:
        assert "7个工作日内" in sentence and "齐全" in sentence, (name, sentence)
