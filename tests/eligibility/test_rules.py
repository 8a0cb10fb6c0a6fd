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
    NO_CONDITION_STATUSES,
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
    # Rule 6 (Art. 32): the status means the claim arises from it; a claimant needs no hardship check
    # whatever the matter code, and staff verify the link (issue 14, item 6: these three rows said
    # likely_eligible/pending or passed the means test before)
    ({"matter": "divorce", "statuses": ["abuse_victim"]}, "eligible", "not_required", "normal", "法律援助法第三十二条"),
    ({"matter": "contract", "statuses": ["good_samaritan"]}, "eligible", "not_required", "normal",
     "法律援助法第三十二条"),
    ({"matter": "traffic_accident", "statuses": ["good_samaritan"], "household_size": 1,
      "household_monthly_income": 9000}, "eligible", "not_required", "normal", "法律援助法第三十二条"),
    ({"matter": "traffic_accident", "statuses": ["good_samaritan"], "household_size": 4,
      "household_monthly_income": 2000}, "eligible", "not_required", "normal", "法律援助法第三十二条"),
    ({"matter": "other", "statuses": ["martyr_relative"]}, "eligible", "not_required", "normal",
     "法律援助法第三十二条"),
    ({"matter": "criminal_victim", "role": "criminal_victim", "statuses": ["abuse_victim"], "household_size": 1,
      "household_monthly_income": 9000}, "eligible", "not_required", "normal", "法律援助法第三十二条"),
    # ... but never for a suspect (Art. 24 applies) or the other side (item 5: role respondent)
    ({"matter": "criminal_defense", "role": "criminal_suspect", "statuses": ["good_samaritan"], "household_size": 1,
      "household_monthly_income": 9000}, "likely_eligible", "failed", "normal", "法律援助法第二十四条"),
    ({"matter": "domestic_violence", "role": "respondent"}, "out_of_scope", "not_required", "normal",
     "法律援助法第三十一条"),
    ({"matter": "divorce", "role": "respondent", "statuses": ["abuse_victim"]}, "out_of_scope", "not_required",
     "normal", "法律援助法第三十一条"),
    ({"matter": "support_payment", "role": "respondent", "statuses": ["abuse_victim"],
      "household_monthly_income": 9000}, "not_eligible", "failed", "normal", "法律援助法第三十四条"),
    # Art. 31 names the claimant's requests: for a respondent staff decide, never a plain "eligible"
    ({"matter": "support_payment", "role": "respondent", "household_monthly_income": 800},
     "likely_eligible", "passed", "normal", "法律援助法第三十一条"),
    ({"matter": "labor_wage", "role": "respondent", "statuses": ["dibao"]}, "likely_eligible", "exempt", "normal",
     "法律援助法第四十二条"),
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
    # Rule 7 (Art. 33): aid only once a retrial is decided or a protest lodged; before that (or not
    # known) consultation and help to file, likely_eligible at best (issue 14, item 1: this row said eligible)
    ({"matter": "retrial", "role": "retrial_applicant", "household_size": 1, "household_monthly_income": 1000},
     "likely_eligible", "passed", "normal", "法律援助法第三十三条"),
    ({"matter": "retrial", "role": "retrial_applicant", "household_size": 1, "household_monthly_income": 1000,
      "retrial_decided": True}, "eligible", "passed", "normal", "法律援助法第三十三条"),
    ({"matter": "retrial", "role": "retrial_applicant", "statuses": ["dibao"]}, "likely_eligible", "exempt", "normal",
     "法律援助法第四十二条"),
    ({"matter": "retrial", "role": "retrial_applicant", "statuses": ["dibao"], "retrial_decided": True},
     "eligible", "exempt", "normal", "法律援助法第三十三条"),
    ({"matter": "retrial", "role": "retrial_applicant", "household_size": 1, "household_monthly_income": 9000},
     "not_eligible", "failed", "normal", "法律援助法第三十三条"),
    ({"matter": "retrial", "role": "respondent", "household_size": 1, "household_monthly_income": 1000,
      "retrial_decided": True}, "likely_eligible", "passed", "normal", "法律援助法第三十三条"),
    # Art. 25(1)(5): death-penalty review needs the defendant's application; then the court must notify
    ({"matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["death_review"]},
     "mandatory_notification", "not_required", "normal", "法律援助法第四十条"),
    # Art. 31 in part (item 5): the screening cannot tell the claim, staff decide the scope
    ({"matter": "labor_relation", "household_size": 4, "household_monthly_income": 4000},
     "likely_eligible", "passed", "normal", "法律援助法第三十一条"),
    ({"matter": "product_safety", "statuses": ["dibao"]}, "likely_eligible", "exempt", "normal",
     "法律援助法第三十一条"),
    ({"matter": "administrative", "household_size": 4, "household_monthly_income": 4000},
     "likely_eligible", "passed", "normal", "法律援助法第三十一条"),
    ({"matter": "administrative"}, "likely_eligible", "pending", "normal", "法律援助法第四十一条"),
    ({"matter": "administrative", "household_size": 1, "household_monthly_income": 9000},
     "not_eligible", "failed", "normal", "法律援助法第四十九条"),
    ({"matter": "labor_wage", "has_lawyer": True}, "not_eligible", "not_required", "normal", "法律援助法第三十一条"),
    ({"matter": "debt_loan", "household_size": 1, "household_monthly_income": 100}, "out_of_scope", "not_required",
     "normal", "法律援助法第四十九条"),
    ({"matter": "labor_wage", "days_to_deadline": 3}, "likely_eligible", "pending", "urgent", "法律援助法第四十四条"),
    ({"matter": "work_injury", "needs_preservation": True, "statuses": ["poverty_registered"]}, "fast_track", "exempt",
     "fast_track", "法律援助法第四十四条"),
    ({"matter": "other"}, "likely_eligible", "pending", "normal", "法律援助法第二十二条"),
    # item 4: the scope of `other` is for staff, whatever the means (these were "eligible")
    ({"matter": "other", "statuses": ["dibao"]}, "likely_eligible", "exempt", "normal", "法律援助法第四十二条"),
    ({"matter": "other", "household_size": 4, "household_monthly_income": 4000}, "likely_eligible", "passed",
     "normal", "法律援助法第三十四条"),
]


