"""`/cs ask <question>` and `/cs playbook`: org-design answers, grounded in the sources."""

from slack_bolt import Respond

from bot.access import Requester
from bot.render import playbook as render
from bot.services import Services
from playbooks.answering import ask
from playbooks.knowledge import load_knowledge
from playbooks.topics import Topic


def answer_for(
    services: Services, question: str, requester: Requester, *, topic: Topic | None = None
) -> render.Message:
    """The answer message for a question, in the asker's language unless they asked in Japanese.

    The playbook holds no account data, so anyone may ask; only team members' answers draw on the
    workspace's own figures (account counts, headcount, average ARR).
    """
    answer = ask(
        services.engine,
        question,
        config=services.config.playbook,
        currency=services.config.currency,
        reader_language=requester.language,
        slack_user_id=requester.slack_user_id,
        at=services.now(),
        with_workspace_data=requester.allowed,
        topic=topic,
    )
    return render.answer_message(answer, load_knowledge())


def run(services: Services, requester: Requester, question: str, respond: Respond) -> None:
    if not question:
        respond(response_type="ephemeral", **render.browse_message(requester.language).payload())
        return
    respond(response_type="ephemeral", **answer_for(services, question, requester).payload())


def browse(services: Services, requester: Requester, _rest: str, respond: Respond) -> None:
    respond(response_type="ephemeral", **render.browse_message(requester.language).payload())
