"""Org-design answers as Slack messages: the answer, how the question was read, where the answer comes
from, and buttons to refine it or to pick the topic when the question was not clear."""

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import slack_ids
from bot.i18n import translator
from bot.render.labels import N_
from bot.render.message import Message
from bot.render.templating import macros
from playbooks.answering import Answer
from playbooks.knowledge import Knowledge, Range
from playbooks.topics import TOPICS, Topic

WHERE_LABELS = {
    "question": N_("your question"),
    "configuration": N_("the workspace's configured profile"),
    "workspace data": N_("this workspace's accounts"),
}
FACT_LABELS = {
    "stage": N_("the company's stage"),
    "acv": N_("the average contract value"),
    "customers": N_("the number of customers"),
}
# Phrases the question parser understands, added to the question when a refine button is pressed.
REFINEMENTS = {
    "stage": [
        ("startup", N_("Startup (seed to Series B)"), "seed-stage"),
        ("growth", N_("Growth-stage or public"), "growth-stage"),
    ],
    "acv": [
        ("high", N_("Contracts of $75k or more"), "$100k contracts"),
        ("low", N_("Contracts under $75k"), "$20k contracts"),
    ],
}
# The playbook's menu: each topic's button label and the question it asks.
TOPIC_MENU: list[tuple[Topic, str, str]] = [
    ("renewal_owner", N_("Who owns renewals?"), N_("Who should own renewals?")),
    ("expansion_owner", N_("Who owns expansion?"), N_("Who should own upsell and expansion?")),
    ("reporting_line", N_("Who CS reports to"), N_("Who should CS report to?")),
    ("leader_profile", N_("The CS leader to hire"), N_("What kind of CS leader should we hire?")),
    ("csm_profile", N_("The CSMs to hire"), N_("What kind of CSMs should we hire?")),
    ("csm_metrics", N_("How CSMs are measured"), N_("How should CSMs be measured and paid?")),
    ("strategy", N_("CS strategy"), N_("What should our CS strategy be?")),
    ("team_size", N_("Team size"), N_("How big should our CS team be?")),
    ("org_chart", N_("Org chart"), N_("Which org chart fits us?")),
    ("lifecycle", N_("Customer lifecycle"), N_("What should we do in each lifecycle phase?")),
    ("ttv", N_("Time to value"), N_("What is time to value?")),
    ("renewal_models", N_("Renewal models compared"), N_("Compare the renewal ownership models")),
    ("kpi", N_("KPIs: NRR, GRR, churn"), N_("How are NRR, GRR and logo churn calculated?")),
    ("cs_definition", N_("What CS is"), N_("What is the difference between CS and customer support?")),
]


# How a question was read, in a few words: "Read as: renewal ownership · Product-led growth company".
READ_AS: dict[Topic, str] = {
    "renewal_owner": N_("renewal ownership"),
    "expansion_owner": N_("expansion ownership"),
    "reporting_line": N_("who CS reports to"),
    "leader_profile": N_("the CS leader to hire"),
    "csm_profile": N_("the CSMs to hire"),
    "csm_metrics": N_("how CSMs are measured and paid"),
    "strategy": N_("CS strategy"),
    "team_size": N_("team size"),
    "org_chart": N_("org chart"),
    "lifecycle": N_("the customer lifecycle"),
    "ttv": N_("time to value"),
    "renewal_models": N_("renewal ownership models compared"),
    "kpi": N_("KPI definitions"),
    "cs_definition": N_("what CS is"),
}
# A button's value is the question and the topic to answer it as (JSON); Slack allows 2,000 characters.
_BUTTON_VALUE_LIMIT = 2000


def button_value(question: str, topic: str | None = None) -> str | None:
    """The value of a playbook button: the question, and the topic to answer it as (None: read it).
    None when the question is too long to carry."""
    value = json.dumps({"question": question, "topic": topic}, ensure_ascii=False)
    return value if len(value) <= _BUTTON_VALUE_LIMIT else None


def read_button_value(value: str) -> tuple[str, Topic | None]:
    """(question, topic) from a button's value; a plain text value (buttons posted by earlier versions)
    is a question to read, and a topic that is not one of ours is ignored."""
    try:
        data = json.loads(value)
    except ValueError:
        return value, None
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        return value, None
    topic = data.get("topic")
    return data["question"], topic if topic in TOPICS else None


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _range(r: Range, lang: str) -> str:
    if r.max is None:
        return f"{r.min}+"
    return str(r.min) if r.min == r.max else f"{r.min}–{r.max}"


def _reading(answer: Answer, knowledge: Knowledge) -> str:
    """How the question was read: the topic, and the company model or customer count it was read with."""
    tr = translator(answer.lang)
    parts = [tr.gettext(READ_AS[answer.topic])] if answer.topic else []
    if answer.model:
        parts.append(knowledge.model(answer.model).name.in_(answer.lang))
    customers = answer.question.profile.customers
    if customers is not None and answer.topic in ("team_size", "org_chart"):
        parts.append(tr.ngettext("%(num)s customer", "%(num)s customers", customers) % {"num": customers})
    return macros(answer.lang, "answer.j2").read_as(" · ".join(parts))


