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

import base64
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Engine

from bot.sync import SCORED_KINDS
from domain.clock import Clock, today_in
from domain.health.refresh import refresh_snapshots
from domain.health.scorecard import HealthConfig
from storage.accounts import ids_by_external_id
from storage.importing import KINDS, ImportFailed, import_rows
from storage.segment import count_events

logger = logging.getLogger(__name__)

INGEST_PREFIX = "/api/v1/ingest/"
# /api/v1/ingest/segment takes Segment's (and RudderStack's) webhook calls instead of rows.
SEGMENT_KIND = "segment"
# Group traits that are account fields under the same name; the rest are not kept.
GROUP_TRAITS = ("name", "domain", "segment", "region", "arr", "seats", "lifecycle_stage")
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
            rows = [orjson.loads(line) for line in text.splitlines() if line.strip()]
        else:
            document = orjson.loads(
                body
            )  # parsed in C: a 1,000-row batch is read in a fraction of json's time
            if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
                raise _BadBody('expected {"rows": [...]} (or NDJSON with Content-Type application/x-ndjson)')
            rows = document["rows"]
    except orjson.JSONDecodeError as error:
        raise _BadBody(f"the body does not parse as JSON ({error.msg}, line {error.lineno})") from None
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _BadBody(f"row {index} is not an object")
    return rows


# Called with the accounts whose scores the rows changed (their own ids).
Rescore = Callable[[list[int]], None]


class Rescorer:
    """Today's snapshots refreshed for the accounts ingest batches touched, off the request path.

    A request answers as soon as its rows are stored; a worker thread then scores every account queued
    meanwhile in one pass, a moment (`settle`) after the first arrives, so a burst of batches about the
    same accounts is scored once rather than once per batch. `/cs health` shows the new figures within
    about a second. A failed pass is logged and the next sweep scores those accounts anyway.
    """

    def __init__(
        self, engine: Engine, health: HealthConfig, clock: Clock, zone: ZoneInfo, *, settle: float = 0.2
    ) -> None:
        self.engine = engine
        self.health = health
        self.clock = clock
        self.zone = zone
        self.settle = settle
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._closing = False
        self._worker = threading.Thread(target=self._run, name="csbot-rescore", daemon=True)
        self._worker.start()

    def __call__(self, account_ids: list[int]) -> None:
        if not account_ids:
            return
        with self._lock:
            self._pending.update(account_ids)
            self._idle.clear()
        self._wake.set()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """True once every account queued so far is scored."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Score what is queued, then stop the worker."""
        self._closing = True
        self._wake.set()
        self._worker.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if not self._closing:
                time.sleep(self.settle)
            with self._lock:
                batch = sorted(self._pending)
                self._pending.clear()
                self._wake.clear()
            if batch:
                try:
                    refresh_snapshots(self.engine, self.health, [today_in(self.clock, self.zone)], batch)
                except Exception:  # the worker must outlive a bad pass; the sweep scores them tonight
                    logger.exception("re-scoring %d accounts after ingest failed", len(batch))
            with self._lock:
                if not self._pending:
                    self._idle.set()
                    if self._closing:
                        return


