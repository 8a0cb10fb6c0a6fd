"""POST /api/screenings serves the same function as the command line (contract 2)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from referral.app import create_app
from referral.migrate import upgrade
from referral.settings import Settings


def client(tmp_path) -> TestClient:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    return TestClient(create_app(Settings(database_url=url, referral_api_token="t" * 20)))


def test_screening_over_http(tmp_path):
    response = client(tmp_path).post("/api/screenings", json={"matter": "divorce", "statuses": ["poverty_registered"]})
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "fast_track" and body["priority"] == "fast_track"
    assert set(body) == {"outcome", "hardship_check", "priority", "urgent", "legal_basis", "reasons", "materials",
                         "alternatives"}


def test_screening_bad_input_names_the_field(tmp_path):
    response = client(tmp_path).post("/api/screenings", json={"matter": "labor_wage", "household_size": 0})
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "household_size"
