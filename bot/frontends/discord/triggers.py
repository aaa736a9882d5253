"""When a channel message is a question for Dateline, and what the question is.

Pure text rules, kept apart from the cog so they are unit-tested without Discord. The mention
is stripped here rather than used as a command prefix: a prefix would make discord.py look for
a command named after the question's first word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_QUESTION_WORDS = frozenset(
    (
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "why",
        "how",
        "which",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "shall",
        "has",
        "have",
        "had",
        "may",
        "might",
        "must",
        "tell",
        "explain",
        "list",
        "name",
    )
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Discord markup that names no words a news article could contain: user, role and channel
# mentions, command mentions, timestamps, custom emoji, and the mass pings.
_MARKUP = re.compile(
    r"<@[!&]?\d+>|<#\d+>|</[^<>:]{1,100}:\d+>|<t:-?\d+(?::[tTdDfFR])?>|<a?:\w{1,64}:\d+>"
    r"|(?<![\w.])@(?:everyone|here)\b"
)


def strip_mentions(content: str, bot_id: int, role_ids: Iterable[int] = ()) -> str:
    """The message without the mentions of the bot (user or its managed role), tidied."""
    ids = "|".join(str(role) for role in role_ids)
    pattern = rf"<@!?{bot_id}>" + (rf"|<@&(?:{ids})>" if ids else "")
    text = re.sub(pattern, " ", content)
    text = " ".join(text.split())
    return text.lstrip(",:;- ").strip()


def without_markup(text: str) -> str:
    """The question without Discord markup (mentions, pings, timestamps, custom emoji), tidied:
    `<@123>` or `@everyone` would otherwise be searched for as words."""
    text = " ".join(_MARKUP.sub(" ", text).split())
    return text.lstrip(",:;- ").strip()


def looks_like_question(text: str) -> bool:
    """A message in a Q&A channel is answered when it asks something.

    A question mark anywhere, or a question word first ("who", "how", "did", "tell" …):
    chatter such as "thanks!" or "lol" is left alone.
    """
    text = text.strip()
    if not text:
        return False
    if "?" in text:
        return True
    first = _WORD.search(text)
    return first is not None and first.start() < 3 and first.group(0).lower() in _QUESTION_WORDS
