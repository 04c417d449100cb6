"""Slack mrkdwn escaping. Slack treats `<…>` as mentions and links, so user text must be escaped."""


class Trusted(str):
    """Text produced by our own code (a mention we built, a link we built): passed through unescaped."""

    __slots__ = ()


def escape(text: object) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to; everything else is left alone."""
    if isinstance(text, Trusted):
        return text
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_within(text: str, limit: int) -> str:
    """`text` escaped and no longer than `limit`: shortened before escaping, so no entity is cut in two."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept = text[:limit]
    while kept and len(escape(kept) + "…") > limit:
        kept = kept[:-1]
    return escape(kept.rstrip()) + "…"


def mention(slack_user_id: str) -> Trusted:
    if not slack_user_id.isalnum():
        raise ValueError(f"not a Slack user id: {slack_user_id!r}")
    return Trusted(f"<@{slack_user_id}>")


def person(slack_user_id: str | None, name: str | None = None) -> Trusted:
    """A mention when we have a Slack user id, else the person's name (escaped), else a dash."""
    if slack_user_id and slack_user_id.isalnum():
        return mention(slack_user_id)
    # Escaped here, once: the result is safe to place in a template as it is.
    return Trusted(escape(name or slack_user_id)) if (name or slack_user_id) else Trusted("—")
