"""Text as Slack sends it, turned back into what the person typed before it is stored."""

import re

_ANGLED = re.compile(r"<([^<>]+)>")


def unescape(text: str) -> str:
    """Slack sends a typed `&`, `<` or `>` as an entity; `&amp;` goes last so `&amp;lt;` stays `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _readable(found: re.Match[str]) -> str:
    target, _, label = found.group(1).partition("|")
    if target.startswith("@"):  # a user
        return f"@{label or target[1:]}"
    if target.startswith("#"):  # a channel
        return f"#{label or target[1:]}"
    if target.startswith("!"):  # @here, a user group, a date
        return label or f"@{target[1:]}"
    return f"{label} ({target})" if label and label != target else target


def message_as_plain_text(text: str) -> str:
    """A message's mrkdwn as plain words: mentions, channels and links as a reader sees them."""
    return unescape(_ANGLED.sub(_readable, text))
