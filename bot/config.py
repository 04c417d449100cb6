"""The workspace configuration: the shipped YAML default, overlaid by the file CSBOT_CONFIG names."""

from datetime import date, time
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from babel.numbers import is_currency
from jinja2 import Environment, TemplateSyntaxError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.digest.calendar import WEEKDAYS, BusinessCalendar
from domain.health.scorecard import HealthConfig
from domain.ownership import OwnershipConfig
from domain.policy import ChannelsConfig, RenewalsConfig, RisksConfig
from domain.sweep import SweepPolicy
from playbooks.config import PlaybookConfig

DEFAULT_CONFIG_PATH = Path(__file__).parent / "default_config.yml"
# Keys whose value a workspace file replaces whole rather than merging into the default.
_REPLACED_WHOLE = {("health", "scorecards"), ("health", "bands")}


class AccessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a mistyped key is an error, not a silent default
    allowed_usergroup: str = ""


class ScheduleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sweep_at: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # workspace time
    weekly_summary_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_summary_at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


ImportKind = Literal["team", "accounts", "contracts", "metrics", "milestones", "movements"]


class HubSpotSource(BaseModel):
    """A HubSpot portal read through its CRM API with a private app's access token."""

    model_config = ConfigDict(extra="forbid")
    token: str  # "${HUBSPOT_TOKEN}": the token lives in the environment
    base_url: str = "https://api.hubapi.com"
    contract_months: int = Field(default=12, ge=1, le=120)  # a won deal's term when no end date is mapped
    new_owner_role: Literal["csm", "ae", "am", "manager", "cs_ops"] = "ae"  # for owners not yet in the team


class SalesforceSource(BaseModel):
    """A Salesforce org read through its REST API with an OAuth access token (a connected app's)."""

    model_config = ConfigDict(extra="forbid")
    instance_url: str  # https://yourcompany.my.salesforce.com
    token: str  # "${SALESFORCE_TOKEN}"
    api_version: str = Field(default="62.0", pattern=r"^\d+\.\d$")
    new_owner_role: Literal["csm", "ae", "am", "manager", "cs_ops"] = "ae"


class SourceConfig(BaseModel):
    """Where rows come from, read by `csbot sync` and once a day by the scheduler: a query whose rows are
    imported as one kind, or a CRM whose objects are imported as team, accounts, contracts and
    movements."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: ImportKind | None = None  # a query's kind; a CRM's kinds are fixed
    # Any SQLAlchemy URL; ${VAR} is replaced by that environment variable when the source runs, so a
    # password lives in the environment, never in this file.
    url: str | None = None
    query: str | None = None
    hubspot: HubSpotSource | None = None
    salesforce: SalesforceSource | None = None
    map: dict[str, str] = Field(default_factory=dict)  # column → field, as `csbot import --map`
    # A CRM's default mapping overridden: kind → {field: CRM property}.
    fields: dict[ImportKind, dict[str, str]] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)  # field → {source value: value}
    schedule: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # workspace time

    @model_validator(mode="after")
    def _one_origin(self) -> "SourceConfig":
        crms = [name for name in ("hubspot", "salesforce") if getattr(self, name) is not None]
        if len(crms) > 1:
            raise ValueError(f"source {self.name}: give hubspot or salesforce, not both")
        if crms:
            stray = [name for name in ("kind", "url", "query") if getattr(self, name) is not None]
            if stray or self.map:
                listed = ", ".join([*stray, *(["map"] if self.map else [])])
                raise ValueError(
                    f"source {self.name} reads {crms[0]}: {listed} belong to query sources "
                    "(override the CRM's mapping with fields:)"
                )
            return self
        missing = [name for name in ("kind", "url", "query") if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"source {self.name} needs {', '.join(missing)} (or hubspot: / salesforce: for a CRM)"
            )
        if self.fields:
            raise ValueError(f"source {self.name}: fields: is for CRM sources; a query names its columns")
        return self

    @property
    def crm(self) -> str | None:
        return "hubspot" if self.hubspot else "salesforce" if self.salesforce else None


class DigestConfig(BaseModel):
    """The monthly success-sharing digest: where, when and how it is posted."""

    model_config = ConfigDict(extra="forbid")
    channel: str = ""  # a channel id (C…); empty = no digest
    post_at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # workspace time
    language: Literal["en", "ja"] | None = None  # None: the workspace's default_locale
    template: str | None = None  # a Jinja2 file replacing the shipped digest template
    weekend: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["sat", "sun"]
    )
    holidays: list[date] = Field(default_factory=list)

    @field_validator("template")
    @classmethod
    def _template_exists(cls, value: str | None) -> str | None:
        if value and not Path(value).is_file():
            raise ValueError(f"digest template {value!r} does not exist")
        if value:
            # A syntax error should stop the bot at start, not surface on the first business day.
            try:
                Environment(extensions=["jinja2.ext.i18n"]).parse(Path(value).read_text(encoding="utf-8"))
            except TemplateSyntaxError as error:
                where = f"digest template {value!r}, line {error.lineno}"
                raise ValueError(f"{where}: {error.message}") from error
        return value or None

    @field_validator("weekend")
    @classmethod
    def _some_working_day(cls, value: list[str]) -> list[str]:
        if len(set(value)) >= len(WEEKDAYS):
            raise ValueError("the weekend cannot cover every day of the week")
        return value

    @property
    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            weekend=frozenset(WEEKDAYS.index(day) for day in self.weekend), holidays=frozenset(self.holidays)
        )

    @property
    def post_time(self) -> time:
        hour, minute = self.post_at.split(":")
        return time(int(hour), int(minute))


class SignalsConfig(BaseModel):
    """Customers' own Slack channels as a health signal (README, "Customer channel signals")."""

    model_config = ConfigDict(extra="forbid")
    # channel id → account external id: the channels whose messages count for that account.
    channels: dict[Annotated[str, StringConstraints(pattern=r"^[CG][A-Z0-9]{2,}$")], str] = Field(
        default_factory=dict
    )
    # Also link a Slack Connect channel to the account whose domain its outside members' emails share.
    link_by_domain: bool = True


