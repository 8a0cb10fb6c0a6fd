"""Text as citizens type it, made plain before anything reads it.

Pure functions, no Rasa: the NLU normaliser component, the action server's answer parsers
and the tests all use them. Nothing here changes the meaning of a message: traditional
characters become simplified ones, full-width forms half-width, and emoji, invisible
characters and runs of punctuation go.
"""

from __future__ import annotations

import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")

# Emoji and pictographs (with skin tones, flags, keycaps), dingbats and the invisible
# characters that glue emoji together.
_EMOJI = re.compile(
    "["
    "\U0001F000-\U0001FAFF"  # mahjong, cards, emoticons, pictographs, transport, supplemental
    "\U0001F1E6-\U0001F1FF"  # regional indicators (flags)
    "\u2600-\u27BF"  # miscellaneous symbols and dingbats (☀, ✌, ❤)
    "\u2B00-\u2BFF"  # arrows and stars (⭐)
    "\uFE00-\uFE0F"  # variation selectors
    "\u200B-\u200F\u2060\uFEFF"  # zero-width spaces and joiners, marks, BOM
    "\u20E3"  # keycap
    "]+"
)
# Other control characters (but not newlines or tabs, handled as spaces below).
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")
# A punctuation mark repeated (「！！！」「。。。」「？？」「......」「～～」): kept once.
_REPEATED_PUNCT = re.compile(r"([!！?？。.,，、~～…;；:：\-—_*#])\1+")
_SPACES = re.compile(r"\s+")
# 「三四千」「七八百」: a range of two digits before a unit.
_NUMERAL_RANGE = re.compile(r"[一二三四五六七八九两]([一二三四五六七八九])(?=[十百千万])")


def half_width(text: str) -> str:
    """Full-width letters, digits, spaces and ASCII punctuation to half-width (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def simplified(text: str) -> str:
    """Traditional characters to simplified: 「離婚車禍工資」→「离婚车祸工资」."""
    return _T2S.convert(text)


def strip_emoji(text: str) -> str:
    """Emoji, pictographs and invisible characters removed."""
    return _EMOJI.sub("", _CONTROL.sub("", text))


def collapse_punctuation(text: str) -> str:
    """Runs of one punctuation mark kept once, whitespace runs as one space, ends trimmed."""
    return _SPACES.sub(" ", _REPEATED_PUNCT.sub(r"\1", text)).strip()


def upper_end_of_ranges(text: str) -> str:
    """A range of Chinese numerals as its upper end, so cn2an can read it: 「三四千」→「四千」."""
    return _NUMERAL_RANGE.sub(r"\1", text)


def normalise(text: str | None) -> str:
    """All of the above, in the order that keeps each step simple: 「離婚！！！😭」→「离婚!」."""
    if not text:
        return ""
    return collapse_punctuation(simplified(half_width(strip_emoji(text))))
