"""Legal citations: find 《法名》第N条 in text and check each article exists in the statute texts.

Plain Python, no dependencies. Article numbers are compared as the statute writes them
(第二十七条), so no numeral conversion can go wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LAWS_DIR = Path(__file__).parent.parent / "laws"

_ARTICLES = r"(?P<articles>(?:[、，,和及与]?第[零〇一二三四五六七八九十百千]+条)+)"
_CITATION = re.compile(r"《(?P<law>[^》]+)》" + _ARTICLES)
_ARTICLE = re.compile(r"第[零〇一二三四五六七八九十百千]+条")
_HEADING = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条)", re.MULTILINE)

# Short names the answers use for texts whose full title cannot be written inside 《》 (it holds
# a 《》 of its own): the short name → the statute file's name.
ALIASES = {"民法典婚姻家庭编解释（一）": "最高人民法院关于适用《民法典》婚姻家庭编的解释（一）"}


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
def articles_of(law: str) -> frozenset[str]:
    """The article headings of a law in LAWS_DIR (file `法名(日期).md`); empty when the law is missing."""
    for path in LAWS_DIR.glob(f"{ALIASES.get(law, law)}(*).md"):
        return frozenset(_HEADING.findall(path.read_text(encoding="utf-8")))
    return frozenset()


def unknown_citations(text: str) -> list[Citation]:
    """Citations in ``text`` whose law is not in LAWS_DIR or whose article does not exist."""
    return [c for c in find_citations(text) if c.article not in articles_of(c.law)]
