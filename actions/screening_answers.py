"""Reading a citizen's answers to the eligibility questions, the way people say them.

「一家五口」「每月三千来块」「两千五」「我是低保户」「孩子才16岁」「下周就开庭了」:
Chinese numerals go through cn2an; the rest is a small set of words taken from
shared/domain/eligibility.md. Pure functions, no Rasa. Each parser returns None when the
answer does not say (the form then asks again), and ``DECLINED`` when the citizen would
rather not say or does not know (the engine then treats the value as unknown).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

import cn2an

from actions.answers import normalise_width

DECLINED = "declined"

_DECLINE = re.compile(r"不想说|不愿意?说|不方便|不想告诉|不告诉|保密|隐私|不清楚|不知道|说不清|不好说|不晓得|不记得|跳过")
_NONE_OF_THEM = re.compile(r"都不是|都没有|一个也没有|哪个都不|没有这些|没这些|不是这些|不属于|^\W*(?:没有|没|无|不是|否|都不)\W*$")


def _digits(text: str) -> str:
    """Arabic digits for Chinese numerals (「两千五」→2500); ranges take the upper end (「三四千」→4千)."""
    value = normalise_width(text)
    value = re.sub(r"[一二三四五六七八九两]([一二三四五六七八九])(?=[十百千万])", r"\1", value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns about fragments it leaves as they are
        value = cn2an.transform(value, "cn2an")
    # 「1.2万」「3万」: cn2an leaves a decimal before 万 alone
    return re.sub(r"(\d+(?:\.\d+)?)万", lambda m: str(round(float(m.group(1)) * 10000)), value)


def declined(text: str | None) -> bool:
    """「不想说」「不知道」: the citizen would rather not say, or cannot."""
    return bool(text) and bool(_DECLINE.search(normalise_width(text)))


def says_none_of_them(text: str | None) -> bool:
    """「都不是」「没有」: none of the listed situations applies."""
    return bool(text) and bool(_NONE_OF_THEM.search(normalise_width(text).strip()))


# --- household -------------------------------------------------------------

_ALONE = re.compile(r"就我一个|我一个人|只有我|自己一个|一个人过|单身|光棍|独自|就我自己")
_COUPLE = re.compile(r"两口子|老两口|夫妻俩|我们俩|两个人")
_SIZE = re.compile(r"(\d{1,2})\s*(?:口|个人|人)")


def parse_household_size(text: str | None) -> int | str | None:
    """People in the household: 「一家五口」→5, 「就我一个」→1, 「两口子」→2."""
    if not text:
        return None
    if declined(text):
        return DECLINED
    value = _digits(text)
    match = _SIZE.search(value)
    if match and 1 <= int(match.group(1)) <= 30:
        return int(match.group(1))
    if _ALONE.search(value):
        return 1
    if _COUPLE.search(value):
        return 2
    bare = re.fullmatch(r"\D{0,4}?(\d{1,2})\D{0,2}", value.strip())
    if bare and 1 <= int(bare.group(1)) <= 30 and not re.search(r"[块元岁天月年]", value):
        return int(bare.group(1))
    return None


# --- income ------------------------------------------------------------------

_NO_INCOME = re.compile(r"没有?(?:任何)?(?:收入|工资|进项|钱|工作)|零收入|无收入|一分(?:钱)?都?没|^\W*(?:0|零|没有|无)\W*$")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:多|来|左右|上下|出头)?\s*(?:块|元|块钱|圆)?")
_PER_YEAR = re.compile(r"一?年|每年|年收入|全年")
_PER_DAY = re.compile(r"一?天|每天|日")


def parse_monthly_income(text: str | None) -> float | str | None:
    """Monthly income in yuan: 「每月三千来块」→3000, 「两千五」→2500, 「一年两万」→1667, 「没收入」→0."""
    if not text:
        return None
    if declined(text):
        return DECLINED
    value = _digits(text)
    numbers = [float(m.group(1)) for m in _AMOUNT.finditer(value)]
    # 「1个月3000」: drop the 1 that counts months, days or years
    numbers = [n for n, m in zip(numbers, _AMOUNT.finditer(value))
               if not re.match(r"\s*(?:个)?(?:月|年|天|日|周|星期|口|人|岁)", value[m.end():])]
    if _NO_INCOME.search(normalise_width(text)) and max(numbers, default=0) <= 1:
        return 0.0  # 「没有收入」「一分钱都没有」
    if not numbers:
        return None
    amount = max(numbers)
    if _PER_YEAR.search(value) and not re.search(r"月", value):
        amount = amount / 12
    elif _PER_DAY.search(value) and not re.search(r"月", value):
        amount = amount * 30
    return round(amount, 2)


# --- statuses ----------------------------------------------------------------

_NO_FIXED_INCOME = re.compile(r"没有?(?:固定)?(?:收入|工作|进项)|无(?:固定)?收入|不能干活|干不了活")
_STATUS_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("poverty_registered", re.compile(r"建档立卡|贫困户|脱贫户|防止返贫|防返贫|监测户|监测对象")),
    ("dibao", re.compile(r"低保")),
    ("tekun", re.compile(r"特困|五保")),
    ("judicial_aid", re.compile(r"司法救助")),
    ("social_assistance", re.compile(r"(?<!司法)救助(?:对象|户)|临时救助|社会救助")),
    ("special_care", re.compile(r"优抚|抚恤|伤残军人|退役军人|军属")),
    ("migrant_worker", re.compile(r"农民工|打工|务工|工地|包工头|民工|干活的")),
    ("martyr_relative", re.compile(r"烈士")),
    ("good_samaritan", re.compile(r"见义勇为")),
    ("abuse_victim", re.compile(r"家暴|虐待|遗弃|打我")),
    ("retrial_acquitted", re.compile(r"改判无罪|再审无罪|宣告无罪")),
)
_NEGATED = re.compile(r"(?:不是|没有|不算|并非)[^，,。；;！!]{0,8}")
_AGE = re.compile(r"(\d{1,3})\s*(?:周岁|岁)")
_MINOR_WORDS = re.compile(r"未成年|不满18|不到18|没满18|未满18|小孩|孩子|学生")
_ELDERLY_WORDS = re.compile(r"老人|老年|年纪大|岁数大|退休")
_DISABLED_WORDS = re.compile(r"残疾|残废|瘫痪|残疾证")


def parse_age(text: str | None) -> int | None:
    """An age in the answer: 「孩子才16岁」→16, 「他才十六岁」→16."""
    if not text:
        return None
    match = _AGE.search(_digits(text))
    return int(match.group(1)) if match and int(match.group(1)) <= 120 else None


def parse_statuses(text: str | None) -> frozenset[str] | None:
    """The statuses of the contract found in an answer; empty for 「都不是」; None if it says nothing.

    Minors, elderly and disabled people count as exempt only without a fixed income
    (Art. 42): 「我是残疾人」 alone is not enough, 「残疾，没有收入」 is.
    """
    if not text:
        return None
    raw = _digits(text)
    value = _NEGATED.sub("", normalise_width(text))  # 「我不是低保户，是农民工」; 「五保」 stays in words
    found = {status for status, words in _STATUS_WORDS if words.search(value)}
    age = parse_age(raw)
    no_income = bool(_NO_FIXED_INCOME.search(raw))
    if (age is not None and age < 18) or _MINOR_WORDS.search(value):
        found.add("minor_no_income")  # minors rarely have a fixed income; staff check
    if no_income and ((age is not None and age >= 60) or _ELDERLY_WORDS.search(value)):
        found.add("elderly_no_income")
    if no_income and _DISABLED_WORDS.search(value):
        found.add("disabled_no_income")
    if found:
        return frozenset(found)
    if says_none_of_them(raw) or declined(raw) or value != normalise_width(text):
        return frozenset()  # 「都不是」, 「不想说」, or only negations (「我不是低保户」)
    return None


# --- criminal cases (Art. 25) ------------------------------------------------

_FLAG_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("minor", re.compile(r"未成年|不满18|不到18|没满18|未满18")),
    ("blind_deaf_mute", re.compile(r"盲|瞎|聋|哑|看不见|听不见|不会说话")),
    ("mental_incapacity", re.compile(r"精神病|精神(?:有|上)?(?:问题|疾病|不正常)|智力|智障|傻|脑子(?:有|不)|痴呆")),
    ("death_review", re.compile(r"死刑复核")),
    ("possible_life_or_death", re.compile(r"无期|死刑|杀人|命案|判死")),
    ("in_absentia", re.compile(r"缺席")),
    ("compulsory_medical", re.compile(r"强制医疗")),
)


def parse_criminal_flags(text: str | None) -> frozenset[str] | None:
    """Art. 25 circumstances of the suspect: 「孩子才16岁」→{minor}; 「都没有」→ empty; None if unclear."""
    if not text:
        return None
    value = _digits(text)
    found = {flag for flag, words in _FLAG_WORDS if words.search(value)}
    if "death_review" in found:
        found.discard("possible_life_or_death")
    age = parse_age(value)
    if age is not None and age < 18:
        found.add("minor")
    if found:
        return frozenset(found)
    if says_none_of_them(value) or declined(value) or re.search(r"正常|成年", value):
        return frozenset()
    return None


# --- yes / no ----------------------------------------------------------------

_HAS_LAWYER_NO = re.compile(r"没|不|未|还没|无|请不起")
_HAS_LAWYER_YES = re.compile(r"请了|有律师|有代理|找了|委托了|^\W*(?:有|有的|是|是的|对|嗯)\W*$")


def parse_has_lawyer(text: str | None) -> bool | None:
    """「还没请」→False, 「请了一个」→True."""
    if not text:
        return None
    value = normalise_width(text)
    if _HAS_LAWYER_NO.search(value):
        return False
    if _HAS_LAWYER_YES.search(value):
        return True
    return None


# --- urgency (Art. 44) -------------------------------------------------------

_PRESERVATION = re.compile(r"转移财产|转移钱|藏钱|卖房|卖车|跑路|要跑|跑了|逃跑|保全|证据(?:要|快|会)?(?:没了|被删|销毁)|先予执行|马上要钱|急需用钱")
_NOT_URGENT = re.compile(r"不急|还早|没有期限|没期限|没有时间|还没定|没定|没有开庭|没开庭|还没起诉|^\W*(?:没有|没|不|无|都没有)\W*$")
_WEEKDAYS = "一二三四五六日天"
_WEEKDAY_DIGITS = "1234567"
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}


def parse_deadline(text: str | None, today: dt.date) -> tuple[int | None, bool] | None:
    """Days to the nearest deadline and whether preservation is needed now, or None if unclear.

    「下周就开庭了」→ the days to next Monday: for a deadline the earliest reading is taken,
    because a call that comes early costs less than a missed hearing. 「不急」→(None, False).
    """
    if not text:
        return None
    value = _digits(text)
    preservation = bool(_PRESERVATION.search(value))
    if not preservation and (_NOT_URGENT.search(value) or says_none_of_them(value)):
        return None, False
    days: int | None = None
    for word in sorted(_RELATIVE_DAYS, key=len, reverse=True):
        if word in value:
            days = _RELATIVE_DAYS[word]
            break
    if days is None and (m := re.search(r"(下|这|本)(?:个)?(?:周|星期|礼拜)([" + _WEEKDAYS + _WEEKDAY_DIGITS + r"])?", value)):
        this_monday = today - dt.timedelta(days=today.weekday())
        monday = this_monday + dt.timedelta(days=7 if m.group(1) == "下" else 0)
        if m.group(2):
            day = m.group(2)
            index = _WEEKDAY_DIGITS.index(day) if day.isdigit() else min(_WEEKDAYS.index(day), 6)
            target = monday + dt.timedelta(days=index)
            days = max((target - today).days, 0)
        else:
            days = max((monday - today).days, 0)
    if days is None and (m := re.search(r"(\d+)\s*(?:多)?\s*(个)?\s*(天|日|周|星期|礼拜|月)", value)):
        unit = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30}[m.group(3)]
        days = int(m.group(1)) * unit
    if days is None and re.search(r"下(?:个)?月", value):
        days = ((today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - today).days
    if days is None and re.search(r"马上|快到了|就要|过几天|这几天|没几天|很急|急", value):
        days = 3  # 「马上就到期了」: urgent, the exact day unknown
    if days is None and re.search(r"已经过了|过期了|超过了", value):
        days = 0
    if days is not None or preservation:
        return days, preservation
    if _NOT_URGENT.search(value) or declined(value) or says_none_of_them(value):
        return None, False
    return None


# --- the matter (matter codes of shared/domain/matters.md) --------------------

# The words people use, most specific first (「工伤」 before 「工资」, 「抚养费」 before 「抚养权」).
# A keyword reading for the screening's own question; the NLU model reads free messages.
_MATTER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("domestic_violence", re.compile(r"家暴|家庭暴力|(?:老公|丈夫|男人|老婆|媳妇|儿子|女儿)(?:经常|又|总|天天)?打|虐待|遗弃|赶出家门")),
    ("state_compensation", re.compile(r"国家赔偿|错抓|冤案|冤枉坐牢|违法拘留")),
    ("criminal_defense", re.compile(r"被抓|抓走|抓了|被拘|拘留|刑拘|逮捕|判刑|坐牢|看守所|被关|犯罪嫌疑人|被告人|公安带走|派出所带走|被起诉")),
    ("criminal_victim", re.compile(r"被打伤|打伤|被人打|被骗|诈骗|强奸|猥亵|被偷|被抢|故意伤害|自诉|被害人")),
    ("work_injury", re.compile(r"工伤|干活(?:时)?(?:受伤|摔|砸|伤)|工地(?:上)?(?:摔|砸|受伤)|职业病")),
    ("labor_wage", re.compile(r"工资|工钱|血汗钱|讨薪|欠薪|包工头|老板.{0,4}(?:不给钱|欠|跑)|不发钱")),
    ("labor_relation", re.compile(r"劳动合同|没签合同|开除|辞退|解雇|经济补偿|试用期|炒鱿鱼|劳动关系")),
    ("social_insurance", re.compile(r"社保|养老金|医保|低保被取消|抚恤金|养老保险|失业金")),
    ("traffic_accident", re.compile(r"车祸|被车撞|撞了|撞伤|交通事故|肇事|逃逸|交警")),
    ("medical_dispute", re.compile(r"医疗事故|手术|误诊|医院.{0,4}(?:治|错|死|出事)")),
    ("product_safety", re.compile(r"假药|假种子|假化肥|吃坏|食物中毒|产品质量|有毒")),
    ("environment", re.compile(r"污染|排污|噪音|养殖.{0,2}死|鱼死|废水")),
    ("support_payment", re.compile(r"赡养费|抚养费|扶养费|不养老人|不管老人|不给生活费|不给钱养")),
    ("divorce", re.compile(r"离婚|抚养权|彩礼|分财产|出轨|婚姻")),
    ("inheritance", re.compile(r"遗产|遗嘱|继承")),
    ("capacity", re.compile(r"糊涂|监护|行为能力|痴呆")),
    ("debt_loan", re.compile(r"借钱|欠钱|欠款|欠条|借条|高利贷|不还钱|借给")),
    ("housing_land", re.compile(r"宅基地|承包地|土地|拆迁|征地|房产证|房子|林地")),
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
    value = normalise_width(text)
    for code, words in _MATTER_WORDS:
        if words.search(value):
            return code
    if _OTHER.search(value) or len(re.findall(r"[\u3400-\u9fff]", value)) >= 6:
        return "other"  # staff decide; never a forced code
    return None


_CERTIFICATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{3,40}")


def parse_certificate(text: str | None) -> str | None:
    """A registration or certificate number (「编号是5306271234」), DECLINED for 「没有」, else None."""
    if not text:
        return None
    value = normalise_width(text)
    match = _CERTIFICATE.search(value.replace(" ", ""))
    if match and sum(c.isdigit() for c in match.group()) >= 4:
        return match.group().upper()
    if declined(value) or says_none_of_them(value) or re.search(r"没有|没带|不在身边|找不到|忘了", value):
        return DECLINED
    return None
