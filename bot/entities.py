"""Entities in a citizen's message: places of the city, family relations, money, durations, ages.

A blank spaCy ``zh`` pipeline with the jieba segmenter (no Chinese model can be installed
here: RASA-NOTES.md). An EntityRuler finds the closed lists (the city's districts, counties
and townships from referral/city.yaml; family relations); a second pipe finds amounts,
durations and ages by pattern and reads their values with cn2an. Runs on normalised text
(bot.text.normalise). No Rasa import: the Rasa component in bot.components is a thin wrapper.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cn2an
import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from bot.text import upper_end_of_ranges

# Family relations: the words people use → one value per relation.
RELATIONS: dict[str, tuple[str, ...]] = {
    "spouse": ("老公", "丈夫", "老婆", "妻子", "媳妇", "爱人", "老伴", "对象", "男人", "婆娘", "孩子他爸", "孩子他妈"),
    "former_spouse": ("前夫", "前妻"),
    "child": ("儿子", "女儿", "闺女", "孩子", "小孩", "娃", "娃娃", "子女", "儿女", "继子", "继女", "养子", "养女"),
    "parent": ("爸爸", "妈妈", "父亲", "母亲", "我爸", "我妈", "老爸", "老妈", "父母", "爹", "娘", "公公", "婆婆",
               "岳父", "岳母", "继父", "继母", "老汉"),
    "grandparent": ("爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷"),
    "grandchild": ("孙子", "孙女", "外孙", "外孙女"),
    "sibling": ("哥哥", "姐姐", "弟弟", "妹妹", "兄弟", "姐妹"),
    "in_law": ("儿媳", "儿媳妇", "女婿", "嫂子", "弟媳", "姐夫", "妹夫", "小叔子", "小姑子"),
}

_NUMBER = r"(?:\d+(?:\.\d+)?[万千kK]?|[零〇一二两三四五六七八九十百千万]+)"
_MONEY = re.compile(
    rf"(?P<num>{_NUMBER})(?P<approx>多|来|几)?(?:块钱|块|元|圆|万元)"
    r"|(?P<wan>\d+(?:\.\d+)?万|[一二两三四五六七八九十]+万[一二两三四五六七八九]?)(?![人岁年天个])"
)
_DURATION = re.compile(
    rf"(?P<num>{_NUMBER}|半)(?:多)?(?P<unit>个月|个多月|年|天|周|个星期|星期|个小时|小时)(?P<half>半)?"
)
_AGE = re.compile(rf"(?P<num>{_NUMBER})(?:多)?(?:周岁|岁)")
_DATE_YEAR = re.compile(r"^\d{4}$")
_ISO_UNIT = {"个月": "M", "个多月": "M", "年": "Y", "天": "D", "周": "W", "个星期": "W", "星期": "W",
             "个小时": "H", "小时": "H"}


@dataclass(frozen=True)
class Entity:
    """One entity: ``label`` (region, relation, money, duration, age), the ``text`` as written,
    its character offsets in the normalised text, and its ``value`` (the official name of the
    region, also for a township, the relation, yuan, an ISO 8601 duration, years of age)."""

    label: str
    text: str
    start: int
    end: int
    value: Any

    def as_rasa(self, extractor: str) -> dict[str, Any]:
        return {"entity": self.label, "value": self.value, "start": self.start, "end": self.end,
                "text": self.text, "extractor": extractor}


def number(text: str) -> float | None:
    """「两万五」→25000, 「1.2万」→12000, 「3k」→3000, 「三四千」→4000 (a range: its upper end)."""
    value = re.sub(r"[kK]$", "千", text)
    value = upper_end_of_ranges(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(cn2an.cn2an(value, "smart"))
        except (ValueError, KeyError):
            return None


def _whole(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _money(match: re.Match) -> int | float | None:
    amount = number(match.group("num") or match.group("wan"))
    return None if amount is None else _whole(amount)


def _duration(match: re.Match) -> str | None:
    num = match.group("num")
    if _DATE_YEAR.match(num) or (match.group("unit") == "年" and num in {"今", "去", "明"}):
        return None  # 「2023年」 is a date
    amount = 0.5 if num == "半" else number(num)
    if amount is None:
        return None
    if match.group("half"):
        amount += 0.5
    unit = _ISO_UNIT[match.group("unit")]
    if amount != int(amount):  # 「一年半」→ P18M, 「半个月」→ P15D
        amount, unit = {"Y": (amount * 12, "M"), "M": (amount * 30, "D"), "W": (amount * 7, "D"),
                        "D": (amount * 24, "H"), "H": (amount, "H")}[unit]
    prefix = "PT" if unit == "H" else "P"
    return f"{prefix}{_whole(amount)}{unit}"


def _age(match: re.Match) -> int | None:
    years = number(match.group("num"))
    return None if years is None or not 0 < years < 130 else int(years)


_PATTERNS = (("money", _MONEY, _money), ("duration", _DURATION, _duration), ("age", _AGE, _age))


@Language.component("numeric_entities")
def numeric_entities(doc: Doc) -> Doc:
    """Amounts, durations and ages by pattern; the EntityRuler's places and relations win ties."""
    spans = list(doc.ents)
    for label, pattern, _ in _PATTERNS:
        for match in pattern.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
    doc.ents = filter_spans(spans)
    return doc


def load_regions(city_config: Path) -> dict[str, str]:
    """Every way of writing a place of the city (name, alias, township) → its region's official name."""
    city = yaml.safe_load(city_config.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for region in city.get("regions", []):
        for alias in (region["name"], *region.get("aliases", [])):
            names[alias] = region["name"]
        for township in region.get("townships", []):
            names[township] = region["name"]
    return names


class EntityFinder:
    """Builds the spaCy pipeline once; ``find(text)`` returns the entities of one message."""

    def __init__(self, regions: dict[str, str]) -> None:
        self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        ruler = self.nlp.add_pipe("entity_ruler")
        patterns = [{"label": "region", "pattern": alias, "id": name} for alias, name in regions.items()]
        patterns += [{"label": "relation", "pattern": word, "id": relation}
                     for relation, words in RELATIONS.items() for word in words]
        ruler.add_patterns(patterns)
        self.nlp.add_pipe("numeric_entities")

    def find(self, text: str) -> list[Entity]:
        if not text or not text.strip():
            return []
        doc = self.nlp(text)
        found = []
        for span in doc.ents:
            value = span.ent_id_ or span.text
            if span.label_ not in ("region", "relation"):
                value = self._value(span.label_, doc.text[span.start_char:span.end_char])
                if value is None:
                    continue
            found.append(Entity(span.label_, span.text, span.start_char, span.end_char, value))
        return found

    @staticmethod
    def _value(label: str, text: str) -> Any:
        for name, pattern, read in _PATTERNS:
            if name == label:
                match = pattern.search(text)
                return read(match) if match else None
        return None


def entity_labels(entities: Iterable[Entity]) -> list[tuple[str, Any]]:
    """(label, value) pairs, for tests and logs without offsets."""
    return [(e.label, e.value) for e in entities]
