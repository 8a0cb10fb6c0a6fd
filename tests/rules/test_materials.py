"""Each matter lists its own papers: the decision and the message after an application use them."""

from __future__ import annotations

import pytest

from referral.rules.eligibility import parse_screening, screen
from referral.rules.materials import CASE_PAPERS, case_papers, case_papers_text
from referral.rules.matters import MATTER_CODES


def test_every_matter_code_lists_its_papers():
    assert set(CASE_PAPERS) == MATTER_CODES
    assert all(papers and all(paper.strip() for paper in papers) for papers in CASE_PAPERS.values())


def test_an_unknown_or_missing_matter_gets_the_general_list():
    assert case_papers(None) == case_papers("nonsense") == CASE_PAPERS["other"]


@pytest.mark.parametrize(
    ("matter", "wanted", "unwanted"),
    [
        ("domestic_violence", "报警回执", "欠条"),
        ("labor_wage", "欠条", "结婚证"),
        ("divorce", "结婚证", "工资"),
        ("traffic_accident", "事故认定书", "欠条"),
    ],
)
def test_the_decision_lists_the_matters_own_papers(matter, wanted, unwanted):
    decision = screen(parse_screening({"matter": matter, "region": "镇雄县"}))
    papers = next(m for m in decision.materials if m.startswith("和这件事有关的材料"))
    assert wanted in papers and unwanted not in papers
    assert case_papers_text(matter) in papers
