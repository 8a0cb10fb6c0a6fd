"""The referral service's ASGI application."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError

from referral import attachments, console
from referral.api import attachments as attachments_api
from referral.api import health, notifications, referrals, screenings, staff, status
from referral.db import make_engine, make_session_factory
from referral.desk import route_backlog
from referral.routing import seed_stations
from referral.rules.city import city_config
from referral.settings import Settings, get_settings

SWAGGER_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    city_config()  # a broken city file fails here, at start-up
    app = FastAPI(
        title="法律援助转介服务 Referral service",
        version="0.1.0",
        description="Referral tickets handed from the legal-aid assistant to staff.",
        docs_url=None,  # served below from local assets: no CDN
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    with app.state.session_factory() as session:
        try:
            seed_stations(session)  # stations of city.yaml missing from the database (admins' edits are kept)
            attachments.purge_expired(session, settings.attachments_dir)  # images no application claimed in 24 h
        except DBAPIError as exc:
            raise RuntimeError(
                "the referral database is not ready (not migrated?): run `python -m referral migrate` "
                f"with the same DATABASE_URL first ({type(exc.orig).__name__})"
            ) from exc
        route_backlog(session)  # referrals received before routing existed
    app.include_router(health.router)
    app.include_router(referrals.router)
    app.include_router(screenings.router)
    app.include_router(status.router)
    app.include_router(notifications.router)
    app.include_router(attachments_api.router)
    app.include_router(staff.router)
    app.include_router(console.router)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_ASSETS), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=app.title,
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    return app
