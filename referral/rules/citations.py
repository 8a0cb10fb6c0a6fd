"""Legal citations: find 《法名》第N条 in text and check each article exists in the statute texts.

Plain Python (PyYAML for quotes.yml). Article numbers are compared as the statute writes them
(第二十七条), so no numeral conversion can go wrong.

Checked, not trusted: `laws/quotes.yml` keeps, for every cited article, the article's own words
that back what the bot says with it (`quotes()`), and tests/legal/test_citation_quotes.py checks
that each quote is in that article (`quote_in_article()`, over `article_text()`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LAWS_DIR = Path(__file__).parent.parent / "laws"

_ARTICLES = r"(?P<articles>(?:[、，,和及与]?第[零〇一二三四五六七八九十百千]+条)+)"
_CITATION = re.compile(r"《(?P<law>[^》]+)》" + _ARTICLES)
_ARTICLE = re.compile(r"第[零〇一二三四五六七八九十百千]+条")
_HEADING = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条)", re.MULTILINE)
# where an article ends: the next article heading or a chapter/section heading (## 第二章 …)
_END_OF_ARTICLE = re.compile(r"^(?:第[零〇一二三四五六七八九十百千]+条|#)", re.MULTILINE)
_WHITESPACE = re.compile(r"\s+")
QUOTES_FILE = LAWS_DIR / "quotes.yml"

# Short names the answers use for texts whose full title cannot be written inside 《》 (it holds
# a 《》 of its own): the short name → the statute file's name.
ALIASES = {
    "民法典婚姻家庭编解释（一）": "最高人民法院关于适用《民法典》婚姻家庭编的解释（一）",
    "民事诉讼法解释": "最高人民法院关于适用《民事诉讼法》的解释",
    "人身损害赔偿解释": "最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释",
}


@dataclass(frozen=True)
class Citation:
    law: str
    article: str

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


def find_citations(text: str) -> list[Citation]:
    """Every article cited in ``text``: 「《劳动争议调解仲裁法》第二十七条、第五十三条」 gives two.

    A law written without book-title marks is found too when it is one of the statute texts
    (「法律援助法第四十三条」, as the eligibility decisions write it).
    """
    found = []
    for pattern in (_CITATION, _bare_citation()):
        for match in pattern.finditer(text):
            for article in _ARTICLE.findall(match.group("articles")):
                found.append(Citation(match.group("law"), article))
    return found


@cache
def _bare_citation() -> re.Pattern[str]:
    names = sorted({path.name.split("(")[0] for path in LAWS_DIR.glob("*(*).md")}, key=len, reverse=True)
    return re.compile(rf"(?<!《)(?P<law>{'|'.join(map(re.escape, names))})" + _ARTICLES)


@cache
def _statute(law: str) -> str:
    """The text of a law in LAWS_DIR (file `法名(日期).md`, or its alias); empty when the law is missing."""
    for path in LAWS_DIR.glob(f"{ALIASES.get(law, law)}(*).md"):
        return path.read_text(encoding="utf-8")
    return ""


@cache
def articles_of(law: str) -> frozenset[str]:
    """The article headings of a law in LAWS_DIR; empty when the law is missing."""
    return frozenset(_HEADING.findall(_statute(law)))


@cache
def article_text(law: str, article: str) -> str:
    """The text of one article (「第五十条 当事人对……」), from its heading up to the next article
    heading or chapter/section heading; empty when the law or the article is missing."""
    text = _statute(law)
    start = re.search(rf"^{re.escape(article)}(?=\s)", text, re.MULTILINE)
    if start is None:
        return ""
    end = _END_OF_ARTICLE.search(text, start.end())
    return text[start.start() : end.start() if end else len(text)].strip()


def without_whitespace(text: str) -> str:
    """``text`` with every space and line break removed: quotes are compared this way."""
    return _WHITESPACE.sub("", text)


def quote_in_article(quote: str, citation: Citation) -> bool:
    """Whether ``quote`` is verbatim in the cited article (ignoring whitespace and line breaks)."""
    words = without_whitespace(quote)
    return bool(words) and words in without_whitespace(article_text(citation.law, citation.article))


def quotes() -> dict[Citation, list[str]]:
    """The quotes of laws/quotes.yml, ``{law: {article: [quote, ...]}}``, by citation. The law is
    named as the answers cite it (an ALIASES short name too); a single quote may stand without a list."""
    data = yaml.safe_load(QUOTES_FILE.read_text(encoding="utf-8")) or {}
    found: dict[Citation, list[str]] = {}
    for law, articles in data.items():
        for article, words in (articles or {}).items():
            found[Citation(str(law), str(article))] = [words] if isinstance(words, str) else list(words or [])
    return found


def unknown_citations(text: str) -> list[Citation]:
    """Citations in ``text`` whose law is not in LAWS_DIR or whose article does not exist."""
    return [c for c in find_citations(text) if c.article not in articles_of(c.law)]
