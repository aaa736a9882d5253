"""A fake Discord (gateway websocket + REST API) on 127.0.0.1 for end-to-end tests.

The real, unmodified discord.py 2.7 client connects to it. The fake records what the bot sends,
so tests check what users would see. It also injects faults: 429/403/5xx answers, gateway
RECONNECT and dropped sockets.

Fixtures in ``tests/e2e/conftest.py``: ``fake_discord`` (running and patched, as in the first two
lines below) and ``fake_guild`` ("Newsroom": channels "general" and "news", role "Admin" with
administrator, members "alice" and "root" (Admin); get users with ``fake.user_named("alice")``).

Quick start::

    async with FakeDiscord() as fake:
        with fake.patch_discord():                    # discord.py now talks to the fake
            guild = await fake.add_guild("Newsroom", channels=("general",))
            alice = await fake.add_user(guild, "alice")
            general = guild.channel_id("general")
            bot = MyBot(intents=..., guild_ready_timeout=0.1)   # 0.1: skip a 2 s wait
            async with fake.run_bot(bot):             # start(), wait ready, close() after
                mark = fake.mark()
                await fake.send_message(general, alice, f"{fake.bot_mention} hello")
                reply = await fake.wait_for_bot_message(general, since=mark)
                assert reply["content"] == "..."

Set-up and data (ids are ints; payloads are Discord JSON dicts with string ids)
    ``FakeDiscord(token=..., bot_name=..., owner_name=...)``; ``await start()/stop()`` or
    ``async with``. ``origin``, ``api_base``, ``gateway_url``, ``token``, ``bot_user``,
    ``bot_id``, ``application_id``, ``owner`` (the app owner user), ``bot_mention``
    (``"<@bot_id>"``), ``world`` (all state: ``world.messages``, ``world.commands``, ...).

    ``patch_discord()``: context manager that points ``Route.BASE``,
    ``DiscordWebSocket.DEFAULT_GATEWAY`` and ``Asset.BASE`` at the fake and restores them after.
    Interaction callbacks and followups go through ``Route`` too, so they reach the fake.
    ``patched_discord(origin)`` (module level) does the same from an origin string, e.g. in
    a bot subprocess.

    ``run_bot(client, timeout=5)``: async context manager. It starts the client, waits until
    ``is_ready()`` (a login/connect error is raised), and closes it cleanly on exit.
    Test bots should pass ``guild_ready_timeout=0.1``. An ``AutoShardedBot`` should also
    override ``before_identify_hook`` to do nothing: discord.py sleeps 5 s before every
    non-first IDENTIFY.

    ``make_user(name, bot=False)``; ``await add_guild(name, channels=("general",), owner=None,
    shard=None, shard_count=1, bot_permissions=..., everyone_permissions=...)``
    returns a `FakeGuild` (``.id``, ``.channel_id(name)``, ``.role_id(name)``, ``.members``,
    ``.channels``). ``shard``/``shard_count`` pick an id whose events go to that shard. The
    owner (default: the app owner) and the bot are members. The bot has a managed role with
    ``bot_permissions``. ``await add_user(guild, name, roles=())`` makes a user and a member
    in one step. Also ``await add_member(guild, user, roles=())``, ``await add_role(guild,
    name, permissions)``, ``await add_channel(guild, name, channel_type=0)``,
    ``await set_overwrite(channel_id, target_id, allow=0, deny=0)`` and ``dm_channel(user)``.
    Each dispatches the matching GUILD_CREATE / GUILD_MEMBER_ADD / GUILD_ROLE_CREATE /
    CHANNEL_CREATE / CHANNEL_UPDATE to connected sessions. ``user_named(name)`` looks a user
    up. ``set_team(members)`` makes the application team-owned. Permission bits are in
    ``fake_state`` (``SEND_MESSAGES``, ``ADMINISTRATOR``, ...).

What users do (each dispatches over the gateway and returns at once)
    ``await send_message(channel_id, author, content, mentions=None, attachments=(),
    reply_to=None, embeds=())`` returns the MESSAGE_CREATE payload. ``mentions`` defaults to
    the ``<@id>`` found in ``content``, so ``f"{fake.bot_mention} hi"`` makes
    ``bot.user.mentioned_in(message)`` true. Without the MESSAGE_CONTENT intent the bot gets
    empty content unless it is mentioned, as on Discord. The slash-command helpers below
    return a `FakeInteraction`:

    * ``await slash_command(channel_id, user, "knowledge add", {"file": FakeFile(...)},
      locale="en-US")``: type 2. The words after the command name are the sub-command
      (group) path. Options are checked and typed against the *synced* schema. A `FakeFile`
      becomes ``resolved.attachments`` with a ``url`` this fake serves, so
      ``Attachment.read()`` works. Users/roles/channels can be given as ids or payloads.
    * ``await autocomplete(channel_id, user, "pick", {"topic": "ap"}, focused="topic")``:
      type 4.
    * ``await click_button(message, custom_id, user)`` and ``await select_menu(message,
      custom_id, values, user)``: type 3. ``message`` is a payload or an id, and the
      custom_id must be on it.
    * ``await modal_submit(previous_interaction, {"input_id": "text"})``: type 5, answering
      the modal the bot sent.
    * ``await context_menu(channel_id, user, "Name", target)``: user/message command.

    `FakeInteraction`: ``id``, ``token``, ``payload``, ``record`` (server side:
    ``responded``, ``response_type``, ``original_message_id``, ``modal``). To wait for the
    bot's answer: ``await callback()`` and ``await followup(n=0)`` return the
    `RecordedRequest`. So do ``await edit_original()`` and ``await wait(pred)``. Also:
    ``await answer()`` (the first message body shown to the user, however it was sent),
    ``await choices()``, ``original_message()`` and ``requests()``. Callbacks answer the
    ``with_response`` JSON (``{"interaction": ..., "resource": ...}``). After a deferred
    reply, the first followup edits the "thinking" message, as on Discord. An interaction
    not acknowledged within ``rest.interaction_timeout`` (3 s) gets 404 code 10062. A second
    acknowledgement gets 400 code 40060. A followup before any acknowledgement gets 404.

Recording and waiting
    ``requests`` (a `Journal` of `RecordedRequest`: ``method``, ``path`` below ``/api/v10``,
    ``query``, ``json`` (``payload_json`` of multipart bodies), ``files``, ``headers``,
    ``status``, ``response``, ``time``). ``mark()`` gives the current journal length, to pass
    as ``since=``. ``requests_to(method, path, since=0, status=None)`` and
    ``await wait_for_request(predicate=None, method=None, path=None, since=0, timeout=5)``
    look requests up. In path patterns ``*`` (or ``{name}``) matches one segment and ``**``
    anything; an ``re.Pattern`` is also accepted.
    ``await wait_for_bot_message(channel_id=None, since=0, timeout=5)`` returns the created
    message of a successful ``POST /channels/{id}/messages``. ``unhandled`` lists requests no
    route knew (404). Gateway frames the client sent are in ``frames``, with
    ``frame_mark()`` and ``await wait_for_frame(op, shard_id=None, since=0)``; op 2 is
    IDENTIFY and op 6 is RESUME. ``sessions()`` lists the live gateway sessions (shard,
    intents, seq, resumes).

Faults
    ``fail_next(method, path, status, times=1, retry_after=0.05, is_global=False,
    body=None)`` and ``delay_next(method, path, seconds, times=1)``. A 429 carries
    ``retry_after``, ``Retry-After``, ``X-RateLimit-*`` and ``Via`` (without ``Via``
    discord.py takes it for a Cloudflare ban); discord.py sleeps and retries it. For
    500/502/504 discord.py sleeps 1 s + 2 s per try and retries; for other 5xx and 4xx it
    raises. ``await gateway_reconnect(shard_id=None)`` sends op 7.
    ``await gateway_drop(shard_id=None, code=None)`` aborts the TCP connection (or closes
    it with ``code``). ``await invalidate_session(shard_id=None, resumable=False)`` sends
    op 9. Sessions outlive sockets: a RESUME replays every event the client missed, even
    ones dispatched while it was disconnected.

Behaviour switches
    ``rest.strict`` (on) rejects what Discord rejects, with 400 code 50035 or 50006: more
    than 2000 characters, empty messages, embed limits, component limits, bad command
    schemas, more than 25 choices and bad modals. Missing channel permissions give 403
    (50001/50013). ``rest.echo_bot_messages`` (on) sends MESSAGE_CREATE/UPDATE/DELETE for
    the bot's own non-ephemeral messages. ``rest.recommended_shards`` is what
    ``/gateway/bot`` says. ``gateway.allowed_intents`` closes with 4014 on privileged
    intents it lacks. ``gateway.heartbeat_interval_ms`` can also be set.

Modules: ``fake_state`` (ids, payload builders, permission bits), ``fake_gateway``,
``fake_rest`` (plumbing, recording, faults), ``fake_routes`` / ``fake_interaction_routes``
(handlers), ``fake_bot_messages``, ``fake_validation`` (Discord's limits),
``fake_interactions`` (INTERACTION_CREATE builders, `FakeInteraction`), ``fake_journal``.

``dispatch(event, data, guild_id=None, shard_id=None)`` sends any raw event. Events go to the
sessions whose shard owns ``guild_id``. With no guild they go to ``shard_id``, or to every
session if neither is given. It returns how many sessions got it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import web
from discord.asset import Asset
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .bot_messages import BotMessages
from .gateway import (
    OP_INVALID_SESSION,
    OP_RECONNECT,
    FakeGateway,
    GatewayFrame,
    GatewaySession,
)
from .interaction_routes import InteractionRoutes
from .interactions import (
    CommandDataBuilder,
    FakeInteraction,
    interaction_payload,
    modal_submit_components,
    stored_attachment,
)
from .journal import Journal
from .rest import FakeRest, Fault, RecordedRequest, compile_path, serve_cdn, serve_file
from .routes import RestRoutes
from .state import (
    ADMINISTRATOR,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    JSON,
    ROLE_MENTION_RE,
    FakeFile,
    FakeGuild,
    InteractionRecord,
    Snowflakes,
    World,
    dm_channel_payload,
    member_record,
    message_payload,
    role_payload,
    text_channel_payload,
    user_payload,
    walk_components,
)

__all__ = [
    "ADMINISTRATOR",
    "FakeDiscord",
    "FakeFile",
    "FakeGuild",
    "FakeInteraction",
    "Fault",
    "GatewayFrame",
    "RecordedRequest",
    "patched_discord",
]

log = logging.getLogger(__name__)
ClientT = TypeVar("ClientT", bound=discord.Client)
UserRef = Mapping[str, Any] | int


@contextmanager
def patched_discord(origin: str) -> Iterator[None]:
    """Point discord.py at a fake Discord at `origin` (``http://127.0.0.1:PORT``).

    Stand-alone so that a bot started in a subprocess can apply it too (pass `origin` down,
    e.g. in an environment variable).
    """
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, Asset.BASE)
    Route.BASE = f"{origin}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(origin.replace("http://", "ws://") + "/gateway")
    Asset.BASE = f"{origin}/cdn"
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, Asset.BASE = saved


class FakeDiscord:
    """One fake Discord: server lifecycle, world building, user actions, faults, waiting."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "Dateline",
        owner_name: str = "owner",
    ) -> None:
        self.token = token
        ids = Snowflakes()
        app_id = ids.next()
        bot_user = user_payload(app_id, bot_name, bot=True)
        owner = user_payload(ids.next(), owner_name)
        self.world = World(ids=ids, bot_user=bot_user, application_id=app_id, owner=owner)
        self.world.users[app_id] = bot_user
        self.world.users[int(owner["id"])] = owner
        self.port = 0
        self.gateway = FakeGateway(
            self.world, token, lambda: f"ws://127.0.0.1:{self.port}/resume-gateway"
        )
        self.rest = FakeRest(self.world, self.gateway, token, lambda: self.origin)
        self.bot_messages = BotMessages(self.rest)
        RestRoutes(self.rest, self.bot_messages).install()
        InteractionRoutes(self.rest, self.bot_messages).install()
        self._runner: web.AppRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/resume-gateway", self.gateway.handle)
        app.router.add_get(
            "/attachments/{file_id}/{filename}", functools.partial(serve_file, self.world)
        )
        app.router.add_get("/cdn/{tail:.*}", serve_cdn)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.origin}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def patch_discord(self) -> AbstractContextManager[None]:
        """Point discord.py's REST base, gateway and CDN at this fake; restore afterwards."""
        return patched_discord(self.origin)

    @asynccontextmanager
    async def run_bot(
        self, client: ClientT, *, token: str | None = None, timeout: float = 5.0
    ) -> AsyncIterator[ClientT]:
        """Start `client`, wait until it is ready, and close it cleanly afterwards."""
        task = asyncio.create_task(client.start(token or self.token), name="fake-discord-bot")
        try:
            await self._wait_ready(client, task, timeout)
            yield client
        finally:
            if not client.is_closed():
                await asyncio.wait_for(client.close(), timeout)
            try:
                await asyncio.wait_for(task, timeout)
            except Exception as exc:  # already raised by _wait_ready, or a crash in close()
                log.debug("bot task ended with %r", exc)

    async def _wait_ready(
        self, client: discord.Client, task: asyncio.Task[None], timeout: float
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not client.is_ready():
            if task.done():
                exc = None if task.cancelled() else task.exception()
                raise RuntimeError("bot stopped before it was ready") from exc
            if loop.time() > deadline:
                seen = [f"{r.method} {r.path} -> {r.status}" for r in self.requests]
                ops = [f.op for f in self.frames]
                raise TimeoutError(
                    f"bot not ready within {timeout}s; requests={seen}, "
                    f"gateway ops from client={ops}"
                )
            await asyncio.sleep(0.01)

    # -- identity -----------------------------------------------------------------------------

    @property
    def bot_user(self) -> JSON:
        return self.world.bot_user

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def owner(self) -> JSON:
        return self.world.owner

    @property
    def bot_mention(self) -> str:
        return f"<@{self.bot_id}>"

    def set_team(self, members: Sequence[UserRef], *, name: str = "Newsroom team") -> JSON:
        """Make the application team-owned (``is_owner`` then checks team admins/developers)."""
        team_id = self.world.ids.next()
        users = [self.world.user_from(m) for m in members]
        team: JSON = {
            "id": str(team_id),
            "name": name,
            "icon": None,
            "owner_user_id": users[0]["id"],
            "members": [
                {
                    "membership_state": 2,
                    "permissions": ["*"],
                    "team_id": str(team_id),
                    "user": u,
                    "role": "admin",
                }
                for u in users
            ],
        }
        self.rest.team = team
        self.world.owner = user_payload(team_id, f"team{team_id}")
        return team

    # -- world building -----------------------------------------------------------------------

    def make_user(self, name: str, *, bot: bool = False) -> JSON:
        user = user_payload(self.world.ids.next(), name, bot=bot)
        self.world.users[int(user["id"])] = user
        return user

    def user_named(self, name: str) -> JSON:
        for user in self.world.users.values():
            if user["username"] == name:
                return user
        raise KeyError(f"no user named {name!r}")

    async def add_guild(
        self,
        name: str = "Test Guild",
        *,
        channels: Iterable[str] = ("general",),
        owner: UserRef | None = None,
        shard: int | None = None,
        shard_count: int = 1,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
    ) -> FakeGuild:
        owner_user = self.world.user_from(owner) if owner is not None else self.world.owner
        gid = (
            self.world.ids.next(shard, shard_count) if shard is not None else self.world.ids.next()
        )
        guild = FakeGuild(id=gid, name=name, owner_id=int(owner_user["id"]))
        guild.roles[gid] = role_payload(gid, "@everyone", everyone_permissions)
        bot_role = self.world.ids.next()
        guild.roles[bot_role] = role_payload(
            bot_role,
            self.bot_user["username"],
            bot_permissions,
            position=1,
            managed=True,
            tags={"bot_id": str(self.bot_id)},
        )
        for position, channel_name in enumerate(channels):
            cid = self.world.ids.next()
            guild.channels[cid] = text_channel_payload(cid, gid, channel_name, position=position)
        if int(owner_user["id"]) in self.world.users:
            guild.members[int(owner_user["id"])] = member_record(owner_user, [])
        guild.members[self.bot_id] = member_record(self.bot_user, [bot_role])
        self.world.guilds[gid] = guild
        for session in self.gateway.sessions_for(guild_id=gid):
            await self.gateway.deliver(
                session, "GUILD_CREATE", self.gateway.guild_create_for(session, gid)
            )
        return guild

    async def add_role(self, guild: FakeGuild, name: str, permissions: int = 0) -> int:
        rid = self.world.ids.next()
        guild.roles[rid] = role_payload(rid, name, permissions, position=len(guild.roles))
        await self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": guild.roles[rid]},
            guild_id=guild.id,
        )
        return rid

    def _role_ids(self, guild: FakeGuild, roles: Iterable[int | str]) -> list[int]:
        return [guild.role_id(r) if isinstance(r, str) else int(r) for r in roles]

    async def add_member(
        self, guild: FakeGuild, user: UserRef, roles: Iterable[int | str] = ()
    ) -> JSON:
        user_data = self.world.user_from(user)
        member = member_record(user_data, self._role_ids(guild, roles))
        guild.members[int(user_data["id"])] = member
        await self.gateway.dispatch(
            "GUILD_MEMBER_ADD", {**member, "guild_id": str(guild.id)}, guild_id=guild.id
        )
        return member

    async def add_user(self, guild: FakeGuild, name: str, roles: Iterable[int | str] = ()) -> JSON:
        """A new user who is a member of `guild` (with roles given by id or name)."""
        user = self.make_user(name)
        await self.add_member(guild, user, roles)
        return user

    async def add_channel(self, guild: FakeGuild, name: str, *, channel_type: int = 0) -> int:
        cid = self.world.ids.next()
        guild.channels[cid] = text_channel_payload(
            cid, guild.id, name, position=len(guild.channels), channel_type=channel_type
        )
        await self.gateway.dispatch("CHANNEL_CREATE", guild.channels[cid], guild_id=guild.id)
        return cid

    async def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a permission overwrite (role if `target_id` is a role, else member)."""
        guild = self.world.guild_of_channel(channel_id)
        if guild is None or channel_id not in guild.channels:
            raise KeyError(f"unknown guild channel {channel_id}")
        channel = guild.channels[channel_id]
        kind = 0 if target_id in guild.roles else 1
        others = [o for o in channel["permission_overwrites"] if int(o["id"]) != target_id]
        others.append({"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)})
        channel["permission_overwrites"] = others
        await self.gateway.dispatch("CHANNEL_UPDATE", channel, guild_id=guild.id)

    def dm_channel(self, user: UserRef) -> int:
        """The DM channel between `user` and the bot (created on first use)."""
        user_data = self.world.user_from(user)
        for cid, channel in self.world.dm_channels.items():
            if channel["recipients"][0]["id"] == user_data["id"]:
                return cid
        cid = self.world.ids.next()
        self.world.dm_channels[cid] = dm_channel_payload(cid, user_data)
        return cid

    # -- what users do ------------------------------------------------------------------------

    async def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None = None, shard_id: int | None = None
    ) -> int:
        return await self.gateway.dispatch(event, data, guild_id=guild_id, shard_id=shard_id)

    async def send_message(
        self,
        channel_id: int,
        author: UserRef,
        content: str = "",
        *,
        mentions: Sequence[UserRef] | None = None,
        attachments: Sequence[FakeFile] = (),
        reply_to: int | None = None,
        embeds: Sequence[JSON] = (),
    ) -> JSON:
        """A user posts a message; returns the MESSAGE_CREATE payload (also stored)."""
        channel = self.world.channel(channel_id)
        if channel is None:
            raise KeyError(f"unknown channel {channel_id}")
        guild = self.world.guild_of_channel(channel_id)
        user = self.world.user_from(author)
        uid = int(user["id"])
        if guild is not None and uid not in guild.members:
            raise ValueError(f"{user['username']!r} is not a member of {guild.name!r}")
        if mentions is None:
            mention_list = self.world.resolve_mentions(content, guild)
        else:
            mention_list = []
            for ref in mentions:
                entry = dict(self.world.user_from(ref))
                if guild is not None and int(entry["id"]) in guild.members:
                    entry["member"] = guild.member_payload(int(entry["id"]), with_user=False)
                mention_list.append(entry)
        referenced = self.world.messages.get(reply_to) if reply_to is not None else None
        if reply_to is not None and referenced is None:
            raise KeyError(f"unknown message {reply_to}")
        message = message_payload(
            self.world.ids.next(),
            channel_id,
            user,
            content,
            guild_id=guild.id if guild else None,
            member=guild.member_payload(uid, with_user=False) if guild else None,
            mentions=mention_list,
            mention_roles=[int(r) for r in ROLE_MENTION_RE.findall(content)],
            mention_everyone="@everyone" in content,
            attachments=[stored_attachment(self.rest, f) for f in attachments],
            embeds=embeds,
            referenced=referenced,
        )
        for att in message["attachments"]:
            att.pop("ephemeral", None)
        self.world.store_message(message)
        await self.gateway.dispatch(
            "MESSAGE_CREATE", message, guild_id=guild.id if guild else None, dm=guild is None
        )
        return message

    async def _interact(
        self,
        interaction_type: int,
        data: JSON | None,
        channel_id: int,
        user: UserRef,
        *,
        message: JSON | None = None,
        command_name: str | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        user_data = self.world.user_from(user)
        iid = self.world.ids.next()
        token = f"fake-interaction-token-{iid}"
        payload = interaction_payload(
            self.world,
            interaction_id=iid,
            token=token,
            interaction_type=interaction_type,
            data=data,
            channel_id=channel_id,
            user=user_data,
            message=message,
            locale=locale,
        )
        guild = self.world.guild_of_channel(channel_id)
        self.world.interactions[token] = InteractionRecord(
            id=iid,
            token=token,
            type=interaction_type,
            guild_id=guild.id if guild else None,
            channel_id=channel_id,
            user=user_data,
            created=asyncio.get_running_loop().time(),
            payload=payload,
            command_name=command_name,
            message_id=int(message["id"]) if message is not None else None,
        )
        handle = FakeInteraction(iid, token, interaction_type, payload, self.mark(), self.rest)
        count = await self.gateway.dispatch(
            "INTERACTION_CREATE", payload, guild_id=guild.id if guild else None, dm=guild is None
        )
        if count == 0:
            raise RuntimeError(
                "no gateway session receives this interaction (bot not connected,"
                " or no shard owns the guild)"
            )
        return handle

    def _command_data(
        self,
        channel_id: int,
        user: UserRef,
        command: str,
        options: Mapping[str, Any] | None,
        focused: str | None = None,
    ) -> JSON:
        guild = self.world.guild_of_channel(channel_id)
        name, *path = command.split()
        cmd = self.world.find_command(name, guild.id if guild else None)
        if cmd is None:
            synced = sorted({c["name"] for c in self.world.commands.values()})
            raise LookupError(f"command {name!r} was not synced by the bot (synced: {synced})")
        builder = CommandDataBuilder(
            self.world,
            guild,
            channel_id,
            int(self.world.user_from(user)["id"]),
            lambda f: stored_attachment(self.rest, f),
        )
        return builder.build(cmd, path, options or {}, focused)

    async def slash_command(
        self,
        channel_id: int,
        user: UserRef,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Invoke ``/command [group] [sub] options...`` as `user` in `channel_id`."""
        data = self._command_data(channel_id, user, command, options)
        return await self._interact(2, data, channel_id, user, command_name=command, locale=locale)

    async def autocomplete(
        self,
        channel_id: int,
        user: UserRef,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """The user is typing into option `focused`; await ``.choices()`` on the result."""
        data = self._command_data(channel_id, user, command, options, focused)
        return await self._interact(4, data, channel_id, user, command_name=command, locale=locale)

    async def context_menu(
        self, channel_id: int, user: UserRef, name: str, target: UserRef | JSON
    ) -> FakeInteraction:
        """A user (target = user) or message (target = message payload) context-menu command."""
        guild = self.world.guild_of_channel(channel_id)
        is_message = isinstance(target, Mapping) and "channel_id" in target
        ctype = 3 if is_message else 2
        cmd = self.world.find_command(name, guild.id if guild else None, ctype)
        if cmd is None:
            raise LookupError(f"context menu {name!r} (type {ctype}) was not synced")
        data: JSON = {"id": cmd["id"], "name": name, "type": ctype}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if is_message:
            assert isinstance(target, Mapping)
            data["target_id"] = target["id"]
            data["resolved"] = {"messages": {target["id"]: dict(target)}}
        else:
            user_data = self.world.user_from(target)
            data["target_id"] = user_data["id"]
            resolved: JSON = {"users": {user_data["id"]: user_data}}
            if guild is not None and int(user_data["id"]) in guild.members:
                resolved["members"] = {
                    user_data["id"]: guild.member_payload(
                        int(user_data["id"]), with_user=False, permissions_in=channel_id
                    )
                }
            data["resolved"] = resolved
        return await self._interact(2, data, channel_id, user, command_name=name)

    def _component_message(self, message: JSON | int, custom_id: str) -> tuple[JSON, JSON]:
        mid = message if isinstance(message, int) else int(message["id"])
        stored = self.world.messages.get(mid)
        if stored is None:
            raise KeyError(f"unknown message {mid}")
        components = list(walk_components(stored.get("components", [])))
        found = next((c for c in components if c.get("custom_id") == custom_id), None)
        if found is None:
            ids = [c["custom_id"] for c in components if "custom_id" in c]
            raise ValueError(f"message {mid} has no component {custom_id!r} (has {ids})")
        if found.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        return stored, found

    async def click_button(
        self, message: JSON | int, custom_id: str, user: UserRef
    ) -> FakeInteraction:
        stored, comp = self._component_message(message, custom_id)
        if comp.get("type") != 2:
            raise ValueError(f"component {custom_id!r} is not a button")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, data, int(stored["channel_id"]), user, message=stored)

    async def select_menu(
        self, message: JSON | int, custom_id: str, values: Sequence[str], user: UserRef
    ) -> FakeInteraction:
        stored, comp = self._component_message(message, custom_id)
        data = {
            "custom_id": custom_id,
            "component_type": comp["type"],
            "values": [str(v) for v in values],
        }
        return await self._interact(3, data, int(stored["channel_id"]), user, message=stored)

    async def modal_submit(
        self, after: FakeInteraction, values: Mapping[str, Any], user: UserRef | None = None
    ) -> FakeInteraction:
        """Submit the modal the bot answered `after` with."""
        rec = after.record
        if rec.modal is None:
            raise ValueError(f"interaction {after.id} was not answered with a modal")
        data = {
            "custom_id": rec.modal["custom_id"],
            "components": modal_submit_components(rec.modal, values),
        }
        message = self.world.messages.get(rec.message_id) if rec.message_id else None
        return await self._interact(5, data, rec.channel_id, user or rec.user, message=message)

    # -- faults -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        path: str | Any,
        status: int,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        body: JSON | None = None,
    ) -> Fault:
        return self.rest.add_fault(
            Fault(
                method,
                compile_path(path),
                status,
                times,
                retry_after=retry_after,
                is_global=is_global,
                body=body,
            )
        )

    def delay_next(
        self, method: str | None, path: str | Any, seconds: float, *, times: int = 1
    ) -> Fault:
        return self.rest.add_fault(Fault(method, compile_path(path), None, times, delay=seconds))

    async def gateway_reconnect(self, *, shard_id: int | None = None) -> int:
        return await self.gateway.send_op(OP_RECONNECT, None, shard_id=shard_id)

    async def gateway_drop(self, *, shard_id: int | None = None, code: int | None = None) -> int:
        return await self.gateway.drop(shard_id=shard_id, code=code)

    async def invalidate_session(
        self, *, shard_id: int | None = None, resumable: bool = False
    ) -> int:
        return await self.gateway.send_op(OP_INVALID_SESSION, resumable, shard_id=shard_id)

    # -- recording & waiting ------------------------------------------------------------------

    @property
    def requests(self) -> Journal[RecordedRequest]:
        return self.rest.requests

    @property
    def unhandled(self) -> list[RecordedRequest]:
        return self.rest.unhandled

    @property
    def frames(self) -> Journal[GatewayFrame]:
        return self.gateway.frames

    def sessions(self) -> list[GatewaySession]:
        return self.gateway.live_sessions()

    def mark(self) -> int:
        return len(self.rest.requests)

    def frame_mark(self) -> int:
        return len(self.gateway.frames)

    def requests_to(
        self,
        method: str | None = None,
        path: str | Any = None,
        *,
        since: int = 0,
        status: int | None = None,
    ) -> list[RecordedRequest]:
        return self.rest.requests.find(
            lambda r: r.matches(method, path) and (status is None or r.status == status), since
        )

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        method: str | None = None,
        path: str | Any = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        def match(r: RecordedRequest) -> bool:
            return r.matches(method, path) and (predicate is None or predicate(r))

        return await self.rest.requests.wait(
            match, since=since, timeout=timeout, what=f"request {method or '*'} {path or '**'}"
        )

    async def wait_for_bot_message(
        self, channel_id: int | None = None, *, since: int = 0, timeout: float = 5.0
    ) -> JSON:
        """The message the bot created with ``POST /channels/{id}/messages`` (2xx only)."""
        path = f"/channels/{channel_id if channel_id is not None else '*'}/messages"
        r = await self.wait_for_request(
            lambda r: 200 <= r.status < 300, method="POST", path=path, since=since, timeout=timeout
        )
        message: JSON = r.response
        return message

    async def wait_for_frame(
        self, op: int, *, shard_id: int | None = None, since: int = 0, timeout: float = 5.0
    ) -> GatewayFrame:
        def match(f: GatewayFrame) -> bool:
            if f.op != op:
                return False
            if shard_id is None:
                return True
            shard = f.shard
            if shard is None and op == 2 and isinstance(f.data, dict) and f.data.get("shard"):
                shard = (int(f.data["shard"][0]), int(f.data["shard"][1]))
            return (shard[0] if shard else 0) == shard_id

        return await self.gateway.frames.wait(
            match, since=since, timeout=timeout, what=f"gateway op {op}"
        )
