"""A logging filter that keeps Discord credentials out of every log line.

Two kinds of secret can reach a log: the bot token (say in an error's text), and interaction
tokens, 15-minute credentials to post as the bot, which discord.py prints in full at debug
level, both inside gateway payloads (`"token": "…"`) and in the webhook and callback URLs it
requests (`/webhooks/<application>/<token>/…`, `/interactions/<id>/<token>/callback`). The
filter rewrites the formatted message (and any traceback text) before a handler writes it.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
TOKEN_MARK = "[token]"

_SECRET_PATTERNS = (
    # "token": "…" in a JSON payload or a Python dict's repr.
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']+(["'])"""),
    # Interaction webhook and callback URLs carry the token as a path segment.
    re.compile(r"(/webhooks/\d+/)[A-Za-z0-9_.=\-]+"),
    re.compile(r"(/interactions/\d+/)[A-Za-z0-9_.=\-]+"),
)


def _keep_around(match: re.Match[str]) -> str:
    """The match's prefix (and closing quote, if any) around the redaction mark."""
    closing = match.group(2) if match.re.groups > 1 else ""
    return match.group(1) + REDACTED + closing


def redact(text: str, bot_token: str = "") -> str:
    """`text` with the bot token and every interaction token replaced."""
    if bot_token and bot_token in text:
        text = text.replace(bot_token, TOKEN_MARK)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(_keep_around, text)
    return text


class RedactSecrets(logging.Filter):
    """Install on every handler: replaces the bot token and interaction tokens in each record."""

    def __init__(self, bot_token: str = "") -> None:
        super().__init__()
        self._bot_token = bot_token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self._bot_token)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._bot_token)
        return True
