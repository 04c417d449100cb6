"""`csbot ask "QUESTION" [--json]`: an org-design answer from the playbook, without Slack."""

import argparse
import html
import json

from bot.cli.common import load_settings, open_database, workspace_config
from bot.render.playbook import answer_text
from playbooks.answering import answer_question
from playbooks.knowledge import load_knowledge
from storage.workspace_facts import workspace_facts


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ask", help="answer an org-design question from the playbook")
    parser.add_argument(
        "question", help='e.g. "Who should own renewals at a seed-stage company with $150k contracts?"'
    )
    parser.add_argument(
        "--json", action="store_true", help="print topic, model, phase, owner, lang, text, sources"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    facts = workspace_facts(open_database(settings))
    answer = answer_question(args.question, config=config.playbook, facts=facts, currency=config.currency)
    # The text is Slack mrkdwn; in a terminal show the characters Slack would show.
    text = html.unescape(answer_text(answer, load_knowledge()))
    print(json.dumps(answer.as_json(text), ensure_ascii=False, indent=2) if args.json else text)
    return 0
