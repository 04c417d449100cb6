"""Salesforce through `simple-salesforce`: users as team members, accounts, activated contracts, and won
opportunities as revenue movements, each read with SOQL from the cursor on (SystemModstamp), the pages
followed through `nextRecordsUrl` by the client. A 503 is retried; REQUEST_LIMIT_EXCEEDED (the org's
daily API allowance) is reported, since retrying cannot help until the allowance resets."""

import json
from collections.abc import Iterator, Mapping
from datetime import datetime

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError
from urllib3.util import Retry

from bot.config import SalesforceSource
from bot.crm import CrmError, Part, RolesOf, Row, team_rows

# Our field → Salesforce field (a dotted path follows a relationship). A source's `fields:` overrides.
DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "accounts": {"account_id": "Id", "name": "Name", "domain": "Website", "ae_email": "Owner.Email"},
    "contracts": {
        "contract_id": "Id",
        "account_id": "AccountId",
        "start_date": "StartDate",
        "end_date": "EndDate",
        "status": "Status",
    },
    "movements": {"account_id": "AccountId", "date": "CloseDate", "kind": "Type", "arr_delta": "Amount"},
}
# Salesforce's standard opportunity types, as movement kinds. Only won opportunities of a type this map
# (with the source's own `values:`) knows are read: a downgrade's amount is positive in Salesforce, and
# a movement needs it negative, so it is left to a team's own mapping.
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "kind": {
        "new business": "new",
        "existing customer - upgrade": "upsell",
        "existing customer - replacement": "extension",
    }
}
OBJECTS = {"accounts": "Account", "contracts": "Contract", "movements": "Opportunity"}
WHERE = {"accounts": "", "contracts": "Status = 'Activated'", "movements": "IsWon = true"}
MODIFIED = "SystemModstamp"


def _soql_time(stamp: str) -> str:
    """A SystemModstamp ("2026-11-30T10:00:00.000+0000") as a SOQL datetime literal, to the second."""
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _path(record: Mapping[str, object], dotted: str) -> object:
    value: object = record
    for step in dotted.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return "" if value is None else value


class SalesforceReader:
    def __init__(
        self,
        config: SalesforceSource,
        token: str,
        *,
        fields: Mapping[str, Mapping[str, str]],
        cursors: Mapping[str, str],
        team_roles: RolesOf,
        movement_types: list[str] | None = None,
    ) -> None:
        session = requests.Session()
        retry = Retry(total=4, backoff_factor=0.5, status_forcelist=(502, 503, 504), allowed_methods=None)
        session.mount("https://", HTTPAdapter(max_retries=retry))
        self.client = Salesforce(
            instance_url=config.instance_url, session_id=token, version=config.api_version, session=session
        )
        self.config = config
        self.fields = {kind: {**DEFAULT_FIELDS[kind], **fields.get(kind, {})} for kind in DEFAULT_FIELDS}
        self.cursors = cursors
        self.team_roles = team_roles
        self.movement_types = movement_types or list(DEFAULT_VALUES["kind"])

    def parts(self) -> Iterator[Part]:
        users = [
            (str(user.get("Email") or ""), str(user.get("Name") or ""))
            for user in self._query("SELECT Id, Email, Name FROM User WHERE IsActive = true ORDER BY Id")
        ]
        yield Part("team", "User", team_rows(users, self.team_roles, self.config.new_owner_role))
        for kind, sobject in OBJECTS.items():
            stream = _Stream(self, kind, sobject)
            yield Part(kind, sobject, iter(stream), stream.last)

    def soql(self, kind: str, since: str | None) -> str:
        fields = sorted({*self.fields[kind].values(), "Id", MODIFIED})
        conditions = [WHERE[kind]] if WHERE[kind] else []
        if kind == "movements":
            conditions.append(f"Type IN ({', '.join(_quoted(t) for t in self.movement_types)})")
        if since is not None:
            conditions.append(f"{MODIFIED} >= {_soql_time(since)}")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"SELECT {', '.join(fields)} FROM {OBJECTS[kind]}{where} ORDER BY {MODIFIED}, Id"

    def _query(self, soql: str) -> Iterator[dict[str, object]]:
        try:
            yield from self.client.query_all_iter(soql)
        except SalesforceError as error:
            raise CrmError(
                f"Salesforce refused the query on {soql.split(' FROM ')[1].split()[0]}: {_reason(error)}"
            ) from None
        except requests.RequestException as error:
            raise CrmError(f"Salesforce could not be reached: {type(error).__name__}") from None


class _Stream:
    def __init__(self, reader: SalesforceReader, kind: str, sobject: str) -> None:
        self.reader = reader
        self.kind = kind
        self.latest = reader.cursors.get(sobject)

    def last(self) -> str | None:
        return self.latest

    def __iter__(self) -> Iterator[Row]:
        fields = self.reader.fields[self.kind]
        for record in self.reader._query(self.reader.soql(self.kind, self.latest)):
            modified = str(record.get(MODIFIED) or "")
            if modified and (self.latest is None or modified > self.latest):
                self.latest = modified
            yield {field: _path(record, prop) for field, prop in fields.items()}


def _reason(error: SalesforceError) -> str:
    try:
        # simple-salesforce hands over the response's JSON already decoded, or its bytes.
        content = error.content
        problems = content if isinstance(content, list | dict) else json.loads(content)
        first = problems[0] if isinstance(problems, list) else problems
        return f"{error.status} {first.get('errorCode', '')}: {first.get('message', '')}".strip()
    except (ValueError, TypeError, AttributeError, IndexError):
        return str(error.status)