def ingest_app(engine: Engine, token: str, *, rescore: Rescore | None = None) -> WsgiApp:
    """The API; `rescore` (a `Rescorer`) is told the accounts a batch of usage touched, so `/cs health`
    shows the new figures now rather than after the next sweep."""
    # Bearer for our own clients; Basic with the token as user name for webhook destinations (Segment's
    # and RudderStack's) that only send that.
    accepted = [f"Bearer {token}".encode(), b"Basic " + base64.b64encode(f"{token}:".encode())]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        given = environ.get("HTTP_AUTHORIZATION", "").encode()
        if not any([hmac.compare_digest(given, allowed) for allowed in accepted]):
            return _json(
                start_response,
                "401 Unauthorized",
                {"error": "a valid Authorization: Bearer token is required"},
            )
        kind = environ.get("PATH_INFO", "").removeprefix(INGEST_PREFIX).strip("/")
        if kind != SEGMENT_KIND and kind not in KINDS:
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
        body = environ["wsgi.input"].read(length)
        if kind == SEGMENT_KIND:
            try:
                status, payload = segment_calls(engine, body, rescore)
            except _BadBody as problem:
                status, payload = "400 Bad Request", {"error": str(problem)}
            return _json(start_response, status, payload)
        try:
            rows = rows_of(body, environ.get("CONTENT_TYPE", ""))
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
        if rescore is not None and kind in SCORED_KINDS and report.changed_accounts:
            rescore(sorted(report.changed_accounts))
        counts = {
            "rows": report.rows,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        return _json(start_response, "200 OK", {"kind": kind, **counts})

    return application


def _metric_name(event: str) -> str:
    """ "Report Exported" → "report_exported": a metric named after the event."""
    words = "".join(ch if ch.isalnum() else " " for ch in event.strip().lower()).split()
    return "_".join(words)[:64]


def _event_day(call: dict[str, Any]) -> date | None:
    for key in ("timestamp", "originalTimestamp", "sentAt", "receivedAt"):
        value = call.get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).date()
            except ValueError:
                return None
    return None


def _group_of(call: dict[str, Any]) -> str:
    """The account a call is about: the group it names (Segment puts it in context for track calls)."""
    context = call.get("context") if isinstance(call.get("context"), dict) else {}
    properties = call.get("properties") if isinstance(call.get("properties"), dict) else {}
    for value in (
        call.get("groupId"),
        context.get("groupId"),
        properties.get("groupId"),
        properties.get("account_id"),
    ):
        if value not in (None, ""):
            return str(value)
    return ""


def segment_calls(engine: Engine, body: bytes, rescore: Rescore | None) -> tuple[str, dict[str, Any]]:
    """`track` calls counted per account, day and event into a metric named after the event (each
    message id once); `group` calls' traits written to the account. One call or `{"batch": [...]}`."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _BadBody("the body is not a JSON Segment call") from None
    calls = document.get("batch") if isinstance(document, dict) and "batch" in document else [document]
    if not isinstance(calls, list) or not all(isinstance(call, dict) for call in calls):
        raise _BadBody('expected a Segment call or {"batch": [...]}')
    accounts = ids_by_external_id(engine, [_group_of(call) for call in calls])
    events: list[tuple[str, int, str, date]] = []
    skipped: list[dict[str, Any]] = []
    groups = 0
    for index, call in enumerate(calls, start=1):
        kind, group = call.get("type"), _group_of(call)
        if kind == "track":
            own, day, name = (
                accounts.get(group.lower()),
                _event_day(call),
                _metric_name(str(call.get("event", ""))),
            )
            message = str(call.get("messageId") or "")
            if own is None or day is None or not name or not message:
                reason = (
                    "no known account"
                    if own is None
                    else "no timestamp"
                    if day is None
                    else "no event or messageId"
                )
                skipped.append({"index": index, "reason": reason, "group": group or None})
                continue
            events.append((message[:128], own, name, day))
        elif kind == "group":
            traits = call.get("traits") if isinstance(call.get("traits"), dict) else {}
            row = {"account_id": group, **{k: traits[k] for k in GROUP_TRAITS if k in traits}}
            if not group or "name" not in row:
                skipped.append(
                    {
                        "index": index,
                        "reason": "a group call needs groupId and traits.name",
                        "group": group or None,
                    }
                )
                continue
            try:
                import_rows(engine, "accounts", [row], origin=f"segment group call {index}")
            except ImportFailed as failed:
                errors = [
                    {"index": index, "field": e.column, "value": e.value, "expected": e.message}
                    for e in failed.errors
                ]
                return "422 Unprocessable Content", {"written": 0, "errors": errors}
            groups += 1
        else:
            skipped.append({"index": index, "reason": f"{kind} calls are not used", "group": group or None})
    tracked, duplicates = count_events(engine, events)
    if rescore is not None and tracked:
        rescore(sorted({own for _, own, _, _ in events}))
    return "200 OK", {"tracked": tracked, "duplicates": duplicates, "groups": groups, "skipped": skipped}
