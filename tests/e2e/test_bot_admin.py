"""Admin commands through the fake Discord: refused and audited for members, working for admins,
reload under load, extension reload with rollback, sync cooldown."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from bot.frontends.discord.bot import DatelineBot
from bot.knowledge import KnowledgeBase, ProgressCallback, build_knowledge_base
from bot.serving import KnowledgeService
from bot.settings import Settings

from .dateline_harness import BRIDGE_STORIES, BUNDLED_KNOWLEDGE, Harness, write_articles
from .fakes.discord_server import FakeDiscord, FakeInteraction
from .fakes.state import FakeGuild

pytestmark = pytest.mark.timeout(30)

ADMIN_COMMANDS = (
    "admin reload",
    "admin reload-extensions",
    "admin status",
    "admin sync",
    "admin stats",
)


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


async def audit_rows(bot: DatelineBot) -> list[Any]:
    assert bot.store is not None
    rows = await bot.store.audit_log(100)
    assert rows is not None
    return sorted(rows, key=lambda row: row.id)


async def test_admin_commands_are_hidden_and_refused_for_members(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running() as bot:
        synced = fake.requests_to(
            "PUT", f"/applications/{fake.application_id}/guilds/{harness.guild.id}/commands"
        )[-1].json
        admin = next(command for command in synced if command["name"] == "admin")
        assert int(admin["default_member_permissions"]) == 1 << 5  # Manage Server
        assert {option["name"] for option in admin["options"]} == {
            "reload",
            "reload-extensions",
            "status",
            "sync",
            "stats",
            "knowledge",
        }
        for command in ADMIN_COMMANDS:
            ix = await fake.slash_command(harness.general, harness.alice, command)
            answer = await ix.answer()
            assert answer["flags"] & 64, command
            assert "Only server admins can use this" in answer["content"], command
            assert not answer.get("embeds")
        rows = await audit_rows(bot)
        assert [(row.action, row.result) for row in rows] == [
            (command, "refused") for command in ADMIN_COMMANDS
        ]
        assert {row.user_id for row in rows} == {int(harness.alice["id"])}
        assert bot.service.last_reload is not None
        assert bot.service.last_reload.finished_at < rows[0].at.timestamp()  # nothing reloaded


async def test_admin_commands_work_for_an_admin(harness: Harness) -> None:
    fake = harness.fake
    async with harness.running() as bot:
        reload = await fake.slash_command(harness.general, harness.root, "admin reload")
        assert (await reload.callback()).json == {"type": 5, "data": {"flags": 64}}
        report = (await reload.followup()).json["embeds"][0]
        assert report["title"] == "Knowledge reloaded" and "**1** articles" in report["description"]

        extensions = await fake.slash_command(
            harness.general, harness.root, "admin reload-extensions"
        )
        shown = (await extensions.followup()).json["embeds"][0]
        assert shown["title"] == "Extensions reloaded"
        assert shown["description"].count("✅") == 3

        status = await fake.slash_command(harness.general, harness.root, "admin status")
        answer = await status.answer()
        fields = {field["name"]: field["value"] for field in answer["embeds"][0]["fields"]}
        assert fields["Articles"] == "1" and fields["Last reload"].startswith("ok, ")
        assert answer["flags"] & 64

        sync = await fake.slash_command(harness.general, harness.root, "admin sync")
        assert (await sync.followup()).json["content"].startswith("Synced 5 commands to this")
        again = await fake.slash_command(
            harness.general, harness.root, "admin sync", {"scope": "global"}
        )
        cooldown = await again.answer()
        assert "try again in" in cooldown["content"] and cooldown["flags"] & 64

        # The reloaded cogs still answer (and the guild copies point at the new ones).
        ask = await fake.slash_command(
            harness.general, harness.alice, "ask", {"question": "planes?"}
        )
        assert (await ask.followup()).status == 200
        rows = await audit_rows(bot)
        assert [(row.action, row.result) for row in rows] == [
            ("admin reload", "ok"),
            ("admin reload-extensions", "ok"),
            ("admin status", "ok"),
            ("admin sync", "ok"),
        ]
        assert rows[0].detail["grant"] == "manage_guild" and rows[0].detail["articles"] == 1


async def test_configured_role_user_and_owner_are_admins(harness: Harness) -> None:
    fake = harness.fake
    guild = harness.guild
    editors = await fake.add_role(guild, "Editors", 0)
    editor = await fake.add_user(guild, "editor", roles=[editors])
    chief = await fake.add_user(guild, "chief")
    other = await fake.add_guild("Elsewhere", owner=chief)
    await fake.add_member(other, fake.owner)  # the application owner, a plain member there
    settings = harness.settings(
        admin_role_ids=[editors],
        admin_user_ids=[int(chief["id"])],
        dev_guild_ids=[guild.id, other.id],
    )
    async with harness.running(settings) as bot:
        for who in (editor, chief):
            ix = await fake.slash_command(harness.general, who, "admin status")
            assert (await ix.answer())["embeds"], who["username"]
        ix = await fake.slash_command(other.channel_id("general"), fake.owner, "admin status")
        assert (await ix.answer())["embeds"]
        grants = [row.detail.get("grant") for row in await audit_rows(bot)]
        assert grants == ["admin_role", "admin_user", "owner"]


async def test_reload_while_questions_are_asked_loses_none(harness: Harness) -> None:
    fake = harness.fake
    folder = write_articles(harness.tmp_path / "live", BRIDGE_STORIES)
    users = [await fake.add_user(harness.guild, f"reader{i}") for i in range(6)]
    async with harness.running(harness.settings(folder)) as bot:
        mark = fake.mark()
        (folder / "extra.txt").write_text(
            "Bridge lights\n\nLONDON, May 5 (Reuters) - The bridge lights were switched on.\n",
            encoding="utf-8",
        )
        questions = [
            fake.send_message(
                harness.general,
                users[i % len(users)],
                f"{fake.bot_mention} who opened the bridge? ({i})",
            )
            for i in range(24)
        ]
        reload = fake.slash_command(harness.general, harness.root, "admin reload")
        sent: list[Any] = list(await asyncio.gather(*questions[:12], reload, *questions[12:]))
        interaction = sent[12]
        assert isinstance(interaction, FakeInteraction)
        report = (await interaction.followup(timeout=10)).json["embeds"][0]
        assert report["title"] == "Knowledge reloaded"
        assert "**5** articles" in report["description"]
        asked_ids = {message["id"] for i, message in enumerate(sent) if i != 12}
        for _ in range(200):
            answered = {
                str(r.json["message_reference"]["message_id"])
                for r in harness.bot_posts(mark)
                if r.json.get("message_reference")
            }
            if asked_ids <= answered:
                break
            await asyncio.sleep(0.02)
        assert asked_ids <= answered
        assert all(r.json.get("embeds") for r in harness.bot_posts(mark))
        assert bot.service.knowledge.article_count == 5


async def test_reload_extensions_rolls_back_a_failing_cog(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = harness.fake
    async with harness.running() as bot:
        original = commands.Bot.load_extension

        async def broken(self: commands.Bot, name: str, *, package: str | None = None) -> None:
            if name.endswith(".library"):
                raise commands.ExtensionFailed(name, SyntaxError("broken on purpose"))
            await original(self, name, package=package)

        monkeypatch.setattr(commands.Bot, "load_extension", broken)
        ix = await fake.slash_command(harness.general, harness.root, "admin reload-extensions")
        shown = (await ix.followup()).json["embeds"][0]
        monkeypatch.undo()
        assert shown["title"] == "Some extensions failed to reload"
        assert "kept the previous version" in shown["description"]
        assert "broken on purpose" in shown["description"]
        assert "bot.frontends.discord.cogs.library" in bot.extensions
        help_ix = await fake.slash_command(harness.general, harness.alice, "help")
        assert (await help_ix.answer())["embeds"]  # the rolled-back cog still works
        rows = await audit_rows(bot)
        assert (rows[-1].action, rows[-1].result) == ("admin reload-extensions", "error")


async def test_a_failed_reload_keeps_the_old_knowledge_answering(harness: Harness) -> None:
    builds: list[int] = []

    def flaky(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        builds.append(1)
        if len(builds) > 1:
            raise OSError("disk went away")
        return build_knowledge_base(settings, paths, progress)

    settings = harness.settings()
    service = KnowledgeService(settings, builder=flaky)
    fake = harness.fake
    async with harness.running(settings, service=service) as bot:
        ix = await fake.slash_command(harness.general, harness.root, "admin reload")
        report = (await ix.followup()).json["embeds"][0]
        assert report["title"] == "Reload failed — the previous knowledge is still answering"
        assert "disk went away" in report["description"]
        reply = await harness.mention(harness.alice, "Who welcomed the first planes?")
        assert "Luigi Di Maio" in reply["embeds"][0]["description"]
        rows = await audit_rows(bot)
        assert (rows[-1].action, rows[-1].result) == ("admin reload", "error")


async def test_a_reload_of_a_missing_folder_is_refused_until_confirmed(harness: Harness) -> None:
    folder = harness.tmp_path / "knowledge"
    shutil.copytree(BUNDLED_KNOWLEDGE, folder)
    fake = harness.fake
    async with harness.running(harness.settings(folder)) as bot:
        folder.rename(harness.tmp_path / "knowledge-renamed")  # an operator's slip
        ix = await fake.slash_command(harness.general, harness.root, "admin reload")
        report = (await ix.followup()).json["embeds"][0]
        assert report["title"] == "Reload refused — the previous knowledge is still answering"
        assert "does not exist" in report["description"]
        assert "/admin reload force:true" in report["description"]
        reply = await harness.mention(harness.alice, "Who welcomed the first planes?")
        description = reply["embeds"][0]["description"]
        assert "Luigi Di Maio" in description
        assert "MOSCOW, April 2 /TASS/" in str(reply["embeds"][0])
        rows = await audit_rows(bot)
        assert (rows[-1].action, rows[-1].result) == ("admin reload", "error")
        assert rows[-1].detail["force"] is False

        confirmed = await fake.slash_command(
            harness.general, harness.root, "admin reload", {"force": True}
        )
        emptied = (await confirmed.followup()).json["embeds"][0]
        assert emptied["title"] == "Knowledge reloaded"
        assert "**0** articles" in emptied["description"]
        removed = next(field for field in emptied["fields"] if field["name"].startswith("Removed"))
        assert removed["name"] == "Removed (1)"
        gone = await harness.mention(harness.alice, "Who welcomed the first planes?")
        assert "Luigi Di Maio" not in str(gone)
        rows = await audit_rows(bot)
        assert (rows[-1].result, rows[-1].detail["force"]) == ("ok", True)


async def test_a_file_that_breaks_keeps_serving_its_last_good_version(harness: Harness) -> None:
    folder = harness.stories()
    fake = harness.fake
    async with harness.running(harness.settings(folder, use_snapshot=True)):
        (folder / "bridge.txt").write_bytes(b"\x00\x00 a feed wrote garbage")
        ix = await fake.slash_command(harness.general, harness.root, "admin reload")
        report = (await ix.followup()).json["embeds"][0]
        assert report["title"] == "Knowledge reloaded"
        stale = next(f for f in report["fields"] if f["name"].startswith("Stale (1)"))
        assert "bridge.txt" in stale["value"] and "binary file" in stale["value"]
        removed = next(f for f in report["fields"] if f["name"].startswith("Removed"))
        assert removed["name"] == "Removed (0)"
        reply = await harness.mention(harness.alice, "Who opened the new bridge over the river?")
        assert "mayor" in reply["embeds"][0]["description"].casefold()
        status = await fake.slash_command(harness.general, harness.root, "admin status")
        fields = (await status.answer())["embeds"][0]["fields"]
        stale_files = next(f for f in fields if f["name"].startswith("Stale files (1)"))
        assert "bridge.txt" in stale_files["value"]
