"""The reader for a configured CRM source, with its token from the environment and its cursors."""

from collections.abc import Iterator, Mapping
from typing import Protocol

from sqlalchemy import Engine

from bot.config import SourceConfig
from bot.crm import Part, RolesOf
from storage import source_cursors
from storage.importing import KINDS
from storage.sources import expanded
from storage.team import people_by_email


class CrmReader(Protocol):
    def parts(self) -> Iterator[Part]: ...


def default_values(source: SourceConfig) -> dict[str, dict[str, str]]:
    if source.hubspot is not None:
        from bot.crm.hubspot import DEFAULT_VALUES
    else:
        from bot.crm.salesforce import DEFAULT_VALUES
    return DEFAULT_VALUES


def crm_values(source: SourceConfig, kind: str) -> dict[str, dict[str, str]]:
    """The value maps for `kind`: the CRM's defaults, then the source's own `values:` over them."""
    merged = {field: dict(mapping) for field, mapping in default_values(source).items()}
    for field, mapping in source.values.items():
        merged.setdefault(field, {}).update(mapping)
    unknown = [
        field for field in source.values if not any(field in spec.field_names for spec in KINDS.values())
    ]
    if unknown:
        raise ValueError(f"values: {', '.join(unknown)} is not a field of any kind")
    names = KINDS[kind].field_names
    return {field: mapping for field, mapping in merged.items() if field in names}


def crm_reader(engine: Engine, source: SourceConfig, environ: Mapping[str, str]) -> CrmReader:
    cursors = source_cursors.load(engine, source.name)

    def roles_of(emails: list[str]) -> dict[str, str]:
        return {
            email: person.role for email, person in people_by_email(engine, emails).items() if person.role
        }

    roles: RolesOf = roles_of
    fields = {kind: dict(mapping) for kind, mapping in source.fields.items()}
    # Each vendor's client loads only when a source of that vendor runs.
    if source.hubspot is not None:
        from bot.crm.hubspot import HubSpotReader

        token = expanded(source.hubspot.token, environ)
        return HubSpotReader(source.hubspot, token, fields=fields, cursors=cursors, team_roles=roles)
    assert source.salesforce is not None
    from bot.crm.salesforce import SalesforceReader

    token = expanded(source.salesforce.token, environ)
    # Won opportunities are read only for the types a value map turns into movement kinds.
    types = list(crm_values(source, "movements").get("kind", {}))
    return SalesforceReader(
        source.salesforce, token, fields=fields, cursors=cursors, team_roles=roles, movement_types=types
    )
