"""How the workspace wants renewals and risks handled: windows, copies, thresholds and channels."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ChannelPair(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a mistyped key is an error, not a silent default
    renewals: str = ""
    risks: str = ""


class ChannelsConfig(BaseModel):
    """Where channel posts go: a segment's channels win over a region's, which win over the defaults."""

    model_config = ConfigDict(extra="forbid")
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
    model_config = ConfigDict(extra="forbid")
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
    model_config = ConfigDict(extra="forbid")
    drop_points: float = Field(default=15, gt=0)  # a fall this large within trend_days alerts
    renewal_days: int = Field(default=90, ge=0)  # renewing this soon while not green alerts
    escalate_after_days: int = Field(default=3, ge=1)  # unacknowledged this long: tell the manager
    cooldown_days: int = Field(default=7, ge=1)  # at most one alert per account in this many days
