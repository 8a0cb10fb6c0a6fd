"""Reading a citizen's answers to the eligibility questions, the way people say them.

「一家五口」「每月三千来块」「两千五」「我是低保户」「孩子才16岁」「下周就开庭了」:
traditional characters go through opencc, Chinese numerals through cn2an; the rest is a
small set of words taken from shared/domain/eligibility.md. Pure functions, no Rasa.
Each parser returns None when the answer does not say (the form then asks again), and
``DECLINED`` when the citizen would rather not say or does not know (the engine then
treats the value as unknown). A word is not taken when its clause negates it
(「不是低保户」「没评上贫困户」「他不傻」): a wrong "yes" here changes a legal outcome.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import cn2an

from bot.text import half_width, simplified, upper_end_of_ranges
from referral.rules.contract import MOBILE_NUMBER

DECLINED = "declined"

_DECLINE = re.compile(
    r"不想说|不愿意?说|不方便|不想告诉|不告诉|保密|隐私"
    r"|不清楚|不知道|说不清|不好说|不晓得|不记得|跳过"
)
_NONE_OF_THEM = re.compile(
    r"都不是|都没有|一个也没有|哪个都不|没有这些|没这些|不是这些|不属于"
    r"|^\W*(?:没有|没|无|不是|否|都不)\W*$"
)
# A clause: what lies between two punctuation marks or spaces.
_CLAUSE_BREAK = re.compile(r"[，,。.；;！!？?、\s]")
# Negations and withdrawals that cancel a word in the same clause.
_NEGATION_BEFORE = re.compile(r"不是|没有|没|不算|并非|非|未|不")
_WITHDRAWN_AFTER = re.compile(r"取消|没批|不批|没评|没通过|没有批|没给|不给|退了|停了|被停|没了")
_DANGER = re.compile(
    r"打死|杀了我|杀我|要杀|弄死|砍我|砍死|掐死"
    r"|正在打|还在打|又在打|在打我|救命|有危险|不敢回家|拿刀|威胁要|砸门|要进来|好怕|害怕"
)


def plain(text: str) -> str:
    """Simplified characters and half-width forms: 「沒有請律師」→「没有请律师」."""
    return simplified(half_width(text))


def _digits(text: str) -> str:
    """Arabic digits for Chinese numerals (「两千五」→2500); ranges take the upper end (「三四千」→4千)."""
    value = plain(text)
    value = upper_end_of_ranges(value)
    value = re.sub(r"两(?=口(?!子)|个人|人)", "2", value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns about fragments it leaves as they are
        value = cn2an.transform(value, "cn2an")
    # 「1.2万」「2千」「3k」: units after Arabic digits
    value = re.sub(r"(\d+(?:\.\d+)?)\s*万", lambda m: str(round(float(m.group(1)) * 10000)), value)
    value = re.sub(r"(\d+(?:\.\d+)?)\s*(?:千|[kK](?![a-zA-Z]))", lambda m: str(round(float(m.group(1)) * 1000)), value)
    return re.sub(r"(\d+(?:\.\d+)?)\s*百", lambda m: str(round(float(m.group(1)) * 100)), value)


def _clause_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The parts of the clause before and after ``text[start:end]``."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(text, end)), len(text))
    return text[left:start], text[end:right]


# 「俺原来是低保户 现在给停了」: a status held once, or withdrawn in the next clause
_FORMERLY = re.compile(r"原来|以前|之前|过去|曾经|早先")
_WITHDRAWN_LATER = re.compile(r"(?:现在|后来|今年|去年|上个?月|前年)\S{0,4}(?:停了|取消|没了|不给了|退了)")


def _affirmed(text: str, match: re.Match[str]) -> bool:
    """Whether a word found in ``text`` is said of the person, not denied or withdrawn."""
    before, after = _clause_around(text, match.start(), match.end())
    # a poverty household of before is a 脱贫户 now, still on the green channel
    formerly = _FORMERLY.search(before) and not re.search(r"贫困|建档", match.group())
    if formerly or _WITHDRAWN_LATER.search(text, match.end()):
        return False
    return not _NEGATION_BEFORE.search(before) and not _WITHDRAWN_AFTER.search(after + before[-3:])


def _find(text: str, words: re.Pattern[str]) -> bool:
    return any(_affirmed(text, m) for m in words.finditer(text))


def declined(text: str | None) -> bool:
    """「不想说」「不知道」: the citizen would rather not say, or cannot."""
    return bool(text) and bool(_DECLINE.search(plain(text)))


def says_none_of_them(text: str | None) -> bool:
    """「都不是」「没有」: none of the listed situations applies."""
    return bool(text) and bool(_NONE_OF_THEM.search(plain(text).strip()))


# 「不对」「说错了」「没那么多」: the citizen rejects what was just read back to them.
_REJECTION = re.compile(
    r"不对|错了|说错|搞错|弄错|记错|听错|算错|不是这个|不是这么多|没(?:有)?(?:那么|这么)多|不止|哪有"
    r"|^\W*不是(?:的)?\W*$"
)


def rejects(text: str | None) -> bool:
    """「不对」「说错了」「没那么多」: the value just read back is wrong."""
    return bool(text) and bool(_REJECTION.search(plain(text).strip()))


def without_rejection(text: str) -> str:
    """What is left of 「不对，不急」 once the rejection is taken out: 「不急」 (empty for 「不对」)."""
    rest = _REJECTION.sub("", plain(text).strip()).strip(" ,，。.!！")
    return rest if re.sub(r"[\W了啊吧的呀呢哦嘛是]", "", rest) else ""


def in_danger(text: str | None) -> bool:
    """「他说今晚回来要打死我」: a threat to life or safety, whatever question was asked."""
    return bool(text) and bool(_DANGER.search(plain(text)))


# --- household -------------------------------------------------------------

_ALONE = re.compile(r"就我一个|我一个人过|只有我|自己一个|一个人过|一个人住|单身|光棍|独自|就我自己")
_COUPLE = re.compile(r"两口子|老两口|夫妻俩|我们俩|我俩")
_SIZE = re.compile(r"(\d{1,2})\s*口(?!子)")
_PEOPLE = re.compile(r"(\d{1,2})\s*(?:个人|人)(?!民)")
_SPOUSE = re.compile(r"老婆|老公|爱人|媳妇|丈夫|妻子|老伴|对象|男人")
_RELATIVE = re.compile(
    r"我妈|我爸|妈妈|爸爸|母亲|父亲|婆婆|公公"
    r"|岳父|岳母|丈母娘|老丈人|奶奶|爷爷|外婆|外公|老母亲|老父亲"
)
_CHILDREN = re.compile(r"(\d{1,2})\s*个\s*(?:娃娃|娃|孩子|小孩|儿子|女儿|闺女|孙子|孙女|学生)")
_ONE_CHILD = re.compile(r"(?<!\d个)(?:娃娃|孩子|小孩|儿子|女儿|闺女|孙子|孙女)")
_ENUMERATION = re.compile(r"跟|和|还有|加上|加|带着|带|以及")
# a count said first, then maybe who: 「4个 我 男人 两个娃」「一家四个」
_LEADING_COUNT = re.compile(
    r"^\W*(?:1家|一家|家里|我家|俺家|屋头)?(?:有|一共|总共)?\s*(\d{1,2})\s*个(?:人)?(?!\s*(?:月|年|天|娃|孩子|小孩|儿子|女儿|闺女))")


def parse_household_size(text: str | None) -> int | str | None:
    """People in the household: 「一家五口」→5, 「就我一个」→1, 「我跟我老婆还有两个娃娃再加上我妈」→5."""
    if not text:
        return None
    if declined(text):
        return DECLINED
    value = _digits(text)
    match = _SIZE.search(value) or _LEADING_COUNT.search(value)
    if match and 1 <= int(match.group(1)) <= 30:
        return int(match.group(1))
    names_people = _SPOUSE.search(value) or _RELATIVE.search(value) or _CHILDREN.search(value) or _COUPLE.search(value)
    if names_people and (_ENUMERATION.search(value) or _COUPLE.search(value)):
        # counting the people named: me, a spouse, each parent, the children
        count = 1 + bool(_SPOUSE.search(value) or _COUPLE.search(value))
        count += len(set(_RELATIVE.findall(value)))
        children = sum(int(n) for n in _CHILDREN.findall(value))
        count += children or (1 if _ONE_CHILD.search(value) else 0)
        return count
    match = _PEOPLE.search(value)
    if match and 1 <= int(match.group(1)) <= 30:
        return int(match.group(1))
    if _ALONE.search(value):
        return 1
    bare = re.fullmatch(r"\D{0,4}?(\d{1,2})\D{0,2}", value.strip())
    if bare and 1 <= int(bare.group(1)) <= 30 and not re.search(r"[块元岁天月年千百万]", value):
        return int(bare.group(1))
    return None


# --- income ------------------------------------------------------------------

_NO_INCOME = re.compile(
    r"没有?(?:任何)?(?:收入|工资|进项|钱|工作)"
    r"|零收入|无收入|一分(?:钱)?都?没|^\W*(?:0|零|没有|无)\W*$"
)
# 「一个月」「一年」「一天」 said as a period, not as the numeral 1 (read before the amounts,
# so that 「两千一个月」 is never 「2100个月」 and 「两万一年」 never 「21000年」).
# 「一」 starts a period unless it ends a numeral: 「十一个月」 is 11 months, but 「两千一个月」 and
# 「两千五一个月」 are 2000 and 2500 a month (「两千一一个月」 would be 2100).
_ONE = r"(?:(?<![\d零〇一二三四五六七八九十两])|(?<=[千百万][一二三四五六七八九两]))"
_PERIOD_PHRASES = (
    (re.compile(_ONE + r"(?:一|1)\s*(?:个)?\s*月(?!份)"), "每月"),
    (re.compile(_ONE + r"(?:一|1)\s*年(?!级)"), "每年"),
    (re.compile(_ONE + r"(?:一|1)\s*(?:天|日)"), "每天"),
    (re.compile(_ONE + r"(?:一|1)\s*(?:个)?\s*(?:星期|礼拜|周)"), "每周"),
)
_CN_DIGIT = "一二三四五六七八九两"
# 「三四千」「一两千」: the upper end before a unit; 「一千二三」: the upper end after one
_RANGE_BEFORE_UNIT = re.compile(rf"[{_CN_DIGIT}]([{_CN_DIGIT}])(?=[十百千万])")
_RANGE_AFTER_UNIT = re.compile(rf"(?<=[千百万])[{_CN_DIGIT}]([{_CN_DIGIT}])(?![\d十百千万])")
_NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十两百千万几]+)"
# 「三千到四千」「3000-4000」「三到四千」: the upper end (the project's rule for ranges)
_RANGE_WORDS = re.compile(rf"{_NUMBER}\s*(?:[万千百kKwW](?![a-zA-Z]))?\s*(?:到|至|-|~|—)\s*(?={_NUMBER})")
# An amount: a numeral, an approximation (「来」「多」「把」), a unit, another approximation.
_AMOUNT = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?P<about>来|多|把)?\s*(?P<unit>[万千百]|[kKwW](?![a-zA-Z]))?"
    r"\s*(?P<about_after>来|多|左右|出头|上下|把)?"
)
_UNITS = {"万": 10000, "w": 10000, "W": 10000, "千": 1000, "k": 1000, "K": 1000, "百": 100}
_MONEY_AFTER = re.compile(r"\s*(?:块|元|钱|rmb|RMB)")
# A number counting something else: 「3个孩子」「一家五口」「16岁」「3月」「5亩地」「第2个」
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:个|口|人|家|岁|号|点|次|天|日|月|年|周|星期|礼拜|亩|头|只|间|套|辆|层|楼|斤|公斤|倍|成|%|级"
    r"|胎|趟|小时|分钟|钟|份|本|条|户|季|茬|期|位|名|孩子|娃|小孩|儿子|女儿|老人|学生|遍|回)"
)
# Clauses as for _CLAUSE_BREAK, but the point of 「1.2万」「0.5个月」 is not a break.
_NUMBER_CLAUSE_BREAK = re.compile(r"[，,。；;！!？?、\s]|\.(?!\d)")
_NOT_MONEY_BEFORE = re.compile(r"第\s*$")
# 「我七十多了」「都80了」: an age, not an amount
_AGE_AFTER = re.compile(r"\s*了")
_MONEY_WORDS = re.compile(r"块|元|钱|收入|工资|挣|赚|千|万|百|k|K|低保金|养老金|月入|月薪|年薪")
_PER_YEAR = re.compile(r"每年|年收入|年薪|全年|年到头|年下来|年底|过年")
_PER_DAY = re.compile(r"每天|日薪|天天|日工资|按天")
_PER_WEEK = re.compile(r"每周|周薪")
_PER_MONTH = re.compile(r"月")
_WORK_DAYS = re.compile(rf"(?:干|做|上|干活|做工|上班)\s*({_NUMBER})\s*天")
_EARNER = re.compile(r"我|老婆|老公|爱人|媳妇|丈夫|妻子|老伴|儿子|女儿|他|她|爸|妈|孩子")
# The biggest sensible monthly figure to read from one number: a longer digit run is a phone
# or certificate number, not an income.
_MAX_AMOUNT = 10_000_000


class _Reading(NamedTuple):
    amount: float
    period: str  # "month", "year", "week" or "day"
    clause: str


def _number(text: str) -> float | None:
    """「两千五」→2500, 「1.2」→1.2, 「几百」→900 (the top of the range, never a promise); None if unreadable."""
    text = re.sub(r"几(?=[十百千万])", "九", text)
    if text and text[0] in "十百千万" and text[0] != "十":
        text = "一" + text  # 「千把块」「万把块」
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def _income_text(text: str) -> str:
    """Plain text with periods spelled out and ranges at their upper end, ready for _AMOUNT."""
    value = plain(text)
    for pattern, period in _PERIOD_PHRASES:
        value = pattern.sub(period, value)
    value = _RANGE_BEFORE_UNIT.sub(r"\1", upper_end_of_ranges(value))  # 「三四万」, and 「一两千」 too
    value = _RANGE_AFTER_UNIT.sub(r"\1", value)
    return _RANGE_WORDS.sub("", value)


def _clause_period(clause: str) -> str | None:
    if _PER_YEAR.search(clause):
        return "year"
    if _PER_DAY.search(clause):
        return "day"
    if _PER_WEEK.search(clause):
        return "week"
    if _PER_MONTH.search(clause):
        return "month"
    return None


def _amounts(value: str) -> list[_Reading]:
    """Every amount of money in ``value``, with its period and clause.

    A number counting something else (「3个孩子」「一家五口」「3月」「16岁」) is not an amount.
    A clause that names no period takes the period of the clause before it
    (「一年下来，也就两万」), and the month when none was named: the question asks a month.
    """
    readings: list[_Reading] = []
    carried: str | None = None
    for clause in _NUMBER_CLAUSE_BREAK.split(value):
        period = _clause_period(clause)
        found = []
        for match in _AMOUNT.finditer(clause):
            if not re.search(r"[\d一二三四五六七八九十两百千万几]", match.group("number")):
                continue
            after = clause[match.end():]
            unit = match.group("unit")
            if _NOT_MONEY_AFTER.match(after) and not _MONEY_AFTER.match(after):
                continue  # 「3个孩子」「5口人」「16岁」「1个月」
            if _NOT_MONEY_BEFORE.search(clause[:match.start()]):
                continue  # 「第2个」
            amount = _number(match.group("number"))
            if amount is None:
                continue
            amount *= _UNITS.get(unit or "", 1)
            if amount < 130 and not unit and _AGE_AFTER.match(after):
                continue  # 「我七十多了，没收入」
            if amount >= _MAX_AMOUNT:
                continue
            found.append(amount)
        if found:
            readings.extend(_Reading(amount, period or carried or "month", clause) for amount in found)
        if period is not None:
            carried = period
    return readings


def _whole_yuan(amount: float) -> float:
    """Rounded to the whole yuan, halves up (20000 a year is 1666.67 a month: 1667 元). The
    read-back says the same whole number, so what the citizen confirms is what is stored."""
    return float(Decimal(str(amount)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def parse_monthly_income(text: str | None) -> float | str | None:
    """Monthly household income in whole yuan, the way people say it; None when the answer
    names no amount (「一家四口」), DECLINED for 「不想说」.

    - a month, said or not (the question asks a month): 「每月三千来块」「月入四千」→3000, 4000;
    - a year, divided by 12 and rounded to the yuan: 「一年收入两万来块」→1667,
      「一年下来三四万」→3333 (a range is its upper end: 40000 / 12);
    - a day, times the days worked or 30: 「一天一百」→3000;
    - 「来」「多」「左右」「出头」「上下」 are about the number said: 「两万多」→20000,
      「一个月也就一千出头」→1000; 「几百」→900 and 「千把」→1000 (the top of the range);
    - several earners in several clauses add up: 「我一千五，老婆一千」→2500;
    - 「没有收入」→0.
    A number that counts something else is never an amount: 「一年两万，3个孩子」 is 1667, not 3.
    """
    if not text:
        return None
    if declined(text):
        return DECLINED
    words = plain(text)
    value = _income_text(text)
    readings = _amounts(value)
    if _NO_INCOME.search(words) and max((r.amount for r in readings), default=0) <= 1:
        return 0.0  # 「没有收入」「一分钱都没有」
    if not readings:
        return None
    if not _MONEY_WORDS.search(value) and max(r.amount for r in readings) < 50:
        return None  # 「4」 yuan a month is not what anyone means
    each = re.search(r"一人|每人|每个人|各(?:自)?", words)
    if each and len(readings) == 1:
        earners = parse_household_size(re.sub(r"一人|每人|每个人|各(?:自)?.*", "", words))
        if isinstance(earners, int) and earners > 1:
            reading = readings[0]
            readings = [reading._replace(amount=reading.amount * earners)]
    monthly = [r for r in readings if r.period == "month"]
    if monthly:
        # several earners in several clauses add up: 「我一千五，老婆一千」
        earners = [r for r in monthly if _EARNER.search(r.clause)]
        amount = sum(r.amount for r in earners) if len(earners) > 1 else max(r.amount for r in monthly)
    elif any(r.period == "week" for r in readings):
        amount = max(r.amount for r in readings if r.period == "week") * 52 / 12
    elif any(r.period == "day" for r in readings):
        days = _WORK_DAYS.search(value)
        worked = _number(days.group(1)) if days else None
        amount = max(r.amount for r in readings if r.period == "day") * (worked if worked and worked <= 31 else 30)
    else:
        amount = max(r.amount for r in readings) / 12
    return _whole_yuan(amount)


# A month's income this large, said without a period, may well be a year's (「两万多」): the
# read-back then says how to give a year's amount.
PERIOD_CHECK_AMOUNT = 10000


def period_unsaid(text: str | None) -> bool:
    """Whether an income answer names no period at all (「两万多」, not 「一年两万多」「月入两万」)."""
    if not text:
        return False
    value = _income_text(text)
    return _clause_period(value) is None


# 「几千」「三四万」: a range, read at its top (never a promise); the read-back says so.
_VAGUE_AMOUNT = re.compile(r"几(?=[十百千万])|[一二三四五六七八九两][二三四五六七八九](?=[十百千万])|千把|万把")


def describe_income(amount: float, text: str | None = None) -> str:
    """How an income is read back: 「每月约3000元」, or 「每月最多约750元」 for a range (「一年几千块」)."""
    if amount == 0:
        return "没有收入"
    if text and _VAGUE_AMOUNT.search(plain(text)):
        return f"每月最多约{amount:.0f}元"
    return f"每月约{amount:.0f}元"


# --- statuses ----------------------------------------------------------------

_NO_FIXED_INCOME = re.compile(r"没有?(?:固定)?(?:的)?(?:收入|工作|进项)|无(?:固定)?收入|不能干活|干不了活")
_STATUS_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("poverty_registered", re.compile(r"建档立卡|贫困户|脱贫户|防止返贫|防返贫|监测户|监测对象")),
    ("dibao", re.compile(r"低保")),
    ("tekun", re.compile(r"特困|五保")),
    ("judicial_aid", re.compile(r"司法救助")),
    ("social_assistance", re.compile(r"(?<!司法)救助(?:对象|户)|临时救助|社会救助")),
    ("special_care", re.compile(r"优抚|伤残军人|残疾军人|烈属|军烈属")),
    ("migrant_worker", re.compile(r"农民工|打工|务工|工地|包工头|民工|干活的")),
    ("martyr_relative", re.compile(r"烈士")),
    ("good_samaritan", re.compile(r"见义勇为")),
    ("abuse_victim", re.compile(r"家暴|家庭暴力|虐待|遗弃|打我|被打")),
    ("retrial_acquitted", re.compile(r"改判无罪|再审无罪|宣告无罪")),
)
_AGE = re.compile(r"(\d{1,3})\s*(?:多)?\s*(?:周岁|岁|了)")
_MINOR_WORDS = re.compile(r"未成年|不满18|不到18|没满18|未满18")
_ELDERLY_WORDS = re.compile(r"老人|老年|年纪大|岁数大|退休|老了")
_DISABLED_WORDS = re.compile(r"残疾|残废|瘫痪|残疾证")
# Said of oneself but not a status of the contract on its own: the income decides.
_NOT_ENOUGH_WORDS = re.compile(r"残疾|老人|年纪大|退伍|退役|军人|学生|单亲|病")


def _option_number(text: str) -> int | None:
    """「5」「第5个」「选3」: the number of an option in a numbered list."""
    match = re.fullmatch(r"\W*(?:第|选)?\s*([1-9])\s*(?:个|项|条|号)?\W*", half_width(text))
    return int(match.group(1)) if match else None


class Option(NamedTuple):
    """One line of a question's numbered list: its words, and the answer its number gives."""

    label: str  # the line as the question shows it, without its number
    value: frozenset[str] | None  # None: the line names several situations; the citizen is asked which


