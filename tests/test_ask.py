"""`/cs ask` and `csbot ask`: answers chosen for the company, in the asker's language, with sources."""

import json

import pytest
from sqlalchemy import Engine

from bot import slack_ids
from bot.cli import main
from bot.config import load_config
from bot.local import LocalWorkspace
from bot.render.playbook import answer_message
from domain.clock import fixed_clock
from playbooks.answering import Answer, answer_question
from playbooks.company_facts import CompanyProfile
from playbooks.config import PlaybookConfig
from playbooks.knowledge import load_knowledge
from playbooks.understanding import Question
from storage.workspace_facts import WorkspaceFacts
from tests.factories import AE_ID, CSM_ID, NOW, STRANGER_ID, build_small_workspace


def ask_json(capsys: pytest.CaptureFixture, question: str) -> dict:
    assert main(["ask", question, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_the_issue_examples(cli_database: Engine, capsys: pytest.CaptureFixture) -> None:
    seed = ask_json(capsys, "Who should own renewals at a seed-stage company with $150k contracts?")
    assert (seed["topic"], seed["model"], seed["owner"], seed["lang"]) == (
        "renewal_owner",
        "high_touch_startup",
        "sales",
        "en",
    )
    assert seed["sources"] and seed["sources"][0]["article"] == "000"
    assert "Sales" in seed["text"] and "Sources:" in seed["text"]
    size = ask_json(capsys, "導入社数が120社です。CSは何人必要?")
    assert (size["topic"], size["phase"], size["lang"]) == ("team_size", 3, "ja")
    assert "フェーズ3" in size["text"] and "3–5" in size["text"] and "出典" in size["text"]


def test_a_missing_profile_comes_from_the_configuration_then_the_workspace_and_says_so() -> None:
    question = "Who should own renewals?"
    config = PlaybookConfig.model_validate({"profile": {"stage": "growth"}})
    facts = WorkspaceFacts(active_accounts=300, average_arr=30_000.0)
    answer = answer_question(question, config=config, facts=facts)
    assert answer.model == "low_touch_growth" and answer.owner == "csm"
    assert answer.profile_from == ["configuration", "workspace data"]
    nothing_known = answer_question(question, config=PlaybookConfig(), facts=None)
    assert nothing_known.model is None and "stage" in nothing_known.ask_for


def test_team_size_from_the_workspace_data(engine: Engine) -> None:
    facts = WorkspaceFacts(active_accounts=700, average_arr=50_000.0, team_by_role={"csm": 6, "manager": 1})
    # As the playbook menu's button asks it: the question and its topic.
    answer = answer_question(
        "How big should our CS team be?", config=PlaybookConfig(), facts=facts, topic="team_size"
    )
    assert (answer.phase, answer.profile_from) == (4, ["workspace data"])


def test_slash_ask_answers_and_asks_back_with_buttons(engine: Engine) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        calls = workspace.command("ask Who should CS report to?", user_id=AE_ID).calls
        reply = next(c.body for c in calls if c.method == "response_url")
        buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert reply["text"].startswith("To answer for your company I need to know a little more")
        assert any(b["action_id"] == f"{slack_ids.PLAYBOOK_REFINE}:stage_startup" for b in buttons)
        stage = next(b for b in buttons if b["action_id"].endswith("stage_startup"))
        refined = workspace.click(stage["action_id"], stage["value"], user_id=AE_ID).calls
        answer = next(c.body for c in refined if c.method == "response_url")
        assert answer["replace_original"] is True
        assert "Who CS reports to" in answer["text"]
        # A question typed straight after /cs is answered too, in the asker's language.
        ja = next(
            c.body
            for c in workspace.command("CSとカスタマーサポートの違いは？ 教えて", user_id=CSM_ID).calls
            if c.method == "response_url"
        )
        assert "出典" in str(ja["blocks"])


def test_playbook_browse_offers_every_topic(engine: Engine) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        reply = next(
            c.body for c in workspace.command("playbook", user_id=CSM_ID).calls if c.method == "response_url"
        )
        buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert len(buttons) == 14
        kpi = next(b for b in buttons if b["action_id"] == f"{slack_ids.PLAYBOOK_TOPIC}:kpi")
        answer = next(
            c.body
            for c in workspace.click(kpi["action_id"], kpi["value"], user_id=CSM_ID).calls
            if c.method == "response_url"
        )
        assert "NRR" in answer["text"]
        # The button promises NRR, GRR and churn: the answer explains all three, in that order.
        names = ("ネットレベニューリテンション", "グロスレベニューリテンション", "ロゴチャーン率")
        positions = [answer["text"].find(name) for name in names]
        assert -1 not in positions and positions == sorted(positions), answer["text"]


OWNER_OF_MODEL = {
    # DOMAIN.md §1: (renewal owner, expansion owner) per company model.
    "high_touch_startup": ("sales", "sales"),
    "low_touch_startup": ("sales", "sales"),
    "high_touch_growth": ("sales", "sales"),
    "low_touch_growth": ("csm", "csm"),
    "technical_buyer": ("sales", "sales"),
    "plg": ("csm", "sales"),
}


def test_every_question_of_the_understanding_table_gets_an_answer_that_agrees_with_the_domain() -> None:
    from playbooks.knowledge import load_knowledge
    from tests.test_understanding import CASES

    knowledge = load_knowledge()
    checked = 0
    for text, topic, lang, expected in CASES:
        answer = answer_question(text, config=PlaybookConfig(), facts=None)
        if answer.question.unsure and topic in answer.question.choices:
            # What the asker gets after pressing the button for the topic they meant.
            answer = answer_question(text, config=PlaybookConfig(), facts=None, topic=topic)
        assert (answer.topic, answer.lang) == (topic, lang), text
        if expected.get("model") and topic in ("renewal_owner", "expansion_owner"):
            renewal, expansion = OWNER_OF_MODEL[expected["model"]]
            assert answer.model == expected["model"], text
            assert answer.owner == (renewal if topic == "renewal_owner" else expansion), text
            checked += 1
        if topic == "team_size" and expected.get("customers") is not None:
            assert answer.phase == knowledge.phase_for(expected["customers"]).number, text
            checked += 1
    assert checked >= 10


def kpi_names(text: str) -> list[str]:
    """The KPIs the answer to `text`, read as a KPI question, explains."""
    return answer_question(text, config=PlaybookConfig(), topic="kpi").kpis


def test_a_kpi_question_naming_several_kpis_explains_each_in_order() -> None:
    assert kpi_names("How are NRR, GRR and logo churn calculated?") == ["nrr", "grr", "logo_churn"]
    assert kpi_names("NRR、GRR、ロゴチャーン率はどう計算しますか？") == ["nrr", "grr", "logo_churn"]
    assert kpi_names("What's the difference between upsell and cross-sell?") == ["upsell", "cross_sell"]
    # "churn" inside "logo churn" is the one KPI, not two.
    assert kpi_names("What does logo churn mean?") == ["logo_churn"]
    # Naming none, the three retention figures leaders report.
    assert kpi_names("CSのKPIは何を置くべき？") == ["nrr", "grr", "logo_churn"]


@pytest.mark.parametrize(
    ("question", "reader", "lang"),
    [
        ("Who should own renewals at a seed-stage company with 5万ドル contracts?", "en", "en"),
        ("How big should the CS team be for 株式会社さくら物流?", "en", "en"),
        ("導入社数が120社です。CSは何人必要?", "en", "ja"),
        ("CSMのKPIはNRRとGRRどちらを重視すべき?", "en", "ja"),
        ("Who should own renewals?", "ja", "ja"),
        ("Who should own renewals?", None, "en"),
        ("更新は誰が担当すべき？", None, "ja"),
    ],
)
def test_the_answer_is_in_the_askers_language_unless_the_question_is_mostly_japanese(
    question: str, reader: str | None, lang: str
) -> None:
    assert answer_question(question, config=PlaybookConfig(), reader_language=reader).lang == lang


def test_an_english_question_with_a_japanese_amount_is_answered_in_english_in_slack(engine: Engine) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        calls = workspace.command(
            "ask Who should own renewals at a seed-stage company with 5万ドル contracts?", user_id=AE_ID
        ).calls
    reply = next(c.body for c in calls if c.method == "response_url")
    assert "Who owns renewals" in reply["text"] and "Sources" in json.dumps(reply["blocks"])


def test_people_outside_the_team_get_answers_without_the_workspace_figures(engine: Engine) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user(STRANGER_ID)
        outsider = next(
            c.body
            for c in workspace.command(
                "ask How many people should our CS team have?", user_id=STRANGER_ID
            ).calls
            if c.method == "response_url"
        )
        member = next(
            c.body
            for c in workspace.command("ask How many people should our CS team have?", user_id=AE_ID).calls
            if c.method == "response_url"
        )
    # The team member's answer draws on the workspace's accounts; the outsider is asked instead.
    assert "active accounts" in member["text"]
    assert "active accounts" not in outsider["text"] and "people in CS" not in outsider["text"]
    assert outsider["text"].startswith("To answer for your company I need to know a little more")


def test_the_playbook_team_size_button_pressed_by_an_outsider_shows_no_workspace_figures(
    engine: Engine,
) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user(STRANGER_ID)
        browse = next(
            c.body
            for c in workspace.command("playbook", user_id=STRANGER_ID).calls
            if c.method == "response_url"
        )
        buttons = [e for b in browse["blocks"] if b["type"] == "actions" for e in b["elements"]]
        size = next(b for b in buttons if b["action_id"] == f"{slack_ids.PLAYBOOK_TOPIC}:team_size")
        pressed = workspace.click(size["action_id"], size["value"], user_id=STRANGER_ID).calls
        member = workspace.click(size["action_id"], size["value"], user_id=AE_ID).calls
    outsider = next(c.body for c in pressed if c.method == "response_url")
    teammate = next(c.body for c in member if c.method == "response_url")
    assert "active accounts" not in json.dumps(outsider) and "people in CS" not in json.dumps(outsider)
    assert "5 active accounts" in json.dumps(teammate)


def _buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize(
    ("question", "user_id", "renewal_label", "read_as", "intro"),
    [
        ("ask CS and renewals", AE_ID, "Who owns renewals?", "Read as: renewal ownership", "I am not sure"),
        ("ask CSと更新について", CSM_ID, "更新の担当は？", "質問の読み取り: 更新の担当", "判断しきれません"),
    ],
)
def test_an_unclear_question_gets_the_likeliest_topics_as_buttons_in_the_askers_language(
    engine: Engine, question: str, user_id: str, renewal_label: str, read_as: str, intro: str
) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        unsure = workspace.command(question, user_id=user_id).reply
        offered = _buttons(unsure)
        # No guess: no answer and no sources, but two or three topics to pick from.
        assert (
            intro in unsure["text"]
            and "Sources" not in json.dumps(unsure)
            and "出典" not in json.dumps(unsure)
        )
        assert 2 <= len(offered) <= 3
        assert all(b["action_id"].startswith(f"{slack_ids.PLAYBOOK_TOPIC}:") for b in offered)
        renewal = next(b for b in offered if b["action_id"] == f"{slack_ids.PLAYBOOK_TOPIC}:renewal_owner")
        assert renewal["text"]["text"] == renewal_label
        # Picked: the asker's own question answered on that topic, in place of the choice.
        picked = workspace.click(renewal["action_id"], renewal["value"], user_id=user_id).reply
        assert picked["replace_original"] is True
        assert read_as in json.dumps(picked, ensure_ascii=False)
        # The company is unknown, so it asks back; the fact buttons keep the topic that was picked.
        stage = next(b for b in _buttons(picked) if b["action_id"].endswith("stage_startup"))
        assert json.loads(stage["value"])["topic"] == "renewal_owner"
        refined = workspace.click(stage["action_id"], stage["value"], user_id=user_id).reply
        assert read_as in json.dumps(refined, ensure_ascii=False)
    with engine.connect() as connection:
        outcomes = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT outcome FROM audit_log WHERE action = 'ask' ORDER BY id"
            )
        ]
    assert outcomes[0] == "unsure" and outcomes[1:] == ["renewal_owner", "renewal_owner"]


