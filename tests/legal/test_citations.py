"""No answer invents an article: every 《法名》第N条 the bot says exists in the statute texts."""

from __future__ import annotations

import pytest

from referral.rules.citations import Citation, articles_of, find_citations, unknown_citations
from referral.rules.matters import MATTER_CODES
from tests.support.content import response_texts, rules


def bot_texts() -> list[tuple[str, str]]:
    """Every text the bot can send: the domain's and every topic's responses (data/topics/)."""
    return response_texts()


def test_bot_answers_cite_only_existing_articles():
    texts = bot_texts()
    cited = [c for _, text in texts for c in find_citations(text)]
    assert len(cited) >= 10  # the parser finds the answers' citations at all
    bad = {name: unknown_citations(text) for name, text in texts if unknown_citations(text)}
    assert bad == {}


def test_legal_answers_end_with_the_general_information_note():
    answers = [(name, text) for name, text in bot_texts() if name.startswith("utter_answer_")]
    assert len(answers) >= 70  # one per matter code and per follow-up question
    for name, text in answers:
        if name != "utter_answer_other":  # asks what happened; gives no legal information
            assert text.rstrip().endswith("（以上是一般法律知识，您的具体情况请以法律援助工作人员的意见为准。）"), name


def test_answers_fit_in_one_wechat_message():
    """A WeChat passive reply holds about 2 KB: an answer must fit in one (UTF-8, 3 bytes a character)."""
    for name, text in bot_texts():
        if name.startswith("utter_answer_"):
            assert len(text.encode("utf-8")) <= 2000, (name, len(text))


def test_every_matter_answer_gives_its_legal_basis_and_is_followed_by_the_offer_to_check():
    texts = dict(bot_texts())
    assert "我能申请法律援助吗" in texts["utter_offer_help"]
    openings = [rule["steps"][:3] for rule in rules()]
    for code in MATTER_CODES - {"other"}:
        text = texts[f"utter_answer_{code}"]
        assert "法律依据：" in text and find_citations(text), code
        assert "我能申请法律援助吗" not in text, code  # the offer is its own response, not sent inside forms
        # the action sends the matter's answer and then the offer (tests/actions/test_followups.py)
        answer = [{"intent": f"matter_{code}"}, {"action": "action_answer_legal_question"}]
        assert answer in openings, code


def test_find_citations_reads_lists_of_articles():
    text = "法律依据：《劳动争议调解仲裁法》第二十七条、第五十三条；《法律援助法》第四十二条。"
    assert find_citations(text) == [
        Citation("劳动争议调解仲裁法", "第二十七条"),
        Citation("劳动争议调解仲裁法", "第五十三条"),
        Citation("法律援助法", "第四十二条"),
    ]


@pytest.mark.parametrize(
    "text",
    ["《法律援助法》第九十九条", "《劳动法》第一条", "《反家庭暴力法》第三十九条"],
)
def test_unknown_citations_are_caught(text):
    assert unknown_citations(text) == find_citations(text) != []


def test_statute_texts_are_parsed():
    assert len(articles_of("法律援助法")) == 71
    assert "第四十三条" in articles_of("法律援助法")


def decision_texts() -> list[str]:
    """Every sentence the eligibility engine can say, over a grid of cases (each matter, status,
    Art. 25 circumstance, lawyer, income and urgency)."""
    from referral.rules.eligibility import CRIMINAL_FLAGS, STATUSES, parse_screening, role_for, screen

    texts = []
    for matter in sorted(MATTER_CODES):
        cases = [{}, {"household_monthly_income": 9000, "household_size": 1}, {"household_monthly_income": 800},
                 {"has_lawyer": True}, {"days_to_deadline": 2}]
        cases += [{"statuses": [status]} for status in sorted(STATUSES)]
        if matter == "criminal_defense":
            cases += [{"criminal_flags": [flag]} for flag in sorted(CRIMINAL_FLAGS)]
        for case in cases:
            decision = screen(parse_screening({"matter": matter, "role": role_for(matter), **case}))
            texts += [*decision.legal_basis, *decision.reasons, *decision.materials, *decision.alternatives]
    return texts


def test_eligibility_decisions_cite_only_existing_articles():
    texts = decision_texts()
    cited = [c for text in texts for c in find_citations(text)]
    assert len({c.article for c in cited}) >= 10  # the decisions' citations are found at all
    assert [c for text in set(texts) for c in unknown_citations(text)] == []


def test_laws_the_answers_cite_are_parsed():
    assert "第二十三条" in articles_of("行政复议法") and "第四十五条" in articles_of("行政诉讼法")
    assert "第三十九条" in articles_of("国家赔偿法") and "第四十五条" in articles_of("产品质量法")
    assert "第一百七十九条" in articles_of("公安机关办理刑事案件程序规定")
    assert "第一百四十八条" in articles_of("食品安全法")
    # the interpretation is cited by its short name (its full title holds a 《民法典》 of its own)
    assert {"第四十九条", "第八十八条", "第八十九条"} <= articles_of("民法典婚姻家庭编解释（一）")
    assert unknown_citations("《民法典婚姻家庭编解释（一）》第八十八条、第八十九条") == []
    assert unknown_citations("《民法典婚姻家庭编解释（一）》第九十九条") != []


def test_citations_without_book_title_marks_are_found():
    assert find_citations("（法律援助法第六十四条）") == [Citation("法律援助法", "第六十四条")]
    assert unknown_citations("法律援助法第九十九条") == [Citation("法律援助法", "第九十九条")]