# key → {language: display name}: e.g. segments: {mid_market: {en: Mid-market, ja: 中堅企業}}.
DisplayNameTable = dict[str, dict[Literal["en", "ja"], str]]


class LabelsConfig(BaseModel):
    """The workspace's own names for its segments, regions and scorecards, per language."""

    model_config = ConfigDict(extra="forbid")
    segments: DisplayNameTable = Field(default_factory=dict)
    regions: DisplayNameTable = Field(default_factory=dict)
    scorecards: DisplayNameTable = Field(default_factory=dict)


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_locale: Literal["en", "ja"] = "en"
    timezone: str = "Asia/Tokyo"
    currency: str = "USD"
    access: AccessConfig = Field(default_factory=AccessConfig)
    health: HealthConfig
    ownership: OwnershipConfig = Field(default_factory=OwnershipConfig)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    renewals: RenewalsConfig = Field(default_factory=RenewalsConfig)
    risks: RisksConfig = Field(default_factory=RisksConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    playbook: PlaybookConfig = Field(default_factory=PlaybookConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    labels: LabelsConfig = Field(default_factory=LabelsConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    signals: SignalsConfig = Field(default_factory=SignalsConfig)

    @field_validator("sources")
    @classmethod
    def _one_source_per_name(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [source.name for source in sources]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"source names must differ: {', '.join(repeated)} appears more than once")
        return sources

    @field_validator("currency", mode="before")
    @classmethod
    def _iso_currency(cls, value: object) -> object:
        code = str(value).strip().upper()
        # Babel knows every ISO 4217 code; "YEN" or "US$" would print as a prefix nobody reads as money.
        if not is_currency(code):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
        return code

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

    @property
    def band_names(self) -> list[str]:
        return [band.name for band in self.health.bands]

    @property
    def digest_language(self) -> str:
        return self.digest.language or self.default_locale

    @property
    def sweep_policy(self) -> SweepPolicy:
        return SweepPolicy(
            health=self.health,
            ownership=self.ownership,
            renewals=self.renewals,
            risks=self.risks,
            channels=self.channels,
            default_language=self.default_locale,
            zone=self.zone,
        )


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


def _read_yaml(path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    """The file's mapping, and its node tree for telling on which line a bad key stands."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) or {}
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read configuration {path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"configuration {path} must be a mapping at the top level")
    return data, node


def _line_of(node: yaml.Node | None, location: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the key or item at `location` in the file, when the file wrote it."""
    line = None
    for step in location:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if found is None:
                return line
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    """Every key the configuration accepts anywhere: the candidates for "did you mean"."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for inner in _models_in(field.annotation):
            names |= _field_names(inner, seen)
    return names


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _problems(error: ValidationError, node: yaml.Node | None, where: str) -> list[str]:
    known = sorted(_field_names(WorkspaceConfig))
    lines: list[tuple[int, str]] = []
    for problem in error.errors():
        location = tuple(problem["loc"])
        key = ".".join(str(step) for step in location) or "(top level)"
        line = _line_of(node, location)
        prefix = f"{where}:{line}: {key}" if line else f"{where}: {key}"
        if problem["type"] == "extra_forbidden":
            close = get_close_matches(str(location[-1]), known, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            lines.append((line or 0, f"{prefix}: unknown key{hint}"))
        else:
            lines.append((line or 0, f"{prefix}: {problem['msg'].removeprefix('Value error, ')}"))
    return [text for _, text in sorted(lines, key=lambda pair: pair[0])]


def load_config(path: str | Path | None = None) -> WorkspaceConfig:
    data, _ = _read_yaml(DEFAULT_CONFIG_PATH)
    node = None
    if path:
        workspace, node = _read_yaml(Path(path))
        data = _merge(data, workspace)
    try:
        return WorkspaceConfig.model_validate(data)
    except ValidationError as error:
        where = str(path or DEFAULT_CONFIG_PATH)
        raise ConfigError(
            f"invalid configuration {where}:\n  " + "\n  ".join(_problems(error, node, where))
        ) from error
