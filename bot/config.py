"""The workspace configuration: the shipped YAML default, overlaid by the file CSBOT_CONFIG names."""

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from domain.health.scorecard import HealthConfig
from domain.ownership import OwnershipConfig

DEFAULT_CONFIG_PATH = Path(__file__).parent / "default_config.yml"
# Keys whose value a workspace file replaces whole rather than merging into the default.
_REPLACED_WHOLE = {("health", "scorecards"), ("health", "bands")}


class AccessConfig(BaseModel):
    allowed_usergroup: str = ""


class ChannelPair(BaseModel):
    renewals: str = ""
    risks: str = ""


class ChannelsConfig(BaseModel):
    """Where channel posts go: a segment's channels win over a region's, which win over the defaults."""

    renewals: str = ""
    risks: str = ""
    by_segment: dict[str, ChannelPair] = Field(default_factory=dict)
    by_region: dict[str, ChannelPair] = Field(default_factory=dict)

    def for_account(
        self, purpose: Literal["renewals", "risks"], segment: str | None, region: str | None
    ) -> str:
        for table, key in ((self.by_segment, segment), (self.by_region, region)):
            if key and key in table and getattr(table[key], purpose):
                return str(getattr(table[key], purpose))
        return str(getattr(self, purpose))


class RenewalsConfig(BaseModel):
    windows_days: list[int] = Field(default_factory=lambda: [120, 90, 60, 30, 7], min_length=1)
    # Besides the renewal owner, these roles on the account get the reminder in their daily DM.
    copy_roles: list[Literal["csm", "ae", "am"]] = Field(default_factory=lambda: ["csm"])

    @field_validator("windows_days")
    @classmethod
    def _positive_and_sorted(cls, value: list[int]) -> list[int]:
        if any(days <= 0 for days in value):
            raise ValueError("renewal windows are whole days before the date, above 0")
        return sorted(set(value), reverse=True)


class RisksConfig(BaseModel):
    drop_points: float = Field(default=15, gt=0)  # a fall this large within trend_days alerts
    renewal_days: int = Field(default=90, ge=0)  # renewing this soon while not green alerts
    escalate_after_days: int = Field(default=3, ge=1)  # unacknowledged this long: tell the manager
    cooldown_days: int = Field(default=7, ge=1)  # at most one alert per account in this many days


class ScheduleConfig(BaseModel):
    sweep_at: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # workspace time
    weekly_summary_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_summary_at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class WorkspaceConfig(BaseModel):
    default_locale: Literal["en", "ja"] = "en"
    timezone: str = "Asia/Tokyo"
    currency: str = Field(default="USD", min_length=3, max_length=3)
    access: AccessConfig = Field(default_factory=AccessConfig)
    health: HealthConfig
    ownership: OwnershipConfig = Field(default_factory=OwnershipConfig)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    renewals: RenewalsConfig = Field(default_factory=RenewalsConfig)
    risks: RisksConfig = Field(default_factory=RisksConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Tokyo)") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ConfigError(Exception):
    pass


def _merge(base: dict[str, Any], override: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and here not in _REPLACED_WHOLE:
            merged[key] = _merge(merged[key], value, here)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read configuration {path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"configuration {path} must be a mapping at the top level")
    return data


def load_config(path: str | Path | None = None) -> WorkspaceConfig:
    data = _read_yaml(DEFAULT_CONFIG_PATH)
    if path:
        data = _merge(data, _read_yaml(Path(path)))
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"invalid configuration {path or DEFAULT_CONFIG_PATH}:\n{error}") from error
