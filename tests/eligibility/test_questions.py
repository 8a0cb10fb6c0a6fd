"""The pre-screen asks only what the engine still needs (referral.rules.eligibility.questions_needed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral.rules.eligibility import (
    CRIMINAL_FLAGS,
    STATUSES,
    case_from_answers,
    parse_screening,
    questions_needed,
    screen,
)
from referral.rules.matters import MATTER_CODES

NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, ["matter"]),
        # criminal defence: the Art. 25 circumstances come first
        ({"matter": "criminal_defense"}, ["matter", "criminal_flags", "has_lawyer", "statuses", "deadline"]),
        ({"matter": "criminal_defense", "criminal_flags": {"minor"}, "has_lawyer": False},
         ["matter", "criminal_flags", "has_lawyer"]),
        # a lawyer already: nothing else changes the answer
        ({"matter": "labor_wage", "has_lawyer": True}, ["matter", "has_lawyer"]),
        # registered poverty household: the certificate, never the income
        ({"matter": "debt_loan", "has_lawyer": False, "statuses": {"poverty_registered"}},
         ["matter", "has_lawyer", "statuses", "poverty_certificate", "deadline"]),
        # exempt statuses skip the income questions
        ({"matter": "labor_wage", "has_lawyer": False, "statuses": {"migrant_worker"}},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        ({"matter": "traffic_accident", "has_lawyer": False, "statuses": {"dibao"}},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        # a migrant worker is exempt for wages and work injury only
        ({"matter": "traffic_accident", "has_lawyer": False, "statuses": {"migrant_worker"}},
         ["matter", "has_lawyer", "statuses", "household_monthly_income", "household_size", "deadline"]),
        # violence: no economic condition (Art. 32)
        ({"matter": "domestic_violence", "has_lawyer": False, "statuses": NONE},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        # own-income matters ask the applicant's own income, not the household size
        ({"matter": "support_payment", "has_lawyer": False, "statuses": NONE},
         ["matter", "has_lawyer", "statuses", "household_monthly_income", "deadline"]),
        # out of scope whatever the income
        ({"matter": "divorce", "has_lawyer": False, "statuses": NONE}, ["matter", "has_lawyer", "statuses"]),
        # income first; the household size only when the total is over the per-person line
        ({"matter": "labor_wage", "has_lawyer": False, "statuses": NONE, "household_monthly_income": 1200},
         ["matter", "has_lawyer", "statuses", "household_monthly_income", "deadline"]),
        ({"matter": "labor_wage", "has_lawyer": False, "statuses": NONE, "household_monthly_income": 3000},
         ["matter", "has_lawyer", "statuses", "household_monthly_income", "household_size", "deadline"]),
        # income not told: the size cannot help
        ({"matter": "labor_wage", "has_lawyer": False, "statuses": NONE, "household_monthly_income": None},
         ["matter", "has_lawyer", "statuses", "household_monthly_income", "deadline"]),
        # Art. 32: a related claim needs no income; an unrelated status on an out-of-scope matter goes to staff
        ({"matter": "divorce", "has_lawyer": False, "statuses": {"abuse_victim"}},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        ({"matter": "debt_loan", "has_lawyer": False, "statuses": {"martyr_relative"}},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        # rule 6: any Art. 32 status of a claimant or victim skips the income, whatever the matter
        ({"matter": "contract", "has_lawyer": False, "statuses": {"good_samaritan"}},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        ({"matter": "criminal_victim", "has_lawyer": False, "statuses": {"abuse_victim"}},
         ["matter", "has_lawyer", "statuses", "deadline"]),
        # ... but not a suspect's (Art. 24 means test)
        ({"matter": "criminal_defense", "criminal_flags": NONE, "has_lawyer": False, "statuses": {"good_samaritan"}},
         ["matter", "criminal_flags", "has_lawyer", "statuses", "household_monthly_income", "household_size",
          "deadline"]),
        # administrative claims (Art. 31(1)-(3)) go to staff: the means still count
        ({"matter": "administrative", "has_lawyer": False, "statuses": NONE},
         ["matter", "has_lawyer", "statuses", "household_monthly_income", "household_size", "deadline"]),
    ],
)
def test_questions_needed(answers, expected):
    answers = {k: frozenset(v) if isinstance(v, set) else v for k, v in answers.items()}
    assert questions_needed(answers) == expected


def test_skipped_questions_cannot_change_the_outcome():
    """Whatever the unasked income, the decision for an exempt status is the same."""
    answers = {"matter": "labor_wage", "has_lawyer": False, "statuses": frozenset({"dibao"}), "deadline": {}}
    assert "household_monthly_income" not in questions_needed(answers)
    outcomes = {
        screen(parse_screening({**case_from_answers(answers), "household_size": 1,
                                "household_monthly_income": income})).outcome
        for income in (0, 1500, 99999)
    }
    assert outcomes == {screen(parse_screening(case_from_answers(answers))).outcome}


def test_case_from_answers_fills_the_contract():
    case = case_from_answers({"matter": "criminal_defense", "criminal_flags": frozenset({"minor"}),
                              "deadline": {"days": 2, "preservation": False}})
    decision = screen(parse_screening(case))
    assert case["role"] == "criminal_suspect" and case["days_to_deadline"] == 2
    assert decision.outcome == "mandatory_notification"


def test_region_is_asked_only_where_the_threshold_differs(tmp_path):
    from pathlib import Path

    from referral.rules.city import load_city_config

    sample = Path("referral/city.yaml").read_text(encoding="utf-8")
    assert "regions: \"*\"" in sample
    differing = sample.replace(
        "hardship_thresholds:\n",
        "hardship_thresholds:\n  - regions: [昭阳区]\n    kind: per_capita_monthly_income\n    amount: 1900\n"
        "    effective_from: 2024-01-01\n    source: test\n",
    )
    path = tmp_path / "city.yaml"
    path.write_text(differing, encoding="utf-8")
    config = load_city_config(path)
    answers = {"matter": "labor_wage", "has_lawyer": False, "statuses": NONE}
    assert "region" in questions_needed(answers, config)
    assert "region" not in questions_needed({**answers, "region": "昭阳区"}, config)
    assert "region" not in questions_needed(answers)  # the sample city: one threshold everywhere


answers_strategy = st.fixed_dictionaries({
    "matter": st.sampled_from(sorted(MATTER_CODES)),
    "criminal_flags": st.frozensets(st.sampled_from(sorted(CRIMINAL_FLAGS)), max_size=2),
    "has_lawyer": st.booleans(),
    "statuses": st.frozensets(st.sampled_from(sorted(STATUSES)), max_size=3),
    "poverty_certificate": st.just("5306271234"),
    "household_size": st.one_of(st.none(), st.integers(1, 10)),
    "household_monthly_income": st.one_of(st.none(), st.floats(0, 20_000, allow_nan=False)),
    "deadline": st.fixed_dictionaries({"days": st.one_of(st.none(), st.integers(0, 60)),
                                       "preservation": st.booleans()}),
})


@settings(max_examples=500, deadline=None)
@given(answers_strategy)
def test_asking_only_what_is_needed_never_changes_the_decision(full):
    """Simulate the conversation: ask the next needed question, answer it from the full case."""
    asked: dict = {}
    while (question := next((q for q in questions_needed(asked) if q not in asked), None)) is not None:
        asked[question] = full.get(question)
    by_conversation = screen(parse_screening(case_from_answers(asked)))
    with_everything = screen(parse_screening(case_from_answers(full)))
    assert by_conversation.outcome == with_everything.outcome
    if by_conversation.outcome not in ("not_eligible", "out_of_scope", "mandatory_notification"):
        assert by_conversation.priority == with_everything.priority


def test_a_deadline_said_to_be_close_without_a_day_is_urgent():
    case = case_from_answers({"matter": "labor_wage", "statuses": frozenset({"migrant_worker"}),
                              "deadline": {"days": None, "preservation": False, "soon": True}})
    assert case["days_to_deadline"] is None and case["deadline_soon"] is True
    decision = screen(parse_screening(case))
    assert decision.priority == "urgent" and decision.outcome == "eligible"
    calm = screen(parse_screening({**case, "deadline_soon": False}))
    assert calm.priority == "normal"
