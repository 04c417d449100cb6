"""The ingest API: a product sends usage (or any import kind) as rows, on the server that serves Slack.

    POST /api/v1/ingest/{kind}
    Authorization: Bearer <CSBOT_INGEST_TOKEN>
    {"rows": [{"account_id": "ACC-1", "date": "2026-12-01", "metric": "logins", "value": 12}, …]}
    (or NDJSON: one row object per line)

Answers, as JSON: 200 with the counts; 400 for a body that is not rows; 401 without the token; 404 for
an unknown kind; 413 for a body over `MAX_INGEST_BYTES` (refused before it is read); 422 naming each
bad row (index from 1, field, value, what was expected) with nothing written. Rows go through
`import_rows`, so the same batch twice changes nothing. No token configured: the API is off (404).
"""

import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from domain.clock import Clock, today_in
from domain.health.refresh import refresh_snapshots
from domain.health.scorecard import HealthConfig
from storage.accounts import ids_of
from storage.importing import KINDS, ImportFailed, import_rows

INGEST_PREFIX = "/api/v1/ingest/"
MAX_INGEST_BYTES = 10 << 20  # ten thousand rows of usage are about a megabyte

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _BadBody(ValueError):
    pass


def _json(start_response: Callable[..., Any], status: str, payload: object) -> Iterable[bytes]:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    start_response(
        status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def rows_of(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """`{"rows": [...]}` or NDJSON, each row an object; _BadBody says what is wrong otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadBody("the body is not UTF-8") from None
    ndjson = "ndjson" in content_type or "jsonl" in content_type
    try:
        if ndjson:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            document = json.loads(text)
            if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
                raise _BadBody('expected {"rows": [...]} (or NDJSON with Content-Type application/x-ndjson)')
            rows = document["rows"]
    except json.JSONDecodeError as error:
        raise _BadBody(f"the body does not parse as JSON ({error.msg}, line {error.lineno})") from None
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _BadBody(f"row {index} is not an object")
    return rows


# Kinds whose rows change a health score: their accounts are scored again at once.
SCORED_KINDS = ("metrics", "milestones")
# Called with the accounts whose scores the rows changed (their own ids).
Rescore = Callable[[list[int]], None]


def _account_id(row: dict[str, Any]) -> str:
    """The row's account id, under whatever spelling of the header the importer recognised."""
    for key, value in row.items():
        if "".join(ch for ch in str(key).lower() if ch.isalnum()) == "accountid":
            return str(value)
    return ""


def rescorer(engine: Engine, health: HealthConfig, clock: Clock, zone: ZoneInfo) -> Rescore:
    def rescore(account_ids: list[int]) -> None:
        if account_ids:
            refresh_snapshots(engine, health, [today_in(clock, zone)], account_ids)

    return rescore


def ingest_app(engine: Engine, token: str, *, rescore: Rescore | None = None) -> WsgiApp:
    """The API; `rescore` refreshes today's snapshots of the accounts a batch of usage touched, so
    `/cs health` shows the new figures now rather than after the next sweep."""
    expected = f"Bearer {token}".encode()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        given = environ.get("HTTP_AUTHORIZATION", "").encode()
        if not hmac.compare_digest(given, expected):
            return _json(
                start_response,
                "401 Unauthorized",
                {"error": "a valid Authorization: Bearer token is required"},
            )
        kind = environ.get("PATH_INFO", "").removeprefix(INGEST_PREFIX).strip("/")
        if kind not in KINDS:
            return _json(
                start_response, "404 Not Found", {"error": f"unknown kind {kind!r}", "kinds": list(KINDS)}
            )
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _json(start_response, "400 Bad Request", {"error": "bad Content-Length"})
        if length > MAX_INGEST_BYTES:
            return _json(
                start_response,
                "413 Content Too Large",
                {"error": f"at most {MAX_INGEST_BYTES} bytes per request"},
            )
        try:
            rows = rows_of(environ["wsgi.input"].read(length), environ.get("CONTENT_TYPE", ""))
        except _BadBody as problem:
            return _json(start_response, "400 Bad Request", {"error": str(problem)})
        try:
            report = import_rows(engine, kind, rows, origin=f"ingest {kind}")
        except ImportFailed as failed:
            errors = [
                {"index": e.line, "field": e.column, "value": e.value, "expected": e.message}
                for e in failed.errors
            ]
            return _json(start_response, "422 Unprocessable Content", {"written": 0, "errors": errors})
        if rescore is not None and kind in SCORED_KINDS and report.inserted + report.updated:
            rescore(ids_of(engine, [_account_id(row) for row in rows]))
        counts = {
            "rows": report.rows,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        return _json(start_response, "200 OK", {"kind": kind, **counts})

    return application
