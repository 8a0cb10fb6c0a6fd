"""Referral service settings, read once from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from referral.db import normalise_database_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'referral.db'}"
DEFAULT_ATTACHMENTS_DIR = PROJECT_ROOT / "var" / "attachments"

_PLACEHOLDERS = {"", "changethis", "change-me", "secret", "token"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    legalaid_env: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    # Bearer token the action server (and later the staff tools) present. No default:
    # the runner generates one for development; production must set a real one.
    referral_api_token: str = Field(min_length=16)
    # Images citizens send (referral/attachments.py): one file per image, named by a random id.
    # Env REFERRAL_ATTACHMENTS_DIR; a relative path is taken from the project's folder.
    attachments_dir: Path = Field(
        default=DEFAULT_ATTACHMENTS_DIR,
        validation_alias=AliasChoices("referral_attachments_dir", "attachments_dir"),
    )

    # The hotline console (referral/console/hotline.py) talks to the assistant's `hotline` channel,
    # server to server: Rasa's address (e.g. http://127.0.0.1:5005) and the channel's bearer token,
    # the same HOTLINE_CHANNEL_TOKEN the Rasa process has. Unset: the console says the line is off.
    hotline_rasa_url: str | None = None
    hotline_channel_token: str | None = Field(default=None, min_length=16)
    hotline_timeout_seconds: float = 15.0

    @field_validator("referral_api_token", "hotline_channel_token", mode="before")
    @classmethod
    def _refuse_placeholder(cls, value: object, info: ValidationInfo) -> object:
        if info.field_name == "hotline_channel_token" and value == "":
            return None  # unset: the hotline console is off
        if isinstance(value, str) and value.strip().lower() in _PLACEHOLDERS:
            raise ValueError(f"{(info.field_name or 'the token').upper()} is a placeholder; set a random value")
        return value

    @field_validator("attachments_dir")
    @classmethod
    def _from_project_root(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_ROOT / value

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str) -> str:
        return normalise_database_url(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]