def _chosen(options: dict[int, Option], number: int) -> frozenset[str] | None:
    option = options.get(number)
    return option.value if option else None


# 「我都七十多了」「俺今年72」: the speaker's own age, told anywhere in the conversation
_OWN_AGE = re.compile(r"(?:我|俺|本人)(?:今年|都|已经|快|也)*(\d{2,3})\s*(?:多)?\s*(?:周岁|岁|了)(?!的)")


def own_age(texts: list[str]) -> int | None:
    """The age the citizen gave as their own in ``texts`` (the latest mention), or None."""
    for text in reversed(texts):
        match = _OWN_AGE.search(_digits(plain(text)))
        if match and 1 <= int(match.group(1)) <= 120:
            return int(match.group(1))
    return None


# 「没有固定收入 就种点地」「没啥收入 靠打零工」: some income, no amount said
_IRREGULAR_INCOME = re.compile(r"没(?:有)?(?:啥|什么|多少)收入|种(?:点|些)?地|靠种地|打零工|零工|卖点菜|捡破烂")


def irregular_income(text: str | None) -> bool:
    """Whether an income answer says the income is irregular without naming an amount."""
    value = plain(text or "")
    return bool(_NO_FIXED_INCOME.search(value) or _IRREGULAR_INCOME.search(value))


