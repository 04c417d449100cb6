"""Hostile input, generated: CSV files, ingest bodies, slash-command text and account names that no
one wrote by hand. Whatever comes in, csbot answers with a clear error or a correct result, writes
nothing of a refused batch, pings no one, and takes bounded time.

Short runs here (CI runs them on every commit); `HYPOTHESIS_PROFILE=long` runs many more examples.
The byte-level fuzz targets live in fuzz/ (atheris)."""

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.config import load_config
from bot.ingest import rows_of
from bot.local import LocalWorkspace
from bot.render import health as render_health
from bot.render.mrkdwn import escape
from domain.clock import fixed_clock
from domain.health.card import build_card
from domain.health.refresh import refresh_snapshots
from storage.importing import ImportFailed, import_file
from storage.models import Account, MetricObservation
from tests.factories import CSM_ID, NOW, TODAY, add_account, build_small_workspace

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# What Slack would act on if it reached a message raw: broadcasts, user and channel mentions, links.
HOSTILE = ["<!channel>", "<!here>", "<!everyone>", "<@U123ABC>", "<#C0GENERAL|general>", "<https://x.io|y>"]
PINGS = re.compile(r"<!(channel|here|everyone)>|<@U123ABC>|<#C0GENERAL")

cells = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["A-1", "acme", "2026-11-23", "23/11/2026", "1e309", "-0", "NaN", "", " ", '"', "\x00"]),
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
headers = st.lists(
    st.one_of(
        st.sampled_from(["account_id", "date", "metric", "value", "Account ID", "Day"]), st.text(max_size=12)
    ),
    min_size=0,
    max_size=6,
)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r') else cell

    return "\n".join(",".join(quoted(c) for c in line) for line in [header, *rows])


def _observations(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(MetricObservation)) or 0)


@given(
    header=headers,
    rows=st.lists(st.lists(cells, max_size=6), max_size=8),
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_any_csv_either_imports_or_names_what_is_wrong_and_writes_nothing(
    engine: Engine, tmp_path: Path, header: list[str], rows: list[list[str]], prefix: bytes, raw: bytes | None
) -> None:
    if not _observations(engine):
        build_small_workspace(engine)
    path = tmp_path / "metrics.csv"
    path.write_bytes(raw if raw is not None else prefix + _csv(header, rows).encode("utf-8", "surrogatepass"))
    before = _observations(engine)
    try:
        report = import_file(engine, "metrics", path)
    except ImportFailed as failed:
        assert _observations(engine) == before  # all or nothing
        assert failed.errors and all(str(error).startswith(str(path)) for error in failed.errors)
        assert "nothing was written" in str(failed)
    else:
        assert report.rows == report.inserted + report.updated + report.unchanged


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(
    body=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(st.sampled_from(["rows", "Rows", "data"]), json_values, max_size=2).map(
            lambda v: json.dumps(v).encode()
        ),
        st.lists(json_values, max_size=4).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
    ),
    content_type=st.sampled_from(["application/json", "application/x-ndjson", "text/plain", ""]),
)
def test_any_ingest_body_is_rows_or_a_reason_to_refuse_it(body: bytes, content_type: str) -> None:
    try:
        rows = rows_of(body, content_type)
    except ValueError as refused:  # answered 400 with this text
        assert str(refused)
    else:
        assert all(isinstance(row, dict) for row in rows)


words = st.one_of(
    st.sampled_from(
        ["health", "owner", "renewals", "risks", "wins", "win", "digest", "ask", "help", "playbook"]
    ),
    st.sampled_from(["acme", "ACME", "さくら", "サクラ", "acme:", "30", "-5", "2026-13", "9" * 30]),
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
)


@given(text=st.lists(words, max_size=6).map(" ".join).map(lambda t: t[:3000]))
def test_any_command_text_gets_a_private_answer_that_pings_no_one(engine: Engine, text: str) -> None:
    if not _observations(engine):
        build_small_workspace(engine)
        refresh_snapshots(engine, load_config().health, [TODAY])
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        exchange = workspace.command(text, user_id=CSM_ID)
    assert exchange.status == 200
    replies = [
        c for c in exchange.calls if c.method in ("response_url", "chat.postEphemeral", "chat.postMessage")
    ]
    assert replies, f"no answer to {text!r}"
    for reply in replies:
        shown = "\n".join(_strings(reply.body))
        assert not PINGS.search(shown), f"{text!r} made the bot send {PINGS.search(shown)}"
        assert reply.body.get("response_type") != "in_channel"  # answers are private unless shared
    assert exchange.elapsed_ms < 10_000


@settings(max_examples=15)
@given(name=st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=80)).filter(lambda n: n.strip()))
def test_any_account_name_reaches_its_card_escaped(engine: Engine, name: str) -> None:
    with Session(engine) as session:
        number = int(session.exec(select(func.count()).select_from(Account)).one()[0]) + 1
        account = add_account(session, f"H-{number}", name, arr=1000)
        session.commit()
        account_id = int(account.id)  # type: ignore[arg-type]
    card = build_card(engine, load_config().health, account_id, TODAY)
    assert card is not None
    message = render_health.health_card(card, language="en", currency="USD")
    shown = "\n".join(_strings([block.to_dict() for block in message.blocks]))
    # The account has no owners, so nothing on its card is a mention or a link: no "<" at all.
    assert "<" not in shown and ">" not in shown.replace("&gt;", "")
    assert escape(name)[:20] in shown or len(name) > 40  # shown, escaped (a long name may be cut)


# Carried with a block but never shown: a button's value comes back to the bot, it is not rendered.
NOT_SHOWN = {"value", "action_id", "block_id", "private_metadata", "callback_id"}


def _strings(value: object) -> list[str]:
    """Every string inside a JSON-like value that Slack would show."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() if key not in NOT_SHOWN for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_the_profiles_keep_runs_bounded() -> None:
    # A profile without a deadline would let one slow example hang CI.
    assert (
        settings.get_profile("ci").deadline is not None and settings.get_profile("long").deadline is not None
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_each_known_mention_form_is_escaped_by_the_one_escaper(name: str) -> None:
    assert "<" not in escape(name) and ">" not in escape(name)
