"""`csbot import`: every kind, idempotency, all-or-nothing, CRM headers, streaming, and the CLI."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

from bot.cli import main
from storage.importing import ImportFailed, ImportReport, import_file
from storage.importing.errors import CellError
from storage.importing.parsing import boolean, domain, iso_date, number
from storage.models import (
    Account,
    AccountAlias,
    AuditEntry,
    Contract,
    HealthSnapshot,
    MetricObservation,
    Milestone,
    RevenueMovement,
    TeamMember,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KINDS_IN_ORDER = ("team", "accounts", "contracts", "metrics", "milestones", "movements")
ACCOUNTS_HEADER = (
    "account_id,name,domain,segment,region,arr,seats,csm_email,ae_email,am_email,lifecycle_stage,status"
)


def write(folder: Path, name: str, text: str, *, bom: bool = False) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    return path


def import_examples(engine: Engine) -> dict[str, ImportReport]:
    return {kind: import_file(engine, kind, EXAMPLES / f"{kind}.csv") for kind in KINDS_IN_ORDER}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table, ids included, so any write at all shows up as a difference."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
            if table.name != "audit_log"
        }


def count(engine: Engine, model: type[SQLModel]) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def one(engine: Engine, statement: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(statement).one()


def failure(engine: Engine, kind: str, path: Path, **options: Any) -> ImportFailed:
    with pytest.raises(ImportFailed) as raised:
        import_file(engine, kind, path, **options)
    return raised.value


# --- the example files ---------------------------------------------------------------------------------


def test_every_example_file_imports(engine: Engine) -> None:
    reports = import_examples(engine)

    for kind, report in reports.items():
        data_lines = (EXAMPLES / f"{kind}.csv").read_text(encoding="utf-8").strip().count("\n")
        assert (report.rows, report.inserted, report.updated) == (data_lines, data_lines, 0), kind
    assert count(engine, TeamMember) == 6
    assert count(engine, MetricObservation) == 69
    sakura = one(engine, select(Account).where(Account.external_id == "ACC-0001"))
    assert (sakura.name, sakura.search_name, sakura.arr, sakura.seats) == (
        "株式会社さくら商事",
        "さくら商事",
        12_000_000,
        800,
    )
    assert sakura.start_date == date(2024, 4, 1)
    hikari = one(engine, select(Account.arr).where(Account.external_id == "ACC-0003"))
    assert hikari.arr == 3_600_000  # written as ¥3,600,000
    with engine.connect() as connection:
        aliases = set(
            connection.execute(
                select(AccountAlias.alias).where(AccountAlias.account_id == sakura.id)
            ).scalars()
        )
    assert aliases == {"さくら商事", "Sakura Shoji"}
    renewal = one(engine, select(Contract).where(Contract.external_id == "CTR-1002"))
    assert (renewal.account_id, renewal.auto_renew, renewal.notice_days) == (sakura.id, True, 90)  # はい
    with engine.connect() as connection:
        days = set(connection.execute(select(MetricObservation.observed_on)).scalars())
    assert date(2026, 11, 25) in days  # written 2026/11/25
    assert max(days) == date(2026, 11, 30)
    churn = one(engine, select(RevenueMovement).where(RevenueMovement.kind == "churn"))
    assert (churn.moved_on, churn.arr_delta) == (date(2025, 1, 14), -900_000)
    pending = one(engine, select(Milestone).where(Milestone.name == "最初のダッシュボード公開"))
    assert pending.achieved_date is None
    manager = one(engine, select(TeamMember.manager_email).where(TeamMember.name == "田中 健二"))
    assert manager.manager_email == "sato.hanako@example.co.jp"
    assert count(engine, AuditEntry) == len(KINDS_IN_ORDER)


def test_importing_the_same_files_again_changes_nothing(engine: Engine) -> None:
    import_examples(engine)
    before = snapshot(engine)

    again = import_examples(engine)

    assert snapshot(engine) == before
    for kind, report in again.items():
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, report.rows), kind


def test_successful_import_is_audited(engine: Engine) -> None:
    import_file(engine, "team", EXAMPLES / "team.csv")

    entry = one(engine, select(AuditEntry))
    assert (entry.action, entry.query, entry.outcome) == ("import", "team team.csv", "ok")


def test_the_examples_make_a_workspace_that_scores_on_the_day_they_describe(engine: Engine) -> None:
    from bot.config import load_config
    from domain.health.card import build_card
    from domain.health.refresh import refresh_snapshots

    config = load_config(EXAMPLES / "csbot.yml")
    assert config.currency == "JPY"  # the amounts are yen
    import_examples(engine)
    day = date(2026, 11, 30)
    assert refresh_snapshots(engine, config.health, [day]) == 5  # the churned account is not scored
    with engine.connect() as connection:
        scored = connection.execute(select(HealthSnapshot.account_id, HealthSnapshot.score)).all()
        metrics = set(connection.execute(select(MetricObservation.metric)).scalars())
    assert all(score is not None for _, score in scored)
    # Every metric in the files is one the shipped scorecards read.
    assert metrics <= config.health.scorecard_for(None).metrics
    for account_id, _ in scored:
        card = build_card(engine, config.health, account_id, day)
        assert card is not None and card.measures_with_data >= 5
        assert card.strongest is None or card.strongest.id not in {d.measure.id for d in card.drags}


# --- all or nothing ------------------------------------------------------------------------------------


def test_one_bad_row_in_the_middle_leaves_the_database_exactly_as_before(
    engine: Engine, tmp_path: Path
) -> None:
    import_examples(engine)
    before = snapshot(engine)
    audits = count(engine, AuditEntry)
    rows = [f"ACC-1{n:03d},New Customer {n},,,,1000,,,,,," for n in range(1, 15)]
    rows[0] = "ACC-0001,株式会社さくら商事,,,,999,,,,,,"  # an update that must be undone too
    rows[12] = "ACC-1013,Broken Row,,,,12k,,,,,,"  # line 14 of the file
    path = write(tmp_path, "accounts.csv", "\n".join([ACCOUNTS_HEADER, *rows]) + "\n")

    # Small batches make sure earlier rows really were written inside the transaction before it fails.
    error = failure(engine, "accounts", path, batch_size=2)

    assert snapshot(engine) == before
    assert count(engine, AuditEntry) == audits
    assert [str(e) for e in error.errors] == [
        f'{path}:14: column "arr": "12k" is not a number (expected e.g. 1200000 or 1,200,000)'
    ]
    assert (error.errors[0].line, error.errors[0].column, error.errors[0].value) == (14, "arr", "12k")
    assert "nothing was written" in str(error)


def test_every_problem_is_reported_up_to_twenty(engine: Engine, tmp_path: Path) -> None:
    rows = [f"ACC-{n},Name {n},,,,lots,,,,,," for n in range(30)]
    path = write(tmp_path, "accounts.csv", "\n".join([ACCOUNTS_HEADER, *rows]) + "\n")

    error = failure(engine, "accounts", path)

    assert len(error.errors) == 20 and error.truncated
    assert [e.line for e in error.errors] == list(range(2, 22))
    assert "stopped after 20 errors" in str(error)
    assert count(engine, Account) == 0


def test_several_problems_in_one_row_are_all_named(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "team.csv",
        "email,name,role,timezone\nnot-an-email,,boss,Mars/Base\n",
    )

    error = failure(engine, "team", path)

    messages = [str(e) for e in error.errors]
    assert messages == [
        f'{path}:2: column "email": "not-an-email" is not an email address '
        "(expected e.g. hanako.sato@example.com)",
        f'{path}:2: column "name": is empty, but this column is required',
        f'{path}:2: column "role": "boss" is not one of the allowed values '
        "(expected one of: csm, ae, am, cs_ops, manager)",
        f'{path}:2: column "timezone": "Mars/Base" is not an IANA time zone (expected e.g. Asia/Tokyo)',
    ]


def test_line_numbers_are_physical_lines_even_after_a_multiline_cell(engine: Engine, tmp_path: Path) -> None:
    text = (
        "account_id,name,segment\n"
        'ACC-1,"Acme\nCorporation",Enterprise\n'  # lines 2-3
        "\n"  # line 4, blank: skipped
        "ACC-2,Beta,This segment name is far too long for the forty character column\n"  # line 5
    )
    error = failure(engine, "accounts", write(tmp_path, "accounts.csv", text))

    assert [(e.line, e.column) for e in error.errors] == [(5, "segment")]


def test_a_row_with_the_wrong_number_of_cells_is_rejected(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", "account_id,name,arr\nACC-1,Acme, Inc.,1200\n")

    error = failure(engine, "accounts", path)

    assert str(error.errors[0]).startswith(f"{path}:2: has 4 cells but the header has 3")


# --- file format ---------------------------------------------------------------------------------------


def test_bom_japanese_names_and_formatted_numbers(engine: Engine, tmp_path: Path) -> None:
    text = (
        "account_id,name,arr,seats,start_date\n"
        'JP-1,株式会社テスト,"1,200,000","1,500",2026/04/01\n'
        'JP-2,ＡＢＣ商事㈱,"¥1,200,000",10,2026-04-01\n'
        'JP-3,  Café Zürich AG  ,"$1,200,000.50",,2026年4月1日\n'
    )
    report = import_file(engine, "accounts", write(tmp_path, "accounts.csv", text, bom=True))

    assert report.inserted == 3
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Account.external_id,
                Account.name,
                Account.search_name,
                Account.arr,
                Account.seats,
                Account.start_date,
            ).order_by(Account.external_id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("JP-1", "株式会社テスト", "てすと", 1_200_000, 1500, date(2026, 4, 1)),  # kana folded for matching
        ("JP-2", "ＡＢＣ商事㈱", "abc商事", 1_200_000, 10, date(2026, 4, 1)),
        ("JP-3", "Café Zürich AG", "café zürich", 1_200_000.50, None, date(2026, 4, 1)),
    ]


def test_a_shift_jis_file_is_refused_with_the_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_bytes("email,name,role\nsato@example.com,佐藤 花子,csm\n".encode("shift_jis"))

    error = failure(engine, "team", path)

    assert error.errors[0].line == 2
    assert "not UTF-8" in str(error) and "CSV UTF-8" in str(error)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1200000", 1_200_000),
        ("1,200,000", 1_200_000),
        ("¥1,200,000", 1_200_000),
        ("￥１，２００，０００", 1_200_000),
        ("$1,200,000.50", 1_200_000.5),
        ("1,200,000円", 1_200_000),
        ("-300,000", -300_000),
        ("(300,000)", -300_000),
        ("-$5", -5),
    ],
)
def test_numbers_in_the_forms_spreadsheets_write_them(cell: str, expected: float) -> None:
    assert number(cell) == expected


@pytest.mark.parametrize("cell", ["12k", "1,2", "1.200.000", "1e6", "nan", "inf", "1_000", "¥", "12,00"])
def test_ambiguous_or_foreign_numbers_are_refused(cell: str) -> None:
    with pytest.raises(CellError, match="is not a number"):
        number(cell)


def test_dates_booleans_and_domains() -> None:
    assert iso_date("2026-04-01") == iso_date("2026/04/01") == iso_date("2026/4/1") == date(2026, 4, 1)
    assert iso_date("2026-04-01T09:30:00Z") == date(2026, 4, 1)
    for cell in ("04/01/2026", "2026-13-01", "April 1"):
        with pytest.raises(CellError):
            iso_date(cell)
    assert [boolean(c) for c in ("true", "YES", "1", "はい", "false", "no", "0", "いいえ")] == [True] * 4 + [
        False
    ] * 4
    with pytest.raises(CellError):
        boolean("maybe")
    assert domain("https://www.Acme.com/about?x=1") == "acme.com"


# --- headers -------------------------------------------------------------------------------------------


def test_missing_required_column_names_the_file_and_the_expected_header(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "team.csv", "email,name\nsato@example.com,佐藤\n")

    error = failure(engine, "team", path)

    assert str(error.errors[0]) == (
        f'{path}:1: missing required column "role" (expected header: '
        "email,name,role,slack_user_id,manager_email,timezone,locale; "
        'or name the column with --map "SOURCE=role")'
    )


def test_map_renames_columns_and_can_ignore_one(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "team", EXAMPLES / "team.csv")
    text = (
        "Customer Code,Customer,Owner,ARR (JPY),Lifecycle Stage\n"
        'X-1,株式会社エックス,tanaka.kenji@example.co.jp,"5,000,000",customer\n'
    )
    path = write(tmp_path, "export.csv", text)
    mapping = {"customer code": "account_id", "Customer": "name", "Owner": "csm_email", "ARR (JPY)": "arr"}

    report = import_file(engine, "accounts", path, mapping=mapping)

    account = one(engine, select(Account).where(Account.external_id == "X-1"))
    assert (account.name, account.csm_email, account.arr) == (
        "株式会社エックス",
        "tanaka.kenji@example.co.jp",
        5e6,
    )
    assert account.lifecycle_stage is None  # HubSpot's "Lifecycle Stage" is a different thing
    assert report.columns["Owner"] == "csm_email"

    with_stage = write(tmp_path, "stage.csv", "account_id,name,lifecycle_stage\nX-1,X,customer\n")
    assert "lifecycle_stage" in str(failure(engine, "accounts", with_stage))
    import_file(engine, "accounts", with_stage, mapping={"lifecycle_stage": ""})
    assert one(engine, select(Account.lifecycle_stage)).lifecycle_stage is None


def test_map_to_an_unknown_field_or_column_is_an_error(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "team.csv", "email,name,role\nsato@example.com,佐藤,csm\n")

    error = failure(engine, "team", path, mapping={"name": "full_name", "Boss": "manager_email"})

    text = str(error)
    assert '--map "name=full_name": team has no field "full_name"' in text
    assert '--map "Boss=manager_email": the file has no column "Boss"' in text


def test_hubspot_company_export_is_recognised(engine: Engine, tmp_path: Path) -> None:
    text = (
        "Record ID,Company name,Company Domain Name,Website URL,Annual Revenue,Annual recurring revenue,"
        "Lifecycle Stage,Number of Employees,Company owner,Create Date\n"
        '9001,株式会社ハブ,hub.example.jp,https://www.other.example/,"900,000,000","3,000,000",customer,'
        "1200,山田 太郎,2021-05-01 10:00\n"
    )
    report = import_file(engine, "accounts", write(tmp_path, "hubspot-companies.csv", text))

    account = one(engine, select(Account))
    assert (account.external_id, account.name, account.domain, account.arr, account.seats) == (
        "9001",
        "株式会社ハブ",
        "hub.example.jp",
        3_000_000,
        None,
    )
    assert account.start_date is None and account.lifecycle_stage is None
    ignored = {column.header for column in report.ignored}
    assert ignored == {
        "Website URL",
        "Annual Revenue",
        "Lifecycle Stage",
        "Number of Employees",
        "Company owner",
        "Create Date",
    }
    assert "not ARR" in str(report)


def test_salesforce_export_is_recognised(engine: Engine, tmp_path: Path) -> None:
    accounts = (
        "Account ID,Account Name,Website,AnnualRevenue,ARR__c,Account Owner Email,Billing Country\n"
        '001Dn00000AbCdE,Globex KK,http://globex.co.jp,"50,000,000,000","8,400,000",owner@example.com,Japan\n'
    )
    report = import_file(engine, "accounts", write(tmp_path, "sf-accounts.csv", accounts))
    account = one(engine, select(Account))
    assert (
        account.external_id,
        account.name,
        account.domain,
        account.arr,
        account.ae_email,
        account.csm_email,
    ) == (
        "001Dn00000AbCdE",
        "Globex KK",
        "globex.co.jp",
        8_400_000,
        None,
        None,
    )
    assert {column.header for column in report.ignored} == {
        "AnnualRevenue",
        "Account Owner Email",
        "Billing Country",
    }

    contracts = (
        "Id,AccountId,Contract Start Date,Contract End Date,Status,ContractTerm\n"
        "800Dn000001XyZ,001Dn00000AbCdE,2026-04-01,2027-03-31,Activated,12\n"
    )
    import_file(engine, "contracts", write(tmp_path, "sf-contracts.csv", contracts))
    contract = one(engine, select(Contract))
    assert (contract.external_id, contract.account_id, contract.status) == (
        "800Dn000001XyZ",
        account.id,
        "active",
    )
    assert (contract.arr, contract.auto_renew) == (0, False)


def test_two_columns_that_both_look_like_one_field_must_be_disambiguated(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "accounts.csv", "Account ID,account_id,name\n1,2,Acme\n")

    error = failure(engine, "accounts", path)

    assert 'columns "Account ID" and "account_id" both look like account_id' in str(error)
    import_file(engine, "accounts", path, mapping={"Account ID": "account_id"})
    assert one(engine, select(Account.external_id)).external_id == "1"


# --- references and cross-field rules ------------------------------------------------------------------


def test_unknown_account_reference_is_an_error(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "accounts", EXAMPLES / "accounts.csv")
    path = write(
        tmp_path,
        "contracts.csv",
        "contract_id,account_id,start_date,end_date\nC-1,ACC-0001,2026-04-01,2027-03-31\nC-2,ACC-9999,2026-04-01,2027-03-31\n",
    )

    error = failure(engine, "contracts", path)

    assert [str(e) for e in error.errors] == [
        f'{path}:3: column "account_id": "ACC-9999" is not a known account '
        '(import it with "csbot import accounts" first)'
    ]
    assert count(engine, Contract) == 0


def test_owner_emails_are_checked_once_a_team_exists(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", "account_id,name,csm_email\nA-1,Acme,Nobody@Example.com\n")

    first = import_file(engine, "accounts", path)  # no team yet: nothing to check against
    assert "not checked" in str(first)
    assert one(engine, select(Account.csm_email)).csm_email == "nobody@example.com"

    import_file(engine, "team", EXAMPLES / "team.csv")
    error = failure(engine, "accounts", path)
    assert str(error.errors[0]) == (
        f'{path}:2: column "csm_email": "Nobody@Example.com" is not in the team table '
        '(import it with "csbot import team" first, or leave the cell empty)'
    )


def test_team_managers_may_appear_later_in_the_file_but_must_exist(engine: Engine, tmp_path: Path) -> None:
    good = "email,name,role,manager_email\na@example.com,A,csm,b@example.com\nb@example.com,B,manager,\n"
    import_file(engine, "team", write(tmp_path, "team.csv", good))
    assert count(engine, TeamMember) == 2

    bad = "email,name,role,manager_email\nc@example.com,C,csm,ghost@example.com\n"
    error = failure(engine, "team", write(tmp_path, "team2.csv", bad))
    assert [(e.line, e.column, e.value) for e in error.errors] == [(2, "manager_email", "ghost@example.com")]


def test_a_slack_id_cannot_belong_to_two_people(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "team", EXAMPLES / "team.csv")
    path = write(tmp_path, "team.csv", "email,name,role,slack_user_id\nnew@example.com,New,csm,U04TANAKAK\n")

    error = failure(engine, "team", path)

    assert "already belongs to tanaka.kenji@example.co.jp" in str(error)


def test_contract_end_before_start_and_movement_signs(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "accounts", EXAMPLES / "accounts.csv")
    contracts = "contract_id,account_id,start_date,end_date\nC-1,ACC-0001,2026-04-01,2026-03-31\n"
    assert "is before start_date 2026-04-01" in str(
        failure(engine, "contracts", write(tmp_path, "c.csv", contracts))
    )
    movements = 'account_id,date,kind,arr_delta\nACC-0001,2026-04-01,Churn,"120,000"\n'
    error = failure(engine, "movements", write(tmp_path, "m.csv", movements))
    assert "a churn lowers ARR" in str(error)


# --- upsert semantics ----------------------------------------------------------------------------------


def test_changed_rows_are_updated_in_place_and_counted(engine: Engine, tmp_path: Path) -> None:
    import_examples(engine)
    ids = {row.external_id: row.id for row in snapshot_accounts(engine)}
    text = (EXAMPLES / "accounts.csv").read_text(encoding="utf-8").replace('"1,200,000"', '"1,300,000"')

    report = import_file(engine, "accounts", write(tmp_path, "accounts.csv", text))

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 5)
    assert one(engine, select(Account.arr).where(Account.external_id == "ACC-0002")).arr == 1_300_000
    assert {row.external_id: row.id for row in snapshot_accounts(engine)} == ids


def snapshot_accounts(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(Account.external_id, Account.id)))


def test_aliases_are_replaced_and_a_missing_column_leaves_fields_alone(
    engine: Engine, tmp_path: Path
) -> None:
    import_file(engine, "team", EXAMPLES / "team.csv")
    import_file(engine, "accounts", EXAMPLES / "accounts.csv")

    import_file(
        engine,
        "accounts",
        write(tmp_path, "a.csv", "account_id,name,aliases\nACC-0001,株式会社さくら商事,Sakura\n"),
    )
    with engine.connect() as connection:
        aliases = connection.execute(
            select(AccountAlias.alias).join(Account).where(Account.external_id == "ACC-0001")
        ).scalars()
        assert list(aliases) == ["Sakura"]
    sakura = one(engine, select(Account).where(Account.external_id == "ACC-0001"))
    assert (sakura.arr, sakura.csm_email) == (
        12_000_000,
        "tanaka.kenji@example.co.jp",
    )  # columns not in the file

    import_file(
        engine, "accounts", write(tmp_path, "b.csv", "account_id,name\nACC-0001,株式会社さくら商事\n")
    )
    assert count(engine, AccountAlias) == 6  # no aliases column: left as they were

    import_file(
        engine, "accounts", write(tmp_path, "c.csv", "account_id,name,aliases,csm_email\nACC-0001,Sakura,,\n")
    )
    assert one(engine, select(Account.csm_email).where(Account.external_id == "ACC-0001")).csm_email is None
    assert count(engine, AccountAlias) == 5  # an empty cell clears


def test_a_repeated_key_takes_the_last_row_across_batches(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "accounts", EXAMPLES / "accounts.csv")
    text = "account_id,date,metric,value\n" + "".join(
        f"ACC-0001,2026-04-01,logins_7d,{value}\n" for value in (1, 2, 3, 3)
    )

    report = import_file(engine, "metrics", write(tmp_path, "metrics.csv", text), batch_size=3)

    assert (report.inserted, report.updated, report.unchanged) == (1, 2, 1)
    assert one(engine, select(MetricObservation.value)).value == 3


def test_dry_run_validates_and_counts_but_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "team", EXAMPLES / "team.csv")
    before = snapshot(engine)
    audits = count(engine, AuditEntry)

    report = import_file(engine, "accounts", EXAMPLES / "accounts.csv", dry_run=True)

    assert (report.rows, report.inserted, report.updated, report.unchanged) == (6, 6, 0, 0)
    assert "Nothing was written" in str(report)
    assert snapshot(engine) == before
    assert count(engine, AuditEntry) == audits

    bad = write(tmp_path, "accounts.csv", "account_id,name,arr\nA-1,Acme,lots\n")
    assert failure(engine, "accounts", bad, dry_run=True).errors[0].column == "arr"


# --- the command line ----------------------------------------------------------------------------------


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_cli_imports_and_reports(cli_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "team", str(EXAMPLES / "team.csv")]) == 0
    out, err = capsys.readouterr()
    assert "Imported team from" in out and "6 inserted" in out and err == ""
    assert count(cli_database, TeamMember) == 6

    assert main(["import", "team", str(EXAMPLES / "team.csv"), "--dry-run"]) == 0
    assert "leave 6 unchanged" in capsys.readouterr().out


def test_cli_exits_1_and_prints_errors_to_stderr(
    cli_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "team.csv", "Mail,name,role\nsato@example.com,佐藤,chief\n")

    assert main(["import", "team", str(path), "--map", "Mail=email"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f'{path}:2: column "role": "chief" is not one of the allowed values' in err
    assert count(cli_database, TeamMember) == 0

    assert main(["import", "team", str(path), "--map", "no-equals-sign"]) == 1
    assert "expected SOURCE=FIELD" in capsys.readouterr().err


def test_cli_rejects_an_unknown_kind(cli_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "invoices", "x.csv"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# --- streaming -----------------------------------------------------------------------------------------


def test_a_large_metrics_file_streams_in_batches(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, "accounts", EXAMPLES / "accounts.csv")
    path = tmp_path / "metrics.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("account_id,date,metric,value\n")
        for day in range(1, 29):
            for account in range(1, 7):
                for metric in ("active_users", "logins_7d", "nps"):
                    handle.write(f"ACC-{account:04d},2026-02-{day:02d},{metric},{day * account}\n")

    report = import_file(engine, "metrics", path, batch_size=100)

    assert report.inserted == count(engine, MetricObservation) == 28 * 6 * 3
    again = import_file(engine, "metrics", path, batch_size=37)
    assert again.unchanged == 28 * 6 * 3


def test_a_shuffled_file_is_looked_up_exactly(engine: Engine, tmp_path: Path) -> None:
    """Rows in no useful order make the batch lookup fall back to exact key tuples; counts must still hold."""
    import_file(engine, "accounts", EXAMPLES / "accounts.csv")
    rows = [f"ACC-{n % 6 + 1:04d},2026-03-{n + 1:02d},metric_{n},{n}\n" for n in range(24)]
    path = write(tmp_path, "metrics.csv", "account_id,date,metric,value\n" + "".join(rows))
    import_file(engine, "metrics", path, batch_size=12)

    changed = [*rows[:5], rows[5].replace(",5\n", ",500\n"), *rows[6:]]
    report = import_file(
        engine, "metrics", write(tmp_path, "again.csv", "account_id,date,metric,value\n" + "".join(changed))
    )

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 23)


def test_enumerations_ignore_case_spacing_and_surrounding_blanks(engine: Engine, tmp_path: Path) -> None:
    team = "email,name,role\n a@example.com , Ａさん ,  CSM \nb@example.com,B,CS Ops\n"
    import_file(engine, "team", write(tmp_path, "team.csv", team))
    accounts = "account_id,name,status,lifecycle_stage\nA-1,Acme,Paused,RENEWAL\n"
    import_file(engine, "accounts", write(tmp_path, "accounts.csv", accounts))

    with engine.connect() as connection:
        people = connection.execute(
            select(TeamMember.email, TeamMember.name, TeamMember.role).order_by(TeamMember.email)
        )
        assert [tuple(row) for row in people] == [
            ("a@example.com", "Ａさん", "csm"),
            ("b@example.com", "B", "cs_ops"),
        ]
    account = one(engine, select(Account))
    assert (account.status, account.lifecycle_stage) == ("paused", "renewal")


def test_a_row_the_database_refuses_still_fails_cleanly(engine: Engine, tmp_path: Path) -> None:
    """Validation should catch everything, but if the database objects the import must still roll back."""
    with Session(engine) as session:
        # Written by something other than the importer, which would have lower-cased the address.
        session.add(TeamMember(email="Old@Example.com", name="Old", role="csm", slack_user_id="U0OLDONE"))
        session.commit()
    before = snapshot(engine)
    path = write(
        tmp_path,
        "team.csv",
        "email,name,role,slack_user_id\nnew@example.com,New,csm,U0NEWONE\nold@example.com,Old,csm,U0OLDONE\n",
    )

    error = failure(engine, "team", path)

    assert "the database refused lines 2-3" in str(error)
    assert snapshot(engine) == before


def test_expansion_potential_is_read_as_a_yes_no_column(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,name,expansion_potential\nX-1,Saturated Co,no\nX-2,Growing Co,\n", "utf-8")
    import_file(engine, "accounts", path)
    with engine.connect() as connection:
        rows = dict(connection.execute(select(Account.external_id, Account.expansion_potential)).all())
    assert rows == {"X-1": False, "X-2": None}
