"""Fuzz what reads a person's words: the subcommand split, the org-design question reader, and the
one mrkdwn escaper the replies go through.

    python -m fuzz.command_text [-runs=N] [-max_total_time=SECONDS] [corpus dir]
"""

import sys

import atheris

from fuzz import OURS

with atheris.instrument_imports(include=OURS):
    from bot.render.mrkdwn import escape
    from handlers.commands.router import closest_subcommand, split_subcommand
    from playbooks.understanding import understand


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(3000)
    word, rest = split_subcommand(text)
    closest_subcommand(word)
    question = understand(rest or text)
    if question.lang not in ("en", "ja"):
        raise AssertionError(f"answer language {question.lang!r}")
    escaped = escape(text)
    if "<" in escaped or ">" in escaped:
        raise AssertionError("escaped text still holds a mention or a link")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
