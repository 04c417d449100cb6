"""How the workspace describes its own company, for org-design answers that leave the profile out."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CompanyProfileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a mistyped key is an error, not a silent default
    stage: Literal["startup", "growth"] | None = (
        None  # startup = seed to Series B; growth = growth-stage or public
    )
    acv_usd: float | None = Field(default=None, ge=0)  # average contract value, in US dollars
    technical_buyer: bool | None = None  # the buyer is technical: DevOps, security, developers
    plg: bool | None = None  # product-led growth: users try and buy without talking to anyone
    customers: int | None = Field(default=None, ge=0)


class PlaybookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The sources draw the high/low-touch line at $75,000 a year (about ¥9,000,000).
    threshold_usd: float = Field(default=75_000, gt=0)
    jpy_per_usd: float = Field(default=120, gt=0)
    profile: CompanyProfileConfig = Field(default_factory=CompanyProfileConfig)
