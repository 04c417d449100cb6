"""HubSpot's CRM API, as much of it as csbot reads: owners (v3), company and deal search (v3), and the
deal → company associations batch read (v4). Objects are given by the test; every property is text, as
HubSpot sends it."""

import uuid
from datetime import UTC, datetime
from typing import Any

from localcrm.base import Answer, LocalApi

_CREATED = "2025-01-01T00:00:00.000Z"
SEARCH_CAP = 10_000  # HubSpot answers 400 when a search pages past this many results
MAX_LIMIT = 200


def _millis(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def stamp(moment: datetime) -> str:
    """A HubSpot timestamp: UTC, milliseconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class LocalHubSpot(LocalApi):
    def __init__(self, token: str = "pat-local-hubspot") -> None:
        super().__init__(token)
        self.owners: dict[str, dict[str, Any]] = {}
        self.objects: dict[str, dict[str, dict[str, Any]]] = {"companies": {}, "deals": {}}
        self.deal_company: dict[str, str] = {}

    # -- the test's data -----------------------------------------------------------------------------
    def add_owner(self, owner_id: str, email: str, first_name: str, last_name: str) -> None:
        self.owners[owner_id] = {
            "id": owner_id,
            "email": email,
            "firstName": first_name,
            "lastName": last_name,
            "userId": int(owner_id),
            "userIdIncludingInactive": int(owner_id),
            "createdAt": _CREATED,
            "updatedAt": _CREATED,
            "archived": False,
            "type": "PERSON",
        }

    def put(self, object_type: str, object_id: str, modified: datetime, **properties: object) -> None:
        """Create or change a company or deal; `modified` is its hs_lastmodifieddate."""
        record = self.objects[object_type].setdefault(
            object_id, {"hs_object_id": object_id, "createdate": _CREATED}
        )
        record.update({k: None if v is None else str(v) for k, v in properties.items()})
        record["hs_lastmodifieddate"] = stamp(modified)

    def associate(self, deal_id: str, company_id: str) -> None:
        self.deal_company[deal_id] = company_id

    # -- answers ---------------------------------------------------------------------------------------
    def unauthorized(self) -> Answer:
        return Answer(
            401,
            {
                "status": "error",
                "message": "Authentication credentials not found.",
                "correlationId": str(uuid.uuid4()),
                "category": "INVALID_AUTHENTICATION",
            },
        )

    def throttled(self) -> Answer:
        return Answer(
            429,
            {
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()),
                "policyName": "SECONDLY",
            },
            {"X-HubSpot-RateLimit-Secondly": "10", "X-HubSpot-RateLimit-Secondly-Remaining": "0"},
        )

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Answer:
        parts = path.strip("/").split("/")
        if method == "GET" and parts == ["crm", "v3", "owners"]:
            return self._owners(query)
        searching = parts[:3] == ["crm", "v3", "objects"] and parts[4:] == ["search"]
        if method == "POST" and searching and parts[3] in self.objects:
            return self._search(parts[3], body or {})
        if method == "POST" and parts == ["crm", "v4", "associations", "deals", "companies", "batch", "read"]:
            return self._associations(body or {})
        return Answer(
            404, {"status": "error", "message": f"no route {method} {path}", "category": "NOT_FOUND"}
        )

    def _page(self, items: list[Any], after: int, limit: int, link: str) -> dict[str, Any]:
        page: dict[str, Any] = {"results": items[after : after + limit]}
        if after + limit < len(items):
            page["paging"] = {
                "next": {"after": str(after + limit), "link": f"{self.url}{link}?after={after + limit}"}
            }
        return page

    def _owners(self, query: dict[str, list[str]]) -> Answer:
        limit = min(int(query.get("limit", ["100"])[0]), 500)
        after = int(query.get("after", ["0"])[0])
        owners = [self.owners[key] for key in sorted(self.owners, key=int)]
        return Answer(200, self._page(owners, after, limit, "/crm/v3/owners/"))

    def _search(self, object_type: str, body: dict[str, Any]) -> Answer:
        limit = min(int(body.get("limit") or 10), MAX_LIMIT)
        after = int(body.get("after") or 0)
        if after + limit > SEARCH_CAP:
            return Answer(
                400,
                {
                    "status": "error",
                    "message": f"Search results are limited to {SEARCH_CAP} total",
                    "category": "VALIDATION_ERROR",
                },
            )
        groups = body.get("filterGroups") or []
        records = [
            r
            for r in self.objects[object_type].values()
            if not groups or any(self._matches(r, g) for g in groups)
        ]
        for sort in reversed(body.get("sorts") or []):
            name = sort["propertyName"] if isinstance(sort, dict) else str(sort)
            descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
            records.sort(key=lambda r, name=name: self._sort_key(r, name), reverse=descending)
        wanted = set(body.get("properties") or []) | {"createdate", "hs_lastmodifieddate", "hs_object_id"}
        results = [
            {
                "id": r["hs_object_id"],
                "properties": {k: r.get(k) for k in sorted(wanted)},
                "createdAt": r["createdate"],
                "updatedAt": r["hs_lastmodifieddate"],
                "archived": False,
            }
            for r in records
        ]
        page = self._page(results, after, limit, f"/crm/v3/objects/{object_type}/search")
        return Answer(200, {"total": len(results), **page})

    @staticmethod
    def _sort_key(record: dict[str, Any], name: str) -> Any:
        value = record.get(name) or ""
        return _millis(value) if name == "hs_lastmodifieddate" and value else value

    @staticmethod
    def _matches(record: dict[str, Any], group: dict[str, Any]) -> bool:
        for rule in group.get("filters") or []:
            name, operator, value = rule["propertyName"], rule["operator"], str(rule.get("value", ""))
            have = record.get(name)
            if name in ("hs_lastmodifieddate", "createdate"):
                left, right = (_millis(have) if have else None), int(value)
            else:
                left, right = (have or "").lower(), value.lower()
            if left is None:
                return False
            if operator == "EQ" and left != right:
                return False
            if operator == "GTE" and not left >= right:  # type: ignore[operator]
                return False
            if operator == "GT" and not left > right:  # type: ignore[operator]
                return False
        return True

    def _associations(self, body: dict[str, Any]) -> Answer:
        now = stamp(datetime.now(UTC))
        results = [
            {
                "from": {"id": item["id"]},
                "to": [
                    {
                        "toObjectId": int(self.deal_company[item["id"]]),
                        "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}
                        ],
                    }
                ],
            }
            for item in body.get("inputs") or []
            if item["id"] in self.deal_company
        ]
        return Answer(200, {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now})
