"""The fake REST API: routes discord.py calls, request recording and fault injection.

Every request under ``/api/v10`` is parsed (JSON body, or ``payload_json`` plus files of a
multipart body), answered, and recorded as a `RecordedRequest` with the status and body the
fake answered. Faults queued with `FakeRest.add_fault` answer the next N matching requests with
an error (or delay them) before the real handler runs. JSON answers carry exactly
``Content-Type: application/json``: discord.py treats anything else as text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from .fake_gateway import FakeGateway
from .fake_journal import Journal
from .fake_state import (
    ATTACH_FILES,
    CREATE_PUBLIC_THREADS,
    JSON,
    MANAGE_MESSAGES,
    MENTION_RE,
    ROLE_MENTION_RE,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    THREAD_TYPES,
    VIEW_CHANNEL,
    FakeGuild,
    InteractionRecord,
    StoredFile,
    World,
    attachment_payload,
    dm_channel_payload,
    message_payload,
    now_iso,
    thread_payload,
)
from .fake_validation import (
    Problem,
    autocomplete_problems,
    command_problems,
    invalid_form_body,
    message_problems,
    modal_problems,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
EPHEMERAL = 1 << 6
LOADING = 1 << 7
# A 1x1 transparent PNG, served for every CDN asset (avatars, icons).
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
# Interaction callback types allowed per interaction type.
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


def compile_path(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """``*`` or ``{name}`` match one path segment, ``**`` anything; the rest is literal."""
    if isinstance(pattern, re.Pattern):
        return pattern
    out = []
    for token in re.split(r"(\*\*|\*|\{[^}/]+\})", pattern):
        if token == "**":
            out.append(".*")
        elif token == "*" or (token.startswith("{") and token.endswith("}")):
            out.append("[^/]+")
        else:
            out.append(re.escape(token))
    return re.compile("".join(out))


@dataclass(frozen=True, slots=True)
class UploadedFile:
    field: str
    filename: str
    data: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One REST request as the bot sent it and as the fake answered it."""

    index: int
    method: str
    path: str  # below /api/v10, e.g. "/channels/123/messages"
    query: Mapping[str, str]
    json: Any  # parsed JSON body, or the payload_json of a multipart body; None if no body
    files: tuple[UploadedFile, ...]
    headers: Mapping[str, str]
    status: int
    response: Any  # JSON the fake answered (None for 204)
    time: float

    def matches(self, method: str | None, path: str | re.Pattern[str] | None) -> bool:
        if method not in (None, "*") and self.method != method.upper():
            return False
        return path is None or compile_path(path).fullmatch(self.path) is not None


@dataclass
class Fault:
    """Answer the next `remaining` matching requests with `status` (after `delay` seconds)."""

    method: str | None
    pattern: re.Pattern[str]
    status: int | None
    remaining: int
    delay: float = 0.0
    retry_after: float = 0.05
    is_global: bool = False
    body: JSON | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining <= 0:
            return False
        if self.method not in (None, "*") and self.method.upper() != method:
            return False
        return self.pattern.fullmatch(path) is not None


class ApiError(Exception):
    def __init__(self, status: int, body: JSON) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


def error(status: int, code: int, message: str) -> ApiError:
    return ApiError(status, {"message": message, "code": code})


def form_error(problems: list[Problem]) -> ApiError:
    return ApiError(400, invalid_form_body(problems))


@dataclass
class Incoming:
    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: tuple[UploadedFile, ...]
    headers: Mapping[str, str]


Handler = Callable[..., Awaitable[Any]]
NO_CONTENT = object()  # a handler returns this for 204


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    all_headers = dict(headers or {})
    if body is NO_CONTENT or body is None:
        return web.Response(status=204 if status == 200 else status, headers=all_headers)
    all_headers["Content-Type"] = "application/json"
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


