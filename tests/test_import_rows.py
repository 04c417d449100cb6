"""`import_rows`: rows from any origin (a query, a request, a CRM) get the CSV importer's checks, errors
and all-or-nothing guarantee."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.cli import main
from storage.importing import ImportFailed, import_rows
from storage.models import Account, MetricObservation
from tests.test_import import import_examples, snapshot

ORIGIN = "source warehouse_companies"


def account(number: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "account_id": f"W-{number}",
        "name": f"Warehouse {number}",
        "arr": Decimal("1200.50") * number,
        "seats": number * 10,
        "status": "active",
        "start_date": date(2025, 1, number),
    }
    return row | changes


def test_typed_rows_are_read_as_their_cells_would_be_and_again_change_nothing(engine: Engine) -> None:
    rows = [account(n) for n in range(1, 4)]
    report = import_rows(engine, "accounts", rows, origin=ORIGIN)
    assert (report.rows, report.inserted, report.updated) == (3, 3, 0)
    with engine.connect() as c:
        stored = c.execute(
            select(Account.external_id, Account.arr, Account.start_date).order_by(Account.id)
        ).all()
    assert stored[1] == ("W-2", 2401.0, date(2025, 1, 2))
    again = import_rows(engine, "accounts", rows, origin=ORIGIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert "source warehouse_companies" in str(again)


def test_a_bad_row_names_origin_row_column_and_value_and_nothing_is_written(engine: Engine) -> None:
    import_examples(engine)
    before = snapshot(engine)
    rows = [account(1), account(2, status="paying"), account(3)]
    with pytest.raises(ImportFailed) as failed:
        import_rows(engine, "accounts", rows, origin=ORIGIN, batch_size=1)
    [error] = failed.value.errors
    assert (error.file, error.line, error.column, error.value) == (ORIGIN, 2, "status", "paying")
    assert str(error).startswith(f'{ORIGIN}:2: column "status": "paying"')
    assert snapshot(engine) == before


def test_a_row_with_other_fields_than_the_first_is_named(engine: Engine) -> None:
    rows = [account(1), {"account_id": "W-2", "name": "Two"}]
    with pytest.raises(ImportFailed) as failed:
        import_rows(engine, "accounts", rows, origin=ORIGIN)
    assert failed.value.errors[0].line == 2 and "lacks arr" in failed.value.errors[0].message
    with engine.connect() as c:
        assert c.execute(select(Account.id)).first() is None


def test_mapped_names_and_datetimes_as_a_crm_sends_them(engine: Engine) -> None:
    import_examples(engine)
    rows = [
        {"company_id": "ACC-0002", "day": datetime(2026, 11, 20), "metric": "logins", "value": 7},
        {"company_id": "ACC-0002", "day": datetime(2026, 11, 21), "metric": "logins", "value": 9},
    ]
    report = import_rows(
        engine,
        "metrics",
        rows,
        origin="hubspot companies",
        mapping={"company_id": "account_id", "day": "date"},
    )
    assert report.inserted == 2
    with engine.connect() as c:
        stored = c.execute(
            select(MetricObservation.observed_on, MetricObservation.value)
            .join(Account, Account.id == MetricObservation.account_id)
            .where(Account.external_id == "ACC-0002", MetricObservation.metric == "logins")
            .where(MetricObservation.observed_on.in_([date(2026, 11, 20), date(2026, 11, 21)]))
            .order_by(MetricObservation.observed_on)
        ).all()
    assert stored == [(date(2026, 11, 20), 7.0), (date(2026, 11, 21), 9.0)]


def test_no_rows_is_an_empty_report(engine: Engine) -> None:
    report = import_rows(engine, "metrics", [], origin=ORIGIN)
    assert (report.rows, report.inserted) == (0, 0)


def test_value_maps_translate_a_sources_vocabulary(engine: Engine) -> None:
    rows = [account(1, status="Paying"), account(2, status="CANCELLED"), account(3)]
    report = import_rows(
        engine,
        "accounts",
        rows,
        origin=ORIGIN,
        values={"status": {"paying": "active", "Cancelled": "churned"}},
    )
    assert report.inserted == 3
    with engine.connect() as c:
        assert c.execute(select(Account.status).order_by(Account.id)).scalars().all() == [
            "active",
            "churned",
            "active",
        ]


def test_unknown_values_fail_with_the_values_seen_and_allowed(engine: Engine) -> None:
    rows = [account(1, status="Paying"), account(2, status="Trial"), account(3, status="Trial")]
    with pytest.raises(ImportFailed) as failed:
        import_rows(engine, "accounts", rows, origin=ORIGIN, values={"status": {"paying": "active"}})
    messages = [str(e) for e in failed.value.errors]
    assert messages[0].startswith(f'{ORIGIN}:2: column "status": "Trial" is not one of the allowed values')
    assert "expected one of: active, churned, paused" in messages[0]
    assert len(messages) == 2  # a single refused value: its rows' errors say it all


def test_several_refused_values_are_listed_together(engine: Engine) -> None:
    rows = [account(1, status="Trial"), account(2, status="Frozen")]
    with pytest.raises(ImportFailed) as failed:
        import_rows(engine, "accounts", rows, origin=ORIGIN)
    summary = str(failed.value.errors[-1])
    assert summary.startswith(f'{ORIGIN}: column "status": values refused in this column: Trial, Frozen')
    assert "--map-value" in summary


def test_a_value_map_for_a_field_the_kind_has_not_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match='accounts has no field "stage"'):
        import_rows(engine, "accounts", [account(1)], origin=ORIGIN, values={"stage": {"a": "b"}})


def test_the_cli_reads_value_maps(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account_id,name,lifecycle_stage\nH-1,Hub One,customer\nH-2,Hub Two,Customer\n", encoding="utf-8"
    )
    assert main(["import", "accounts", str(path), "--map-value", "lifecycle_stage:customer=adoption"]) == 0
    with engine.connect() as c:
        assert c.execute(select(Account.lifecycle_stage)).scalars().all() == ["adoption", "adoption"]
    assert main(["import", "accounts", str(path), "--map-value", "stage customer"]) == 1


def _usage(day: int, value: float = 1.0) -> list[dict[str, object]]:
    return [
        {"account_id": f"W-{n}", "date": date(2026, 11, day), "metric": "logins", "value": value * n}
        for n in range(1, 4)
    ]


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_the_report_names_the_accounts_whose_rows_changed(engine: Engine, batch_size: int) -> None:
    import_rows(engine, "accounts", [account(n) for n in range(1, 4)], origin=ORIGIN)
    with engine.connect() as c:
        own = dict(c.execute(select(Account.external_id, Account.id)).all())

    first = import_rows(engine, "metrics", _usage(1), origin=ORIGIN, batch_size=batch_size)
    again = import_rows(engine, "metrics", _usage(1), origin=ORIGIN, batch_size=batch_size)
    changed = _usage(1)
    changed[1]["value"] = 99  # W-2 only
    third = import_rows(engine, "metrics", changed, origin=ORIGIN, batch_size=batch_size)

    assert first.changed_accounts == {own["W-1"], own["W-2"], own["W-3"]}
    assert (again.unchanged, again.changed_accounts) == (3, set())
    assert (third.updated, third.unchanged, third.changed_accounts) == (1, 2, {own["W-2"]})


def test_a_key_repeated_across_batches_counts_as_an_update_and_the_last_value_stays(engine: Engine) -> None:
    import_rows(engine, "accounts", [account(n) for n in range(1, 4)], origin=ORIGIN)
    rows = _usage(2) + _usage(2, value=5.0) + _usage(2, value=5.0)

    report = import_rows(engine, "metrics", rows, origin=ORIGIN, batch_size=2)

    assert (report.rows, report.inserted, report.updated, report.unchanged) == (9, 3, 3, 3)
    with engine.connect() as c:
        values = c.execute(select(MetricObservation.value).order_by(MetricObservation.value)).scalars().all()
    assert values == [5.0, 10.0, 15.0]
