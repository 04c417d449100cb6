"""`csbot ask "QUESTION" [--json]`: an org-design answer from the playbook, without Slack."""

import argparse
import html
import json
import sys

from bot.cli.common import CliError, load_settings, open_database, workspace_config
from bot.render.playbook import answer_text
from playbooks.answering import answer_question
from playbooks.corpus import CorpusError
from playbooks.knowledge import load_knowledge
from playbooks.topics import TOPICS
from storage.workspace_facts import workspace_facts


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ask", help="answer an org-design question from the playbook")
    parser.add_argument(
        "question", help='e.g. "Who should own renewals at a seed-stage company with $150k contracts?"'
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print topic, model, phase, owner, lang, text, sources, confidence, choices",
    )
    parser.add_argument(
        "--topic",
        choices=TOPICS,
        help="answer the question as this topic (what the buttons do in Slack when it is not clear)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    facts = workspace_facts(open_database(settings))
    try:
        answer = answer_question(
            args.question, config=config.playbook, facts=facts, currency=config.currency, topic=args.topic
        )
    except CorpusError as error:
        raise CliError(f"question corpus: {error}", code=2) from error
    # The text is Slack mrkdwn; in a terminal show the characters Slack would show.
    text = html.unescape(answer_text(answer, load_knowledge()))
    print(json.dumps(answer.as_json(text), ensure_ascii=False, indent=2) if args.json else text)
    if answer.question.unsure and not args.json:
        print("(ask again with --topic and one of the keys above)", file=sys.stderr)
    return 0