def elderly_without_income(text: str | None, age: int | None) -> bool:
    """「没有固定收入」 from someone whose age, told earlier, is 60 or more (Art. 42)."""
    return bool(text and age is not None and age >= 60 and _NO_FIXED_INCOME.search(plain(text)))


def parse_age(text: str | None) -> int | None:
    """An age in the answer: 「孩子才16岁」→16, 「我七十多了」→70."""
    if not text:
        return None
    match = _AGE.search(_digits(text))
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 120 else None


# The numbered list of utter_ask_screening_form_statuses, in its order: 「3」 means option 3.
# A test compares the labels with the question's text, so the two cannot drift apart.
STATUS_OPTIONS: dict[int, Option] = {
    1: Option("建档立卡贫困户、脱贫户、防止返贫监测户", frozenset({"poverty_registered"})),
    2: Option("低保户、特困供养人员，或者得到司法救助、优抚的人", frozenset({"social_assistance"})),
    3: Option("农民工（讨工资、工伤）", frozenset({"migrant_worker"})),
    4: Option("残疾人、老人或者未成年人，而且没有固定收入", None),
    5: Option("受到家暴、虐待或者遗弃", frozenset({"abuse_victim"})),
    6: Option("见义勇为，或者是烈士家属", None),
}


def parse_statuses(text: str | None) -> frozenset[str] | None:
    """The statuses of the contract found in an answer; empty for 「都不是」; None if it says nothing.

    Minors, elderly and disabled people count as exempt only without a fixed income
    (Art. 42): 「我是残疾人」 alone means the income is asked, 「残疾，没有收入」 exempts.
    Words the clause denies or withdraws are not taken (「低保被取消了」「没评上贫困户」).
    """
    if not text:
        return None
    if (option := _option_number(text)) is not None:
        return _chosen(STATUS_OPTIONS, option)
    value = plain(text)  # words as written: 「五保」 must not become 「5保」
    found = {status for status, words in _STATUS_WORDS if _find(value, words)}
    age = parse_age(value)
    no_income = bool(_NO_FIXED_INCOME.search(value))
    if (age is not None and age < 18) or _find(value, _MINOR_WORDS):
        found.add("minor_no_income")  # a minor applicant rarely has a fixed income; staff check
    if no_income and ((age is not None and age >= 60) or _ELDERLY_WORDS.search(value)):
        found.add("elderly_no_income")
    if no_income and _DISABLED_WORDS.search(value):
        found.add("disabled_no_income")
    if found:
        return frozenset(found)
    if says_none_of_them(value) or declined(value):
        return frozenset()
    if any(words.search(value) for _, words in _STATUS_WORDS) or _NOT_ENOUGH_WORDS.search(value):
        return frozenset()  # only denied statuses (「我不是低保户」), or none that exempts by itself
    return None


