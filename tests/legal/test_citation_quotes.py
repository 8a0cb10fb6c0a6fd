"""Checked, not trusted: every article the bot's answers or the eligibility engine cite carries the
article's own words that back the claim (referral/laws/quotes.yml), and each quote is checked
against the statute text, so a reviewer reads the law next to the answer and a wrong quote fails."""

from __future__ import annotations

from functools import cache

from referral.rules.citations import Citation, article_text, find_citations, quote_in_article, quotes
from tests.legal.test_citations import bot_texts, decision_texts


@cache
def cited() -> dict[Citation, frozenset[str]]:
    """Every cited article → where it is cited (response names; "eligibility engine" for decisions)."""
    where: dict[Citation, set[str]] = {}
    sources = [*bot_texts(), *(("eligibility engine", text) for text in decision_texts())]
    for name, text in sources:
        for citation in find_citations(text):
            where.setdefault(citation, set()).add(name)
    return {citation: frozenset(names) for citation, names in where.items()}


def misquoted(quoted: dict[Citation, list[str]]) -> list[tuple[str, str]]:
    """(citation, quote) for every quote that is not word for word in its article."""
    return [(str(c), quote) for c, found in quoted.items() for quote in found if not quote_in_article(quote, c)]


def test_every_cited_article_has_a_quote():
    quoted = quotes()
    assert len(cited()) >= 200  # the answers' and the decisions' citations are found at all
    missing = {str(c): sorted(where) for c, where in cited().items() if not quoted.get(c)}
    assert missing == {}, "add the article's words that back these answers to referral/laws/quotes.yml"


def test_every_quote_is_in_its_article():
    assert misquoted(quotes()) == []


def test_no_quote_for_an_article_nothing_cites():
    stale = sorted(str(c) for c in quotes().keys() - cited().keys())
    assert stale == [], "remove these articles from referral/laws/quotes.yml (or fix the law's name)"


def test_quotes_are_short_and_not_repeated():
    for citation, found in quotes().items():
        assert len(found) == len(set(found)), citation
        for quote in found:
            assert 4 <= len(quote) <= 80, (str(citation), quote)


def test_a_wrong_quote_is_caught():
    free = Citation("劳动争议调解仲裁法", "第五十三条")  # 劳动争议仲裁不收费
    one_year = Citation("劳动争议调解仲裁法", "第二十七条")  # 仲裁时效期间为一年
    assert misquoted({free: quotes()[free]}) == []
    # a quote taken from another article, an altered number, the next article's words, another law
    wrong = {
        one_year: quotes()[free],
        Citation("劳动争议调解仲裁法", "第四十八条"): ["可以自收到仲裁裁决书之日起三十日内向人民法院提起诉讼"],
        Citation("劳动争议调解仲裁法", "第五十条"): quotes()[Citation("劳动争议调解仲裁法", "第五十一条")],
        Citation("法律援助法", "第五十三条"): quotes()[free],
        Citation("法律援助法", "第九十九条"): ["法律援助"],
        Citation("不存在的法", "第一条"): ["法律援助"],
    }
    assert len(misquoted(wrong)) == sum(len(found) for found in wrong.values())


def test_a_quote_may_leave_out_line_breaks_but_not_change_a_character():
    items = Citation("法律援助法", "第三十一条")  # its items stand on lines of their own
    assert quote_in_article("（一）依法请求国家赔偿；\n（二）请求给予社会保险待遇或者社会救助", items)
    assert quote_in_article("（一）依法请求国家赔偿；（二）请求给予社会保险待遇或者社会救助", items)
    assert not quote_in_article("（一）依法请求国家赔偿，（二）请求给予社会保险待遇或者社会救助", items)
    assert not quote_in_article("", items)


def test_article_text_runs_to_the_next_heading():
    text = article_text("劳动争议调解仲裁法", "第五十条")
    assert text.startswith("第五十条 ") and text.endswith("裁决书发生法律效力。")
    # the last article of a chapter stops before the next chapter's heading
    assert article_text("法律援助法", "第十一条").endswith("给予表彰、奖励。")
    assert "第二章" not in article_text("法律援助法", "第十一条")
    # the short name of the interpretation is read from its file
    assert article_text("民法典婚姻家庭编解释（一）", "第八十八条").startswith("第八十八条")
    assert article_text("法律援助法", "第九十九条") == article_text("不存在的法", "第一条") == ""
