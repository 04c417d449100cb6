"""`csbot import KIND FILE`: load team, accounts, contracts, metrics, milestones or movements from a CSV."""

import argparse
import sys
from pathlib import Path

from bot.cli.common import load_settings, open_database
from storage.importing import KINDS, ImportFailed, import_file


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a CSV file (all rows or none)",
        description=(
            "Import a CSV file into the database. Every row is checked first; if any row is wrong nothing "
            "is written and the problems are listed with their line and column. Importing the same file "
            "again changes nothing."
        ),
    )
    parser.add_argument("kind", choices=list(KINDS), metavar="KIND", help=f"one of: {', '.join(KINDS)}")
    parser.add_argument("file", type=Path, metavar="FILE", help="CSV file, UTF-8 (with or without BOM)")
    parser.add_argument(
        "--map",
        dest="mappings",
        action="append",
        default=[],
        metavar="SOURCE=FIELD",
        help='read column SOURCE as FIELD, e.g. --map "Account Owner Email=csm_email"; '
        '"SOURCE=" ignores the column (repeatable)',
    )
    parser.add_argument(
        "--map-value",
        dest="value_maps",
        action="append",
        default=[],
        metavar="FIELD:SOURCE=TARGET",
        help='read the value SOURCE of FIELD as TARGET, e.g. --map-value "lifecycle_stage:customer=adoption" '
        "(case does not matter; repeatable)",
    )
    parser.add_argument("--dry-run", action="store_true", help="check everything and report, write nothing")
    parser.set_defaults(func=run)


def parse_mappings(values: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        source, separator, target = value.partition("=")
        if not separator or not source.strip():
            raise ValueError(f'--map "{value}": expected SOURCE=FIELD, e.g. --map "Company name=name"')
        mapping[source.strip()] = target.strip()
    return mapping


def parse_value_maps(given: list[str]) -> dict[str, dict[str, str]]:
    maps: dict[str, dict[str, str]] = {}
    for value in given:
        name, colon, pair = value.partition(":")
        source, equals, target = pair.partition("=")
        if not colon or not equals or not name.strip() or not source.strip() or not target.strip():
            raise ValueError(
                f'--map-value "{value}": expected FIELD:SOURCE=TARGET, '
                'e.g. --map-value "status:Activated=active"'
            )
        maps.setdefault(name.strip(), {})[source.strip()] = target.strip()
    return maps


def run(args: argparse.Namespace) -> int:
    try:
        mapping = parse_mappings(args.mappings)
        values = parse_value_maps(args.value_maps)
    except ValueError as error:
        print(f"csbot import: {error}", file=sys.stderr)
        return 1
    engine = open_database(load_settings())
    try:
        report = import_file(
            engine, args.kind, args.file, mapping=mapping, values=values, dry_run=args.dry_run
        )
    except ValueError as error:  # a value map for a field the kind does not have
        print(f"csbot import: {error}", file=sys.stderr)
        return 1
    except ImportFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(report)
    return 0
