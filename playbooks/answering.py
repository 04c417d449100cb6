"""Answering an org-design question: pick the knowledge for the topic and the company, and cite it.

Deterministic: the same question and workspace give the same answer. When the company's profile
is needed and missing, the answer says what to ask rather than guessing.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from playbooks.company_facts import CompanyProfile, company_model, missing_for_model
from playbooks.config import PlaybookConfig
from playbooks.knowledge import Knowledge, Source, load_knowledge
from playbooks.topics import Topic
from playbooks.understanding import Question, understand
from storage import audit
from storage.workspace_facts import WorkspaceFacts, workspace_facts

# Topics answered per company model: they need the model to say anything useful.
MODEL_TOPICS = {
    "strategy",
    "reporting_line",
    "leader_profile",
    "csm_profile",
    "renewal_owner",
    "expansion_owner",
    "csm_metrics",
}


# A question about KPIs that names none is answered with the three retention figures leaders report.
DEFAULT_KPIS = ("nrr", "grr", "logo_churn")


@dataclass(frozen=True)
class Answer:
    question: Question
    topic: str | None
    model: str | None = None
    phase: int | None = None
    owner: str | None = None
    org_chart: str | None = None
    profile: CompanyProfile | None = None
    # Where the company profile came from: "question", "configuration", "workspace data".
    profile_from: list[str] = field(default_factory=list)
    ask_for: list[str] = field(default_factory=list)  # facts to ask the person for (stage, acv)
    sources: list[Source] = field(default_factory=list)
    facts: WorkspaceFacts | None = None
    kpis: list[str] = field(default_factory=list)  # the KPIs a kpi answer explains, in order

    @property
    def lang(self) -> str:
        return self.question.lang

    def as_json(self, text: str) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "model": self.model,
            "phase": self.phase,
            "owner": self.owner,
            "lang": self.lang,
            "text": text,
            "sources": [{"article": s.article, "cite": s.cite(self.lang)} for s in self.sources],
            "profile_from": self.profile_from,
            "ask_for": self.ask_for,
            "confidence": round(self.question.confidence, 3),
            # When unsure, the topics offered instead of an answer.
            "choices": list(self.question.choices) if self.question.unsure else [],
        }


def _complete_profile(
    asked: CompanyProfile,
    config: PlaybookConfig,
    facts: WorkspaceFacts | None,
    currency: str,
    topic: str | None,
) -> tuple[CompanyProfile, list[str]]:
    """Fill what the question left out: first from the configured profile, then from the data.

    Only what the topic needs is taken from the data, so an answer never claims a source it did not use.
    """
    profile = asked
    used = []
    if any(
        (
            asked.stage,
            asked.acv_usd is not None,
            asked.technical_buyer,
            asked.plg,
            asked.customers is not None,
        )
    ):
        used.append("question")
    configured = config.profile
    filled = {
        "stage": profile.stage or configured.stage,
        "acv_usd": profile.acv_usd if profile.acv_usd is not None else configured.acv_usd,
        "technical_buyer": profile.technical_buyer or bool(configured.technical_buyer),
        "plg": profile.plg or bool(configured.plg),
        "customers": profile.customers if profile.customers is not None else configured.customers,
    }
    if any(filled[k] != getattr(profile, k) for k in filled):
        used.append("configuration")
    profile = replace(profile, **filled)
    if facts is not None and facts.active_accounts:
        from_data = {}
        if profile.customers is None and topic in ("team_size", "org_chart"):
            from_data["customers"] = facts.active_accounts
        if profile.acv_usd is None and facts.average_arr is not None and topic in MODEL_TOPICS:
            rate = config.jpy_per_usd if currency == "JPY" else 1.0
            from_data["acv_usd"] = facts.average_arr / rate
        if from_data:
            profile = replace(profile, **from_data)
            used.append("workspace data")
    return profile, used


def suggest_org_chart(phase: int, facts: WorkspaceFacts | None) -> str:
    """Which of the five org charts fits, from the phase and the segments and regions present."""
    if facts is not None:
        regions = [r for r, n in facts.regions.items() if n >= 20]
        enterprise = facts.segments.get("enterprise", 0)
        if len(regions) >= 3 and facts.active_accounts >= 500:
            return "area"
        if facts.active_accounts and enterprise / facts.active_accounts >= 0.5 and enterprise <= 20:
            return "partnership"
    if phase <= 2:
        return "all_rounder"
    return "specialist"


def answer_question(
    text: str,
    *,
    config: PlaybookConfig,
    facts: WorkspaceFacts | None = None,
    currency: str = "USD",
    knowledge: Knowledge | None = None,
    reader_language: str | None = None,
    topic: Topic | None = None,
) -> Answer:
    """`reader_language`: the asker's Slack language, used unless the question is mostly Japanese.
    `topic`: the topic the asker picked for this text (a button), instead of the one read from it."""
    knowledge = knowledge or load_knowledge()
    question = understand(text, jpy_per_usd=config.jpy_per_usd, reader_language=reader_language, topic=topic)
    topic = question.topic
    profile, used = _complete_profile(question.profile, config, facts, currency, topic)
    if topic in MODEL_TOPICS:
        model = company_model(profile, threshold_usd=config.threshold_usd)
        if model is None:
            return Answer(
                question, topic, profile=profile, profile_from=used, ask_for=missing_for_model(profile)
            )
        entry = knowledge.model(model)
        owner = None
        if topic == "renewal_owner":
            owner = entry.renewal_owner.owner
        elif topic == "expansion_owner":
            owner = entry.expansion_owner.owner
        return Answer(
            question,
            topic,
            model=model,
            owner=owner,
            profile=profile,
            profile_from=used,
            sources=[entry.source],
            facts=facts,
        )
    if topic in ("team_size", "org_chart"):
        customers = profile.customers
        if customers is None:
            return Answer(question, topic, profile=profile, profile_from=used, ask_for=["customers"])
        phase = knowledge.phase_for(customers)
        chart = suggest_org_chart(phase.number, facts if "workspace data" in used or facts else None)
        sources = [phase.source, knowledge.phases.cs_ops.source, knowledge.org_charts[chart].source]
        return Answer(
            question,
            topic,
            phase=phase.number,
            org_chart=chart,
            profile=profile,
            profile_from=used,
            sources=_unique(sources),
            facts=facts,
        )
    if topic == "renewal_models":
        sources = [m.source for m in knowledge.renewal.models.values()]
        return Answer(question, topic, sources=_unique(sources))
    if topic in ("lifecycle", "ttv"):
        if topic == "ttv":
            return Answer(question, topic, sources=[knowledge.lifecycle.ttv.source])
        stages = [question.lifecycle_phase] if question.lifecycle_phase else list(knowledge.lifecycle.stages)
        return Answer(question, topic, sources=_unique([knowledge.stage(s).source for s in stages]))
    if topic == "kpi":
        keys = list(question.kpis) or list(DEFAULT_KPIS)
        return Answer(question, topic, sources=_unique([knowledge.kpi(k).source for k in keys]), kpis=keys)
    if topic == "cs_definition":
        return Answer(question, topic, sources=[knowledge.definitions.cs_definition.source])
    return Answer(question, None)


def ask(
    engine: Engine,
    question: str,
    *,
    config: PlaybookConfig,
    currency: str,
    reader_language: str | None,
    slack_user_id: str,
    at: datetime,
    with_workspace_data: bool,
    topic: Topic | None = None,
) -> Answer:
    """`/cs ask`: the answer for a person, audited. Only the CS team's answers draw on the workspace's
    own figures (`with_workspace_data`); anyone else's use what they said and the configured profile."""
    answer = answer_question(
        question,
        config=config,
        facts=workspace_facts(engine) if with_workspace_data else None,
        currency=currency,
        reader_language=reader_language,
        topic=topic,
    )
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action="ask",
        query=question,
        outcome=answer.topic or ("unsure" if answer.question.asks_to_choose else "not_understood"),
    )
    return answer


def _unique(sources: list[Source]) -> list[Source]:
    seen: list[Source] = []
    for source in sources:
        if source not in seen:
            seen.append(source)
    return seen
