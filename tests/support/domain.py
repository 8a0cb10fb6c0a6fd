"""The domain as Rasa trains and serves it: domain.yml merged with the responses kept under data/."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def merged_domain() -> dict[str, Any]:
    """The domain the way `rasa train` loads it, read once per test session (it takes a few seconds).

    Shared by every caller: never change it.
    """
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_domain().as_dict()
