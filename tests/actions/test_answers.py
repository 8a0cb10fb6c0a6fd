"""Reading names, mobile numbers and descriptions from free text."""

from __future__ import annotations

import pytest

from actions.answers import parse_description, parse_mobile, parse_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("一三八一二三四五六七八", "13812345678"),
        ("幺三八幺二三四五六七八", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("我的手机是13812345678，随时打", "13812345678"),
    ],
)
def test_parse_mobile_accepts_common_spellings(text, expected):
    assert parse_mobile(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "12345", "23812345678", "138123456789", "0870-1234567", "13812345678 13912345678", "没有手机"],
)
def test_parse_mobile_rejects_non_mobiles(text):
    assert parse_mobile(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("张三", "张三"), ("我叫张三", "张三"), ("我是李四。", "李四"), ("名字是王小明", "王小明"),
     ("阿依古丽·买买提", "阿依古丽·买买提"), ("  赵六 ", "赵六")],
)
def test_parse_name_accepts_names(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", [None, "", "。。。", "13812345678", "我叫", "x" * 31])
def test_parse_name_rejects_non_names(text):
    assert parse_name(text) is None


def test_parse_description_keeps_text_and_rejects_empty():
    assert parse_description("  老板拖欠工资  ") == "老板拖欠工资"
    assert parse_description("被打了") == "被打了"
    for empty in (None, "", "   ", "。。。！", "😀"):
        assert parse_description(empty) is None
    assert len(parse_description("欠" * 6000)) == 5000
