"""The ingest API on the server that serves Slack: bearer token, JSON or NDJSON rows, all or nothing."""

import base64
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from bot.config import load_config
from bot.ingest import MAX_INGEST_BYTES, Rescorer
from bot.local import LocalWorkspace
from domain.clock import fixed_clock
from domain.health.refresh import refresh_snapshots
from storage.models import Account, HealthSnapshot, MetricObservation
from tests.factories import AE_ID, NOW, TODAY, build_small_workspace
from tests.test_import import import_examples, snapshot

TOKEN = "ingest-token-7f3a"


@pytest.fixture
def workspace(engine: Engine) -> Iterator[LocalWorkspace]:
    import_examples(engine)
    with LocalWorkspace(engine=engine, config=load_config(), ingest_token=TOKEN) as workspace:
        yield workspace


def post(
    workspace: LocalWorkspace,
    kind: str,
    body: bytes,
    *,
    token: str | None = TOKEN,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{workspace.base_url}/api/v1/ingest/{kind}",
        data=body,
        method="POST",
        headers={"Content-Type": content_type},
    )
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


ROWS = [
    {"account_id": "ACC-0002", "date": "2026-12-01", "metric": "api_calls", "value": 120},
    {"account_id": "ACC-0002", "date": "2026-12-02", "metric": "api_calls", "value": 95},
]


def _api_calls(engine: Engine) -> int:
    with engine.connect() as c:
        return c.execute(
            select(func.count()).select_from(MetricObservation).where(MetricObservation.metric == "api_calls")
        ).scalar_one()


def test_rows_are_imported_once_however_often_they_are_sent(
    workspace: LocalWorkspace, engine: Engine
) -> None:
    status, answer = post(workspace, "metrics", json.dumps({"rows": ROWS}).encode())
    assert (status, answer) == (
        200,
        {"kind": "metrics", "rows": 2, "inserted": 2, "updated": 0, "unchanged": 0},
    )
    ndjson = "\n".join(json.dumps(row) for row in ROWS).encode()
    status, answer = post(workspace, "metrics", ndjson, content_type="application/x-ndjson")
    assert (status, answer["inserted"], answer["unchanged"]) == (200, 0, 2)
    assert _api_calls(engine) == 2


def test_without_the_token_nothing_is_read(workspace: LocalWorkspace, engine: Engine) -> None:
    body = json.dumps({"rows": ROWS}).encode()
    assert post(workspace, "metrics", body, token=None)[0] == 401
    assert post(workspace, "metrics", body, token="ingest-token-7f3b")[0] == 401
    assert _api_calls(engine) == 0


def test_bad_rows_are_named_and_nothing_is_written(workspace: LocalWorkspace, engine: Engine) -> None:
    before = snapshot(engine)
    rows = [ROWS[0], {**ROWS[1], "value": "lots"}, {**ROWS[1], "account_id": "NOPE-1"}]
    status, answer = post(workspace, "metrics", json.dumps({"rows": rows}).encode())
    assert status == 422 and answer["written"] == 0
    assert [(e["index"], e["field"], e["value"]) for e in answer["errors"]] == [
        (2, "value", "lots"),
        (3, "account_id", "NOPE-1"),
    ]
    assert "number" in answer["errors"][0]["expected"]
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status", "said"),
    [
        (b"{not json", "application/json", 400, "does not parse as JSON"),
        (b'{"data": []}', "application/json", 400, 'expected {"rows": [...]}'),
        (b'{"rows": [1]}', "application/json", 400, "row 1 is not an object"),
    ],
)
def test_a_body_that_is_not_rows_is_a_clear_400(
    workspace: LocalWorkspace, body: bytes, content_type: str, status: int, said: str
) -> None:
    answer_status, answer = post(workspace, "metrics", body, content_type=content_type)
    assert answer_status == status and said in answer["error"]


