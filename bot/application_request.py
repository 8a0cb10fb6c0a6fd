"""A request to apply for legal aid inside an account of a problem.

「老公经常打我…我想申请法律援助帮我离婚」 tells a problem and asks to apply. The classifier, which
learned mostly short requests (「我要申请法律援助」), files such a message under its matter and the
request is lost: the citizen gets an answer, no application. The request is a few fixed phrases,
so it is matched by rule (bot.components.ApplicationRequestFlagger) and the account's matter is
kept in the ranking. A question about applying (「我能申请法律援助吗」「怎么申请法律援助」「申请法律
援助要带什么」) is no request: it has its own intents.
"""

from __future__ import annotations

import re

from bot.text import normalise

_REQUEST = re.compile(
    r"(?<![能可怎如])(?:我想|我要|想要|俺想|俺要|我现在想|现在想|想|要|帮我|帮帮我|给我|请帮我|请你们?帮我|麻烦帮我|"
    r"准备|打算|需要)(?:去|来|向你们)?申请(?:一下|个)?(?:法律援助|法援|援助|免费律师|免费的律师)"
)
# The clause after the request turns it into a question: 「…申请法律援助吗」「…申请法律援助要带什么」.
_QUESTION_AFTER = re.compile(r"^[^，。,.!！?？\s]{0,12}?(?:吗|么|嘛|不|没有|要带|要什么|需要什么|怎么|多久|在哪)")


def asks_to_apply(text: str | None) -> bool:
    """True when the message asks for legal aid in so many words (not a question about applying)."""
    text = normalise(text or "")
    return any(not _QUESTION_AFTER.match(text[match.end():]) for match in _REQUEST.finditer(text))
