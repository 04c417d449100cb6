"""Who owns an account's renewal and its expansion, under the company's configured ownership model.

The six company models and the three renewal-ownership models come from the source articles
(DOMAIN.md §1–2): each model gives a default owner for renewals and expansions, which the workspace
may override, and ARR rules refine (large renewals stay with the AE; small expansions go to the CSM).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.company_models import CompanyModelName

Role = Literal["csm", "ae", "am"]


@dataclass(frozen=True)
class ModelDefaults:
    renewal: Role
    expansion: Role
    # Accounts with no expansion potential: who renews them (None = same as everyone else).
    renewal_without_potential: Role | None = None
    # Expansions up to `small_expansion_arr` go to the CSM; larger ones to `expansion`.
    csm_takes_small_expansions: bool = False


# DOMAIN.md §1: sales renews and expands for startups and technical buyers; growth companies move
# renewals of saturated accounts to account management; low-touch growth and PLG give renewals to CSMs.
MODELS: dict[str, ModelDefaults] = {
    "high_touch_startup": ModelDefaults(renewal="ae", expansion="ae"),
    "low_touch_startup": ModelDefaults(renewal="ae", expansion="ae"),
    "high_touch_growth": ModelDefaults(renewal="ae", expansion="ae", renewal_without_potential="am"),
    "low_touch_growth": ModelDefaults(renewal="csm", expansion="ae", csm_takes_small_expansions=True),
    "technical_buyer": ModelDefaults(renewal="ae", expansion="ae", renewal_without_potential="am"),
    "plg": ModelDefaults(renewal="csm", expansion="ae", csm_takes_small_expansions=True),
}

# When the owning role is empty on an account, the next role that is filled takes over.
FALLBACK: dict[str, tuple[Role, ...]] = {
    "csm": ("am", "ae"),
    "ae": ("am", "csm"),
    "am": ("csm", "ae"),
}


class OwnershipConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a mistyped key is an error, not a silent default
    model: CompanyModelName = "low_touch_growth"
    renewal_owner: Role | None = None  # overrides the model's renewal owner
    large_account_arr: float | None = Field(default=150_000, ge=0)  # at or above: the AE leads renewals
    small_expansion_arr: float = Field(default=20_000, ge=0)  # expansions up to this: the CSM


@dataclass(frozen=True)
class AccountOwners:
    arr: float
    csm_email: str | None
    ae_email: str | None
    am_email: str | None
    expansion_potential: bool | None = None
    renewal_owner_email: str | None = None  # someone took ownership

    @classmethod
    def of(cls, row: Any) -> "AccountOwners":
        """From any account row or mapping carrying the ARR, the owner emails and the ownership fields."""
        get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
        return cls(
            arr=get("arr"),
            csm_email=get("csm_email"),
            ae_email=get("ae_email"),
            am_email=get("am_email"),
            expansion_potential=get("expansion_potential"),
            renewal_owner_email=get("renewal_owner_email"),
        )

    def email_for(self, role: Role) -> str | None:
        return {"csm": self.csm_email, "ae": self.ae_email, "am": self.am_email}[role]


@dataclass(frozen=True)
class Decision:
    role: Role | None  # None when a person took ownership explicitly
    email: str | None  # None when nobody on the account can own it
    rule: str  # why this role: a key the renderer explains in the reader's language
    fell_back_from: Role | None = None  # the role the rules chose, when it was empty on the account


def _filled(owners: AccountOwners, role: Role, rule: str) -> Decision:
    email = owners.email_for(role)
    if email:
        return Decision(role, email, rule)
    for fallback in FALLBACK[role]:
        email = owners.email_for(fallback)
        if email:
            return Decision(fallback, email, rule, fell_back_from=role)
    return Decision(role, None, rule)


def renewal_owner(config: OwnershipConfig, owners: AccountOwners) -> Decision:
    if owners.renewal_owner_email:
        return Decision(None, owners.renewal_owner_email, "taken")
    defaults = MODELS[config.model]
    role, rule = defaults.renewal, "model"
    if config.renewal_owner:
        # The workspace's explicit choice wins over every model default, this one included.
        role, rule = config.renewal_owner, "override"
    elif owners.expansion_potential is False and defaults.renewal_without_potential:
        role, rule = defaults.renewal_without_potential, "no_expansion_potential"
    if role == "csm" and config.large_account_arr is not None and owners.arr >= config.large_account_arr:
        role, rule = "ae", "large_account"
    return _filled(owners, role, rule)


def expansion_owner(config: OwnershipConfig, owners: AccountOwners, amount: float | None = None) -> Decision:
    """Who leads an expansion of `amount` ARR (the model's default when the amount is unknown)."""
    defaults = MODELS[config.model]
    if defaults.csm_takes_small_expansions and amount is not None and amount <= config.small_expansion_arr:
        return _filled(owners, "csm", "small_expansion")
    if owners.expansion_potential is False and config.model == "high_touch_growth":
        # The customer already owns most of the offering: account management looks after what is left.
        return _filled(owners, "am", "no_expansion_potential")
    return _filled(owners, defaults.expansion, "model")
