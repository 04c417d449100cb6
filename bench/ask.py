"""Org-design answer latency: understanding the question, choosing the knowledge, rendering the text.

    python -m bench.ask [--repeat N] [--json]
    python -m bench.ask --eval [--choose] [--json]

Runs a fixed mix of English and Japanese questions through the same path `/cs ask` uses (without
Slack's HTTP round trip, which `bench.health` measures) and prints p50 and p99 in milliseconds, after
the classifier's training (timed on its own, as `load_seconds`).

`--eval` measures the understanding instead, on the test part of the question corpus
(playbooks/corpus), with a classifier trained on the training part only: per language, the share of
questions whose topic, company model and (for renewal and expansion questions) owner are read right,
the share answered with a choice of topics instead, how often a confident answer has the right topic,
the share answered confidently and wrongly, and
the topics confused with each other. `--choose` also re-runs the choice of threshold and
regularisation (cross-validation on the training part) and prints it beside the shipped values.
"""

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable

from bench.health import percentile
from bot.config import load_config
from bot.render.playbook import answer_message
from playbooks.answering import answer_question
from playbooks.company_facts import company_model, profile_from_text
from playbooks.corpus import load_corpus, split
from playbooks.knowledge import load_knowledge
from playbooks.topics import (
    CONFIDENT,
    LABELS,
    OFF_TOPIC,
    TopicClassifier,
    choose_threshold,
    default_classifier,
)
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
    started = time.perf_counter()
    default_classifier()  # what `csbot run` does before serving: train once on the whole corpus
    load_seconds = time.perf_counter() - started
    timings = []
    for _ in range(repeat):
        for question in QUESTIONS:
            started = time.perf_counter()
            answer = answer_question(question, config=config.playbook, facts=FACTS, knowledge=knowledge)
            answer_message(answer, knowledge).payload()
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "load_seconds": round(load_seconds, 2),
        "answers": len(timings),
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(percentile(timings, 0.99), 3),
        "max_ms": round(max(timings), 3),
    }


def _share(outcomes: Iterable[bool]) -> float | None:
    counted = list(outcomes)
    return round(sum(counted) / len(counted), 3) if counted else None


def evaluate(choose: bool) -> dict[str, object]:
    questions = load_corpus(topics=LABELS)
    train, test = split(questions)
    started = time.perf_counter()
    classifier = TopicClassifier.train(train)
    figures: dict[str, object] = {
        "train_questions": len(train),
        "test_questions": len(test),
        "train_seconds": round(time.perf_counter() - started, 2),
        "confident_from": CONFIDENT,
    }
    readings = classifier.read_many([q.text for q in test])
    confusion: Counter[str] = Counter()
    for language in sorted({q.language for q in test}):
        pairs = [(q, r) for q, r in zip(test, readings, strict=True) if q.language == language]
        model_right = [company_model(profile_from_text(q.text)) == q.model for q, _ in pairs]
        figures[language] = {
            "questions": len(pairs),
            "topic": _share(r.topic == q.topic for q, r in pairs),
            "model": _share(model_right),
            "owner": _share(
                r.topic == q.topic and right
                for (q, r), right in zip(pairs, model_right, strict=True)
                if q.topic in ("renewal_owner", "expansion_owner") and q.model is not None
            ),
            "choice_offered": _share(not r.confident for _, r in pairs),
            # How often a confident answer has the right topic: what the asker sees when no buttons come.
            "topic_when_answered": _share(r.topic == q.topic for q, r in pairs if r.confident),
            # What the asker of an org-design question ends up with: the right answer, or the right
            # topic among the buttons.
            "topic_or_button": _share(
                r.topic == q.topic if r.confident else q.topic in r.choices()
                for q, r in pairs
                if q.topic != OFF_TOPIC
            ),
            # Small talk and other questions told apart from org-design ones (answered with the menu).
            "off_topic_recognised": _share(r.topic == OFF_TOPIC for q, r in pairs if q.topic == OFF_TOPIC),
            "wrong_confident": _share(r.confident and r.topic != q.topic for q, r in pairs),
        }
        confusion.update(f"{q.topic} → {r.topic}" for q, r in pairs if r.topic != q.topic)
    figures["confused"] = dict(confusion.most_common())
    if choose:
        choice = choose_threshold(train)
        figures["chosen_on_train"] = {
            "confident_from": choice.threshold,
            "regularisation": choice.regularisation,
            "wrong_confident_cv": round(choice.wrong_confident, 4),
            "choice_offered_cv": round(choice.unsure, 3),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument(
        "--eval", action="store_true", help="measure the understanding on the corpus's test part"
    )
    parser.add_argument("--choose", action="store_true", help="with --eval: also choose the threshold again")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.eval:
        result = evaluate(args.choose)
        print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
        return 0
    figures = run(args.repeat)
    print(json.dumps(figures) if args.json else "\n".join(f"{k:>8}: {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
