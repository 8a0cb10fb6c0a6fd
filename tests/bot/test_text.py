"""The normaliser: what it changes, what it must leave alone, and odd input."""

from __future__ import annotations

import pytest

from bot.text import collapse_punctuation, half_width, normalise, simplified, strip_emoji


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("出車禍了", "出车祸了"),  # traditional characters (the screening bug of issue 3)
        ("我想離婚，孩子撫養權歸誰", "我想离婚,孩子抚养权归谁"),
        ("老板欠我３０００元", "老板欠我3000元"),  # full-width digits
        ("ＦＹ２０２６", "FY2026"),
        ("救命！！！！他在打我", "救命!他在打我"),
        ("工资。。。。没发", "工资。没发"),
        ("怎么办？？？", "怎么办?"),
        ("好的～～～", "好的~"),
        ("😭😭老公打我👊", "老公打我"),
        ("谢谢❤️", "谢谢"),
        ("👍🏽", ""),  # skin-tone modifier
        ("我\u200b要\u200d申请", "我要申请"),  # zero-width characters
        ("  工伤   赔偿  ", "工伤 赔偿"),
        ("第1句\n第2句", "第1句 第2句"),
    ],
)
def test_normalise(raw, plain):
    assert normalise(raw) == plain


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\t"])
def test_empty_input_gives_empty_text(empty):
    assert normalise(empty) == ""


def test_emoji_only_gives_empty_text():
    assert normalise("😀🙏🇨🇳✨⭐") == ""


def test_five_thousand_characters_keep_their_length_and_meaning():
    text = "老板拖欠我三个月工資" * 500  # 5,000 characters, traditional 資
    result = normalise(text)
    assert len(result) == 5000
    assert "資" not in result and result.count("工资") == 500


def test_mixed_scripts_change_only_what_needs_changing():
    text = "我在Shenzhen打工，老闆说OK但没給錢 ２０２６年 иван"
    assert normalise(text) == "我在Shenzhen打工,老板说OK但没给钱 2026年 иван"


def test_one_punctuation_mark_is_kept_and_mixed_marks_stay():
    assert collapse_punctuation("真的吗?!") == "真的吗?!"
    assert collapse_punctuation("1.5万") == "1.5万"  # a decimal point is not repeated punctuation


def test_the_steps_one_by_one():
    assert half_width("ａｂｃ　１２３") == "abc 123"
    assert simplified("勞動仲裁") == "劳动仲裁"
    assert strip_emoji("好😀的") == "好的"


def test_normalising_twice_changes_nothing():
    for text in ("出車禍了！！😭", "老闆欠ＦＹ錢。。。", "a  b"):
        assert normalise(normalise(text)) == normalise(text)


def test_a_range_of_numerals_reads_as_its_upper_end():
    from bot.text import upper_end_of_ranges

    assert upper_end_of_ranges("每月三四千") == "每月四千"
    assert upper_end_of_ranges("七八百块") == "八百块"
    assert upper_end_of_ranges("两千五") == "两千五"  # not a range