# --- criminal cases (Art. 25, 28) --------------------------------------------

_FLAG_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("minor", re.compile(r"未成年|不满18|不到18|没满18|未满18")),
    ("blind_deaf_mute", re.compile(r"盲|瞎|聋|哑|看不见|听不见|不会说话|言语残疾|视力残疾|听力残疾")),
    ("mental_incapacity", re.compile(r"精神病|精神(?:有|上)?(?:问题|疾病|不正常)|智力|智障|傻|脑子(?:有|不)|痴呆")),
    ("death_review", re.compile(r"死刑复核")),
    ("possible_life_or_death", re.compile(r"无期|死刑|杀人|杀了人|命案|判死")),
    ("in_absentia", re.compile(r"缺席")),
    ("compulsory_medical", re.compile(r"强制医疗")),
)
# The numbered list of utter_ask_screening_form_criminal_flags, in its order (checked like STATUS_OPTIONS).
CRIMINAL_FLAG_OPTIONS: dict[int, Option] = {
    1: Option("不满18岁", frozenset({"minor"})),
    2: Option("看不见、听不见或者不会说话（视力、听力、言语残疾）", frozenset({"blind_deaf_mute"})),
    3: Option("精神病人，或者不能完全明白、控制自己的行为", frozenset({"mental_incapacity"})),
    4: Option("可能被判无期徒刑或者死刑", frozenset({"possible_life_or_death"})),
    # a review needs the defendant's application before the court must notify (Art. 25(1)(5))
    5: Option("已经判了死刑，在等死刑复核", frozenset({"death_review"})),
    6: Option("缺席审判（本人不在场就审判），或者是强制医疗案件", None),
}
_FLAG_NEGATIONS = re.compile(r"不是|没有|没|不会|不|非|并非")


