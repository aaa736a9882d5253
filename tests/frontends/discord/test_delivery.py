"""Replies are sent again after a Discord server error, a bounded number of times; client
errors are never retried (delivery.py)."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.frontends.discord import delivery


class FakeResponse:
    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "error"


def server_error(status: int = 503) -> discord.DiscordServerError:
    return discord.DiscordServerError(FakeResponse(status), {"message": "down", "code": 0})


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "PAUSE_SECONDS", 0.0)


async def test_a_server_error_is_retried_until_it_succeeds() -> None:
    calls: list[int] = []

    async def send() -> str:
        calls.append(1)
        if len(calls) < delivery.ATTEMPTS:
            raise server_error()
        return "sent"

    assert await delivery.deliver(send) == "sent"
    assert len(calls) == delivery.ATTEMPTS


async def test_it_gives_up_after_the_last_attempt() -> None:
    calls: list[int] = []

    async def send() -> Any:
        calls.append(1)
        raise server_error(500)

    with pytest.raises(discord.DiscordServerError):
        await delivery.deliver(send)
    assert len(calls) == delivery.ATTEMPTS


async def test_client_errors_are_not_retried() -> None:
    calls: list[int] = []

    async def send() -> Any:
        calls.append(1)
        raise discord.Forbidden(FakeResponse(403), {"message": "no", "code": 50013})

    with pytest.raises(discord.Forbidden):
        await delivery.deliver(send)
    assert calls == [1]
