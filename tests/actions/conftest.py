"""Fixtures of the action tests (helpers to import live in tests/support)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from tests.support.content import rasa_merged_domain as load_merged_domain


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def merged_domain() -> dict[str, Any]:
    """domain.yml merged with the responses under data/, as Rasa loads it."""
    return load_merged_domain()


@pytest.fixture
def domain_responses(merged_domain: dict[str, Any]) -> dict[str, Any]:
    return merged_domain["responses"]