def test_unknown_kind_and_oversized_body(workspace: LocalWorkspace) -> None:
    status, answer = post(workspace, "logins", b'{"rows": []}')
    assert status == 404 and "metrics" in answer["kinds"]
    # Refused on the length it announces, before a byte of the body is read.
    host, port = workspace.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/api/v1/ingest/metrics")
    connection.putheader("Authorization", f"Bearer {TOKEN}")
    connection.putheader("Content-Length", str(MAX_INGEST_BYTES + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413  # waitress itself refuses a body over the limit it was given
    connection.close()


def test_without_a_token_configured_the_api_is_off(engine: Engine) -> None:
    with LocalWorkspace(engine=engine, config=load_config()) as workspace:
        request = urllib.request.Request(
            f"{workspace.base_url}/api/v1/ingest/metrics", data=b"{}", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404


def test_usage_sent_now_is_on_the_health_card_now(engine: Engine) -> None:
    build_small_workspace(engine)
    config = load_config()
    refresh_snapshots(engine, config.health, [TODAY])
    with LocalWorkspace(
        engine=engine, config=config, clock=fixed_clock(NOW), ingest_token=TOKEN
    ) as workspace:
        before = workspace.reply_to("health acme", AE_ID)
        rows = [{"account_id": "A-1", "date": TODAY.isoformat(), "metric": "open_tickets", "value": 0}]
        assert post(workspace, "metrics", json.dumps({"rows": rows}).encode())[0] == 200
        # Scored off the request path, within about a second of the answer.
        assert workspace.rescorer is not None and workspace.rescorer.wait_idle(10)
        after = workspace.reply_to("health acme", AE_ID)
    # Tickets 8 → 25/100 before; 0 now → 100/100: (5875 + 10 · 75) / 90 = 73.6, shown as 74.
    assert before["text"].startswith("Acme Corporation: health 65 ")
    assert "Open support tickets: 8 open" in json.dumps(before, ensure_ascii=False)
    shown = json.dumps(after, ensure_ascii=False)
    assert "Open support tickets: 8 open" not in shown
    assert after["text"].startswith("Acme Corporation: health 74 ")


def _track(message_id: str, event: str = "Report Exported", group: str = "ACC-0002") -> dict:
    return {
        "type": "track",
        "event": event,
        "messageId": message_id,
        "timestamp": "2026-12-01T10:15:00Z",
        "context": {"groupId": group},
    }


def test_segment_track_calls_are_counted_per_account_day_and_event_once(
    workspace: LocalWorkspace, engine: Engine
) -> None:
    batch = {"batch": [_track("m-1"), _track("m-2"), _track("m-3", group="NOPE-9"), {"type": "identify"}]}
    status, answer = post(workspace, "segment", json.dumps(batch).encode())
    assert status == 200 and (answer["tracked"], answer["duplicates"]) == (2, 0)
    assert [s["reason"] for s in answer["skipped"]] == ["no known account", "identify calls are not used"]
    # The webhook delivers again, plus one new event: only the new one counts.
    batch = {"batch": [_track("m-1"), _track("m-2"), _track("m-4")]}
    status, answer = post(workspace, "segment", json.dumps(batch).encode())
    assert (answer["tracked"], answer["duplicates"]) == (1, 2)
    with engine.connect() as c:
        values = (
            c.execute(select(MetricObservation.value).where(MetricObservation.metric == "report_exported"))
            .scalars()
            .all()
        )
    assert values == [3.0]


def test_segment_group_traits_update_the_account_and_basic_auth_works(
    workspace: LocalWorkspace, engine: Engine
) -> None:
    call = {
        "type": "group",
        "groupId": "ACC-0002",
        "traits": {"name": "Acme Corporation", "seats": 150, "plan": "pro"},
    }
    basic = "Basic " + base64.b64encode(f"{TOKEN}:".encode()).decode()
    status, answer = post(
        workspace, "segment", json.dumps(call).encode(), token=None, headers={"Authorization": basic}
    )
    assert status == 200 and answer["groups"] == 1
    with engine.connect() as c:
        assert c.execute(select(Account.seats).where(Account.external_id == "ACC-0002")).scalar_one() == 150


def test_a_burst_of_a_thousand_requests_loses_nothing_and_counts_nothing_twice(
    workspace: LocalWorkspace, engine: Engine
) -> None:
    """500 different batches, each sent twice, 8 at a time, as a product's workers would: every row
    arrives once. (Each request is its own transaction; SQLite takes them one after another.)"""

    def batch(number: int) -> bytes:
        day = date(2025, 1, 1) + timedelta(days=number)
        return json.dumps(
            {
                "rows": [
                    {"account_id": "ACC-0002", "date": day.isoformat(), "metric": "burst", "value": number}
                ]
            }
        ).encode()

    bodies = [batch(number) for number in range(500)] * 2
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda body: post(workspace, "metrics", body)[0], bodies))
    assert statuses.count(200) == 1000
    with engine.connect() as c:
        values = (
            c.execute(select(MetricObservation.value).where(MetricObservation.metric == "burst"))
            .scalars()
            .all()
        )
    assert sorted(values) == [float(number) for number in range(500)]


def test_rescoring_is_coalesced_off_the_request_path_and_survives_a_failed_pass(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_small_workspace(engine)
    config = load_config()
    with engine.connect() as c:
        ids = c.execute(select(Account.id).order_by(Account.id)).scalars().all()
    passes: list[list[int]] = []

    def refresh(engine: Engine, health: object, days: list[date], account_ids: list[int]) -> int:
        passes.append(list(account_ids))
        if len(passes) == 1:
            raise RuntimeError("the database went away")
        return refresh_snapshots(engine, health, days, account_ids)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.ingest.refresh_snapshots", refresh)
    rescorer = Rescorer(engine, config.health, fixed_clock(NOW), config.zone, settle=0.3)
    try:
        rescorer([ids[0]])
        assert rescorer.wait_idle(10)
        # Three batches in quick succession, two about the same account: one pass scores them all.
        rescorer([ids[0]])
        rescorer([ids[1], ids[0]])
        rescorer([ids[2]])
        assert rescorer.wait_idle(10)
    finally:
        rescorer.close()
    assert passes == [[ids[0]], sorted(ids[:3])]
    with engine.connect() as c:
        scored = (
            c.execute(select(HealthSnapshot.account_id).where(HealthSnapshot.day == TODAY)).scalars().all()
        )
    assert sorted(scored) == sorted(ids[:3])
