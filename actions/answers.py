"""Reading a citizen's free-text answers: names, mobile numbers, descriptions.

Pure functions, no Rasa: the form validators are thin adapters around these.
"""

from __future__ import annotations

import re
import unicodedata

# Spoken and written Chinese digits, including 幺 for 1 as people say it in phone numbers.
_CN_DIGITS = str.maketrans("零〇一幺二两三四五六七八九", "0011223456789")
_SEPARATORS = re.compile(r"(?<=\d)[\s\-－—.·]+(?=\d)")
_DIGIT_RUN = re.compile(r"\d+")
_MOBILE = re.compile(r"^1\d{10}$")

_NAME_PREFIXES = ("我的名字叫", "我的名字是", "我的姓名是", "名字叫", "名字是", "姓名是", "姓名", "我叫", "我是", "叫")
_NAME_CHARS = re.compile(r"^[\u3400-\u9fffA-Za-z·•．. ]+$")
_MEANINGFUL = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_EDGE_PUNCT = " \t\r\n，。！？,.!?、；;：:“”\"'‘’（）()【】[]~～…"


def normalise_width(text: str) -> str:
    """Full-width letters, digits and spaces to their half-width forms."""
    return unicodedata.normalize("NFKC", text)


def parse_mobile(text: str | None) -> str | None:
    """Return the one mainland mobile number in ``text`` (11 digits starting with 1), or None.

    Accepts full-width digits, Chinese digits (一三八…, 幺), spaces and dashes between
    digits, and a +86 / 86 prefix. Two numbers, or none, give None.
    """
    if not text:
        return None
    value = normalise_width(text).translate(_CN_DIGITS)
    value = _SEPARATORS.sub("", value)
    runs = _DIGIT_RUN.findall(value)
    candidates = []
    for run in runs:
        if len(run) == 13 and run.startswith("86"):
            run = run[2:]
        candidates.append(run)
    if len(candidates) != 1 or not _MOBILE.match(candidates[0]):
        return None
    return candidates[0]


def parse_name(text: str | None) -> str | None:
    """Return the name in an answer such as 「我叫张三」, or None when it is not a name."""
    if not text:
        return None
    value = normalise_width(text).strip(_EDGE_PUNCT)
    for prefix in _NAME_PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix):].strip(_EDGE_PUNCT)
            break
    if not value or len(value) > 30 or not _NAME_CHARS.match(value):
        return None
    return value


def parse_description(text: str | None) -> str | None:
    """Return the description trimmed, or None when it says nothing (empty, only punctuation)."""
    if not text:
        return None
    value = text.strip()
    if len(_MEANINGFUL.findall(value)) < 2:
        return None
    return value[:5000]