def _parts(answer: Answer, knowledge: Knowledge) -> tuple[str, str, str]:
    """(body, how the question was read, sources); the last two may be empty."""
    lang = answer.lang
    tr = translator(lang)
    m = macros(lang, "answer.j2")
    if answer.question.asks_to_choose:
        return m.choose(), "", ""
    if answer.topic is None:
        return m.unknown(), "", ""
    if answer.ask_for:
        facts = tr.listing(tr.gettext(FACT_LABELS.get(f, f)) for f in answer.ask_for)
        return m.ask_back(facts), _reading(answer, knowledge), ""
    where = tr.listing(tr.gettext(WHERE_LABELS.get(w, w)) for w in answer.profile_from)
    parts = [m.profile_line(answer, knowledge, lang, where)]
    topic = answer.topic
    if answer.model:
        parts.append(m.model_topic(answer, knowledge, lang))
    elif topic == "team_size":
        headcount = _range(knowledge.phase(answer.phase).headcount, lang)  # type: ignore[arg-type]
        parts.append(m.team_size(answer, knowledge, lang, headcount))
        parts.append(m.org_chart(answer, knowledge, lang, False))
    elif topic == "org_chart":
        parts.append(m.org_chart(answer, knowledge, lang, True))
    elif topic == "renewal_models":
        parts.append(m.renewal_models(knowledge, lang))
    elif topic == "lifecycle":
        parts.append(m.lifecycle(answer, knowledge, lang))
    elif topic == "ttv":
        parts.append(m.ttv(knowledge, lang))
    elif topic == "kpi":
        parts.append(m.kpi(answer, knowledge, lang))
    elif topic == "cs_definition":
        parts.append(m.cs_definition(knowledge, lang))
    body = "\n".join(p for p in parts if p)
    return body, _reading(answer, knowledge), m.sources(answer.sources, lang)


def answer_text(answer: Answer, knowledge: Knowledge) -> str:
    """The answer as mrkdwn text: the answer, how the question was read, its sources (also what
    `csbot ask` prints)."""
    return _text(answer, _parts(answer, knowledge))


def _text(answer: Answer, parts: tuple[str, str, str]) -> str:
    lines = list(parts)
    if answer.question.asks_to_choose:
        # Where there are no buttons (a terminal, a notification): the choices named.
        tr = translator(answer.lang)
        lines += [f"• {tr.gettext(_menu_label(topic))} (`{topic}`)" for topic in answer.question.choices]
    return "\n".join(line for line in lines if line)


def _menu_label(topic: Topic) -> str:
    return next(label for key, label, _ in TOPIC_MENU if key == topic)


def _topic_button(topic: Topic, question: str, language: str) -> ButtonElement | None:
    label = _menu_label(topic)
    value = button_value(question, topic)
    if value is None:
        return None
    return ButtonElement(
        text=translator(language).gettext(label), action_id=f"{slack_ids.PLAYBOOK_TOPIC}:{topic}", value=value
    )


def answer_message(answer: Answer, knowledge: Knowledge) -> Message:
    tr = translator(answer.lang)
    question = answer.question
    parts = _parts(answer, knowledge)
    body, read_as, sources = parts
    blocks: list[Block] = [SectionBlock(text=_md(body[:3000]))]
    notes = [_md(note[:3000]) for note in (read_as, sources) if note]
    if notes:
        blocks.append(ContextBlock(elements=notes))
    # Unsure: the likeliest topics to pick from. Answered: the other readings, to correct a misreading.
    offered = question.choices if question.unsure else question.other_readings
    topic_buttons = [b for t in offered if (b := _topic_button(t, question.text, answer.lang))]
    if topic_buttons and question.off_topic:
        blocks.append(ContextBlock(elements=[_md(tr.gettext("Or were you asking about one of these?"))]))
    elif topic_buttons and not question.unsure:
        blocks.append(ContextBlock(elements=[_md(tr.gettext("Not what you asked? Read it as:"))]))
    if topic_buttons:
        blocks.append(ActionsBlock(elements=topic_buttons))
    buttons = []
    for fact in answer.ask_for:
        for key, label, phrase in REFINEMENTS.get(fact, []):
            value = button_value(f"{question.text} ({phrase})", answer.topic)
            if value is not None:
                buttons.append(
                    ButtonElement(
                        text=tr.gettext(label),
                        action_id=f"{slack_ids.PLAYBOOK_REFINE}:{fact}_{key}",
                        value=value,
                    )
                )
    if buttons:
        blocks.append(ActionsBlock(elements=buttons[:25]))
    return Message(text=tr.one_line(_text(answer, parts))[:3000], blocks=blocks)


def browse_message(language: str) -> Message:
    tr = translator(language)
    intro = tr.gettext(
        "Org-design playbook: pick a question. Answers fit your company where they can and cite sources."
    )
    buttons = [
        ButtonElement(
            text=tr.gettext(label),
            action_id=f"{slack_ids.PLAYBOOK_TOPIC}:{topic}",
            value=button_value(tr.gettext(question), topic),
        )
        for topic, label, question in TOPIC_MENU
    ]
    return Message(
        text=intro,
        blocks=[
            SectionBlock(text=_md(intro)),
            ActionsBlock(elements=buttons[:7]),
            ActionsBlock(elements=buttons[7:]),
        ],
    )