def parse_criminal_flags(text: str | None) -> frozenset[str] | str | None:
    """Art. 25/28 circumstances of the suspect: 「孩子才16岁」→{minor}; 「都没有」→ empty;
    「不知道」→ DECLINED; None if unclear. 「不是未成年」「他不傻」「没杀人」 are no flags."""
    if not text:
        return None
    if (option := _option_number(text)) is not None:
        return _chosen(CRIMINAL_FLAG_OPTIONS, option)
    value = _digits(text)
    found: set[str] = set()
    denied = False
    for flag, words in _FLAG_WORDS:
        for match in words.finditer(value):
            before, _ = _clause_around(value, match.start(), match.end())
            if _FLAG_NEGATIONS.search(before):
                denied = True  # 「没杀人」「他不傻」
            else:
                found.add(flag)
    if "death_review" in found:
        found.discard("possible_life_or_death")
    age = parse_age(value)
    if age is not None and age < 18:
        found.add("minor")
    if found:
        return frozenset(found)
    if declined(value):
        return DECLINED
    if denied or says_none_of_them(value) or re.search(r"正常|成年|都不|没有|不是", value) or (
            age is not None and age >= 18):
        return frozenset()
    return None


# --- has a lawyer ------------------------------------------------------------

_LAWYER = r"律师|代理人|代理|辩护人"
_HAS_LAWYER_YES = re.compile(
    rf"(?:已经)?(?:请了|请过|找了|委托了|有)(?:一个|个|了)?(?:{_LAWYER})|^\W*(?:请了|请过|有|有的|是|是的|对|嗯)\W*$|^\W*请了"
)
_HAS_LAWYER_NO = re.compile(
    rf"没(?:有)?(?:请|找)|还没|没有(?:{_LAWYER})|不(?:请|用|需要)|请不起|没钱请"
    rf"|^\W*(?:没有|没|无|否|不是|不|没得|冇)\W*$|没得(?:请|找|{_LAWYER})|哪(?:有|来)(?:啥|什么|钱)?(?:请)?(?:{_LAWYER})"
)


