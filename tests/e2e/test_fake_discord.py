"""The fake Discord works with the real discord.py client.

A tiny `commands.Bot` defined here (not the Dateline bot) logs in, gets its guilds, answers
mentions and slash commands, and rides out rate limits and gateway reconnects.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from .fakes.discord_server import FakeDiscord, patched_discord
from .fakes.state import SEND_MESSAGES, FakeFile, FakeGuild

pytestmark = pytest.mark.timeout(30)

FRUITS = ["apple", "apricot", "banana", "cherry"]


class YesView(discord.ui.View):
    @discord.ui.button(label="Yes", custom_id="yes")
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(
            content=f"clicked yes by {interaction.user.name}", view=None
        )


class FruitView(discord.ui.View):
    @discord.ui.select(custom_id="fruit", options=[discord.SelectOption(label=f) for f in FRUITS])
    async def fruit(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"you chose {select.values[0]}")


class Feedback(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Your feedback", custom_id="fb_text"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class TinyBot(commands.Bot):
    """Answers mentions with "pong: <text>" and offers a few slash commands."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", discord.Intents.default())
        super().__init__(
            command_prefix="!",
            guild_ready_timeout=0.1,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.seen: list[discord.Message] = []
        self.errors: list[app_commands.AppCommandError] = []

    async def setup_hook(self) -> None:
        tree = self.tree

        @tree.error
        async def on_error(
            interaction: discord.Interaction, error: app_commands.AppCommandError
        ) -> None:
            self.errors.append(error)

        @tree.command(description="Ask a question")
        async def ask(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send(f"answer: {question}", ephemeral=True)

        knowledge = app_commands.Group(name="knowledge", description="Manage knowledge")

        @knowledge.command(description="Add a file")
        async def add(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(
                f"got {file.filename}: {len(data)} bytes: {data.decode()}"
            )

        tree.add_command(knowledge)

        @tree.command(description="Pick a fruit")
        async def pick(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(f"picked {topic}")

        @pick.autocomplete("topic")
        async def pick_topic(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f, value=f) for f in FRUITS if f.startswith(current)]

        @tree.command(description="Show a button")
        async def buttons(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("choose", view=YesView())

        @tree.command(description="Show a menu")
        async def menu(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick one", view=FruitView())

        @tree.context_menu(name="Greet")
        async def greet(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(f"hi {member.name}")

        @tree.command(description="Write a report")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            embed = discord.Embed(title="Report", description="all quiet")
            await interaction.edit_original_response(content="edited", embed=embed)
            shown = await interaction.original_response()
            data = io.BytesIO(f"id={shown.id}".encode())
            await interaction.followup.send("attached", file=discord.File(data, "report.txt"))

        @tree.command(description="Send feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Feedback())

        await tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py would sleep 5 s before a re-IDENTIFY

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)
        if message.author.bot or self.user is None or not self.user.mentioned_in(message):
            return
        text = message.content.replace(self.user.mention, "").strip()
        if text == "thread":
            thread = await message.create_thread(name="answers")
            await thread.send("in thread")
            return
        await message.reply(f"pong: {text}", mention_author=False)


def names(fake: FakeDiscord, *who: str) -> list[dict[str, Any]]:
    return [fake.user_named(n) for n in who]


async def test_login_ready_and_guild_create(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    async with fake.run_bot(TinyBot()) as bot:
        assert bot.user is not None and bot.user.id == fake.bot_id
        guild = bot.get_guild(fake_guild.id)
        owner_id = int(fake.owner["id"])
        assert guild is not None and guild.owner_id == owner_id and guild.me is not None
        assert sorted(c.name for c in guild.text_channels) == ["general", "news"]
        assert await bot.is_owner(await bot.fetch_user(owner_id))
        assert (await bot.user.display_avatar.read()).startswith(b"\x89PNG")  # fake CDN
        assert not await bot.is_owner(await bot.fetch_user(int(fake.user_named("alice")["id"])))
        identify = await fake.wait_for_frame(2)
        assert identify.data["intents"] == discord.Intents.default().value
        assert "shard" not in identify.data
        synced = fake.requests_to("PUT", f"/applications/{fake.application_id}/commands")
        assert [c["name"] for c in synced[0].response] == [
            "ask",
            "knowledge",
            "pick",
            "buttons",
            "menu",
            "report",
            "feedback",
            "Greet",
        ]
        assert all(c["id"].isdigit() for c in synced[0].response)
    for path in ("/users/@me", "/oauth2/applications/@me", "/users/*"):
        assert fake.requests_to("GET", path, status=200)
    assert fake.unhandled == []
    (connection,) = fake.gateway.connections
    assert connection.request.query["compress"] == "zlib-stream"  # frames were zlib-compressed
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {fake.token}"}
        async with http.get(f"{fake.api_base}/users/@me", headers=headers) as resp:
            assert resp.headers["Content-Type"] == "application/json"
        async with http.get(f"{fake.api_base}/users/@me") as resp:
            assert resp.status == 401


async def test_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    with pytest.raises(RuntimeError) as info:
        async with fake_discord.run_bot(TinyBot(), token="wrong"):
            pass
    assert isinstance(info.value.__cause__, discord.LoginFailure)


async def test_mention_gets_a_reply_and_other_messages_no_content(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    general = fake_guild.channel_id("general")
    async with fake.run_bot(TinyBot()) as bot:
        mark = fake.mark()
        asked = await fake.send_message(general, alice, f"{fake.bot_mention} hello")
        reply = await fake.wait_for_bot_message(general, since=mark)
        assert reply["content"] == "pong: hello"
        assert reply["author"]["id"] == str(fake.bot_id)
        sent = fake.requests_to("POST", f"/channels/{general}/messages", since=mark)[0].json
        assert sent["allowed_mentions"] == {"parse": [], "replied_user": False}
        assert str(sent["message_reference"]["message_id"]) == asked["id"]
        assert reply["referenced_message"]["id"] == asked["id"]
        # Without the message-content intent, unmentioned messages arrive without content.
        await fake.send_message(general, alice, "just chatting")
        await wait_until(lambda: any(m.content == "" for m in bot.seen))
        assert [m.content for m in bot.seen if m.author.id == int(alice["id"])] == [
            f"{fake.bot_mention} hello",
            "",
        ]


async def test_thread_created_from_message(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    general = fake_guild.channel_id("general")
    async with fake.run_bot(TinyBot()):
        asked = await fake.send_message(general, alice, f"{fake.bot_mention} thread")
        created = await fake.wait_for_request(
            method="POST", path=f"/channels/{general}/messages/{asked['id']}/threads"
        )
        assert created.response["type"] == 11 and created.response["parent_id"] == str(general)
        in_thread = await fake.wait_for_bot_message(int(asked["id"]))
        assert in_thread["content"] == "in thread"


async def test_slash_command_defer_then_ephemeral_followup(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    async with fake.run_bot(TinyBot()):
        ix = await fake.slash_command(
            fake_guild.channel_id("general"), alice, "ask", {"question": "why?"}
        )
        callback = await ix.callback()
        assert callback.json == {"type": 5, "data": {"flags": 64}}
        assert callback.response["interaction"]["response_message_loading"] is True
        followup = await ix.followup()
        assert followup.query["wait"] == "1"
        assert followup.json["content"] == "answer: why?" and followup.json["flags"] == 64
        shown = ix.original_message()
        assert shown is not None and shown["content"] == "answer: why?"
        assert shown["flags"] == 64  # ephemeral, no longer "thinking"


async def test_subcommand_with_uploaded_attachment(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (root,) = names(fake, "root")
    async with fake.run_bot(TinyBot()):
        ix = await fake.slash_command(
            fake_guild.channel_id("general"),
            root,
            "knowledge add",
            {"file": FakeFile("notes.txt", b"hello world", "text/plain")},
        )
        option = ix.payload["data"]["options"][0]
        assert option["name"] == "add" and option["type"] == 1
        answer = await ix.answer()
        assert answer["content"] == "got notes.txt: 11 bytes: hello world"
        with pytest.raises(ValueError, match="unknown option"):
            await fake.slash_command(
                fake_guild.channel_id("general"), root, "knowledge add", {"nope": 1}
            )


async def test_button_click_updates_message(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    async with fake.run_bot(TinyBot()):
        ix = await fake.slash_command(fake_guild.channel_id("general"), alice, "buttons")
        assert (await ix.callback()).json["type"] == 4
        message = ix.original_message()
        assert (
            message is not None and message["components"][0]["components"][0]["custom_id"] == "yes"
        )
        click = await fake.click_button(message, "yes", alice)
        callback = await click.callback()
        assert callback.json["type"] == 7
        assert callback.json["data"]["content"] == "clicked yes by alice"
        assert fake.world.messages[int(message["id"])]["components"] == []


async def test_autocomplete_returns_choices(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    async with fake.run_bot(TinyBot()):
        ix = await fake.autocomplete(
            fake_guild.channel_id("general"), alice, "pick", {"topic": "ap"}, focused="topic"
        )
        assert ix.payload["data"]["options"] == [
            {"name": "topic", "type": 3, "value": "ap", "focused": True}
        ]
        assert await ix.choices() == [
            {"name": "apple", "value": "apple"},
            {"name": "apricot", "value": "apricot"},
        ]


async def test_modal_submit(fake_discord: FakeDiscord, fake_guild: FakeGuild) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    async with fake.run_bot(TinyBot()):
        ix = await fake.slash_command(fake_guild.channel_id("general"), alice, "feedback")
        assert (await ix.callback()).json["type"] == 9
        submitted = await fake.modal_submit(ix, {"fb_text": "great"})
        answer = await submitted.answer()
        assert answer["content"] == "thanks: great" and answer["flags"] == 64


async def test_rate_limited_send_is_retried_once(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    general = fake_guild.channel_id("general")
    fault = fake.fail_next("POST", "/channels/*/messages", 429, retry_after=0.05)
    async with fake.run_bot(TinyBot()):
        mark = fake.mark()
        await fake.send_message(general, alice, f"{fake.bot_mention} again")
        await fake.wait_for_bot_message(general, since=mark)
        posts = fake.requests_to("POST", f"/channels/{general}/messages", since=mark)
        assert [r.status for r in posts] == [429, 200]
        assert posts[1].time - posts[0].time >= 0.04
        assert fault.hits == 1
        bot_messages = [
            m for m in fake.world.messages.values() if m["author"]["id"] == str(fake.bot_id)
        ]
        assert [m["content"] for m in bot_messages] == ["pong: again"]


async def test_validation_and_permissions_match_discord(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    general, news = fake_guild.channel_id("general"), fake_guild.channel_id("news")
    async with fake.run_bot(TinyBot()) as bot:
        channel = bot.get_channel(general)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.status == 400 and too_long.value.code == 50035
        await fake.set_overwrite(news, fake_guild.id, deny=SEND_MESSAGES)
        news_channel = bot.get_channel(news)
        assert isinstance(news_channel, discord.TextChannel)
        with pytest.raises(discord.Forbidden) as forbidden:
            await news_channel.send("hi")
        assert forbidden.value.code == 50013
        fake.fail_next("POST", f"/channels/{general}/messages", 403)
        with pytest.raises(discord.Forbidden):
            await channel.send("hi")
        sent = await channel.send("hi", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "t.csv"))
        upload = fake.requests_to("POST", f"/channels/{general}/messages", status=200)[-1]
        assert upload.json["content"] == "hi" and upload.files[0].data == b"a,b\n1,2\n"
        assert sent.attachments[0].filename == "t.csv"
        assert await sent.attachments[0].read() == b"a,b\n1,2\n"


async def test_reconnect_and_dropped_socket_resume(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    general = fake_guild.channel_id("general")
    async with fake.run_bot(TinyBot()):
        (session,) = fake.sessions()
        frames = fake.frame_mark()
        assert await fake.gateway_reconnect() == 1
        resume = await fake.wait_for_frame(6, since=frames)
        assert resume.data["session_id"] == session.session_id
        mark = fake.mark()
        await fake.send_message(general, alice, f"{fake.bot_mention} after op 7")
        assert (await fake.wait_for_bot_message(general, since=mark))["content"] == (
            "pong: after op 7"
        )

        frames, mark = fake.frame_mark(), fake.mark()
        assert await fake.gateway_drop() == 1
        # Sent while the socket is down: replayed when the client resumes.
        await fake.send_message(general, alice, f"{fake.bot_mention} while down")
        await fake.wait_for_frame(6, since=frames)
        assert (await fake.wait_for_bot_message(general, since=mark))["content"] == (
            "pong: while down"
        )
        assert session.resumes == 2
        assert [f.op for f in fake.frames if f.op == 2] == [2]  # never re-identified
        assert session.connection is not None
        assert session.connection.path == "/resume-gateway"


async def test_two_clients_on_two_shards(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guilds = [await fake.add_guild(f"shard {i}", shard=i, shard_count=2) for i in range(2)]
    users = [await fake.add_user(g, f"user{i}") for i, g in enumerate(guilds)]
    bots = [TinyBot(shard_id=i, shard_count=2) for i in range(2)]
    async with fake.run_bot(bots[0]), fake.run_bot(bots[1]):
        for i, bot in enumerate(bots):
            assert [g.id for g in bot.guilds] == [guilds[i].id]
        assert sorted(s.shard for s in fake.sessions() if s.shard) == [(0, 2), (1, 2)]
        for i in (1, 0):
            mark = fake.mark()
            channel = guilds[i].channel_id("general")
            await fake.send_message(channel, users[i], f"{fake.bot_mention} shard {i}")
            assert (await fake.wait_for_bot_message(channel, since=mark))["content"] == (
                f"pong: shard {i}"
            )
        for i, bot in enumerate(bots):
            assert {m.guild.id for m in bot.seen if m.guild} == {guilds[i].id}


class ShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py would sleep 5 s before each non-first IDENTIFY


async def test_autosharded_bot_uses_gateway_bot_and_chunks_members(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    fake.rest.recommended_shards = 2
    guilds = [await fake.add_guild(f"g{i}", shard=i, shard_count=2) for i in range(2)]
    await fake.add_user(guilds[1], "carol")
    intents = discord.Intents.default()
    intents.members = True
    bot = ShardedBot(command_prefix="!", intents=intents, guild_ready_timeout=0.1)
    async with fake.run_bot(bot):
        assert bot.shard_count == 2
        assert fake.requests_to("GET", "/gateway/bot", status=200)
        guild = bot.get_guild(guilds[1].id)
        assert guild is not None and guild.chunked and guild.shard_id == 1
        assert sorted(m.name for m in guild.members) == ["Dateline", "carol", "owner"]
        assert [f.data["guild_id"] for f in fake.frames if f.op == 8] != []


async def test_defer_edit_original_and_followup_with_file(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    async with fake.run_bot(TinyBot()):
        ix = await fake.slash_command(fake_guild.channel_id("general"), alice, "report")
        assert (await ix.callback()).json == {"type": 5}
        edit = await ix.edit_original()
        assert edit.json["content"] == "edited"
        assert edit.json["embeds"][0]["description"] == "all quiet"
        followup = await ix.followup()
        original = ix.original_message()
        assert original is not None and original["content"] == "edited"
        assert followup.json["content"] == "attached"
        assert followup.files[0].filename == "report.txt"
        assert followup.files[0].data == f"id={original['id']}".encode()
        assert followup.response["id"] != original["id"]  # a new message, not the deferred one
        assert followup.response["attachments"][0]["url"].startswith(fake.origin)
        assert [r.method for r in ix.requests()] == ["POST", "PATCH", "GET", "POST"]


async def test_direct_messages_and_dm_slash_commands(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    dm = fake.dm_channel(alice)
    async with fake.run_bot(TinyBot()) as bot:
        mark = fake.mark()
        await fake.send_message(dm, alice, f"{fake.bot_mention} in private")
        assert (await fake.wait_for_bot_message(dm, since=mark))["content"] == "pong: in private"
        assert isinstance(bot.seen[-1].channel, discord.DMChannel)
        ix = await fake.slash_command(dm, alice, "ask", {"question": "dm?"})
        assert ix.payload["context"] == 1 and "member" not in ix.payload
        assert (await ix.answer())["content"] == "answer: dm?"


async def test_invalid_session_makes_the_client_identify_again(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    general = fake_guild.channel_id("general")
    async with fake.run_bot(TinyBot()):
        (first,) = fake.sessions()
        frames = fake.frame_mark()
        assert await fake.invalidate_session() == 1
        await fake.wait_for_frame(2, since=frames)
        await wait_until(lambda: len(fake.sessions()) == 1 and fake.sessions()[0] is not first)
        assert first.ended
        mark = fake.mark()
        await fake.send_message(general, alice, f"{fake.bot_mention} fresh session")
        assert (await fake.wait_for_bot_message(general, since=mark))["content"] == (
            "pong: fresh session"
        )


async def test_close_with_code_resumes(fake_discord: FakeDiscord, fake_guild: FakeGuild) -> None:
    fake = fake_discord
    async with fake.run_bot(TinyBot()):
        (session,) = fake.sessions()
        seen_seq, frames = session.seq, fake.frame_mark()
        assert await fake.gateway_drop(code=4000) == 1
        resume = await fake.wait_for_frame(6, since=frames)
        assert resume.data["seq"] == seen_seq
        await wait_until(lambda: session.resumes == 1)


async def test_late_interaction_answer_is_rejected(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    (alice,) = names(fake, "alice")
    fake.rest.interaction_timeout = 0.0  # every acknowledgement is "too late"
    async with fake.run_bot(TinyBot()) as bot:
        ix = await fake.slash_command(
            fake_guild.channel_id("general"), alice, "ask", {"question": "late"}
        )
        callback = await ix.callback()
        assert callback.status == 404 and callback.response["code"] == 10062
        assert not ix.record.responded
        await wait_until(lambda: bool(bot.errors))
        cause = bot.errors[0].__cause__
        assert isinstance(cause, discord.NotFound) and cause.code == 10062


async def test_guild_joined_later_and_guild_command_sync(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with fake.run_bot(TinyBot()) as bot:
        later = await fake.add_guild("Later")
        await wait_until(lambda: bot.get_guild(later.id) is not None)
        dave = await fake.add_user(later, "dave")
        target = discord.Object(later.id)
        bot.tree.copy_global_to(guild=target)
        synced = await bot.tree.sync(guild=target)
        fetched = await bot.tree.fetch_commands(guild=target)
        assert sorted(c.name for c in fetched) == sorted(c.name for c in synced)
        assert fake.requests_to("PUT", f"/applications/*/guilds/{later.id}/commands", status=200)
        ix = await fake.slash_command(later.channel_id("general"), dave, "ask", {"question": "g?"})
        assert ix.payload["data"]["guild_id"] == str(later.id)  # the guild copy was invoked
        assert (await ix.answer())["content"] == "answer: g?"


async def test_select_menu_and_user_context_menu(
    fake_discord: FakeDiscord, fake_guild: FakeGuild
) -> None:
    fake = fake_discord
    alice, root = names(fake, "alice", "root")
    general = fake_guild.channel_id("general")
    async with fake.run_bot(TinyBot()):
        ix = await fake.slash_command(general, alice, "menu")
        await ix.callback()
        message = ix.original_message()
        assert message is not None
        chosen = await fake.select_menu(message, "fruit", ["cherry"], alice)
        assert (await chosen.answer())["content"] == "you chose cherry"
        with pytest.raises(ValueError, match="no component"):
            await fake.click_button(message, "nope", alice)
        greeted = await fake.context_menu(general, alice, "Greet", root)
        assert greeted.payload["data"]["type"] == 2
        assert (await greeted.answer())["content"] == "hi root"


async def test_team_owned_application(fake_discord: FakeDiscord, fake_guild: FakeGuild) -> None:
    fake = fake_discord
    alice, root = names(fake, "alice", "root")
    fake.set_team([root])
    async with fake.run_bot(TinyBot()) as bot:
        assert await bot.is_owner(await bot.fetch_user(int(root["id"])))
        assert not await bot.is_owner(await bot.fetch_user(int(alice["id"])))


async def test_privileged_intents_refused(fake_discord: FakeDiscord, fake_guild: FakeGuild) -> None:
    fake = fake_discord
    fake.gateway.allowed_intents = 0  # nothing privileged enabled in the "developer portal"
    with pytest.raises(RuntimeError) as info:
        async with fake.run_bot(TinyBot(intents=discord.Intents.all())):
            pass
    assert isinstance(info.value.__cause__, discord.PrivilegedIntentsRequired)


def test_patched_discord_restores_urls() -> None:
    route, socket = discord.http.Route, discord.gateway.DiscordWebSocket
    base, gateway = route.BASE, socket.DEFAULT_GATEWAY
    with patched_discord("http://127.0.0.1:9"):
        assert route.BASE == "http://127.0.0.1:9/api/v10"
        assert str(socket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/gateway"
    assert base == route.BASE
    assert gateway == socket.DEFAULT_GATEWAY


async def wait_until(condition: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)
