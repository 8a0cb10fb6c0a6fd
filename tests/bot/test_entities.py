"""The spaCy entity finder: places, relations, money, durations, ages; and odd input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.entities import EntityFinder, entity_labels, load_regions, number
from bot.text import normalise

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "referral" / "city.yaml"


@pytest.fixture(scope="module")
def finder() -> EntityFinder:
    return EntityFinder(load_regions(CITY))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我在鲁甸县打工老板欠我两万五", [("region", "鲁甸县"), ("money", 25000)]),
        ("巧家的", [("region", "巧家县")]),  # a short form → the official name
        ("我家在龙头山镇", [("region", "鲁甸县")]),  # a township → its county
        ("我爸七十多岁了", [("relation", "parent"), ("age", 70)]),
        ("孩子16岁", [("relation", "child"), ("age", 16)]),
        ("我老公打我", [("relation", "spouse")]),
        ("前夫不给抚养费", [("relation", "former_spouse")]),
        ("三个月工资没发", [("duration", "P3M")]),
        ("欠了一年半了", [("duration", "P18M")]),
        ("半个月", [("duration", "P15D")]),
        ("一千八百块", [("money", 1800)]),
        ("欠我1.2万", [("money", 12000)]),
        ("每月3000元", [("money", 3000)]),
        ("三四千块", [("money", 4000)]),
        ("2023年3月的事", []),  # a date is not a duration
        ("5月20号开庭", []),
    ],
)
def test_entities(finder, text, expected):
    assert entity_labels(finder.find(text)) == expected


def test_offsets_point_at_the_words(finder):
    text = "我在镇雄县，儿子被打了"
    for entity in finder.find(text):
        assert text[entity.start:entity.end] == entity.text


def test_every_region_of_the_city_is_found_by_name_and_alias(finder):
    city = yaml.safe_load(CITY.read_text(encoding="utf-8"))
    for region in city["regions"]:
        for alias in (region["name"], *region.get("aliases", [])):
            assert ("region", region["name"]) in entity_labels(finder.find(f"我住在{alias}那边")), alias


def test_every_region_is_a_jieba_dictionary_word():
    """Regions are single tokens for DIET and the EntityRuler alike."""
    words = {line.split()[0] for path in (ROOT / "bot" / "jieba_dict").iterdir()
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    city = yaml.safe_load(CITY.read_text(encoding="utf-8"))
    assert {r["name"] for r in city["regions"]} <= words


@pytest.mark.parametrize("odd", ["", "   ", "😀🙏", "。。。", "?!", "\n"])
def test_odd_input_finds_nothing(finder, odd):
    assert finder.find(normalise(odd)) == []
    assert finder.find(odd) == []


def test_five_thousand_characters(finder):
    text = ("我在昭阳区，老公打我，欠我三千块，三个月了。" * 250)[:5000]
    entities = finder.find(text)
    assert len(text) == 5000
    labels = {e.label for e in entities}
    assert labels == {"region", "relation", "money", "duration"}
    assert all(text[e.start:e.end] == e.text for e in entities)


def test_mixed_scripts(finder):
    text = normalise("我在鲁甸縣，my husband 打我，欠我ＲＭＢ５０００元")
    assert entity_labels(finder.find(text)) == [("region", "鲁甸县"), ("money", 5000)]


@pytest.mark.parametrize(("text", "value"), [("两万五", 25000), ("3k", 3000), ("1.2万", 12000), ("三四千", 4000),
                                             ("abc", None)])
def test_number(text, value):
    assert number(text) == value