def parse_has_lawyer(text: str | None) -> bool | str | None:
    """「还没请」→False, 「请了一个律师」→True, 「不知道」→DECLINED (treated as not yet)."""
    if not text:
        return None
    value = plain(text).replace("没问题", "")
    if _HAS_LAWYER_YES.search(value):
        return True
    if _HAS_LAWYER_NO.search(value):
        return False
    if declined(value):
        return DECLINED
    return None


# --- urgency (Art. 44) -------------------------------------------------------

_PRESERVATION = re.compile(
    r"转移财产|转移钱|藏钱|卖房|卖车|保全"
    r"|证据(?:要|快|会)?(?:没了|被删|销毁)|先予执行|急需用钱|等着钱看病|等钱救命"
)
_NOT_URGENT = re.compile(
    r"不(?:是)?(?:很|太|怎么|算|那么)?急|还早|没有期限|没期限|还没定|没定"
    r"|没有开庭|没开庭|还没起诉|没有时间限制"
    r"|^\W*(?:没有|没|不|无|都没有)\W*$"
)
_WEEKDAYS = "一二三四五六日天"
_WEEKDAY_DIGITS = "1234567"
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "今晚": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
# What a deadline is about: a time in the same clause is that deadline (「3号开庭」).
_DEADLINE_NOUNS = re.compile(
    r"开庭|到期|期限|仲裁|起诉|时效|截止|上诉|过期|审理|再审|判决|宣判|复议|听证|调解|答辩|举证"
    r"|交材料|提交|限期|最后一天|到时间|申请"
)
# A time that looks forward (「还有十天」「三天后」「十天以内」) is the deadline the question asks about.
_FORWARD_BEFORE = re.compile(r"(?:还有|还剩|只剩|就剩|剩下|再过|不到)\s*$")
_FORWARD_AFTER = re.compile(r"^\s*(?:以后|之后|后|以内|之内|内)")
# A time that looks back (「干了三个月」「三天前」) is no deadline, whatever the clause names.
_PAST_BEFORE = re.compile(r"(?:已经|干了|做了|拖了|欠了|等了|过了|有了)\s*$")
_PAST_AFTER = re.compile(r"^\s*(?:了|前|以前|之前)")
# What may stand around a time said as the whole answer: 「明天」「两个星期吧」「就下周」
_FILLER = re.compile(r"还有|只有|大概|差不多|可能|也就|应该|估计|就|是|在|吧|了|啊|呀|呢|左右|的样子|多|快|要|到")
# 「马上就到期了」「很急」: urgent, but no day said; nothing is made up for it.
_SOON = re.compile(r"马上|快到了|就要|过几天|这几天|没几天|很急|急")
# Urgent for want of money, with no deadline named: hard, but not the urgency of Art. 44
# (「急需用钱」「等钱看病」 ask for 先予执行 and are read as preservation instead).
_NEED_NOT_DEADLINE = re.compile(r"没钱|缺钱|回家|过年|吃饭|生活")


