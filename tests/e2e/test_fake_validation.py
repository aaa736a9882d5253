"""The fake rejects what Discord rejects (so the bot's e2e tests catch oversize answers)."""

from __future__ import annotations

from typing import Any

import pytest

from .fakes.validation import (
    autocomplete_problems,
    command_problems,
    invalid_form_body,
    message_problems,
    modal_problems,
)


def button(custom_id: str) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "x", "custom_id": custom_id}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"content": "x" * 2001}, "BASE_TYPE_MAX_LENGTH"),
        ({"content": "   "}, "50006"),
        ({"embeds": [{"description": "x" * 4097}]}, "BASE_TYPE_MAX_LENGTH"),
        (
            {"embeds": [{"description": "x" * 4000}, {"description": "y" * 2001}]},
            "MAX_EMBED_SIZE_EXCEEDED",
        ),
        ({"embeds": [{"fields": [{"name": "n", "value": ""}]}]}, "BASE_TYPE_BAD_LENGTH"),
        (
            {"content": "a", "components": [{"type": 1, "components": [button("a")]}] * 6},
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"content": "a", "components": [{"type": 1, "components": [button("a"), button("a")]}]},
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        ),
        ({"content": "a", "flags": 64}, "MESSAGE_FLAGS_INVALID"),
    ],
)
def test_message_limits(body: dict[str, Any], code: str) -> None:
    assert code in {p.code for p in message_problems(body)}


def test_valid_message_and_ephemeral_interaction_reply_pass() -> None:
    body = {"content": "x" * 2000, "embeds": [{"title": "t", "description": "d"}]}
    assert message_problems(body) == []
    assert message_problems({"content": "hi", "flags": 64}, allow_ephemeral=True) == []
    assert message_problems({"content": None}, editing=True) == []


def test_command_schema_rules() -> None:
    good = {
        "name": "ask",
        "description": "Ask",
        "options": [
            {"name": "question", "description": "Q", "type": 3, "required": True},
            {"name": "lang", "description": "L", "type": 3},
        ],
    }
    assert command_problems([good]) == []
    bad_order = {**good, "options": list(reversed(good["options"]))}
    codes = {p.code for p in command_problems([bad_order, {**good, "name": "Ask Me"}, good])}
    assert codes == {
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        "APPLICATION_COMMAND_INVALID_NAME",
        "APPLICATION_COMMANDS_DUPLICATE_NAME",
    }


def test_autocomplete_and_modal_rules() -> None:
    choices = [{"name": str(i), "value": str(i)} for i in range(26)]
    assert {p.code for p in autocomplete_problems({"choices": choices})} == {"BASE_TYPE_MAX_LENGTH"}
    assert modal_problems({"title": "t" * 46, "custom_id": "m", "components": [{}]})


def test_error_body_nests_paths_like_discord() -> None:
    body = invalid_form_body(message_problems({"embeds": [{"title": "t" * 257}]}))
    assert body["code"] == 50035
    assert body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
