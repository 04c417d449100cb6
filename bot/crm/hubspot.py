"""HubSpot through `hubspot-api-client`: owners as team members, companies as accounts, closed-won deals
as contracts and as revenue movements.

Companies and deals are read with the CRM search API, oldest modification first, from the cursor on:
the search API stops at 10,000 results per query, so a longer read starts a new query from the last
modification time it saw. Owners are few and always read whole. 429 answers are retried after the wait
HubSpot asks for (urllib3's Retry, which the client takes).
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

import urllib3
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsError
from hubspot.crm.companies import PublicObjectSearchRequest
from hubspot.crm.companies.exceptions import ApiException as CompaniesError
from hubspot.crm.deals.exceptions import ApiException as DealsError
from hubspot.crm.owners.exceptions import ApiException as OwnersError
from urllib3.util import Retry

from bot.config import HubSpotSource
from bot.crm import CrmError, Part, RolesOf, Row, mapped, team_rows

# Our field → HubSpot property; "company" is the deal's associated company. A source's `fields:`
# overrides these per kind. A property whose name ends in "owner_id" holds an owner, read as the
# owner's email.
DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "accounts": {
        "account_id": "hs_object_id",
        "name": "name",
        "domain": "domain",
        "ae_email": "hubspot_owner_id",
    },
    "contracts": {
        "contract_id": "hs_object_id",
        "account_id": "company",
        "start_date": "closedate",
        "arr": "amount",
    },
    "movements": {"account_id": "company", "date": "closedate", "kind": "dealtype", "arr_delta": "amount"},
}
# HubSpot's own deal types, as csbot's movement kinds.
DEFAULT_VALUES: dict[str, dict[str, str]] = {"kind": {"newbusiness": "new", "existingbusiness": "upsell"}}
MODIFIED = "hs_lastmodifieddate"
PAGE = 100
SEARCH_CAP = 10_000  # HubSpot's limit on the results of one search query
_ERRORS = (AssociationsError, CompaniesError, DealsError, OwnersError, urllib3.exceptions.HTTPError)


def _epoch_ms(stamp: str) -> str:
    return str(int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000))


class HubSpotReader:
    def __init__(
        self,
        config: HubSpotSource,
        token: str,
        *,
        fields: Mapping[str, Mapping[str, str]],
        cursors: Mapping[str, str],
        team_roles: "RolesOf",
    ) -> None:
        retry = Retry(
            total=6,
            backoff_factor=0.5,
            status_forcelist=(429, 502, 503, 504),
            allowed_methods=None,  # search is a POST, and reading it twice is harmless
            respect_retry_after_header=True,
        )
        self.client = HubSpot(access_token=token, host=config.base_url.rstrip("/"), retry=retry)
        self.config = config
        self.fields = {
            kind: {**DEFAULT_FIELDS.get(kind, {}), **fields.get(kind, {})} for kind in DEFAULT_FIELDS
        }
        self.cursors = cursors
        self.team_roles = team_roles

    def parts(self) -> Iterator[Part]:
        owners = self._owners()
        yield Part("team", "owners", self._team_rows(owners))
        companies = _Stream(self, "companies")
        yield Part(
            "accounts", "companies", (self._owned(r, owners, "accounts") for r in companies), companies.last
        )
        deals = _Stream(
            self, "deals", [{"propertyName": "hs_is_closed_won", "operator": "EQ", "value": "true"}]
        )
        won = list(deals)
        companies_of = self._companies_of([str(deal["hs_object_id"]) for deal in won])
        for deal in won:
            deal["company"] = companies_of.get(str(deal["hs_object_id"]), "")
        placed = [deal for deal in won if deal["company"]]
        note = "closed-won deals with no associated company were left out"
        skipped = len(won) - len(placed)
        yield Part(
            "contracts", "deals", [self._contract(deal) for deal in placed], skipped=skipped, note=note
        )
        # The same deals as movements; the cursor moves once both kinds are stored.
        yield Part(
            "movements", "deals", [self._owned(deal, owners, "movements") for deal in placed], deals.last
        )

    def properties(self, stream: str) -> list[str]:
        kinds = ("accounts",) if stream == "companies" else ("contracts", "movements")
        wanted = {prop for kind in kinds for prop in self.fields[kind].values() if prop != "company"}
        return sorted(wanted | {MODIFIED, "hs_object_id"})

    def search(self, stream: str, body: PublicObjectSearchRequest) -> object:
        api = self.client.crm.companies if stream == "companies" else self.client.crm.deals
        try:
            return api.search_api.do_search(public_object_search_request=body)
        except _ERRORS as error:
            raise CrmError(f"HubSpot refused the {stream} search: {_reason(error)}") from None

    def _owners(self) -> dict[str, tuple[str, str]]:
        """Owner id → (email, full name), all pages."""
        owners: dict[str, tuple[str, str]] = {}
        after: str | None = None
        while True:
            try:
                page = self.client.crm.owners.owners_api.get_page(limit=PAGE, after=after, archived=False)
            except _ERRORS as error:
                raise CrmError(f"HubSpot refused the owners list: {_reason(error)}") from None
            for owner in page.results:
                name = " ".join(part for part in (owner.first_name, owner.last_name) if part)
                if owner.email:
                    owners[str(owner.id)] = (owner.email, name or owner.email)
            after = page.paging.next.after if page.paging and page.paging.next else None
            if after is None:
                return owners

    def _team_rows(self, owners: dict[str, tuple[str, str]]) -> list[Row]:
        return team_rows(sorted(set(owners.values())), self.team_roles, self.config.new_owner_role)

    def _owned(self, record: Row, owners: dict[str, tuple[str, str]], kind: str) -> Row:
        row = mapped(record, self.fields[kind])
        for field, prop in self.fields[kind].items():
            if prop.endswith("owner_id"):
                owner = owners.get(str(record.get(prop) or ""))
                row[field] = owner[0] if owner else ""
        return row

    def _contract(self, deal: Row) -> Row:
        row = mapped(deal, self.fields["contracts"])
        if "end_date" not in self.fields["contracts"]:
            row["end_date"] = _term_end(str(row.get("start_date") or ""), self.config.contract_months)
        return row

    def _companies_of(self, deal_ids: Sequence[str]) -> dict[str, str]:
        """Deal id → its first associated company's id."""
        found: dict[str, str] = {}
        for start in range(0, len(deal_ids), PAGE):
            inputs = [{"id": deal_id} for deal_id in deal_ids[start : start + PAGE]]
            try:
                answer = self.client.crm.associations.v4.batch_api.get_page(
                    from_object_type="deals",
                    to_object_type="companies",
                    batch_input_public_fetch_associations_batch_request=BatchInputPublicFetchAssociationsBatchRequest(
                        inputs=inputs
                    ),
                )
            except _ERRORS as error:
                raise CrmError(f"HubSpot refused the deal–company associations: {_reason(error)}") from None
            for result in answer.results:
                if result.to:
                    found[str(result._from.id)] = str(result.to[0].to_object_id)
        return found