def _next_date(today: dt.date, month: int | None, day: int) -> dt.date | None:
    """The next date with this month (or this or next month) and day, today included."""
    try:
        if month is not None:
            candidate = dt.date(today.year, month, day)
            return candidate if candidate >= today else dt.date(today.year + 1, month, day)
        candidate = today.replace(day=day)
        if candidate >= today:
            return candidate
        first_next = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return first_next.replace(day=day)
    except ValueError:
        return None


def _time_in(clause: str, today: dt.date) -> tuple[int, int, int] | None:
    """The first time named in ``clause``: (days from today, start, end), or None."""
    if m := re.search(r"(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*(?:号|日)", clause):
        month = int(m.group(1)) if m.group(1) else None
        start = m.start()
        if month is None and (later := re.search(r"下(?:个)?月\s*$", clause[:m.start()])):
            month = ((today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)).month
            start = later.start()
        date = _next_date(today, month, int(m.group(2)))
        if date:
            return (date - today).days, start, m.end()
    for word in sorted(_RELATIVE_DAYS, key=len, reverse=True):
        if (at := clause.find(word)) >= 0:
            return _RELATIVE_DAYS[word], at, at + len(word)
    week = re.search(r"(下下|下|这|本)(?:个)?(?:周|星期|礼拜)([" + _WEEKDAYS + _WEEKDAY_DIGITS + r"])?", clause)
    if week:
        this_monday = today - dt.timedelta(days=today.weekday())
        monday = this_monday + dt.timedelta(days={"下下": 14, "下": 7}.get(week.group(1), 0))
        if week.group(2):
            day = week.group(2)
            index = _WEEKDAY_DIGITS.index(day) if day.isdigit() else min(_WEEKDAYS.index(day), 6)
            return max((monday + dt.timedelta(days=index) - today).days, 0), week.start(), week.end()
        return max((monday - today).days, 0), week.start(), week.end()
    # 「半个月」 is 「0.5个月」 by now: 15 days
    if m := re.search(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:多)?\s*(天|个星期|个礼拜|周|星期|个月)", clause):
        unit = {"天": 1, "周": 7, "星期": 7, "个星期": 7, "个礼拜": 7, "个月": 30}[m.group(2)]
        return round(float(m.group(1)) * unit), m.start(), m.end()
    return None


def _stated_deadline(clause: str, today: dt.date) -> int | None:
    """The days to a deadline this clause states, or None when its time is not a deadline.

    A time counts when the clause says what falls due (「3号开庭」「还有十天到期」), when it
    looks forward (「还有半个月」「三天后」), or when it is all the clause says (「明天」「两个星期」,
    the answer to 「还有几天」). 「他3号打我的」「老板欠我三个月工资」「今晚回来要打死我」 state no deadline.
    """
    found = _time_in(clause, today)
    if found is None:
        return None
    days, start, end = found
    before, after = clause[:start], clause[end:]
    if _FORWARD_BEFORE.search(before) or _FORWARD_AFTER.match(after):
        return days
    if _PAST_BEFORE.search(before) or _PAST_AFTER.match(after):
        return None  # 「仲裁三个月了」: time gone by, not time left
    if _DEADLINE_NOUNS.search(clause):
        return days
    if not _FILLER.sub("", re.sub(r"\W", "", before + after)):
        return days
    return None


def parse_deadline(text: str | None, today: dt.date) -> tuple[int | None, bool] | None:
    """Days to the nearest deadline or hearing the citizen stated, and whether preservation is
    needed now; None if the answer does not say.

    Only a deadline the citizen stated is recorded: a number or date from another part of the
    answer (「3个孩子」「他3号打我的」「欠了三个月工资」) is not one, and 「马上」「很急」 without a
    day give no day either (days None: staff see 「没有说」, never a guessed 3).
    「下周就开庭了」→ the days to next Monday: the earliest reading, because a call that
    comes early costs less than a missed hearing. 「下个月」 alone says no day: not urgent.
    """
    if not text:
        return None
    value = _digits(text)
    preservation = bool(_PRESERVATION.search(value))
    if not preservation and (_NOT_URGENT.search(value) or says_none_of_them(value)):
        return None, False
    stated = [d for clause in _NUMBER_CLAUSE_BREAK.split(value) if (d := _stated_deadline(clause, today)) is not None]
    days = min(stated) if stated else None  # the earliest of several deadlines
    if days is None and re.search(r"已经过了|过期了|超过了", value):
        days = 0  # the citizen says it has passed: due now
    if days is not None or preservation:
        return days, preservation
    if _SOON.search(value):
        return None, False  # urgent, but no day said: none is made up
    if re.search(r"下(?:个)?月|半年|明年|以后", value) or declined(value):
        return None, False  # no day said, or not soon: not urgent
    return None