@pytest.mark.parametrize(("case", "outcome", "hardship", "priority", "article"), TABLE)
def test_rule_table(case, outcome, hardship, priority, article):
    decision = decide(**case)
    assert (decision.outcome, decision.hardship_check, decision.priority) == (outcome, hardship, priority)
    assert article in decision.legal_basis
    assert decision.reasons and decision.materials
    assert bool(decision.alternatives) == (outcome in {"not_eligible", "out_of_scope", "likely_eligible"})


def test_retrial_not_yet_decided_says_the_condition_and_the_time_limit():
    decision = decide(matter="retrial", role="retrial_applicant", statuses=["dibao"])
    text = "".join(decision.reasons)
    assert "法院已经决定再审" in text and "检察院已经提出抗诉" in text and "法律援助法第三十三条" in text
    assert "还没有决定的，先不能给法律援助" in text  # true whether or not it was decided: staff check the paper
    assert decision.outcome == "likely_eligible"  # never `eligible` before a decision is known
    assert "6个月" in text and "民事诉讼法第二百一十六条" in decision.legal_basis
    decided = decide(matter="retrial", role="retrial_applicant", statuses=["dibao"], retrial_decided=True)
    assert "6个月" not in "".join(decided.reasons)


@pytest.mark.parametrize("flags", [["death_review"], ["death_review", "possible_life_or_death"]])
def test_death_penalty_review_needs_an_application(flags):
    decision = decide(matter="criminal_defense", role="criminal_suspect", criminal_flags=flags)
    text = "".join(decision.reasons)
    assert "不用自己申请" not in text
    assert "要被告人自己提出法律援助申请" in text and "近亲属也可以代他申请" in text
    assert "不看经济条件" in text and "3日内" in text and "法律援助法第三十六条" in decision.legal_basis


@pytest.mark.parametrize("flags", [["minor"], ["possible_life_or_death"], ["minor", "death_review"]])
def test_other_art25_circumstances_need_no_application(flags):
    decision = decide(matter="criminal_defense", role="criminal_suspect", criminal_flags=flags)
    assert decision.outcome == "mandatory_notification"
    assert "不用自己申请" in "".join(decision.reasons)


def test_art32_reason_says_staff_verify_the_link():
    decision = decide(matter="debt_loan", statuses=["good_samaritan"])
    assert decision.outcome == "eligible" and "见义勇为" in decision.reasons[0] and "核实" in decision.reasons[0]