def test_a_confident_answer_says_how_it_read_the_question_and_offers_the_other_readings(
    engine: Engine,
) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        reply = workspace.command(
            "ask Who should own renewals at a product-led company?", user_id=AE_ID
        ).reply
        notes = " ".join(e["text"] for b in reply["blocks"] if b["type"] == "context" for e in b["elements"])
        assert "Read as: renewal ownership · Product-led growth (PLG) company" in notes
        others = _buttons(reply)
        assert 1 <= len(others) <= 2
        assert f"{slack_ids.PLAYBOOK_TOPIC}:renewal_owner" not in [b["action_id"] for b in others]
        # Pressing one answers the same question on the other topic.
        other = others[0]
        topic = other["action_id"].split(":", 1)[1]
        again = workspace.click(other["action_id"], other["value"], user_id=AE_ID).reply
        assert json.loads(other["value"]) == {
            "question": "Who should own renewals at a product-led company?",
            "topic": topic,
        }
        assert "Read as: renewal ownership ·" not in json.dumps(again)


def test_a_button_from_an_earlier_message_with_a_plain_question_still_answers(engine: Engine) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        reply = workspace.click(
            f"{slack_ids.PLAYBOOK_TOPIC}:team_size", "How many CSMs do we need?", user_id=AE_ID
        ).reply
    assert "Read as: team size" in json.dumps(reply)


def test_small_talk_gets_the_menu_of_topics_not_a_guess() -> None:
    answer = answer_question("good evening, how are you?", config=PlaybookConfig())
    assert answer.topic is None and not answer.question.unsure


def test_text_that_is_probably_not_a_question_gets_the_menu_and_the_likeliest_topics() -> None:
    question = Question(
        text="lunch?",
        lang="en",
        topic=None,
        profile=CompanyProfile(),
        choices=("kpi", "ttv"),
        confidence=0.4,
        off_topic=True,
    )
    message = answer_message(Answer(question, None), load_knowledge()).payload()
    assert message["text"].startswith("I can answer questions on")
    shown = json.dumps(message["blocks"])
    assert "Or were you asking about one of these?" in shown
    assert [b["action_id"] for b in _buttons(message)] == [
        f"{slack_ids.PLAYBOOK_TOPIC}:kpi",
        f"{slack_ids.PLAYBOOK_TOPIC}:ttv",
    ]
