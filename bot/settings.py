"""Process settings, read from the environment (never at import time: call `Settings()`)."""

from datetime import datetime

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///csbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, alias="CSBOT_SLACK_API_URL")
    port: int = Field(default=3000, alias="PORT")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="CSBOT_DATABASE_URL")
    config_path: str | None = Field(default=None, alias="CSBOT_CONFIG")
    # The ingest API's bearer token; unset, the API is off.
    ingest_token: SecretStr | None = Field(default=None, alias="CSBOT_INGEST_TOKEN")
    # How long the scheduler lease lasts unrenewed (renewed every third of it): a replica that dies
    # hands the jobs on within this. And how long a sender's claim on a message lasts.
    lease_seconds: float = Field(default=90, ge=3, alias="CSBOT_LEASE_SECONDS")
    claim_seconds: float = Field(default=300, ge=5, alias="CSBOT_CLAIM_SECONDS")
    # Live as if this moment (ISO 8601 with its offset) had come at start: rehearse a day's jobs on a
    # copy of the data. Never set in production.
    clock_start: datetime | None = Field(default=None, alias="CSBOT_CLOCK_START")

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @field_validator("clock_start")
    @classmethod
    def _with_offset(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the moment with its UTC offset, e.g. 2027-01-04T09:05:00+09:00")
        return value

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_url(cls, value: str) -> str:
        # Heroku, Render and most PostgreSQL hosts hand out postgres:// URLs; SQLAlchemy names the dialect
        # postgresql and needs the driver we ship (psycopg 3) said outright.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value.removeprefix(prefix)
        return value
