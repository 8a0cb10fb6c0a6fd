"""Which matter an intent names, and which matter an account is about (bot/matters.py)."""

from __future__ import annotations

import pytest

from bot.application_request import asks_to_apply
from bot.matters import MIN_ACCOUNT_CHARS, account_length, matter_code, matter_of_account, matter_shares


@pytest.mark.parametrize(("intent", "code"), [
    ("matter_labor_wage", "labor_wage"), ("question_labor_wage_where_complain", "labor_wage"),
    ("matter_other", "other"), ("question_legal_aid_cost", None), ("inform", None), ("matter_unknown", None),
])
def test_matter_code(intent, code):
    assert matter_code(intent) == code


def test_account_length_counts_words_not_spaces_punctuation_or_emoji():
    assert account_length("老板 欠我，工资！！😭") == 6
    assert account_length(None) == 0


def test_shares_add_a_matters_follow_up_questions_and_ignore_other_intents():
    shares = matter_shares([{"name": "inform", "confidence": 0.5}, {"name": "matter_work_injury", "confidence": 0.2},
                            {"name": "question_work_injury_commute", "confidence": 0.1},
                            {"name": "matter_traffic_accident", "confidence": 0.2}])
    assert shares == pytest.approx({"work_injury": 0.6, "traffic_accident": 0.4})


def test_an_account_needs_enough_words_and_a_leading_matter():
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "matter_debt_loan", "confidence": 0.4}]
    assert matter_of_account("借了五千", ranking) is None
    assert matter_of_account("去年借给邻居五千块钱写了欠条现在他不认账了", ranking) == ("debt_loan", 1.0)
    assert matter_of_account("去年借给邻居五千块钱写了欠条现在他不认账了", [{"name": "inform", "confidence": 1}]) == (
        "other", 0.0)
    assert len("没有请律师") < MIN_ACCOUNT_CHARS


@pytest.mark.parametrize(("text", "asks"), [
    ("老公经常打我 上个月把我肋骨都打断了 我想申请法律援助帮我离婚", True),
    ("老板欠我工资三个月了我要申请法律援助", True),
    ("帮我申请法援", True),
    ("我能申请法律援助吗", False),
    ("怎么申请法律援助", False),
    ("申请法律援助要带什么", False),
    ("可以帮我申请法律援助吗", False),
    ("想申请法律援助不知道行不行", False),
    ("他说要申请仲裁", False),
])
def test_asks_to_apply(text, asks):
    assert asks_to_apply(text) is asks
