"""Request-scoped dependencies the API and the console share: the database session, the settings, the client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from referral.settings import Settings


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


def app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    return request.app.state.settings


def client_address(request: Request) -> str | None:
    """The caller's address, for the audit trail."""
    return request.client.host if request.client else None


SessionDep = Annotated[Session, Depends(get_db)]
# A route's `responses=` (its documented status codes), typed as FastAPI takes it so that shared ones can be merged.
Responses = dict[int | str, dict[str, Any]]
SettingsDep = Annotated[Settings, Depends(app_settings)]
