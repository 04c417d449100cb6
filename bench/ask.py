"""Org-design answer latency: understanding the question, choosing the knowledge, rendering the text.

    python -m bench.ask [--repeat N] [--json]

Runs a fixed mix of English and Japanese questions through the same path `/cs ask` uses (without
Slack's HTTP round trip, which `bench.health` measures) and prints p50 and p99 in milliseconds.
"""

import argparse
import json
import statistics
import sys
import time

from bench.health import percentile
from bot.config import load_config
from bot.render.playbook import answer_message
from playbooks.answering import answer_question
from playbooks.knowledge import load_knowledge
from storage.workspace_facts import WorkspaceFacts

QUESTIONS = [
    "Who should own renewals at a seed-stage company with $150k contracts?",
    "導入社数が120社です。CSは何人必要?",
    "Who should CS report to in a public company with $20k ACV?",
    "シリーズAで平均単価1200万円の場合、アップセルは誰の担当？",
    "How are NRR and GRR calculated?",
    "Which org chart fits a team with 700 customers?",
    "What kind of CSMs should a product-led company hire?",
    "CSとカスタマーサポートの違いは？",
    "What should we do during onboarding?",
    "更新の担当モデルを比較したい",
]
FACTS = WorkspaceFacts(active_accounts=300, average_arr=120_000.0, team_by_role={"csm": 4, "cs_ops": 1})


def run(repeat: int) -> dict[str, float | int]:
    config = load_config()
    knowledge = load_knowledge()
    timings = []
    for _ in range(repeat):
        for question in QUESTIONS:
            started = time.perf_counter()
            answer = answer_question(question, config=config.playbook, facts=FACTS, knowledge=knowledge)
            answer_message(answer, knowledge).payload()
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "answers": len(timings),
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(percentile(timings, 0.99), 3),
        "max_ms": round(max(timings), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.repeat)
    print(json.dumps(figures) if args.json else "\n".join(f"{k:>8}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
