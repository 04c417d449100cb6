"""`/cs ask <question>` and `/cs playbook`: org-design answers, grounded in the sources."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render import playbook as render
from bot.services import Services
from playbooks.answering import answer_question
from playbooks.knowledge import load_knowledge
from storage import audit
from storage.workspace_facts import workspace_facts


def answer_for(services: Services, question: str, requester: Requester) -> render.Message:
    """The answer message for a question, in the asker's language unless they asked in Japanese.

    The playbook holds no account data, so anyone may ask; only team members' answers draw on the
    workspace's own figures (account counts, headcount, average ARR).
    """
    answer = answer_question(
        question,
        config=services.config.playbook,
        facts=workspace_facts(services.engine) if requester.allowed else None,
        currency=services.config.currency,
        reader_language=requester.language,
    )
    audit.record(
        services.engine,
        at=services.now(),
        slack_user_id=requester.slack_user_id,
        action="ask",
        query=question,
        outcome=answer.topic or "not_understood",
    )
    return render.answer_message(answer, load_knowledge())


def run(services: Services, requester: Requester, question: str, respond: Respond) -> None:
    if not question:
        respond(response_type="ephemeral", **render.browse_message(requester.language).payload())
        return
    respond(response_type="ephemeral", **answer_for(services, question, requester).payload())


def browse(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    respond(response_type="ephemeral", **render.browse_message(requester.language).payload())
