"""`/cs owner`: who owns an account's renewal and expansion, and why; end to end and as a use case."""

import json

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import load_config
from bot.local import LocalWorkspace, texts
from domain.account_owner import owner_by_name, ownership_view
from domain.clock import fixed_clock
from domain.ownership import OwnershipConfig
from storage.models import AuditEntry
from tests.factories import BOB, EMILY, MISAKI, NOW


def test_owner_names_each_owner_and_the_rule_that_chose_them(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner acme", BOB)
    assert reply["text"] == "Acme Corporation: renewal owner Emily Carter (CSM)."
    assert texts(reply) == [
        "*Acme Corporation*  `A-10`",
        "*Renewal*: Emily Carter (CSM) — the low-touch growth company model gives renewals to the CSM\n"
        "*Expansion*: Bob Ray (AE) — the low-touch growth company model gives expansions to the AE\n"
        "*Small expansions*: Emily Carter (CSM) — the low-touch growth company model lets the CSM take "
        "expansions of up to $20,000",
        "Ownership model: low-touch growth company · ARR: $120,000",
    ]


def test_owner_of_a_large_account_is_the_ae(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner blue harbor", EMILY)
    assert texts(reply)[1].splitlines()[0] == (
        "*Renewal*: Bob Ray (AE) — ARR $480,000 is at or above the large-account line of $150,000, "
        "so the AE leads the renewal"
    )


def test_owner_who_took_the_renewal_over_wins(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner crest", EMILY)
    assert texts(reply)[1].splitlines()[0] == (
        "*Renewal*: Bob Ray (AE) — took the renewal over, which wins over the model"
    )


def test_owner_falls_back_when_the_role_the_model_names_is_empty(engine: Engine, ids: dict[str, int]) -> None:
    config = load_config()
    config.ownership = OwnershipConfig(model="high_touch_growth")
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        reply = workspace.reply_to("owner A-12", EMILY)
    assert texts(reply)[1:] == [
        "*Renewal*: 佐藤 美咲 (CSM) — the account has no expansion potential, and the high-touch growth "
        "company model hands such renewals to the AM\n"
        "↳ _the rules name the AM, but none is set on this account, so it falls back to the CSM_\n"
        "*Expansion*: 佐藤 美咲 (CSM) — the customer already has most of what we sell, so account "
        "management looks after the rest\n"
        "↳ _the rules name the AM, but none is set on this account, so it falls back to the CSM_",
        "Ownership model: high-touch growth company · ARR: $60,000",
    ]


def test_owner_of_an_account_nobody_is_on(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner A-17", EMILY)
    assert reply["text"] == "Nova East: renewal owner nobody."
    assert texts(reply)[1].splitlines()[:2] == [
        "*Renewal*: nobody — the low-touch growth company model gives renewals to the CSM",
        "↳ _this account has no CSM, AE or AM set_",
    ]


def test_owner_in_japanese(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("オーナー acme", MISAKI)
    assert reply["text"] == "Acme Corporation: 更新担当はEmily Carter（CSM）です。"
    assert texts(reply) == [
        "*Acme Corporation*  `A-10`",
        "*更新*: Emily Carter（CSM） — ロータッチ型の成長企業モデルでは更新はCSMの担当です\n"
        "*拡大*: Bob Ray（AE） — ロータッチ型の成長企業モデルでは拡大はAEの担当です\n"
        "*小規模な拡大*: Emily Carter（CSM） — ロータッチ型の成長企業モデルでは$20,000までの拡大はCSMが"
        "担当できます",
        "オーナーシップモデル: ロータッチ型の成長企業 · ARR: $120,000",
    ]


def test_owner_lists_several_matches_and_suggests_close_names(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner nova", EMILY)
    assert reply["text"] == "Several accounts match “nova”:"
    assert texts(reply) == [
        "Several accounts match “nova”:\n"
        "• Nova East  `A-17`\n"
        "• Nova West  `A-18`\n"
        "Ask again with the name or the id, e.g. `/cs owner A-17`."
    ]
    assert workspace.reply_to("owner acmee", EMILY)["text"] == (
        "No account matches “acmee”. Did you mean: Acme Corporation?"
    )
    assert workspace.reply_to("owner", EMILY)["text"] == "Which account? For example: `/cs owner acme`"


def test_owner_escapes_hostile_account_and_person_names(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner partners", EMILY)
    text = json.dumps(reply, ensure_ascii=False)
    assert "<!channel>" not in text and "<@U123>" not in text and "<!here>" not in text
    assert texts(reply)[0] == "*&lt;!channel&gt; &amp; &lt;@U123&gt; Partners*  `A-15`"
    assert texts(reply)[1].splitlines()[0] == (
        "*Renewal*: Mal &lt;!here&gt; &amp; Co (CSM) — "
        "the low-touch growth company model gives renewals to the CSM"
    )
    choices = workspace.reply_to("owner <!here> & co", EMILY)
    assert "<!here>" not in json.dumps(choices) and "&lt;!here&gt; &amp; co" in choices["text"]


def test_owner_is_audited(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    workspace.reply_to("owner acme", BOB)
    workspace.reply_to("owner nova", BOB)
    workspace.reply_to("owner zzqqxx", BOB)
    with Session(workspace.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.query, e.outcome, e.account_id, e.slack_user_id) for e in entries] == [
        ("owner", "acme", "shown", ids["acme"], BOB),
        ("owner", "nova", "ambiguous", None, BOB),
        ("owner", "zzqqxx", "not_found", None, BOB),
    ]


def test_ownership_view_without_small_expansions_and_with_an_override(
    engine: Engine, ids: dict[str, int]
) -> None:
    view = ownership_view(engine, OwnershipConfig(model="high_touch_startup"), ids["acme"])
    assert view is not None and view.small_expansion is None
    assert (view.renewal.decision.rule, view.renewal.person.name) == ("model", "Bob Ray")  # type: ignore[union-attr]
    view = ownership_view(engine, OwnershipConfig(renewal_owner="csm", large_account_arr=None), ids["blue"])
    assert view is not None
    assert (view.renewal.decision.rule, view.renewal.person.name) == ("override", "Emily Carter")  # type: ignore[union-attr]
    assert ownership_view(engine, OwnershipConfig(), 10**6) is None


def test_owner_by_name_audits_and_answers(engine: Engine, ids: dict[str, int]) -> None:
    answer = owner_by_name(engine, OwnershipConfig(), query="crest", slack_user_id=BOB, at=NOW)
    assert answer.view is not None
    taken = answer.view.renewal
    assert (taken.decision.rule, taken.decision.role, taken.role) == ("taken", None, "ae")


def test_owner_of_a_churned_account_routes_no_renewal(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("owner dune", EMILY)
    assert reply["text"] == "Dune Co has churned: no renewal to own."
    assert texts(reply)[1] == (
        ":no_entry: This account has churned, so there is no renewal or expansion to own. "
        "If it comes back, import it as active again."
    )
    assert "Renewal*:" not in json.dumps(reply)
