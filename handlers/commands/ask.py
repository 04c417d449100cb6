"""`/cs ask <question>` and `/cs playbook`: org-design answers, grounded in the sources."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render import playbook as render
from bot.services import Services
from playbooks.answering import answer_question
from playbooks.knowledge import load_knowledge
from storage import audit
from storage.workspace_facts import workspace_facts


def answer_for(services: Services, question: str, slack_user_id: str) -> render.Message:
    """The answer message for a question; the playbook holds no account data, so anyone may ask."""
    answer = answer_question(
        question,
        config=services.config.playbook,
        facts=workspace_facts(services.engine),
        currency=services.config.currency,
    )
    audit.record(
        services.engine,
        at=services.now(),
        slack_user_id=slack_user_id,
        action="ask",
        query=question,
        outcome=answer.topic or "not_understood",
    )
    return render.answer_message(answer, load_knowledge())


def run(services: Services, requester: Requester, question: str, respond: Respond) -> None:
    if not question:
        respond(response_type="ephemeral", **render.browse_message(requester.language).payload())
        return
    respond(response_type="ephemeral", **answer_for(services, question, requester.slack_user_id).payload())


def browse(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    respond(response_type="ephemeral", **render.browse_message(requester.language).payload())
