"""The assistant's content as Rasa merges it, read with plain YAML so that both environments can
use it: `domain.yml` (the dialogue skeleton) plus every training-data file under `data/`, where
each topic keeps its examples, rules and responses (`data/topics/<code>/`).

Rasa merges the `responses:` of training-data files into the domain (its ResponsesSyncImporter);
tests/bot/test_content_layout.py checks that this reading gives exactly Rasa's merged responses.
"""

from __future__ import annotations

import collections
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
TOPICS = DATA / "topics"


@cache
def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@cache
def rasa_merged_domain() -> dict[str, Any]:
    """The domain the way `rasa train` loads it (bot environment only), read once per test session:
    it takes a few seconds. Shared by every caller: never change it."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(DATA)]
    )
    return importer.get_domain().as_dict()


def data_files() -> list[Path]:
    return sorted(DATA.rglob("*.yml"))


def domain() -> dict[str, Any]:
    """The top-level domain file alone: intents, entities, slots, forms, dialogue responses."""
    return _load(ROOT / "domain.yml")


def responses_by_file() -> dict[Path, dict[str, list[dict[str, Any]]]]:
    found = {ROOT / "domain.yml": domain().get("responses") or {}}
    found.update({path: _load(path).get("responses") or {} for path in data_files()})
    return {path: responses for path, responses in found.items() if responses}


def merged_responses() -> dict[str, list[dict[str, Any]]]:
    """Every response of the merged domain; a name defined in two files is an error."""
    merged: dict[str, list[dict[str, Any]]] = {}
    where: dict[str, Path] = {}
    for path, responses in responses_by_file().items():
        for name, variants in responses.items():
            if name in merged:
                raise ValueError(f"response {name} is defined in {where[name]} and in {path}")
            merged[name], where[name] = variants, path
    return merged


def response_texts() -> list[tuple[str, str]]:
    """(response name, text) for every text variant of every response."""
    return [(name, variant["text"]) for name, variants in merged_responses().items()
            for variant in variants if "text" in variant]


def examples(folder: Path = DATA) -> dict[str, list[str]]:
    """Training (or test) examples by intent, from every YAML file under ``folder``."""
    found: dict[str, list[str]] = collections.defaultdict(list)
    for path in sorted(folder.rglob("*.yml")):
        for item in _load(path).get("nlu") or []:
            if "intent" in item:
                found[item["intent"]] += [line.strip()[2:].strip() for line in item["examples"].splitlines()
                                          if line.strip().startswith("- ")]
    return found


def rules() -> list[dict[str, Any]]:
    """Every rule of the training data, whichever file holds it."""
    return [rule for path in data_files() for rule in _load(path).get("rules") or []]
