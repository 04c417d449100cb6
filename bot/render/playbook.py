"""Org-design answers as Slack messages: the answer, where it comes from, and buttons to refine it."""

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
TOPICS = [
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


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _range(r: Range, lang: str) -> str:
    if r.max is None:
        return f"{r.min}+"
    return str(r.min) if r.min == r.max else f"{r.min}–{r.max}"


def answer_text(answer: Answer, knowledge: Knowledge) -> str:
    """The answer as mrkdwn text, sources included (also what `csbot ask --json` prints)."""
    lang = answer.lang
    tr = translator(lang)
    m = macros(lang, "answer.j2")
    if answer.topic is None:
        return m.unknown()
    if answer.ask_for:
        return m.ask_back(tr.listing(tr.gettext(FACT_LABELS.get(f, f)) for f in answer.ask_for))
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
    parts.append(m.sources(answer.sources, lang))
    return "\n".join(p for p in parts if p)


def answer_message(answer: Answer, knowledge: Knowledge) -> Message:
    tr = translator(answer.lang)
    text = answer_text(answer, knowledge)
    body, _, sources = text.rpartition("\n") if answer.sources else (text, "", "")
    blocks: list[Block] = [SectionBlock(text=_md(body[:3000] or text[:3000]))]
    if sources:
        blocks.append(ContextBlock(elements=[_md(sources[:3000])]))
    buttons = []
    for fact in answer.ask_for:
        for key, label, phrase in REFINEMENTS.get(fact, []):
            value = f"{answer.question.text} ({phrase})"
            if len(value) <= 2000:
                buttons.append(
                    ButtonElement(
                        text=tr.gettext(label),
                        action_id=f"{slack_ids.PLAYBOOK_REFINE}:{fact}_{key}",
                        value=value,
                    )
                )
    if buttons:
        blocks.append(ActionsBlock(elements=buttons[:25]))
    return Message(text=tr.one_line(text)[:3000], blocks=blocks)


def browse_message(language: str) -> Message:
    tr = translator(language)
    intro = tr.gettext(
        "Org-design playbook: pick a question. Answers fit your company where they can and cite sources."
    )
    buttons = [
        ButtonElement(
            text=tr.gettext(label),
            action_id=f"{slack_ids.PLAYBOOK_TOPIC}:{topic}",
            value=tr.gettext(question),
        )
        for topic, label, question in TOPICS
    ]
    return Message(
        text=intro,
        blocks=[
            SectionBlock(text=_md(intro)),
            ActionsBlock(elements=buttons[:7]),
            ActionsBlock(elements=buttons[7:]),
        ],
    )
