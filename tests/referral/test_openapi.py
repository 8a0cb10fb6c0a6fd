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



def _routes(router):
    """The routes of a router and of the routers it includes (they carry their own prefixes)."""
    from fastapi.routing import APIRoute

    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router)


def test_every_endpoint_is_in_the_spec(client):
    """Every route of the service's routers, API and console alike, is documented."""
    from referral import console
    from referral.api import health, referrals, screenings, staff, status

    spec = client.get("/openapi.json").json()["paths"]
    routes = [r for module in (health, referrals, screenings, status, staff, console) for r in _routes(module.router)]
    assert len(routes) > 15
    missing = [(r.path, sorted(r.methods)) for r in routes
               if r.path not in spec or not {m.lower() for m in r.methods} - {"head"} <= set(spec[r.path])]
    assert missing == []