def test_respondent_is_told_why_staff_decide():
    decision = decide(matter="labor_wage", role="respondent", household_size=1, household_monthly_income=800)
    assert decision.outcome == "likely_eligible" and "被要求的一方" in decision.reasons[0]
    assert "这类事属于法律援助的范围" not in "".join(decision.reasons)


@pytest.mark.parametrize("matter", ["labor_relation", "product_safety", "administrative"])
def test_partial_scope_names_the_part_in_scope(matter):
    text = decide(matter=matter, statuses=["dibao"]).reasons[0]
    expected = {"labor_relation": ("确认劳动关系", "劳动报酬"), "product_safety": ("药品", "人身损害赔偿"),
                "administrative": ("国家赔偿", "抚恤金")}[matter]
    assert all(word in text for word in expected) and "由工作人员" in text


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
     ({"matter": "labor_wage", "income": 5}, "income"),
     ({"matter": "retrial", "retrial_decided": "yes"}, "retrial_decided")],
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
        "retrial_decided": st.booleans(),
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


def defendant_or_respondent(case) -> bool:
    return case["matter"] == "criminal_defense" or case["role"] in {"criminal_suspect", "respondent"}


@settings(max_examples=300, deadline=None)
@given(cases, st.sampled_from(sorted(EXEMPT_STATUSES)))
def test_exempt_statuses_never_fail(case, status):
    decision = decide(**{**case, "statuses": sorted(set(case.get("statuses", [])) | {status})})
    assert decision.hardship_check != "failed"


@settings(max_examples=300, deadline=None)
@given(cases, st.sampled_from(sorted(NO_CONDITION_STATUSES)))
def test_no_condition_statuses_never_fail_for_a_claimant(case, status):
    """Rule 6. (Before issue 14 this held for suspects and respondents too: Art. 32 is for neither.)"""
    case = {**case, "has_lawyer": False, "criminal_flags": [],
            "statuses": sorted(set(case.get("statuses", [])) | {status})}
    decision = decide(**case)
    if defendant_or_respondent(case):
        assert "法律援助法第三十二条" not in decision.legal_basis
    else:
        assert decision.outcome in {"eligible", "fast_track"} and decision.hardship_check != "failed"


@settings(max_examples=300, deadline=None)
@given(cases)
def test_staff_decide_the_scope_where_the_screening_cannot_tell_it(case):
    """Items 1, 4, 5: `other`, the matters Art. 31 covers in part, a respondent, and a retrial not
    known to be decided are never a plain "eligible" (Art. 32 claimants and the green channel aside)."""
    decision = decide(**case)
    statuses = set(case.get("statuses", []))
    if case["matter"] == "retrial" or case["role"] == "retrial_applicant":  # Art. 33, any kind of case
        unsure = not case.get("retrial_decided") or case["role"] == "respondent"
    else:
        unsure = case["matter"] in {"other", "labor_relation", "product_safety", "administrative"} or case[
            "role"] == "respondent"
    criminal = case["matter"] in {"criminal_defense", "criminal_victim"} or case["role"] in {"criminal_suspect",
                                                                                             "criminal_victim"}
    art32 = (statuses & NO_CONDITION_STATUSES or case["matter"] == "domestic_violence") and not \
        defendant_or_respondent(case)
    if unsure and not criminal and not art32 and "poverty_registered" not in statuses:
        assert decision.outcome != "eligible", decision.reasons


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
    from referral.rules.citations import articles_of, find_citations, unknown_citations

    articles = articles_of("法律援助法")
    for case, *_ in TABLE:
        decision = decide(**case)
        texts = decision.reasons + decision.materials + decision.alternatives
        cited = set(decision.legal_basis) | {
            "法律援助法" + m for t in texts for m in re.findall(r"法律援助法((?:第[一二三四五六七八九十百]+条)+)", t)
        }
        for basis in cited:
            if basis.startswith("法律援助法"):
                for article in re.findall(r"第[一二三四五六七八九十百]+条", basis):
                    assert article in articles, (case, basis)
            else:  # another statute (民事诉讼法 for the retrial time limit): in ../shared/laws too
                assert find_citations(basis) and not unknown_citations(basis), (case, basis)


def test_out_of_scope_reason_says_why_without_repeating_the_outcome():
    """The outcome's reply says 「这类事不在本地法律援助的范围内」; the reason must not say it again."""
    decision = decide(matter="housing_land")
    assert decision.outcome == "out_of_scope"
    text = "".join(decision.reasons)
    assert "不在本地法律援助的范围内" not in text and "第三十一条" in text and "免费咨询" in text
