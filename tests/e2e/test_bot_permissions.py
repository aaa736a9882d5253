"""Permissions through the fake Discord: every admin command (read from the synced schema, so a
new one cannot be forgotten) is refused and audited for a plain member and changes nothing;
configured admin roles and users are honoured; admin commands in direct messages are refused.

Discord itself would not offer a guild-only command in a DM; the fake delivers it anyway, which
is what a forged or buggy client could do, so the bot's own check is what is tested here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest

from bot.frontends.discord.bot import DatelineBot

from .dateline_harness import Harness
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeFile, FakeGuild

pytestmark = pytest.mark.timeout(30)

UPLOAD = (
    b"Bridge lights switched on\n\nLONDON, May 5 (Reuters) - The mayor switched on the new "
    b"bridge lights on Friday evening.\n"
)
# Options to invoke each admin command with (a command missing here fails the schema test).
INVOCATIONS: dict[str, dict[str, Any]] = {
    "admin reload": {},
    "admin reload-extensions": {},
    "admin status": {},
    "admin sync": {"scope": "global"},
    "admin stats": {"period": "all"},
    "admin knowledge add": {"file": FakeFile("lights.txt", UPLOAD), "replace": True},
    "admin knowledge remove": {"article": "bridge.txt"},
    "admin knowledge list": {},
}


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


def leaf_commands(command: dict[str, Any], prefix: str = "") -> list[str]:
    """`admin knowledge add`, ... from a synced command's options (1 = sub-command, 2 = group)."""
    name = f"{prefix}{command['name']}"
    children = [o for o in command.get("options", []) if o.get("type") in (1, 2)]
    if not children:
        return [name]
    return [leaf for child in children for leaf in leaf_commands(child, f"{name} ")]


async def audit(bot: DatelineBot) -> list[Any]:
    assert bot.store is not None
    rows = await bot.store.audit_log(200)
    assert rows is not None
    return sorted(rows, key=lambda row: row.id)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


async def test_every_admin_command_is_refused_and_audited_for_a_member(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = harness.fake
    downloads: list[str] = []
    original_read = discord.Attachment.read

    async def read(self: discord.Attachment, *, use_cached: bool = False) -> bytes:
        downloads.append(self.filename)
        return await original_read(self, use_cached=use_cached)

    monkeypatch.setattr(discord.Attachment, "read", read)
    folder = harness.stories()
    # A member with roles and plenty of ordinary permissions, just not Manage Server.
    reporters = await fake.add_role(harness.guild, "Reporters", (1 << 11) | (1 << 13) | (1 << 16))
    member = await fake.add_user(harness.guild, "reporter", roles=[reporters])
    async with harness.running(harness.settings(folder)) as bot:
        synced = fake.requests_to(
            "PUT", f"/applications/{fake.application_id}/guilds/{harness.guild.id}/commands"
        )[-1].json
        admin = next(command for command in synced if command["name"] == "admin")
        assert sorted(leaf_commands(admin)) == sorted(INVOCATIONS)
        assert int(admin["default_member_permissions"]) == 1 << 5
        before_files = snapshot(folder)
        last_reload = bot.service.last_reload
        mark = fake.mark()
        for who in (harness.alice, member):
            for command, options in INVOCATIONS.items():
                ix = await fake.slash_command(harness.general, who, command, options)
                answer = await ix.answer()
                assert answer["flags"] & 64, command
                assert answer["content"].startswith("Only server admins can use this"), command
                assert not answer.get("embeds"), command
        rows = await audit(bot)
        expected = [
            (command, "refused", int(who["id"]), "not an admin")
            for who in (harness.alice, member)
            for command in INVOCATIONS
        ]
        assert [(r.action, r.result, r.user_id, r.message) for r in rows] == expected
        # Nothing happened: no download, no file change, no reload, no sync.
        assert downloads == []
        assert snapshot(folder) == before_files
        assert bot.service.last_reload is last_reload
        assert not fake.requests_to("PUT", "/applications/**", since=mark)


async def test_configured_admin_roles_and_users_are_honoured(harness: Harness) -> None:
    fake = harness.fake
    guild = harness.guild
    editors = await fake.add_role(guild, "Editors", 0)
    editor = await fake.add_user(guild, "editor", roles=[editors])
    chief = await fake.add_user(guild, "chief")
    bystander = await fake.add_user(guild, "bystander", roles=[await fake.add_role(guild, "X", 0)])
    folder = harness.stories()
    settings = harness.settings(folder, admin_role_ids=[editors], admin_user_ids=[int(chief["id"])])
    async with harness.running(settings) as bot:
        ix = await fake.slash_command(harness.general, editor, "admin knowledge list")
        assert (await ix.answer())["embeds"][0]["title"].startswith("Article files")
        ix = await fake.slash_command(harness.general, editor, "admin stats")
        assert (await ix.followup()).json["embeds"][0]["title"].startswith("Dateline stats")
        ix = await fake.slash_command(
            harness.general, chief, "admin knowledge add", {"file": FakeFile("lights.txt", UPLOAD)}
        )
        assert (await ix.followup()).json["embeds"][0]["title"] == "Article file added"
        typing = await fake.autocomplete(
            harness.general,
            editor,
            "admin knowledge remove",
            {"article": "lig"},
            focused="article",
        )
        assert [choice["value"] for choice in await typing.choices()] == ["lights.txt"]
        ix = await fake.slash_command(harness.general, bystander, "admin knowledge list")
        assert (await ix.answer())["content"].startswith("Only server admins")
        rows = await audit(bot)
        assert [(r.action, r.result, r.detail.get("grant")) for r in rows] == [
            ("admin knowledge list", "ok", "admin_role"),
            ("admin stats", "ok", "admin_role"),
            ("admin knowledge add", "ok", "admin_user"),
            ("admin knowledge list", "refused", None),
        ]


async def test_admin_commands_in_direct_messages_are_refused(harness: Harness) -> None:
    fake = harness.fake
    chief = await fake.add_user(harness.guild, "chief")
    settings = harness.settings(harness.stories(), admin_user_ids=[int(chief["id"])])
    async with harness.running(settings) as bot:
        # Make the commands global, so the fake can deliver them in a DM at all.
        ix = await fake.slash_command(
            harness.general, harness.root, "admin sync", {"scope": "global"}
        )
        assert (await ix.followup()).json["content"].startswith("Synced")
        synced = fake.requests_to("PUT", f"/applications/{fake.application_id}/commands")[-1].json
        admin = next(command for command in synced if command["name"] == "admin")
        assert admin.get("contexts") == [0]  # guild only: Discord hides it in DMs
        for who in (harness.alice, chief, fake.owner):
            for command in ("admin status", "admin knowledge list", "admin stats"):
                dm = fake.dm_channel(who)
                ix = await fake.slash_command(dm, who, command, INVOCATIONS[command])
                answer = await ix.answer()
                assert answer["content"] == "This command only works inside a server.", command
                assert answer["flags"] & 64
        rows = await audit(bot)
        refused = [(r.action, r.result, r.message, r.guild_id) for r in rows[1:]]
        assert refused == [
            (command, "refused", "direct message", None)
            for _ in range(3)
            for command in ("admin status", "admin knowledge list", "admin stats")
        ]
