"""The domain as Rasa trains and serves it: domain.yml merged with the responses kept under data/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def merged_domain() -> dict[str, Any]:
    """Load the domain the way `rasa train` does (a few seconds: cache it in a session fixture)."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return importer.get_domain().as_dict()
