"""One Jinja2 environment per language, with gettext installed and mrkdwn escaping of every value."""

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.i18n import translations, translator
from bot.render.mrkdwn import Trusted, escape

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
# The org-design answers keep their templates with the knowledge they present.
PLAYBOOK_TEMPLATE_DIR = Path(__file__).parent.parent.parent / "playbooks" / "templates"


def _finalize(value: Any) -> str:
    # Every `{{ … }}` passes through here: user-supplied text can never inject a mention or link.
    return escape("" if value is None else value)


@cache
def environment(language: str) -> Environment:
    return _environment(language, [TEMPLATE_DIR, PLAYBOOK_TEMPLATE_DIR])


@cache
def workspace_environment(language: str, directory: Path) -> Environment:
    """Templates a workspace supplies in `directory`, which may import ours (its own names win)."""
    return _environment(language, [directory, TEMPLATE_DIR])


def _environment(language: str, search_path: list[Path]) -> Environment:
    env = Environment(
        loader=FileSystemLoader(search_path),
        undefined=StrictUndefined,
        finalize=_finalize,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    tr = translator(language)
    # Our own catalogue text is trusted; only the values put into it are escaped. Replacing the
    # extension's callables keeps a mention we built (a Trusted value) intact inside a sentence.
    env.globals.update(_=tr.safe_gettext, gettext=tr.safe_gettext, ngettext=tr.safe_ngettext, t=tr)
    # For one macro's text inside another's: its values were escaped when it was rendered, and
    # escaping the text again would show "&amp;lt;" in Slack.
    env.filters["trusted"] = lambda text: Trusted(str(text))
    env.filters["column"] = column
    return env


def column(text: object, width: int) -> str:
    """Text padded to `width` columns of a fixed-width font, where a Japanese character takes two (a
    table in a code block lines up in both languages); a negative width pads on the left."""
    shown = str(text)
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in shown)
    padding = " " * max(0, abs(width) - used)
    return padding + shown if width < 0 else shown + padding


def render(language: str, template: str, **context: Any) -> str:
    return environment(language).get_template(template).render(**context).strip()


class Macros:
    """A template's macros, callable from Python: one file can hold every text of a message.

    Each call returns the macro's text without the blank lines at its ends that template layout leaves.
    """

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        macro = getattr(self._module, name)
        return lambda *args, **kwargs: str(macro(*args, **kwargs)).strip()


@cache
def macros(language: str, template: str) -> Macros:
    return Macros(environment(language).get_template(template).module)