class _Stream:
    """One object's records modified since the cursor, oldest first, each as its properties; `last()` is
    the latest modification time read."""

    def __init__(
        self, reader: HubSpotReader, stream: str, filters: list[dict[str, str]] | None = None
    ) -> None:
        self.reader = reader
        self.stream = stream
        self.filters = filters or []
        self.latest: str | None = reader.cursors.get(stream)

    def last(self) -> str | None:
        return self.latest

    def __iter__(self) -> Iterator[Row]:
        since = self.latest
        while True:
            after: str | None = None
            restarted = False
            while True:
                filters = list(self.filters)
                if since is not None:
                    filters.append({"propertyName": MODIFIED, "operator": "GTE", "value": _epoch_ms(since)})
                body = PublicObjectSearchRequest(
                    filter_groups=[{"filters": filters}] if filters else [],
                    sorts=[{"propertyName": MODIFIED, "direction": "ASCENDING"}],
                    properties=self.reader.properties(self.stream),
                    limit=PAGE,
                    after=after,
                )
                page = self.reader.search(self.stream, body)
                for result in page.results:  # type: ignore[attr-defined]
                    record: Row = {**(result.properties or {}), "hs_object_id": str(result.id)}
                    modified = str(record.get(MODIFIED) or "")
                    if modified and (self.latest is None or modified > self.latest):
                        self.latest = modified
                    yield record
                paging = page.paging  # type: ignore[attr-defined]
                after = paging.next.after if paging and paging.next else None
                if after is None:
                    return
                if int(after) + PAGE > SEARCH_CAP:
                    restarted = True
                    break
            if not restarted:
                return
            if self.latest == since:
                raise CrmError(f"more than {SEARCH_CAP:,} HubSpot {self.stream} share one modification time")
            # Records modified at exactly `since` are read again by the next query: storing a row twice
            # with the same values changes nothing.
            since = self.latest


def _term_end(start: str, months: int) -> str:
    """The day before the same date `months` later: a year's contract from 1 April ends on 31 March."""
    try:
        day = date.fromisoformat(start[:10])
    except ValueError:
        return ""  # the importer names the bad start date; an end derived from it would only repeat it
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last_day = 31
    while True:
        try:
            end = date(year, month, min(day.day, last_day))
            break
        except ValueError:
            last_day -= 1
    return (end - timedelta(days=1)).isoformat()


def _reason(error: Exception) -> str:
    status = getattr(error, "status", None)
    reason = getattr(error, "reason", None) or type(error).__name__
    body = getattr(error, "body", None)
    detail = ""
    if isinstance(body, str | bytes) and body:
        try:
            detail = str(json.loads(body).get("message", ""))
        except (ValueError, AttributeError):
            detail = ""
    text = f"{status} {reason}" if status else str(reason)
    return f"{text}: {detail}" if detail else text
