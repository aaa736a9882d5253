"""Which channel messages are questions for Dateline, and the question without the mention."""

from __future__ import annotations

import pytest

from bot.frontends.discord.triggers import looks_like_question, strip_mentions, without_markup


def test_strip_mentions_removes_the_bot_and_its_role_only() -> None:
    assert strip_mentions("<@42> who welcomed the planes?", 42) == "who welcomed the planes?"
    assert strip_mentions("<@!42>, who?", 42) == "who?"
    assert strip_mentions("hey <@42>   where  is <@7>?", 42) == "hey where is <@7>?"
    assert strip_mentions("<@&9> what happened?", 42, [9]) == "what happened?"
    assert strip_mentions("<@&8> what happened?", 42, [9]) == "<@&8> what happened?"
    assert strip_mentions("<@42>", 42) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Who welcomed the planes?", True),
        ("the planes landed when?", True),
        ("how many planes landed", True),
        ("Did Italy thank Russia", True),
        ("tell me about the airfield", True),
        ("thanks!", False),
        ("lol", False),
        ("", False),
        ("   ", False),
        ("whoever did this is great", False),
    ],
)
def test_looks_like_question(text: str, expected: bool) -> None:
    assert looks_like_question(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@everyone who opened the bridge?", "who opened the bridge?"),
        ("<@7> <@!7>, <@&8> what happened at <#9>?", "what happened at ?"),
        ("</ask:1> when <t:1700000000:R> and <t:5>?", "when and ?"),
        ("did <:bridge:123> <a:wave:456> open?", "did open?"),
        ("@here", ""),
        ("email me@everyone.example", "email me@everyone.example"),
        ("<@abc> stays", "<@abc> stays"),
    ],
)
def test_without_markup_drops_discord_markup_only(text: str, expected: str) -> None:
    assert without_markup(text) == expected
