"""Reading names, mobile numbers and descriptions from free text."""

from __future__ import annotations

import pytest

from actions.citizen_replies import (
    cannot_write,
    consent_answer,
    fields_to_correct,
    find_region,
    is_explicit_yes,
    name_in_correction,
    parse_description,
    parse_mobile,
    parse_name,
    says_no,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("一三八一二三四五六七八", "13812345678"),
        ("幺三八幺二三四五六七八", "13812345678"),
        ("幺五九，八七二六，三三零一", "15987263301"),  # dictated in groups, typed with commas
        ("+86 13812345678", "13812345678"),
        ("我的手机是13812345678，随时打", "13812345678"),
    ],
)
def test_parse_mobile_accepts_common_spellings(text, expected):
    assert parse_mobile(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "12345", "23812345678", "138123456789", "0870-1234567", "13812345678 13912345678",
     "13812345678，13912345678", "没有手机"],
)
def test_parse_mobile_rejects_non_mobiles(text):
    assert parse_mobile(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("张三", "张三"), ("我叫张三", "张三"), ("我是李四。", "李四"), ("名字是王小明", "王小明"),
     ("阿依古丽·买买提", "阿依古丽·买买提"), ("  赵六 ", "赵六"), ("姓李", "李"), ("我姓王", "王"),
     ("我叫张建国电话是13987654321", "张建国"), ("欧阳娜娜", "欧阳娜娜"), ("Li Ming", "Li Ming")],
)
def test_parse_name_accepts_names(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "。。。", "13812345678", "我叫", "x" * 31, "同意", "嗯", "我要申请法律援助",
     "老板拖欠我三个月工资怎么办", "我是彝良县的人现在在外地打工", "王", "你好"],
)
def test_parse_name_rejects_non_names(text):
    assert parse_name(text) is None


def test_parse_description_keeps_text_and_rejects_empty():
    assert parse_description("  老板拖欠工资  ") == "老板拖欠工资"
    assert parse_description("被打了") == "被打了"
    for empty in (None, "", "   ", "。。。！", "😀"):
        assert parse_description(empty) is None
    assert parse_description("欠" * 6000) == "欠" * 6000  # a long account is kept whole
    assert len(parse_description("欠" * 30_000)) == 20_000


@pytest.mark.parametrize("text", ["同意", "我同意", "好的", "可以", "嗯嗯", "ok", "是的"])
def test_explicit_yes(text):
    assert is_explicit_yes(text)


@pytest.mark.parametrize("text", [None, "", "？", "🙏", "。。。", "不同意", "我考虑一下", "不好"])
def test_not_an_explicit_yes(text):
    assert not is_explicit_yes(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("名字不对 就王桂兰仨字", "王桂兰"),
    ("名字写错了，应该是李秀英", "李秀英"),
    ("姓名改成王建国", "王建国"),
    ("名字错了 我叫刘德华", "刘德华"),
    ("名字不对 王桂兰", "王桂兰"),
    ("名字不对，应该叫阿依·吉克", "阿依·吉克"),
    ("名字错了", None),
    ("名字是错的", None),
    ("电话不对，名字也不对", None),
    ("名字不对 是水富", None),  # a place, not a name
])
def test_name_in_correction(text, expected):
    assert name_in_correction(text) == expected


def test_says_no_and_fields_to_correct():
    assert says_no("不对") and says_no("填错了") and not says_no("对")
    assert fields_to_correct("电话不对") == ["applicant_phone"]
    assert fields_to_correct("名字错了，县也不对") == ["applicant_name", "region"]
    assert fields_to_correct("不对") == [] and fields_to_correct(None) == []


@pytest.mark.parametrize(("text", "expected"), [("我在龍頭山鎮", "鲁甸县"), ("鎮雄", "镇雄县"), ("水富", "水富市")])
def test_find_region_reads_traditional_characters(text, expected):
    assert find_region(text).name == expected


def test_find_region_names_nothing_for_empty_or_unknown_words():
    assert find_region(None) is None and find_region("北京") is None


@pytest.mark.parametrize(("text", "expected"), [("中", True), ("中嘞", True), ("不中", False), ("中间", None)])
def test_a_dialect_yes_said_alone_is_consent(text, expected):
    assert consent_answer(text) is expected


@pytest.mark.parametrize(("text", "name"), [("俺叫张德贵", "张德贵"), ("俺是王桂兰", "王桂兰")])
def test_names_introduced_in_dialect(text, name):
    assert parse_name(text) == name


@pytest.mark.parametrize(("text", "expected"), [
    ("俺不识字咋弄", True),
    ("不识字写不来起诉状咋办", True),
    ("不会写字能申请不", True),
    ("俺不识字 写不来申请", True),
    ("俺都70多了 不识字 那个合同是按的手印 这算数不", False),  # a question about the contract
    ("老板说他不识字", False),
])
def test_cannot_write(text, expected):
    assert cannot_write(text) is expected
