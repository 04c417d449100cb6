"""Every `/cs` subcommand, declared once: its name, aliases, arguments, help line and listener.

The router dispatches from this table, `/cs help` lists it, and manifest.yml's usage hint is checked
against it by a test, so the three cannot drift apart.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Respond

from bot import slack_ids
from bot.access import Requester
from bot.i18n import translator
from bot.render.labels import N_
from bot.render.message import text_message
from bot.render.mrkdwn import Trusted
from bot.render.templating import macros
from bot.services import Services
from handlers.commands import ask, calibrate, digest, health, owner, renewals, risks, wins

Listener = Callable[[Services, Requester, str, Respond], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    run: Listener
    help: str  # the help line, an English message id
    # The arguments as shown after the name: "<account>" is required, "[days]" optional; a lower-case
    # word inside is translated for the reader ("<アカウント>"), an upper-case one ("YYYY-MM") is not.
    arguments: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        return " ".join((self.name, *self.arguments))


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "health",
        health.run,
        N_("health score, trend, drivers, owners, ARR and renewal of an account"),
        ("<account>",),
        ("h", "ヘルス"),
    ),
    Subcommand(
        "owner",
        owner.run,
        N_("who owns the renewal and the expansion, and which rule decided it"),
        ("<account>",),
        ("owners", "オーナー", "担当"),
    ),
    Subcommand(
        "renewals",
        renewals.run,
        N_("renewals coming up on your accounts, soonest first (90 days unless you say)"),
        ("[days]",),
        ("renewal", "更新"),
    ),
    Subcommand(
        "risks",
        risks.run,
        N_("your at-risk accounts: score, trend and what pulls them down"),
        aliases=("risk", "リスク"),
    ),
    Subcommand(
        "ask",
        ask.run,
        N_("org-design answers from the playbook: who owns renewals, team size, org chart…"),
        ("<question>",),
        ("質問",),
    ),
    Subcommand(
        "playbook", ask.browse, N_("browse the org-design playbook"), aliases=("playbooks", "プレイブック")
    ),
    Subcommand(
        "win",
        wins.record,
        N_("record a customer win for the monthly digest (on a message: “Share as customer win”)"),
        ("<account>", "<story>"),
        ("成功事例",),
    ),
    Subcommand(
        "wins",
        wins.listing,
        N_("a month's customer wins (this month unless you say)"),
        ("[YYYY-MM]",),
        ("成功事例一覧",),
    ),
    Subcommand(
        "digest",
        digest.run,
        N_("preview the monthly success digest (last month unless you say)"),
        ("[YYYY-MM]",),
        ("ダイジェスト", "レポート"),
    ),
    Subcommand(
        "calibrate",
        calibrate.run,
        N_("CS Ops and managers: backtest the health score on past churn, with a calibrated one beside it"),
        ("[days]",),
        ("キャリブレーション",),
    ),
    Subcommand("help", lambda *args: show_help(*args), N_("this list"), aliases=("?", "ヘルプ")),
)

BY_NAME: dict[str, Subcommand] = {
    key.casefold(): subcommand for subcommand in SUBCOMMANDS for key in (subcommand.name, *subcommand.aliases)
}


_ARGUMENT_WORD = re.compile(r"([<\[])([a-z]+)([>\]])")


def show_help(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    """`/cs help`: every subcommand with its arguments and what it does, in the asker's language."""
    tr = translator(requester.language)
    lines = [
        (
            Trusted(_ARGUMENT_WORD.sub(lambda m: m[1] + tr.gettext(m[2]) + m[3], subcommand.usage)),
            tr.gettext(subcommand.help),
        )
        for subcommand in SUBCOMMANDS
    ]
    text = macros(requester.language, "messages.j2").help(slack_ids.COMMAND, lines)
    respond(response_type="ephemeral", **text_message(text).payload())


def usage_hint() -> str:
    """The usage hint manifest.yml gives Slack: every subcommand with its arguments, in order."""
    return " · ".join(subcommand.usage for subcommand in SUBCOMMANDS)
