"""Natural answers to the eligibility questions (actions.screening_answers)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from actions.screening_answers import (
    CRIMINAL_FLAG_OPTIONS,
    DECLINED,
    STATUS_OPTIONS,
    parse_certificate,
    parse_criminal_flags,
    parse_deadline,
    parse_has_lawyer,
    parse_household_size,
    parse_matter,
    parse_monthly_income,
    parse_statuses,
    says_deadline_is_close,
)

SATURDAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(("text", "expected"), [
    ("一家五口", 5), ("家里4口人", 4), ("我们家三口人", 3), ("就我一个", 1), ("我一个人过", 1),
    ("两口人", 2), ("我和老伴", 2), ("我们家有我跟我老婆还有两个娃娃再加上我妈", 5), ("我跟我老婆", 2),
    ("我一个人打工，家里五口", 5), ("两个孩子加我们两口子", 4),
    ("两口子", 2), ("老两口", 2), ("５", 5), ("六个人", 6), ("不想说", DECLINED), ("不知道", DECLINED),
    ("三千", None), ("？", None), ("", None),
    ("4个 我 男人 两个娃", 4), ("一家四个", 4),  # the count said first (a citizen trial)
    ("3个月没发工资", None),
])
def test_household_size(text, expected):
    assert parse_household_size(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("每月三千来块", 3000), ("两千五", 2500), ("一个月两千五百块", 2500), ("一万二", 12000), ("1.2万", 12000),
    ("三四千", 4000), ("三千多", 3000), ("一千五", 1500), ("月收入3000元", 3000), ("一年两万", 1667),
    ("一天一百", 3000), ("没有收入", 0), ("一分钱都没有", 0), ("不想说", DECLINED), ("不方便说", DECLINED),
    ("2千", 2000), ("3k", 3000), ("4.5k", 4500), ("0.8万", 8000), ("每個月三千塊", 3000), ("一个月就几百块", 900),
    ("千把块", 1000), ("我一千五，老婆一千", 2500), ("一天挣一百，一个月干二十天", 2000),
    ("月收入两千左右，一年也就两万多", 2000), ("年纪大了，就一千五", 1500), ("日子过得苦，两千块", 2000),
    ("看天吃饭，大概一千", 1000), ("一年三万", 2500),
    ("我七十多了 没收入", 0), ("都80了，一个月就三百", 300), ("我六十了", None),
    ("5口人", None), ("一家四口", None), ("4", None), ("嗯", None),
])
def test_monthly_income(text, expected):
    assert parse_monthly_income(text) == expected


# The phrases of the citizen trial (issue 14): a year is divided by 12 and rounded to the whole
# yuan, halves up; 「来」「多」「左右」「出头」 are the number said; a range is its upper end.
@pytest.mark.parametrize(("text", "expected"), [
    ("一年收入两万来块", 1667),  # was read as 2 元 a month in the trial
    ("一年收入两万来块，两个孩子", 1667), ("一年收入两万来块 一家三口", 1667), ("我有3个孩子，一个月两千", 2000),
    ("年收入两万", 1667), ("一年到头挣两万", 1667), ("一年到头也就两万来块钱", 1667), ("一年下来，也就两万", 1667),
    ("两万一年", 1667), ("一年收入兩萬來塊", 1667), ("一年两万多", 1667), ("每年一万出头", 833),
    ("一年下来三四万", 3333), ("一年两三万", 2500), ("一年也就万把块", 833), ("十来万一年", 8333),
    ("两万多", 20000), ("一万五", 15000), ("三千来块", 3000), ("月入四千", 4000), ("一个月也就一千出头", 1000),
    ("两千左右", 2000), ("两千一个月", 2000), ("两千五一个月", 2500), ("两千一一个月", 2100),
    ("一两千", 2000), ("一千二三", 1300), ("三千到四千", 4000), ("3000-4000", 4000),
    ("一周五百", 2167), ("没有收入", 0), ("没收入", 0),
    # numbers that count something else are never an amount
    ("3个孩子", None), ("第2个", None), ("13812345678", None), ("2025年3月", None),
])
def test_monthly_income_as_citizens_say_it(text, expected):
    assert parse_monthly_income(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("我是低保户", {"dibao"}), ("建档立卡贫困户", {"poverty_registered"}), ("我们是脱贫户", {"poverty_registered"}),
    ("防止返贫监测户", {"poverty_registered"}), ("我是农民工", {"migrant_worker"}), ("五保户", {"tekun"}),
    ("孩子才16岁", {"minor_no_income"}), ("残疾人，没有固定收入", {"disabled_no_income"}),
    ("我68岁了，没有收入", {"elderly_no_income"}), ("我七十多了没有收入", {"elderly_no_income"}),
    ("我是残疾人", set()),  # no fixed income not said: the income is asked
    ("我是没有固定收入的残疾人", {"disabled_no_income"}), ("我是退伍军人", set()),
    # denied or withdrawn: never a status (these would change the outcome)
    ("没评上贫困户", set()), ("低保被取消了", set()), ("申请过低保没批", set()),
    ("我家不是贫困户，是低保户", {"dibao"}), ("我带着两个孩子", None), ("监测户", {"poverty_registered"}),
    ("我不是低保户，是农民工", {"migrant_worker"}), ("见义勇为", {"good_samaritan"}),
    ("都不是", set()), ("没有", set()), ("不想说", set()), ("嗯？", None),
])
def test_statuses(text, expected):
    result = parse_statuses(text)
    if expected is None:
        assert result is None
    else:
        assert result == frozenset(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("孩子才16岁", {"minor"}), ("他才十七岁", {"minor"}), ("未成年", {"minor"}), ("他是聋哑人", {"blind_deaf_mute"}),
    ("他有精神病", {"mental_incapacity"}), ("可能要判无期", {"possible_life_or_death"}),
    ("死刑复核", {"death_review"}), ("都没有", set()), ("他是成年人，都没有", set()), ("啥？", None),
    # denials are no flags: a wrong flag tells a family 「不用自己申请」
    ("不是未成年人", set()), ("他已经成年了，不是未成年", set()), ("没有精神病", set()), ("他不傻", set()),
    ("打架，没杀人", set()), ("不会判死刑吧", set()), ("不知道", DECLINED),
])
def test_criminal_flags(text, expected):
    result = parse_criminal_flags(text)
    assert result == (expected if expected in (None, DECLINED) else frozenset(expected))


@pytest.mark.parametrize(("text", "expected"), [
    ("请了", True), ("请了一个律师", True), ("有", True), ("没有请", False), ("还没", False),
    ("请不起", False), ("啥意思", None), ("找了法律援助中心", None), ("请了律师，不过还没见面", True),
    ("没问题，请了", True), ("沒有請律師", False), ("不知道", DECLINED), ("不急", None),
])
def test_has_lawyer(text, expected):
    assert parse_has_lawyer(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("下周就开庭了", (2, False)),  # the earliest reading: Monday 11-30
    ("下周三开庭", (4, False)), ("三天后开庭", (3, False)), ("明天", (1, False)), ("还有十天到期", (10, False)),
    ("两个星期", (14, False)), ("下个月", (None, False)), ("下个月十五号开庭", (17, False)),
    ("3月20号开庭", (112, False)), ("20号开庭", (22, False)), ("还有半个月", (15, False)),
    ("下下周开庭", (9, False)), ("不太急", (None, False)), ("不是很急", (None, False)),
    ("不急，包工头早就跑了", (None, False)), ("对方要转移财产", (None, True)),
    ("不急", (None, False)), ("没有", (None, False)), ("不知道", (None, False)), ("嗯？", None),
])
def test_deadline(text, expected):
    assert parse_deadline(text, SATURDAY) == expected


# Only a deadline the citizen stated (issue 14: a ticket said 「3 days」 nobody gave): a number or
# date from another part of the answer is none, and 「很急」 without a day gives no day.
@pytest.mark.parametrize(("text", "expected"), [
    ("我有3个孩子，很急", (None, False)), ("马上就到期了", (None, False)), ("很急", (None, False)),
    ("很急 他说今晚回来要打死我", (None, False)), ("有3个孩子", None), ("老板欠我三个月工资", None),
    ("他3号打我的", None), ("今天又打我了", None), ("他说后天来打我", None), ("仲裁三个月了还没结果", None),
    ("2025年3月开始欠的", None),
    # a stated deadline is still read, also next to an unrelated number
    ("老板欠我三个月工资，下周仲裁", (2, False)), ("三个孩子，下周三开庭", (4, False)), ("还有三天", (3, False)),
    ("3号开庭", (5, False)), ("下个月3号", (5, False)), ("还剩两天就到期", (2, False)),
    ("十天以内要交材料", (10, False)), ("一个月后开庭", (30, False)), ("两个星期吧", (14, False)),
    ("已经过期了", (0, False)), ("三天后开庭，对方还要转移财产", (3, True)),
])
def test_deadline_only_as_stated(text, expected):
    assert parse_deadline(text, SATURDAY) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("讨工资", "labor_wage"), ("老板欠我三个月工钱", "labor_wage"), ("工地上摔伤了", "work_injury"),
    ("家里人被抓了", "criminal_defense"), ("儿子被拘留了", "criminal_defense"), ("老公打我", "domestic_violence"),
    ("被车撞了", "traffic_accident"), ("前夫不给抚养费", "support_payment"), ("想离婚", "divorce"),
    ("被人打伤了", "criminal_victim"), ("借钱不还", "debt_loan"), ("别的事", "other"),
    ("邻居家的树倒了压坏了我家的墙", "other"), ("啊", None), ("儿子不给我养老钱", "support_payment"),
    ("村里不给我低保", "social_insurance"), ("工傷 在廠裡手被機器壓斷了", "work_injury"), ("我被人告了", "other"),
])
def test_matter(text, expected):
    assert parse_matter(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("编号是5306271234", "5306271234"), ("５３０６ ２７１２ ３４", "530627123 4".replace(" ", "")),
    ("没有", DECLINED), ("不记得了", DECLINED), ("abc", None), ("啥编号 没得", DECLINED),
    ("13812345678", None), ("530627199001011234", None),  # a phone or ID number is not taken
])
def test_certificate(text, expected):
    assert parse_certificate(text) == expected


def test_danger_is_noticed_in_any_answer():
    from actions.screening_answers import in_danger

    assert in_danger("很急 他说今晚回来要打死我") and in_danger("他拿刀威胁要砍我")
    assert not in_danger("不急") and not in_danger("被车撞了")


@pytest.mark.parametrize(("text", "expected"), [
    ("我和老婆一人两千", 4000), ("两个人一人两千", 4000), ("我两千老婆两千", 4000), ("我一千五老婆八百", 2300),
])
def test_several_earners(text, expected):
    assert parse_monthly_income(text) == expected


def test_numbered_options_of_the_lists():
    assert parse_statuses("第1个") == {"poverty_registered"} and parse_statuses("5") == {"abuse_victim"}
    assert parse_statuses("4") is None  # 「残疾人、老人或者未成年人」: which one is asked again
    assert parse_criminal_flags("3") == {"mental_incapacity"} and parse_criminal_flags("6") is None
    assert parse_criminal_flags("5") == {"death_review"}  # the defendant must apply (Art. 25(1)(5))


def test_an_adult_suspect_has_no_age_flag():
    assert parse_criminal_flags("他已经18岁了") == frozenset()


def test_a_threat_named_as_the_matter_is_domestic_violence():
    assert parse_matter("他现在就在门外砸门说要杀了我") == "domestic_violence"


# --- numbered options: 「3」 answers with the third line of the question -------------------

# Each question with a numbered list, and the table that reads its numbers.
OPTION_TABLES = {
    "utter_ask_screening_form_statuses": STATUS_OPTIONS,
    "utter_ask_screening_form_criminal_flags": CRIMINAL_FLAG_OPTIONS,
}
_NUMBERED_LINE = re.compile(r"^(\d+)\.\s*(.+?)\s*$")


def numbered_lines(text: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for line in text.splitlines() if (m := _NUMBERED_LINE.match(line))}


@pytest.mark.parametrize("response", sorted(OPTION_TABLES))
def test_option_table_follows_the_question_as_the_citizen_sees_it(merged_domain, response):
    """Reordering or rewording the list in the question without its table fails here."""
    variants = merged_domain["responses"][response]
    table = {number: option.label for number, option in OPTION_TABLES[response].items()}
    for variant in variants:
        assert numbered_lines(variant["text"]) == table


def test_every_numbered_screening_question_has_its_option_table(merged_domain):
    numbered = {
        name for name, variants in merged_domain["responses"].items()
        if name.startswith("utter_ask_screening_form_") and any(numbered_lines(v.get("text") or "") for v in variants)
    }
    assert numbered == set(OPTION_TABLES)


@pytest.mark.parametrize(("text", "rejected", "rest"), [
    ("不对", True, ""), ("不是", True, ""), ("说错了", True, ""), ("没那么多", True, ""), ("不对，不急", True, "不急"),
    ("不对，是两千", True, "是两千"), ("不是很急", False, "不是很急"), ("不是低保户", False, "不是低保户"),
    ("对", False, "对"), ("不急", False, "不急"),
])
def test_a_rejected_read_back(text, rejected, rest):
    from actions.screening_answers import rejects, without_rejection

    assert rejects(text) is rejected and without_rejection(text) == rest


@pytest.mark.parametrize(("text", "close"), [
    ("马上就开庭了", True), ("很急", True), ("期限快到了", True), ("过几天就要仲裁", True),
    ("不急", False), ("不是很急", False), ("下个月才开庭", False), ("没有", False), ("我也不知道", False),
])
def test_a_close_deadline_without_a_day_is_urgent_but_no_day_is_made_up(text, close):
    assert says_deadline_is_close(text) is close
    if close:
        reading = parse_deadline(text, SATURDAY)
        assert reading is None or reading[0] is None  # urgent, and still no day


@pytest.mark.parametrize("text", ["没得", "没得请", "哪有啥律师", "哪来钱请律师"])
def test_no_lawyer_in_dialect(text):
    assert parse_has_lawyer(text) is False


@pytest.mark.parametrize(("text", "soon"), [
    ("急啊 过年都没钱回家", False),  # a citizen trial: told 「时间很紧」 and Art. 44 with no deadline at all
    ("很急", True),
    ("急 仲裁期限快到了 没钱请律师", True),
])
def test_urgent_for_money_is_not_a_close_deadline(text, soon):
    assert says_deadline_is_close(text) is soon


@pytest.mark.parametrize(("text", "expected"), [
    ("俺原来是低保户 现在给停了", frozenset()),  # a citizen trial: counted as a current 低保户
    ("低保户 去年取消了", frozenset()),
    ("我们是低保户 现在还在领", frozenset({"dibao"})),
    ("我家以前是贫困户", frozenset({"poverty_registered"})),  # a 脱贫户 now: still the green channel
])
def test_a_status_held_once_is_not_held_now(text, expected):
    assert parse_statuses(text) == expected
