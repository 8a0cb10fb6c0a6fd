"""The OpenAPI spec documents the referral endpoints, and the docs page uses no CDN."""

from __future__ import annotations


def test_openapi_documents_referrals(client):
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/referrals"]["post"]
    headers = [p["name"] for p in post["parameters"] if p["in"] == "header"]
    assert "Idempotency-Key" in headers
    assert {"200", "201", "409", "422"} <= set(post["responses"])
    assert "/api/referrals/{ticket_number}" in spec["paths"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_docs_page_serves_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    asset = client.get("/static/swagger/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000
