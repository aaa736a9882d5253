"""REST routes for identity, application commands, channels, messages, threads and guilds."""

from __future__ import annotations

from .bot_messages import BotMessages
from .rest import NO_CONTENT, FakeRest, Incoming, body_of, error, form_error
from .state import (
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    JSON,
    MANAGE_MESSAGES,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    THREAD_TYPES,
    VIEW_CHANNEL,
    FakeGuild,
    dm_channel_payload,
    thread_payload,
)
from .validation import Problem, command_problems


class RestRoutes:
    """Handlers for everything except interaction callbacks and webhooks."""

    def __init__(self, rest: FakeRest, messages: BotMessages) -> None:
        self.rest = rest
        self.messages = messages
        self.world = rest.world
        self.gateway = rest.gateway

    def install(self) -> None:
        r = self.rest.route
        r("GET", "/gateway", self.get_gateway, auth=False)
        r("GET", "/gateway/bot", self.get_gateway_bot)
        r("GET", "/users/@me", self.get_me)
        r("GET", "/users/{user_id}", self.get_user)
        r("POST", "/users/@me/channels", self.create_dm)
        r("GET", "/oauth2/applications/@me", self.get_application)
        r("GET", "/applications/@me", self.get_application)
        for scope in (
            "/applications/{app_id}/commands",
            "/applications/{app_id}/guilds/{guild_id}/commands",
        ):
            r("GET", scope, self.list_commands)
            r("PUT", scope, self.put_commands)
            r("POST", scope, self.upsert_command)
            r("GET", scope + "/{command_id}", self.get_command)
            r("PATCH", scope + "/{command_id}", self.patch_command)
            r("DELETE", scope + "/{command_id}", self.delete_command)
        r("GET", "/channels/{channel_id}", self.get_channel)
        r("GET", "/channels/{channel_id}/messages", self.list_messages)
        r("POST", "/channels/{channel_id}/messages", self.post_message)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.patch_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_channel_message)
        r("POST", "/channels/{channel_id}/typing", self.typing)
        r("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.react)
        r(
            "DELETE",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
            self.react,
        )
        r("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message)
        r("POST", "/channels/{channel_id}/threads", self.thread_without_message)
        r("PUT", "/channels/{channel_id}/thread-members/@me", self.join_thread)
        r("GET", "/guilds/{guild_id}", self.get_guild)
        r("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r("GET", "/guilds/{guild_id}/roles", self.get_guild_roles)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)

    async def get_gateway(self, req: Incoming) -> JSON:
        return {"url": self.rest.origin().replace("http://", "ws://") + "/gateway"}

    async def get_gateway_bot(self, req: Incoming) -> JSON:
        return {
            "url": self.rest.origin().replace("http://", "ws://") + "/gateway",
            "shards": self.rest.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def get_me(self, req: Incoming) -> JSON:
        return self.world.bot_user

    async def get_user(self, req: Incoming, user_id: str) -> JSON:
        user = self.world.users.get(int(user_id)) if user_id.isdigit() else None
        if user is None:
            raise error(404, 10013, "Unknown User")
        return user

    async def create_dm(self, req: Incoming) -> JSON:
        recipient = self.world.users.get(int(body_of(req).get("recipient_id", 0)))
        if recipient is None:
            raise error(404, 10013, "Unknown User")
        for channel in self.world.dm_channels.values():
            if channel["recipients"][0]["id"] == recipient["id"]:
                return channel
        channel = dm_channel_payload(self.world.ids.next(), recipient)
        self.world.dm_channels[int(channel["id"])] = channel
        return channel

    async def get_application(self, req: Incoming) -> JSON:
        app: JSON = {
            "id": str(self.world.application_id),
            "name": self.world.bot_user["username"],
            "description": "A fake application",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.world.owner,
            "team": self.rest.team,
            "bot": self.world.bot_user,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.world.guilds),
            "integration_types_config": {"0": {}},
        }
        return app

    def _scope(self, app_id: str, guild_id: str | None) -> int | None:
        if int(app_id) != self.world.application_id:
            raise error(403, 50001, "Missing Access")
        if guild_id is None:
            return None
        if int(guild_id) not in self.world.guilds:
            raise error(403, 50001, "Missing Access")
        return int(guild_id)

    def _register(self, scope: int | None, cmd: JSON) -> JSON:
        ctype = int(cmd.get("type", 1))
        old = self.world.find_command(cmd["name"], scope, ctype)
        if old is not None and (int(old["guild_id"]) if old.get("guild_id") else None) != scope:
            old = None
        cid = int(old["id"]) if old else self.world.ids.next()
        stored: JSON = {
            "default_member_permissions": None,
            "nsfw": False,
            "description": "",
            "options": [],
            **cmd,
            "id": str(cid),
            "application_id": str(self.world.application_id),
            "type": ctype,
            "version": str(self.world.ids.next()),
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        self.world.commands[(scope, cid)] = stored
        return stored

    async def list_commands(
        self, req: Incoming, app_id: str, guild_id: str | None = None
    ) -> list[JSON]:
        return self.world.commands_for(self._scope(app_id, guild_id))

    async def put_commands(
        self, req: Incoming, app_id: str, guild_id: str | None = None
    ) -> list[JSON]:
        scope = self._scope(app_id, guild_id)
        body = req.json if isinstance(req.json, list) else []
        if self.rest.strict and (problems := command_problems(body)):
            raise form_error(problems)
        keep = {(c["name"], int(c.get("type", 1))) for c in body}
        for key, cmd in list(self.world.commands.items()):
            if key[0] == scope and (cmd["name"], cmd["type"]) not in keep:
                del self.world.commands[key]
        return [self._register(scope, cmd) for cmd in body]

    async def upsert_command(self, req: Incoming, app_id: str, guild_id: str | None = None) -> JSON:
        scope = self._scope(app_id, guild_id)
        body = body_of(req)
        if self.rest.strict and (problems := command_problems([body])):
            raise form_error(problems)
        return self._register(scope, body)

    def _command(self, scope: int | None, command_id: str) -> JSON:
        cmd = self.world.commands.get((scope, int(command_id)))
        if cmd is None:
            raise error(404, 10063, "Unknown application command")
        return cmd

    async def get_command(
        self, req: Incoming, app_id: str, command_id: str, guild_id: str | None = None
    ) -> JSON:
        return self._command(self._scope(app_id, guild_id), command_id)

    async def patch_command(
        self, req: Incoming, app_id: str, command_id: str, guild_id: str | None = None
    ) -> JSON:
        cmd = self._command(self._scope(app_id, guild_id), command_id)
        cmd.update({k: v for k, v in body_of(req).items() if k not in ("id", "type")})
        return cmd

    async def delete_command(
        self, req: Incoming, app_id: str, command_id: str, guild_id: str | None = None
    ) -> object:
        scope = self._scope(app_id, guild_id)
        self._command(scope, command_id)
        del self.world.commands[(scope, int(command_id))]
        return NO_CONTENT

    async def get_channel(self, req: Incoming, channel_id: str) -> JSON:
        return self.rest.channel_or_404(channel_id)

    async def list_messages(self, req: Incoming, channel_id: str) -> list[JSON]:
        self.rest.channel_or_404(channel_id)
        self.rest.check_bot_perms(int(channel_id), VIEW_CHANNEL)
        ids = list(self.world.channel_messages.get(int(channel_id), []))
        limit = max(1, min(100, int(req.query.get("limit", 50))))
        if "before" in req.query:
            ids = [i for i in ids if i < int(req.query["before"])]
        if "after" in req.query:
            ids = [i for i in ids if i > int(req.query["after"])][:limit]
        newest_first = sorted(ids, reverse=True)[:limit]
        return [self.world.messages[i] for i in newest_first]

    async def post_message(self, req: Incoming, channel_id: str) -> JSON:
        channel = self.rest.channel_or_404(channel_id)
        cid = int(channel_id)
        in_thread = channel["type"] in THREAD_TYPES
        needed = SEND_MESSAGES_IN_THREADS if in_thread else SEND_MESSAGES
        if req.files:
            needed |= ATTACH_FILES
        self.rest.check_bot_perms(cid, needed)
        body = body_of(req)
        self.messages.validate(body, req.files)
        return await self.messages.create(cid, body, req.files)

    async def get_message(self, req: Incoming, channel_id: str, message_id: str) -> JSON:
        self.rest.channel_or_404(channel_id)
        return self.rest.message_or_404(channel_id, message_id)

    async def patch_message(self, req: Incoming, channel_id: str, message_id: str) -> JSON:
        message = self.rest.message_or_404(channel_id, message_id)
        if message["author"]["id"] != str(self.world.bot_id):
            raise error(403, 50005, "Cannot edit a message authored by another user")
        body = body_of(req)
        self.messages.validate(body, req.files, editing=True)
        return await self.messages.edit(message, body, req.files)

    async def delete_channel_message(
        self, req: Incoming, channel_id: str, message_id: str
    ) -> object:
        message = self.rest.message_or_404(channel_id, message_id)
        if message["author"]["id"] != str(self.world.bot_id):
            self.rest.check_bot_perms(int(channel_id), MANAGE_MESSAGES)
        await self.messages.delete(message)
        return NO_CONTENT

    async def typing(self, req: Incoming, channel_id: str) -> object:
        self.rest.channel_or_404(channel_id)
        return NO_CONTENT

    async def react(self, req: Incoming, channel_id: str, message_id: str, emoji: str) -> object:
        self.rest.message_or_404(channel_id, message_id)
        return NO_CONTENT

    async def _new_thread(self, parent: JSON, thread_id: int, body: JSON, thread_type: int) -> JSON:
        name = body.get("name")
        if self.rest.strict and (not isinstance(name, str) or not 1 <= len(name) <= 100):
            raise form_error(
                [Problem(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
            )
        if parent["type"] not in (0, 5):
            raise error(400, 50024, "Cannot execute action on this channel type")
        guild = self.world.guild_of_channel(int(parent["id"]))
        assert guild is not None
        needed = CREATE_PRIVATE_THREADS if thread_type == 12 else CREATE_PUBLIC_THREADS
        self.rest.check_bot_perms(int(parent["id"]), needed)
        thread = thread_payload(
            thread_id,
            guild.id,
            int(parent["id"]),
            self.world.bot_id,
            str(name),
            thread_type=thread_type,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            member_user_id=self.world.bot_id,
        )
        guild.threads[thread_id] = thread
        await self.gateway.dispatch(
            "THREAD_CREATE", dict(thread, newly_created=True), guild_id=guild.id
        )
        return thread

    async def thread_from_message(self, req: Incoming, channel_id: str, message_id: str) -> JSON:
        parent = self.rest.channel_or_404(channel_id)
        message = self.rest.message_or_404(channel_id, message_id)
        guild = self.world.guild_of_channel(int(channel_id))
        if guild is not None and int(message_id) in guild.threads:
            raise error(400, 160004, "A thread has already been created for this message")
        thread = await self._new_thread(parent, int(message_id), body_of(req), 11)
        message["thread"] = thread
        return thread

    async def thread_without_message(self, req: Incoming, channel_id: str) -> JSON:
        parent = self.rest.channel_or_404(channel_id)
        body = body_of(req)
        return await self._new_thread(
            parent, self.world.ids.next(), body, int(body.get("type") or 11)
        )

    async def join_thread(self, req: Incoming, channel_id: str) -> object:
        channel = self.rest.channel_or_404(channel_id)
        if channel["type"] not in THREAD_TYPES:
            raise error(400, 50024, "Cannot execute action on this channel type")
        return NO_CONTENT

    def _guild(self, guild_id: str) -> FakeGuild:
        guild = self.world.guilds.get(int(guild_id)) if guild_id.isdigit() else None
        if guild is None:
            raise error(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, req: Incoming, guild_id: str) -> JSON:
        payload = self._guild(guild_id).create_payload(include_members=())
        for key in ("channels", "threads", "members", "voice_states", "presences"):
            payload.pop(key, None)
        return payload

    async def get_guild_channels(self, req: Incoming, guild_id: str) -> list[JSON]:
        return list(self._guild(guild_id).channels.values())

    async def get_guild_roles(self, req: Incoming, guild_id: str) -> list[JSON]:
        return list(self._guild(guild_id).roles.values())

    async def get_member(self, req: Incoming, guild_id: str, user_id: str) -> JSON:
        guild = self._guild(guild_id)
        if not user_id.isdigit() or int(user_id) not in guild.members:
            raise error(404, 10007, "Unknown Member")
        return guild.member_payload(int(user_id))
