"""What each KIND of file holds: its canonical columns, how to read them, and the CRM headers we recognise.

CRM headers are listed only where the meaning is unambiguous. Headers that look similar but mean something
else ("Annual Revenue" is the company's turnover, not ARR) are listed as hints instead: they are never
mapped on their own, and the report explains why so the user can --map them deliberately.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.importing import parsing
from storage.importing.errors import CellError
from storage.models import MovementKind, Role


@dataclass(frozen=True)
class FieldSpec:
    name: str
    parse: parsing.Parser
    required: bool = False


@dataclass(frozen=True)
class KindSpec:
    kind: str
    fields: tuple[FieldSpec, ...]
    # Other names for a field, most specific first: when two are present the earlier one wins. Matching
    # ignores case, spaces and punctuation, so "Account ID" or "Due Date" need no entry here.
    crm_headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Headers that must not be mapped automatically, with the reason shown to the user.
    hints: Mapping[str, str] = field(default_factory=dict)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.required)

    @property
    def canonical_header(self) -> str:
        return ",".join(self.field_names)

    def spec(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)


def _aliases(value: str) -> tuple[str, ...]:
    names: list[str] = []
    for part in value.replace("；", ";").split(";"):
        alias = part.strip()
        if len(alias) > 255:
            raise CellError(f"has an alias longer than 255 characters ({alias[:20]}…)")
        if alias and alias not in names:
            names.append(alias)
    return tuple(names)


_ROLE = parsing.choice(
    [role.value for role in Role], {"csops": "cs_ops", "customer_success_manager": "csm", "mgr": "manager"}
)
_LIFECYCLE = parsing.choice(["onboarding", "adoption", "renewal", "expansion", "qualification"])
_ACCOUNT_STATUS = parsing.choice(["active", "churned", "paused"])
_CONTRACT_STATUS = parsing.choice(
    ["active", "renewed", "churned", "cancelled"],
    # Salesforce calls a live contract "Activated"; US spelling of cancelled is common in exports.
    {"activated": "active", "canceled": "cancelled"},
)
_MOVEMENT_KIND = parsing.choice([kind.value for kind in MovementKind], {"crosssell": "cross_sell"})
_EXTERNAL_ID = parsing.text(64)

_OWNER_HINT = 'the owner may be the AE or the CSM; use --map "{header}=ae_email" or "{header}=csm_email"'
_OWNER_NAME_HINT = "holds the owner's name, not an email address"
_REMINDER_HINT = "days before the end when Salesforce reminds the owner, not the notice period"

TEAM = KindSpec(
    "team",
    (
        FieldSpec("email", parsing.email, required=True),
        FieldSpec("name", parsing.text(200), required=True),
        FieldSpec("role", _ROLE, required=True),
        FieldSpec("slack_user_id", parsing.slack_user_id),
        FieldSpec("manager_email", parsing.email),
        FieldSpec("timezone", parsing.timezone),
        FieldSpec("locale", parsing.locale),
    ),
    crm_headers={
        "email": ("Email Address", "E-mail"),
        "name": ("Full Name",),
        "slack_user_id": ("Slack ID", "Slack Member ID"),
        "manager_email": ("Manager's Email",),
        "timezone": ("TimeZoneSidKey",),
        "locale": ("LocaleSidKey",),
    },
)

ACCOUNTS = KindSpec(
    "accounts",
    (
        FieldSpec("account_id", _EXTERNAL_ID, required=True),
        FieldSpec("name", parsing.text(255), required=True),
        FieldSpec("domain", parsing.domain),
        FieldSpec("segment", parsing.text(40)),
        FieldSpec("region", parsing.text(40)),
        FieldSpec("arr", parsing.non_negative_number),
        FieldSpec("seats", parsing.whole_number()),
        FieldSpec("csm_email", parsing.email),
        FieldSpec("ae_email", parsing.email),
        FieldSpec("am_email", parsing.email),
        FieldSpec("lifecycle_stage", _LIFECYCLE),
        FieldSpec("status", _ACCOUNT_STATUS),
        FieldSpec("start_date", parsing.iso_date),
        FieldSpec("aliases", _aliases),
        # false = the customer already owns most of what we sell (some ownership models route such
        # renewals to the account manager); empty = unknown.
        FieldSpec("expansion_potential", parsing.boolean),
    ),
    crm_headers={
        # Salesforce report headers, Salesforce API names, then HubSpot company export headers.
        "account_id": ("Id", "Record ID", "external_id"),
        "name": ("Account Name", "Company name"),
        "domain": ("Company Domain Name", "Website", "Website URL"),
        "arr": ("ARR__c", "Annual recurring revenue"),
        "segment": ("Segment__c",),
        "region": ("Region__c",),
        "csm_email": ("CSM_Email__c",),
    },
    hints={
        "Annual Revenue": "the company's yearly turnover, not ARR",
        "AnnualRevenue": "the company's yearly turnover, not ARR",
        "Number of Employees": "the company's headcount, not licensed seats",
        "NumberOfEmployees": "the company's headcount, not licensed seats",
        "Lifecycle Stage": "HubSpot's funnel stage (lead, customer…), not the CS lifecycle stage",
        "Account Owner": _OWNER_NAME_HINT,
        "Company owner": _OWNER_NAME_HINT,
        "Account Owner Email": _OWNER_HINT.format(header="Account Owner Email"),
        "Create Date": "when the CRM record was created, not when the customer started",
        "Created Date": "when the CRM record was created, not when the customer started",
        "Type": "Salesforce's account type (Prospect, Customer…), not a status",
    },
)

CONTRACTS = KindSpec(
    "contracts",
    (
        FieldSpec("contract_id", _EXTERNAL_ID, required=True),
        FieldSpec("account_id", _EXTERNAL_ID, required=True),
        FieldSpec("start_date", parsing.iso_date, required=True),
        FieldSpec("end_date", parsing.iso_date, required=True),
        FieldSpec("arr", parsing.non_negative_number),
        FieldSpec("auto_renew", parsing.boolean),
        FieldSpec("notice_days", parsing.whole_number(0, 3650)),
        FieldSpec("status", _CONTRACT_STATUS),
    ),
    crm_headers={
        # Salesforce Contract object: report headers and API names.
        "contract_id": ("Id", "Contract Number", "external_id"),
        "start_date": ("Contract Start Date",),
        "end_date": ("Contract End Date",),
        "arr": ("ARR__c",),
        "auto_renew": ("Auto_Renew__c", "Auto Renewal"),
        "notice_days": ("Notice_Days__c", "Notice Period (Days)"),
    },
    hints={
        "Owner Expiration Notice": _REMINDER_HINT,
        "OwnerExpirationNotice": _REMINDER_HINT,
        "Contract Term": "a length in months; give end_date instead",
        "ContractTerm": "a length in months; give end_date instead",
        "Total Contract Value": "the value over the whole term, not ARR",
    },
)

METRICS = KindSpec(
    "metrics",
    (
        FieldSpec("account_id", _EXTERNAL_ID, required=True),
        FieldSpec("date", parsing.iso_date, required=True),
        FieldSpec("metric", parsing.text(64), required=True),
        FieldSpec("value", parsing.number, required=True),
    ),
    crm_headers={
        "account_id": ("account_external_id",),
        "date": ("observed_on", "Day"),
        "metric": ("Metric Name",),
    },
)

MILESTONES = KindSpec(
    "milestones",
    (
        FieldSpec("account_id", _EXTERNAL_ID, required=True),
        FieldSpec("name", parsing.text(255), required=True),
        FieldSpec("due_date", parsing.iso_date, required=True),
        FieldSpec("achieved_date", parsing.iso_date),
    ),
    crm_headers={
        "account_id": ("account_external_id",),
        "name": ("Milestone", "Milestone Name"),
        "achieved_date": ("Achieved On", "Completed Date"),
    },
)

MOVEMENTS = KindSpec(
    "movements",
    (
        FieldSpec("account_id", _EXTERNAL_ID, required=True),
        FieldSpec("date", parsing.iso_date, required=True),
        FieldSpec("kind", _MOVEMENT_KIND, required=True),
        FieldSpec("arr_delta", parsing.number, required=True),
    ),
    crm_headers={
        "account_id": ("account_external_id",),
        "date": ("moved_on",),
        "kind": ("Movement Type",),
        "arr_delta": ("ARR Change",),
    },
)

KINDS: dict[str, KindSpec] = {
    spec.kind: spec for spec in (TEAM, ACCOUNTS, CONTRACTS, METRICS, MILESTONES, MOVEMENTS)
}


def defaults(kind: str) -> dict[str, Any]:
    """Values for NOT NULL columns a new row needs when the file has no column for them."""
    return {
        "accounts": {"arr": 0.0, "status": "active"},
        "contracts": {"arr": 0.0, "auto_renew": False, "status": "active"},
    }.get(kind, {})