def says_deadline_is_close(text: str | None) -> bool:
    """Whether the answer says a deadline or hearing is close without being asked to wait:
    「马上就开庭了」「很急」 (urgent, though no day is said); not 「不急」 or 「下个月」."""
    value = _digits(text or "")
    if _NOT_URGENT.search(value) or says_none_of_them(value) or re.search(r"下(?:个)?月|半年|明年|以后", value):
        return False
    if _NEED_NOT_DEADLINE.search(value) and not _DEADLINE_NOUNS.search(value):
        return False  # 「急啊 过年都没钱回家」: a need, not a deadline (Art. 44 is about time limits)
    return bool(_SOON.search(value))


# --- the matter (matter codes of shared/domain/matters.md) --------------------

# The words people use, most specific first (「工伤」 before 「工资」, 「抚养费」 before 「抚养权」).
# A keyword reading for the screening's own question; the NLU model reads free messages.
_MATTER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("domestic_violence", re.compile(r"家暴|家庭暴力|(?:老公|丈夫|男人|老婆|媳妇|儿子|女儿)(?:经常|又|总|天天)?打"
                                     r"|虐待|遗弃|赶出家门")),
    ("state_compensation", re.compile(r"国家赔偿|错抓|冤案|冤枉坐牢|违法拘留")),
    ("criminal_defense", re.compile(r"被抓|抓走|抓了|被拘|拘留|刑拘|逮捕|判刑|坐牢|看守所|被关"
                                    r"|犯罪嫌疑人|被告人|公安带走|派出所带走")),
    ("criminal_victim", re.compile(r"被打伤|打伤|被人打|被骗|诈骗|强奸|猥亵|被偷|被抢|故意伤害|自诉|被害人")),
    ("work_injury", re.compile(r"工伤|干活(?:时)?(?:受伤|摔|砸|伤)|工地(?:上)?(?:摔|砸|受伤)"
                               r"|职业病|机器.{0,4}(?:压|轧|切|伤)")),
    ("labor_wage", re.compile(r"工资|工钱|血汗钱|讨薪|欠薪|包工头|老板.{0,4}(?:不给钱|欠|跑)|不发钱")),
    ("labor_relation", re.compile(r"劳动合同|没签合同|开除|辞退|解雇|经济补偿|试用期|炒鱿鱼|劳动关系")),
    ("social_insurance", re.compile(r"社保|养老金|医保|低保.{0,4}(?:取消|停|不给|没批|没了)"
                                    r"|不给(?:我)?低保|抚恤金|养老保险|失业金")),
    ("traffic_accident", re.compile(r"车祸|被车撞|撞了|撞伤|交通事故|肇事|逃逸|交警")),
    ("medical_dispute", re.compile(r"医疗事故|手术|误诊|医院.{0,4}(?:治|错|死|出事)")),
    ("product_safety", re.compile(r"假药|假种子|假化肥|吃坏|食物中毒|产品质量|有毒")),
    ("environment", re.compile(r"污染|排污|噪音|养殖.{0,2}死|鱼死|废水")),
    ("support_payment", re.compile(r"赡养|抚养费|扶养费|养老钱|生活费|不养(?:我|老人|父母)|不管(?:我|老人|父母)")),
    ("divorce", re.compile(r"离婚|抚养权|彩礼|分财产|出轨|婚姻")),
    ("inheritance", re.compile(r"遗产|遗嘱|继承")),
    ("capacity", re.compile(r"糊涂|监护|行为能力|痴呆")),
    ("debt_loan", re.compile(r"借钱|欠钱|欠款|欠条|借条|高利贷|不还钱|借给")),
    ("housing_land", re.compile(r"宅基地|承包地|土地|拆迁|强拆|征地|房产证|房子|林地")),
    ("consumer", re.compile(r"退款|网购|预付卡|消费|退货")),
    ("contract", re.compile(r"合同|定金|违约|租房")),
    ("administrative", re.compile(r"告政府|罚款|行政处罚|行政复议|政府")),
    ("retrial", re.compile(r"申诉|再审|判错")),
)
_OTHER = re.compile(r"别的|其他|其它|都不是|说不清")


def parse_matter(text: str | None) -> str | None:
    """The matter code an answer names, 「other」 for 「别的事」 or an account no word matches,
    None for an answer too short to tell (the question is asked again)."""
    if not text:
        return None
    value = plain(text)
    if in_danger(value) and re.search(r"他|她|老公|丈夫|男人|老婆|媳妇|前夫|家里|儿子|女儿", value):
        return "domestic_violence"  # 「他现在就在门外砸门说要杀了我」
    for code, words in _MATTER_WORDS:
        if words.search(value):
            return code
    if _OTHER.search(value) or len(re.findall(r"[\u3400-\u9fff]", value)) >= 4:
        return "other"  # 「我被人告了」: staff decide; never a forced code
    return None


_CERTIFICATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{3,40}")
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


_NO_CERTIFICATE = re.compile(r"没有|没得|没带|不在身边|找不到|忘了|啥编号|什么编号")


def parse_certificate(text: str | None) -> str | None:
    """A registration or certificate number (「编号是5306271234」), DECLINED for 「没有」, else None.

    A mobile or ID card number is not taken: the screening promised not to ask for them.
    """
    if not text:
        return None
    value = plain(text)
    match = _CERTIFICATE.search(value.replace(" ", ""))
    if match and sum(c.isdigit() for c in match.group()) >= 4:
        number = match.group().upper()
        if MOBILE_NUMBER.match(number) or _ID_NUMBER.match(number):
            return None
        return number
    if declined(value) or says_none_of_them(value) or _NO_CERTIFICATE.search(value):
        return DECLINED
    return None