class FakeRest:
    """Route table + handlers. `origin` is ``http://127.0.0.1:PORT`` once the server runs."""

    def __init__(
        self, world: World, gateway: FakeGateway, token: str, origin: Callable[[], str]
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.token = token
        self._origin = origin
        self.requests: Journal[RecordedRequest] = Journal(
            lambda r: f"[{r.index}] {r.method} {r.path} -> {r.status}"
        )
        self.unhandled: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.strict = True  # validate bodies against Discord's limits
        self.echo_bot_messages = True  # MESSAGE_CREATE/UPDATE/DELETE for what the bot posts
        self.interaction_timeout = 3.0  # seconds to acknowledge an interaction, as on Discord
        self.recommended_shards = 1
        self.team: JSON | None = None
        self._routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        self._install_routes()

    # -- plumbing -----------------------------------------------------------------------------

    def _route(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self._routes.append((method, re.compile(regex), handler, auth))

    def add_fault(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :] or "/"
        incoming = await self._parse(request, path)
        status, body, headers, handled = await self._answer(incoming)
        record = RecordedRequest(
            index=len(self.requests),
            method=incoming.method,
            path=path,
            query=incoming.query,
            json=incoming.json,
            files=incoming.files,
            headers=incoming.headers,
            status=status,
            response=None if body is NO_CONTENT else body,
            time=asyncio.get_running_loop().time(),
        )
        if not handled:
            log.warning("fake discord: no route for %s %s", incoming.method, path)
            self.unhandled.append(record)
        self.requests.append(record)
        return json_response(status, body, headers)

    async def _parse(self, request: web.Request, path: str) -> Incoming:
        files: list[UploadedFile] = []
        body: Any = None
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                raw = await part.read(decode=False)
                name = part.name or ""
                if name == "payload_json":
                    body = json.loads(raw.decode())
                else:
                    ctype = part.headers.get("Content-Type", "application/octet-stream")
                    files.append(UploadedFile(name, part.filename or name, bytes(raw), ctype))
        else:
            text = await request.text()
            if text:
                try:
                    body = json.loads(text)
                except json.JSONDecodeError:
                    body = text
        return Incoming(
            request.method, path, dict(request.query), body, tuple(files), dict(request.headers)
        )

    async def _answer(self, req: Incoming) -> tuple[int, Any, dict[str, str], bool]:
        route = self._match(req)
        bucket = route[0].pattern if route else req.path
        for fault in self.faults:
            if fault.matches(req.method, req.path):
                fault.remaining -= 1
                fault.hits += 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    status, body, headers = self._fault_response(fault)
                    if status == 429:
                        headers["X-RateLimit-Bucket"] = self._bucket(bucket)
                    return status, body, headers, True
                break
        if route is None:
            return 404, {"message": "404: Not Found", "code": 0}, {}, False
        _, handler, auth, params = route
        if auth and req.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}, True
        try:
            result = await handler(req, **params)
        except ApiError as exc:
            return exc.status, exc.body, {}, True
        return 200, result, self._ratelimit_headers(bucket), True

    def _match(self, req: Incoming) -> tuple[re.Pattern[str], Handler, bool, dict[str, str]] | None:
        for method, regex, handler, auth in self._routes:
            if method == req.method and (match := regex.fullmatch(req.path)) is not None:
                return regex, handler, auth, match.groupdict()
        return None

    @staticmethod
    def _bucket(route_pattern: str) -> str:
        return f"fake{abs(hash(route_pattern)) % 10**12}"

    @classmethod
    def _ratelimit_headers(cls, route_pattern: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": cls._bucket(route_pattern),
        }

    @staticmethod
    def _fault_response(fault: Fault) -> tuple[int, Any, dict[str, str]]:
        status = fault.status or 500
        if status == 429:
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
                "code": 0,
            }
            headers = {
                "Retry-After": f"{fault.retry_after}",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
                "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            return 429, body, headers
        defaults = {
            400: {"message": "400: Bad Request", "code": 0},
            401: {"message": "401: Unauthorized", "code": 0},
            403: {"message": "Missing Permissions", "code": 50013},
            404: {"message": "404: Not Found", "code": 0},
        }
        body = fault.body or defaults.get(status, {"message": f"{status}: Server Error", "code": 0})
        return status, body, {}

    # -- helpers shared by handlers -----------------------------------------------------------

    def file_url(self, stored: StoredFile) -> str:
        return f"{self._origin()}/attachments/{stored.id}/{stored.filename}"

    def store_file(self, filename: str, data: bytes, content_type: str) -> StoredFile:
        stored = StoredFile(self.world.ids.next(), filename, data, content_type)
        self.world.files[stored.id] = stored
        return stored

    def _channel(self, channel_id: str) -> JSON:
        channel = self.world.channel(int(channel_id))
        if channel is None:
            raise error(404, 10003, "Unknown Channel")
        return channel

    def _message_in(self, channel_id: str, message_id: str) -> JSON:
        message = self.world.messages.get(int(message_id))
        if message is None or message["channel_id"] != str(channel_id):
            raise error(404, 10008, "Unknown Message")
        return message

    def _check_bot_perms(self, channel_id: int, needed: int) -> None:
        guild = self.world.guild_of_channel(channel_id)
        if guild is None:
            return
        perms = guild.channel_permissions(self.world.bot_id, channel_id)
        if not perms & VIEW_CHANNEL:
            raise error(403, 50001, "Missing Access")
        if perms & needed != needed:
            raise error(403, 50013, "Missing Permissions")

    def _attachments(
        self, body: JSON, files: tuple[UploadedFile, ...], existing: list[JSON]
    ) -> list[JSON]:
        uploads: dict[int, UploadedFile] = {}
        for up in files:
            m = re.fullmatch(r"files\[(\d+)\]", up.field)
            uploads[int(m.group(1)) if m else len(uploads)] = up
        by_id = {a["id"]: a for a in existing}
        wanted = body.get("attachments")
        out: list[JSON] = []
        if wanted is None:
            out.extend(existing)
            entries: list[JSON] = [{"id": i} for i in sorted(uploads)]
        else:
            entries = []
            for entry in wanted:
                if str(entry.get("id")) in by_id:
                    out.append(by_id[str(entry["id"])])
                else:
                    entries.append(entry)
        for entry in entries:
            upload = uploads.get(int(entry["id"]))
            if upload is None:
                raise form_error(
                    [
                        Problem(
                            ("attachments",),
                            "ATTACHMENT_NOT_FOUND",
                            f"Attachment {entry['id']} has no file",
                        )
                    ]
                )
            stored = self.store_file(
                entry.get("filename") or upload.filename, upload.data, upload.content_type
            )
            att = attachment_payload(stored, self.file_url(stored))
            if entry.get("description"):
                att["description"] = entry["description"]
            out.append(att)
        return out

    def _pinged(
        self, content: str, allowed: JSON | None, referenced: JSON | None, guild: FakeGuild | None
    ) -> tuple[list[JSON], list[int], bool]:
        """Users/roles/everyone a bot message really pings, honouring allowed_mentions."""
        user_ids = [int(u) for u in MENTION_RE.findall(content)]
        role_ids = [int(r) for r in ROLE_MENTION_RE.findall(content)]
        everyone = "@everyone" in content or "@here" in content
        replied = True
        if allowed is not None:
            parse = allowed.get("parse") or []
            if "users" not in parse:
                listed = {int(u) for u in allowed.get("users") or []}
                user_ids = [u for u in user_ids if u in listed]
            if "roles" not in parse:
                listed = {int(r) for r in allowed.get("roles") or []}
                role_ids = [r for r in role_ids if r in listed]
            everyone = everyone and "everyone" in parse
            replied = bool(allowed.get("replied_user", False))
        if referenced is not None and replied:
            user_ids.append(int(referenced["author"]["id"]))
        mentions: list[JSON] = []
        for uid in dict.fromkeys(user_ids):
            user = self.world.users.get(uid)
            if user is None:
                continue
            entry = dict(user)
            if guild is not None and uid in guild.members:
                entry["member"] = guild.member_payload(uid, with_user=False)
            mentions.append(entry)
        return mentions, role_ids, everyone

    async def new_bot_message(
        self,
        channel_id: int,
        body: JSON,
        files: tuple[UploadedFile, ...],
        *,
        ephemeral: bool = False,
        interaction: InteractionRecord | None = None,
        webhook: bool = False,
        extra_flags: int = 0,
    ) -> JSON:
        """Build, store and (unless ephemeral) echo a message authored by the bot."""
        guild = self.world.guild_of_channel(channel_id)
        referenced = None
        ref = body.get("message_reference")
        if ref:
            referenced = self.world.messages.get(int(ref["message_id"]))
            if referenced is None and ref.get("fail_if_not_exists", True):
                raise form_error(
                    [
                        Problem(
                            ("message_reference",),
                            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                            "Unknown message",
                        )
                    ]
                )
        content = body.get("content") or ""
        mentions, roles, everyone = self._pinged(
            content, body.get("allowed_mentions"), referenced, guild
        )
        flags = int(body.get("flags") or 0) | extra_flags
        flags = flags | EPHEMERAL if ephemeral else flags & ~EPHEMERAL
        mid = self.world.ids.next()
        message = message_payload(
            mid,
            channel_id,
            self.world.bot_user,
            content,
            guild_id=guild.id if guild else None,
            member=(
                guild.member_payload(self.world.bot_id, with_user=False)
                if guild and not webhook
                else None
            ),
            mentions=mentions,
            mention_roles=roles,
            mention_everyone=everyone,
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            attachments=self._attachments(body, files, []),
            flags=flags,
            message_type=20 if interaction is not None and interaction.type == 2 else 0,
            tts=bool(body.get("tts")),
            referenced=referenced,
            webhook_id=self.world.application_id if webhook else None,
            application_id=self.world.application_id if webhook else None,
            nonce=body.get("nonce"),
        )
        if interaction is not None:
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user,
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
        self.world.store_message(message)
        if not flags & EPHEMERAL:
            await self._echo("MESSAGE_CREATE", message)
        return message

    async def edit_message(
        self, message: JSON, body: JSON, files: tuple[UploadedFile, ...]
    ) -> JSON:
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ("" if key == "content" else [])
                )
        if body.get("flags") is not None:
            message["flags"] = (int(message["flags"]) & EPHEMERAL) | (
                int(body["flags"]) & ~EPHEMERAL
            )
        if "attachments" in body or files:
            message["attachments"] = self._attachments(body, files, message.get("attachments", []))
        message["flags"] = int(message["flags"]) & ~LOADING
        message["edited_timestamp"] = now_iso()
        if "content" in body:
            guild = self.world.guild_of_channel(int(message["channel_id"]))
            mentions, roles, everyone = self._pinged(
                message["content"], body.get("allowed_mentions"), None, guild
            )
            message.update(
                mentions=mentions, mention_roles=[str(r) for r in roles], mention_everyone=everyone
            )
        if not int(message["flags"]) & EPHEMERAL:
            await self._echo("MESSAGE_UPDATE", message)
        return message

    async def delete_message(self, message: JSON) -> None:
        self.world.delete_message(int(message["id"]))
        if not int(message["flags"]) & EPHEMERAL:
            data: JSON = {"id": message["id"], "channel_id": message["channel_id"]}
            if "guild_id" in message:
                data["guild_id"] = message["guild_id"]
            await self._echo("MESSAGE_DELETE", data)

    async def _echo(self, event: str, message: JSON) -> None:
        if not self.echo_bot_messages:
            return
        guild_id = int(message["guild_id"]) if "guild_id" in message else None
        await self.gateway.dispatch(event, message, guild_id=guild_id, dm=guild_id is None)

    def _validate_message(
        self,
        body: JSON,
        files: tuple[UploadedFile, ...],
        *,
        allow_ephemeral: bool = False,
        editing: bool = False,
    ) -> None:
        if not self.strict:
            return
        problems = message_problems(
            body, files=len(files), allow_ephemeral=allow_ephemeral, editing=editing
        )
        if any(p.code == "50006" for p in problems):
            raise error(400, 50006, "Cannot send an empty message")
        if problems:
            raise form_error(problems)

    def _body(self, req: Incoming) -> JSON:
        return req.json if isinstance(req.json, dict) else {}

    # -- routes -------------------------------------------------------------------------------

    def _install_routes(self) -> None:
        r = self._route
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
        r(
            "POST",
            "/interactions/{interaction_id}/{token}/callback",
            self.interaction_callback,
            auth=False,
        )
        r("POST", "/webhooks/{app_id}/{token}", self.execute_webhook, auth=False)
        r(
            "GET",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.get_webhook_message,
            auth=False,
        )
        r(
            "PATCH",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.edit_webhook_message,
            auth=False,
        )
        r(
            "DELETE",
            "/webhooks/{app_id}/{token}/messages/{message_id}",
            self.delete_webhook_message,
            auth=False,
        )

    # gateway & identity

    async def get_gateway(self, req: Incoming) -> JSON:
        return {"url": self._origin().replace("http://", "ws://") + "/gateway"}

    async def get_gateway_bot(self, req: Incoming) -> JSON:
        return {
            "url": self._origin().replace("http://", "ws://") + "/gateway",
            "shards": self.recommended_shards,
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
        recipient = self.world.users.get(int(self._body(req).get("recipient_id", 0)))
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
            "team": self.team,
            "bot": self.world.bot_user,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.world.guilds),
            "integration_types_config": {"0": {}},
        }
        return app

    # commands

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
        if self.strict and (problems := command_problems(body)):
            raise form_error(problems)
        keep = {(c["name"], int(c.get("type", 1))) for c in body}
        for key, cmd in list(self.world.commands.items()):
            if key[0] == scope and (cmd["name"], cmd["type"]) not in keep:
                del self.world.commands[key]
        return [self._register(scope, cmd) for cmd in body]

    async def upsert_command(self, req: Incoming, app_id: str, guild_id: str | None = None) -> JSON:
        scope = self._scope(app_id, guild_id)
        body = self._body(req)
        if self.strict and (problems := command_problems([body])):
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
        cmd.update({k: v for k, v in self._body(req).items() if k not in ("id", "type")})
        return cmd

    async def delete_command(
        self, req: Incoming, app_id: str, command_id: str, guild_id: str | None = None
    ) -> object:
        scope = self._scope(app_id, guild_id)
        self._command(scope, command_id)
        del self.world.commands[(scope, int(command_id))]
        return NO_CONTENT

    # channels & messages

    async def get_channel(self, req: Incoming, channel_id: str) -> JSON:
        return self._channel(channel_id)

    async def list_messages(self, req: Incoming, channel_id: str) -> list[JSON]:
        self._channel(channel_id)
        self._check_bot_perms(int(channel_id), VIEW_CHANNEL)
        ids = list(self.world.channel_messages.get(int(channel_id), []))
        limit = max(1, min(100, int(req.query.get("limit", 50))))
        if "before" in req.query:
            ids = [i for i in ids if i < int(req.query["before"])]
        if "after" in req.query:
            ids = [i for i in ids if i > int(req.query["after"])][:limit]
        newest_first = sorted(ids, reverse=True)[:limit]
        return [self.world.messages[i] for i in newest_first]

    async def post_message(self, req: Incoming, channel_id: str) -> JSON:
        channel = self._channel(channel_id)
        cid = int(channel_id)
        in_thread = channel["type"] in THREAD_TYPES
        needed = SEND_MESSAGES_IN_THREADS if in_thread else SEND_MESSAGES
        if req.files:
            needed |= ATTACH_FILES
        self._check_bot_perms(cid, needed)
        body = self._body(req)
        self._validate_message(body, req.files)
        return await self.new_bot_message(cid, body, req.files)

    async def get_message(self, req: Incoming, channel_id: str, message_id: str) -> JSON:
        self._channel(channel_id)
        return self._message_in(channel_id, message_id)

    async def patch_message(self, req: Incoming, channel_id: str, message_id: str) -> JSON:
        message = self._message_in(channel_id, message_id)
        if message["author"]["id"] != str(self.world.bot_id):
            raise error(403, 50005, "Cannot edit a message authored by another user")
        body = self._body(req)
        self._validate_message(body, req.files, editing=True)
        return await self.edit_message(message, body, req.files)

    async def delete_channel_message(
        self, req: Incoming, channel_id: str, message_id: str
    ) -> object:
        message = self._message_in(channel_id, message_id)
        if message["author"]["id"] != str(self.world.bot_id):
            self._check_bot_perms(int(channel_id), MANAGE_MESSAGES)
        await self.delete_message(message)
        return NO_CONTENT

    async def typing(self, req: Incoming, channel_id: str) -> object:
        self._channel(channel_id)
        return NO_CONTENT

    async def react(self, req: Incoming, channel_id: str, message_id: str, emoji: str) -> object:
        self._message_in(channel_id, message_id)
        return NO_CONTENT

    async def _new_thread(self, parent: JSON, thread_id: int, body: JSON, thread_type: int) -> JSON:
        name = body.get("name")
        if self.strict and (not isinstance(name, str) or not 1 <= len(name) <= 100):
            raise form_error(
                [Problem(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
            )
        if parent["type"] not in (0, 5):
            raise error(400, 50024, "Cannot execute action on this channel type")
        guild = self.world.guild_of_channel(int(parent["id"]))
        assert guild is not None
        self._check_bot_perms(int(parent["id"]), CREATE_PUBLIC_THREADS)
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
        parent = self._channel(channel_id)
        message = self._message_in(channel_id, message_id)
        guild = self.world.guild_of_channel(int(channel_id))
        if guild is not None and int(message_id) in guild.threads:
            raise error(400, 160004, "A thread has already been created for this message")
        thread = await self._new_thread(parent, int(message_id), self._body(req), 11)
        message["thread"] = thread
        return thread

    async def thread_without_message(self, req: Incoming, channel_id: str) -> JSON:
        parent = self._channel(channel_id)
        body = self._body(req)
        return await self._new_thread(
            parent, self.world.ids.next(), body, int(body.get("type") or 11)
        )

    async def join_thread(self, req: Incoming, channel_id: str) -> object:
        channel = self._channel(channel_id)
        if channel["type"] not in THREAD_TYPES:
            raise error(400, 50024, "Cannot execute action on this channel type")
        return NO_CONTENT

    # guilds

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

    # interactions

    def _interaction(
        self, token: str, *, interaction_id: str | None = None, app_id: str | None = None
    ) -> InteractionRecord:
        rec = self.world.interactions.get(token)
        if interaction_id is not None:
            if rec is None or str(rec.id) != interaction_id:
                raise error(404, 10062, "Unknown interaction")
        elif rec is None or app_id != str(self.world.application_id):
            raise error(404, 10015, "Unknown Webhook")
        return rec

    async def interaction_callback(self, req: Incoming, interaction_id: str, token: str) -> Any:
        rec = self._interaction(token, interaction_id=interaction_id)
        if asyncio.get_running_loop().time() - rec.created > self.interaction_timeout:
            raise error(404, 10062, "Unknown interaction")
        if rec.responded:
            raise error(400, 40060, "Interaction has already been acknowledged.")
        body = self._body(req)
        ctype = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        if ctype not in ALLOWED_CALLBACKS.get(rec.type, set()):
            raise form_error(
                [
                    Problem(
                        ("type",),
                        "INTERACTION_CALLBACK_TYPE_INVALID",
                        f"Callback type {ctype} invalid for interaction type {rec.type}",
                    )
                ]
            )
        message: JSON | None = None
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        if ctype == 4:
            self._validate_message(data, req.files, allow_ephemeral=True)
            message = await self.new_bot_message(
                rec.channel_id, data, req.files, ephemeral=ephemeral, interaction=rec, webhook=True
            )
            rec.original_message_id = int(message["id"])
        elif ctype == 5:
            message = await self.new_bot_message(
                rec.channel_id,
                {"content": ""},
                (),
                ephemeral=ephemeral,
                interaction=rec,
                webhook=True,
                extra_flags=LOADING,
            )
            rec.original_message_id = int(message["id"])
        elif ctype in (6, 7):
            if rec.message_id is None or rec.message_id not in self.world.messages:
                raise error(400, 50035, "This interaction has no message to update")
            rec.original_message_id = rec.message_id
            if ctype == 7:
                self._validate_message(data, req.files, editing=True)
                message = await self.edit_message(
                    self.world.messages[rec.message_id], data, req.files
                )
            ephemeral = bool(int(self.world.messages[rec.message_id]["flags"]) & EPHEMERAL)
        elif ctype == 8 and self.strict and (problems := autocomplete_problems(data)):
            raise form_error(problems)
        elif ctype == 9:
            if self.strict and (problems := modal_problems(data)):
                raise form_error(problems)
            rec.modal = data
        rec.responded = True
        rec.response_type = ctype
        if "with_response" not in req.query:
            return NO_CONTENT
        info: JSON = {
            "id": str(rec.id),
            "type": rec.type,
            "response_message_loading": ctype == 5,
            "response_message_ephemeral": ephemeral,
        }
        if rec.original_message_id is not None:
            info["response_message_id"] = str(rec.original_message_id)
        resource: JSON = {"type": ctype}
        if message is not None:
            resource["message"] = message
        return {"interaction": info, "resource": resource}

    async def execute_webhook(self, req: Incoming, app_id: str, token: str) -> Any:
        rec = self._interaction(token, app_id=app_id)
        if not rec.responded:
            raise error(404, 10015, "Unknown Webhook")
        body = self._body(req)
        self._validate_message(body, req.files, allow_ephemeral=True)
        original = self.world.messages.get(rec.original_message_id or 0)
        if rec.response_type == 5 and original is not None and int(original["flags"]) & LOADING:
            # The first followup after a deferred reply replaces the "thinking..." message.
            body = {k: v for k, v in body.items() if k != "flags"}
            message = await self.edit_message(original, body, req.files)
        else:
            ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
            message = await self.new_bot_message(
                rec.channel_id, body, req.files, ephemeral=ephemeral, interaction=rec, webhook=True
            )
        rec.followup_ids.append(int(message["id"]))
        if req.query.get("wait") in ("1", "true", "True"):
            return message
        return NO_CONTENT

    def _webhook_message(self, rec: InteractionRecord, message_id: str) -> JSON:
        mid = rec.original_message_id if message_id == "@original" else int(message_id)
        message = self.world.messages.get(mid or 0)
        if message is None:
            raise error(404, 10008, "Unknown Message")
        return message

    async def get_webhook_message(
        self, req: Incoming, app_id: str, token: str, message_id: str
    ) -> JSON:
        return self._webhook_message(self._interaction(token, app_id=app_id), message_id)

    async def edit_webhook_message(
        self, req: Incoming, app_id: str, token: str, message_id: str
    ) -> JSON:
        rec = self._interaction(token, app_id=app_id)
        if not rec.responded:
            raise error(404, 10015, "Unknown Webhook")
        message = self._webhook_message(rec, message_id)
        body = self._body(req)
        self._validate_message(body, req.files, allow_ephemeral=True, editing=True)
        return await self.edit_message(message, body, req.files)

    async def delete_webhook_message(
        self, req: Incoming, app_id: str, token: str, message_id: str
    ) -> object:
        rec = self._interaction(token, app_id=app_id)
        await self.delete_message(self._webhook_message(rec, message_id))
        return NO_CONTENT


async def serve_file(world: World, request: web.Request) -> web.StreamResponse:
    """``GET /attachments/{id}/{filename}``: bytes of an uploaded file (what the CDN does)."""
    stored = world.files.get(int(request.match_info["file_id"]))
    if stored is None or stored.filename != request.match_info["filename"]:
        return web.Response(status=404, text="not found")
    return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})


async def serve_cdn(request: web.Request) -> web.StreamResponse:
    return web.Response(body=TINY_PNG, headers={"Content-Type": "image/png"})
