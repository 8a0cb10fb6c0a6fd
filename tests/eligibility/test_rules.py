"""The eligibility rules (shared/domain/eligibility.md): one case per rule and outcome, the
threshold boundary, and properties that must hold for every case."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral.rules.city import city_config
from referral.rules.eligibility import (
    CRIMINAL_FLAGS,
    EXEMPT_STATUSES,
    OUTCOME_RANK,
    ROLES,
    STATUSES,
    ScreeningInputError,
    parse_screening,
    screen,
)
from referral.rules.matters import MATTER_CODES


def decide(**case):
    return screen(parse_screening(case))


TABLE = [
    # (case, outcome, hardship_check, priority, an article that must be cited)
    ({"matter": "labor_wage", "household_size": 4, "household_monthly_income": 4000},
     "eligible", "passed", "normal", "法律援助法第三十一条"),
    ({"matter": "labor_wage", "household_size": 2, "household_monthly_income": 6000},
     "not_eligible", "failed", "normal", "法律援助法第三十四条"),
    ({"matter": "labor_wage"}, "likely_eligible", "pending", "normal", "法律援助法第四十一条"),
    ({"matter": "labor_wage", "statuses": ["migrant_worker"], "household_size": 1, "household_monthly_income": 9000},
     "eligible", "exempt", "normal", "法律援助法第四十二条"),
    ({"matter": "traffic_accident", "statuses": ["dibao"]}, "eligible", "exempt", "normal", "法律援助法第四十二条"),
    ({"matter": "divorce", "statuses": ["poverty_registered"]}, "fast_track", "exempt", "fast_track",
     "法律援助法第四十三条"),
    ({"matter": "domestic_violence", "household_size": 1, "household_monthly_income": 50000},
     "eligible", "not_required", "normal", "法律援助法第三十二条"),
    ({"matter": "state_compensation", "statuses": ["retrial_acquitted"]}, "eligible", "not_required", "normal",
     "法律援助法第三十二条"),
    # Art. 32 lifts the condition for the related claim: plainly related pairs decide, others go to staff
    ({"matter": "divorce", "statuses": ["abuse_victim"]}, "eligible", "not_required", "normal", "法律援助法第三十二条"),
    ({"matter": "contract", "statuses": ["good_samaritan"]}, "likely_eligible", "pending", "normal",
     "法律援助法第三十二条"),
    ({"matter": "traffic_accident", "statuses": ["good_samaritan"], "household_size": 1,
      "household_monthly_income": 9000}, "likely_eligible", "pending", "normal", "法律援助法第三十二条"),
    ({"matter": "traffic_accident", "statuses": ["good_samaritan"], "household_size": 4,
      "household_monthly_income": 2000}, "eligible", "passed", "normal", "法律援助法第三十四条"),
    # income at or under the line passes even when the household size is not told
    ({"matter": "labor_wage", "household_monthly_income": 1200}, "eligible", "passed", "normal",
     "法律援助法第三十四条"),
    ({"matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["minor"]},
     "mandatory_notification", "not_required", "normal", "法律援助法第二十五条"),
    ({"matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["compulsory_medical"]},
     "mandatory_notification", "not_required", "normal", "法律援助法第二十八条"),
    ({"matter": "criminal_defense", "role": "criminal_suspect", "household_size": 3, "household_monthly_income": 2000},
     "eligible", "passed", "normal", "法律援助法第二十四条"),
    # Art. 24 "or other reasons": over the line is not a "no" for a suspect; the duty lawyer is offered
    ({"matter": "criminal_defense", "role": "criminal_suspect", "household_size": 1, "household_monthly_income": 9000},
     "likely_eligible", "failed", "normal", "法律援助法第三十条"),
    ({"matter": "criminal_victim", "role": "criminal_victim"}, "likely_eligible", "pending", "normal",
     "法律援助法第二十九条"),
    ({"matter": "retrial", "role": "retrial_applicant", "household_size": 1, "household_monthly_income": 1000},
     "eligible", "passed", "normal", "法律援助法第三十三条"),
    ({"matter": "labor_wage", "has_lawyer": True}, "not_eligible", "not_required", "normal", "法律援助法第三十一条"),
    ({"matter": "debt_loan", "household_size": 1, "household_monthly_income": 100}, "out_of_scope", "not_required",
     "normal", "法律援助法第四十九条"),
    ({"matter": "labor_wage", "days_to_deadline": 3}, "likely_eligible", "pending", "urgent", "法律援助法第四十四条"),
    ({"matter": "work_injury", "needs_preservation": True, "statuses": ["poverty_registered"]}, "fast_track", "exempt",
     "fast_track", "法律援助法第四十四条"),
    ({"matter": "other"}, "likely_eligible", "pending", "normal", "法律援助法第二十二条"),
]


@pytest.mark.parametrize(("case", "outcome", "hardship", "priority", "article"), TABLE)
def test_rule_table(case, outcome, hardship, priority, article):
    decision = decide(**case)
    assert (decision.outcome, decision.hardship_check, decision.priority) == (outcome, hardship, priority)
    assert article in decision.legal_basis
    assert decision.reasons and decision.materials
    assert bool(decision.alternatives) == (outcome in {"not_eligible", "out_of_scope", "likely_eligible"})


@pytest.mark.parametrize(("income", "hardship"), [(5999, "passed"), (6000, "passed"), (6001, "failed")])
def test_threshold_boundary_is_inclusive(income, hardship):
    # sample threshold 1,500 yuan per person per month, 4 people
    assert decide(matter="labor_wage", household_size=4, household_monthly_income=income).hardship_check == hardship


def test_support_claims_count_own_income_only():
    decision = decide(matter="support_payment", household_size=5, household_monthly_income=3000)
    assert decision.hardship_check == "failed"  # 3,000 of her own, not 600 per head


def test_threshold_follows_the_application_date():
    config = city_config()
    assert config.hardship_threshold("镇雄县", dt.date(2023, 12, 31)) is None
    assert decide(matter="labor_wage", household_size=1, household_monthly_income=100,
                  application_date="2023-06-01").hardship_check == "pending"


@pytest.mark.parametrize(
    ("case", "field"),
    [({"matter": "wages"}, "matter"), ({"matter": "labor_wage", "role": "boss"}, "role"),
     ({"matter": "labor_wage", "household_size": 0}, "household_size"),
     ({"matter": "labor_wage", "household_monthly_income": -1}, "household_monthly_income"),
     ({"matter": "labor_wage", "statuses": ["rich"]}, "statuses"),
     ({"matter": "labor_wage", "region": "北京"}, "region"),
     ({"matter": "labor_wage", "has_lawyer": "no"}, "has_lawyer"),
     ({"matter": "labor_wage", "income": 5}, "income")],
)
def test_bad_input_names_the_field(case, field):
    with pytest.raises(ScreeningInputError) as info:
        parse_screening(case)
    assert info.value.field == field


def test_command_line_contract():
    run = subprocess.run([sys.executable, "-m", "referral.rules.eligibility"], input=json.dumps(
        {"matter": "labor_wage", "statuses": ["migrant_worker"]}), capture_output=True, text=True, check=False)
    assert run.returncode == 0 and json.loads(run.stdout)["outcome"] == "eligible"
    bad = subprocess.run([sys.executable, "-m", "referral.rules.eligibility"], input='{"matter": 3}',
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "matter" in bad.stderr


cases = st.fixed_dictionaries(
    {"matter": st.sampled_from(sorted(MATTER_CODES)), "role": st.sampled_from(sorted(ROLES))},
    optional={
        "household_size": st.integers(1, 12),
        "household_monthly_income": st.floats(0, 100_000, allow_nan=False),
        "statuses": st.lists(st.sampled_from(sorted(STATUSES)), max_size=3, unique=True),
        "criminal_flags": st.lists(st.sampled_from(sorted(CRIMINAL_FLAGS)), max_size=2, unique=True),
        "days_to_deadline": st.integers(0, 400),
        "needs_preservation": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None)
@given(cases, st.floats(0, 50_000, allow_nan=False))
def test_more_income_never_helps(case, extra):
    if case.get("household_monthly_income") is None:
        return
    poorer = decide(**case)
    richer = decide(**{**case, "household_monthly_income": case["household_monthly_income"] + extra})
    assert OUTCOME_RANK[richer.outcome] <= OUTCOME_RANK[poorer.outcome]


@settings(max_examples=300, deadline=None)
@given(cases, st.sampled_from(sorted(EXEMPT_STATUSES | {"abuse_victim", "martyr_relative", "good_samaritan"})))
def test_exempt_and_no_condition_statuses_never_fail(case, status):
    decision = decide(**{**case, "statuses": sorted(set(case.get("statuses", [])) | {status})})
    assert decision.hardship_check != "failed"


@settings(max_examples=300, deadline=None)
@given(cases)
def test_fast_track_wins_for_civil_and_administrative(case):
    if case["matter"] in {"criminal_defense", "criminal_victim"} or case["role"] in {"criminal_suspect",
                                                                                  "criminal_victim"}:
        return
    decision = decide(**{**case, "has_lawyer": False,
                         "statuses": sorted(set(case.get("statuses", [])) | {"poverty_registered"})})
    assert decision.outcome == "fast_track" and decision.priority == "fast_track"


def test_every_cited_article_exists():
    from referral.rules.citations import articles_of

    articles = articles_of("法律援助法")
    for case, *_ in TABLE:
        decision = decide(**case)
        texts = decision.reasons + decision.materials + decision.alternatives
        cited = set(decision.legal_basis) | {
            "法律援助法" + m for t in texts for m in re.findall(r"法律援助法((?:第[一二三四五六七八九十百]+条)+)", t)
        }
        for basis in cited:
            for article in re.findall(r"第[一二三四五六七八九十百]+条", basis):
                assert article in articles, (case, basis)
