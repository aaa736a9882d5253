"""What the fake Discord knows (guilds, channels, users, messages, commands) and payload builders.

Payload shapes follow what discord.py 2.7 parses (``state.py``, ``guild.py``, ``message.py``,
``interactions.py``); keys discord.py reads with ``data['...']`` are always present.
Everything here is plain data: no sockets, no asyncio.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
    | USE_APPLICATION_COMMANDS
)

# Gateway intents discord.py may send.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

THREAD_TYPES = (10, 11, 12)
MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def shard_for(guild_id: int, shard_count: int) -> int:
    """Discord's routing rule: which shard receives a guild's events."""
    return (guild_id >> 22) % max(1, shard_count)


class Snowflakes:
    """Unique, increasing snowflake ids; can aim an id at a given shard."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._increment = 0

    def next(self, shard: int | None = None, shard_count: int = 1) -> int:
        ms = max(int(time.time() * 1000) - DISCORD_EPOCH_MS, self._last_ms)
        increment = self._increment + 1 if ms == self._last_ms else 0
        if increment > 4095:
            ms, increment = ms + 1, 0
        if shard is not None:
            if not 0 <= shard < shard_count:
                raise ValueError(f"shard {shard} out of range for shard_count {shard_count}")
            while ms % shard_count != shard:
                ms, increment = ms + 1, 0
        self._last_ms, self._increment = ms, increment
        return (ms << 22) | increment


@dataclass(frozen=True, slots=True)
class FakeFile:
    """A file a fake user uploads (slash-command attachment option or message attachment)."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Bytes the fake serves at ``url`` (uploads by users and by the bot)."""

    id: int
    filename: str
    data: bytes
    content_type: str


def user_payload(user_id: int, username: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": username,
        "global_name": None if bot else username.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def role_payload(
    role_id: int,
    name: str,
    permissions: int,
    *,
    position: int = 0,
    managed: bool = False,
    tags: JSON | None = None,
) -> JSON:
    data: JSON = {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }
    if tags is not None:
        data["tags"] = tags
    return data


def text_channel_payload(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    channel_type: int = 0,
    parent_id: int | None = None,
) -> JSON:
    return {
        "id": str(channel_id),
        "type": channel_type,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None if parent_id is None else str(parent_id),
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
        "default_auto_archive_duration": 1440,
    }


def thread_payload(
    thread_id: int,
    guild_id: int,
    parent_id: int,
    owner_id: int,
    name: str,
    *,
    thread_type: int = 11,
    auto_archive_duration: int = 1440,
    member_user_id: int | None = None,
) -> JSON:
    stamp = now_iso()
    data: JSON = {
        "id": str(thread_id),
        "type": thread_type,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": stamp,
            "locked": False,
            "invitable": True,
            "create_timestamp": stamp,
        },
    }
    if member_user_id is not None:
        data["member"] = {
            "id": str(thread_id),
            "user_id": str(member_user_id),
            "join_timestamp": stamp,
            "flags": 0,
        }
    return data


def dm_channel_payload(channel_id: int, recipient: JSON) -> JSON:
    return {
        "id": str(channel_id),
        "type": 1,
        "last_message_id": None,
        "flags": 0,
        "recipients": [recipient],
    }


@dataclass
class FakeGuild:
    """A guild held by the fake. Mutate it only through `FakeDiscord` helpers once dispatched."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, JSON] = field(default_factory=dict)
    channels: dict[int, JSON] = field(default_factory=dict)
    threads: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, JSON] = field(default_factory=dict)
    joined_at: str = field(default_factory=now_iso)

    @property
    def everyone_role_id(self) -> int:
        return self.id

    def channel_id(self, name: str) -> int:
        """Id of the channel (or thread) called `name`."""
        for cid, data in (*self.channels.items(), *self.threads.items()):
            if data["name"] == name:
                return cid
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def role_id(self, name: str) -> int:
        for rid, data in self.roles.items():
            if data["name"] == name:
                return rid
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    def member(self, user_id: int) -> JSON:
        return self.members[user_id]

    def base_permissions(self, user_id: int) -> int:
        """Guild-level permissions of a member (owner and administrators get everything)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        perms = int(self.roles[self.id]["permissions"])
        member = self.members.get(user_id)
        for rid in member["roles"] if member else []:
            role = self.roles.get(int(rid))
            if role is not None:
                perms |= int(role["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def channel_permissions(self, user_id: int, channel_id: int) -> int:
        """Permissions in a channel: base, then @everyone, role and member overwrites."""
        perms = self.base_permissions(user_id)
        if perms & ADMINISTRATOR or user_id == self.owner_id:
            return ALL_PERMISSIONS
        channel = self.channels.get(channel_id)
        thread = self.threads.get(channel_id)
        if channel is None and thread is not None:
            channel = self.channels.get(int(thread["parent_id"]))
        if channel is None:
            return perms
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(self.id)
        if everyone:
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        member = self.members.get(user_id)
        role_ids = [int(r) for r in member["roles"]] if member else []
        allow = deny = 0
        for rid in role_ids:
            ow = overwrites.get(rid)
            if ow and ow.get("type", 0) == 0:
                allow |= int(ow["allow"])
                deny |= int(ow["deny"])
        perms = (perms & ~deny) | allow
        own = overwrites.get(user_id)
        if own and own.get("type", 1) == 1:
            perms = (perms & ~int(own["deny"])) | int(own["allow"])
        return perms

    def member_payload(
        self, user_id: int, *, with_user: bool = True, permissions_in: int | None = None
    ) -> JSON:
        """A member object; `permissions_in` adds the ``permissions`` string (interactions)."""
        stored = self.members[user_id]
        data = {k: v for k, v in stored.items() if with_user or k != "user"}
        if permissions_in is not None:
            data["permissions"] = str(self.channel_permissions(user_id, permissions_in))
        return data

    def create_payload(self, *, include_members: Iterable[int] | None = None) -> JSON:
        """The GUILD_CREATE payload; `include_members` limits the member list (intents)."""
        wanted = set(self.members) if include_members is None else set(include_members)
        members = [self.members[u] for u in self.members if u in wanted]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "features": [],
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "channels": list(self.channels.values()),
            "threads": list(self.threads.values()),
            "members": members,
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "joined_at": self.joined_at,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "premium_progress_bar_enabled": False,
        }


def member_record(
    user: JSON, role_ids: Sequence[int], *, joined_at: str | None = None, nick: str | None = None
) -> JSON:
    return {
        "user": user,
        "roles": [str(r) for r in role_ids],
        "nick": nick,
        "avatar": None,
        "banner": None,
        "joined_at": joined_at or now_iso(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }


def message_payload(
    message_id: int,
    channel_id: int,
    author: JSON,
    content: str,
    *,
    guild_id: int | None = None,
    member: JSON | None = None,
    mentions: Sequence[JSON] = (),
    mention_roles: Sequence[int] = (),
    mention_everyone: bool = False,
    embeds: Sequence[JSON] = (),
    components: Sequence[JSON] = (),
    attachments: Sequence[JSON] = (),
    flags: int = 0,
    message_type: int = 0,
    tts: bool = False,
    referenced: JSON | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
    nonce: str | None = None,
) -> JSON:
    data: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": tts,
        "mention_everyone": mention_everyone,
        "mentions": list(mentions),
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": list(attachments),
        "embeds": list(embeds),
        "reactions": [],
        "pinned": False,
        "type": message_type,
        "flags": flags,
        "components": list(components),
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if member is not None:
        data["member"] = member
    if referenced is not None:
        data["message_reference"] = {
            "type": 0,
            "message_id": referenced["id"],
            "channel_id": referenced["channel_id"],
            **({"guild_id": str(guild_id)} if guild_id is not None else {}),
        }
        data["referenced_message"] = referenced
        if message_type == 0:
            data["type"] = 19
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    if nonce is not None:
        data["nonce"] = nonce
    return data


def attachment_payload(stored: StoredFile, url: str, *, ephemeral: bool = False) -> JSON:
    data: JSON = {
        "id": str(stored.id),
        "filename": stored.filename,
        "size": len(stored.data),
        "url": url,
        "proxy_url": url,
        "content_type": stored.content_type,
    }
    if ephemeral:
        data["ephemeral"] = True
    return data


def walk_components(components: Iterable[JSON]) -> Iterable[JSON]:
    """Every component, depth first (rows, containers, sections, labels and their children)."""
    for comp in components:
        yield comp
        children: list[JSON] = list(comp.get("components", []))
        if "component" in comp:
            children.append(comp["component"])
        if "accessory" in comp:
            children.append(comp["accessory"])
        yield from walk_components(children)


@dataclass
class InteractionRecord:
    """Server-side life of one interaction (who answered, which message is @original)."""

    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user: JSON
    created: float
    payload: JSON
    command_name: str | None = None
    message_id: int | None = None  # the message a component sits on
    responded: bool = False
    response_type: int | None = None
    original_message_id: int | None = None
    modal: JSON | None = None
    followup_ids: list[int] = field(default_factory=list)


@dataclass
class World:
    """All mutable state of one fake Discord instance."""

    ids: Snowflakes
    bot_user: JSON
    application_id: int
    owner: JSON
    users: dict[int, JSON] = field(default_factory=dict)
    guilds: dict[int, FakeGuild] = field(default_factory=dict)
    dm_channels: dict[int, JSON] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    channel_messages: dict[int, list[int]] = field(default_factory=dict)
    files: dict[int, StoredFile] = field(default_factory=dict)
    # (guild_id or None, command id) -> command payload as echoed back to the bot
    commands: dict[tuple[int | None, int], JSON] = field(default_factory=dict)
    interactions: dict[str, InteractionRecord] = field(default_factory=dict)

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    def guild_of_channel(self, channel_id: int) -> FakeGuild | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels or channel_id in guild.threads:
                return guild
        return None

    def channel(self, channel_id: int) -> JSON | None:
        guild = self.guild_of_channel(channel_id)
        if guild is not None:
            return guild.channels.get(channel_id) or guild.threads[channel_id]
        return self.dm_channels.get(channel_id)

    def store_message(self, message: JSON) -> None:
        mid = int(message["id"])
        cid = int(message["channel_id"])
        if mid not in self.messages:
            self.channel_messages.setdefault(cid, []).append(mid)
        self.messages[mid] = message

    def delete_message(self, message_id: int) -> JSON | None:
        message = self.messages.pop(message_id, None)
        if message is not None:
            ids = self.channel_messages.get(int(message["channel_id"]), [])
            if message_id in ids:
                ids.remove(message_id)
        return message

    def commands_for(self, guild_id: int | None) -> list[JSON]:
        return [c for (gid, _), c in self.commands.items() if gid == guild_id]

    def find_command(self, name: str, guild_id: int | None, command_type: int = 1) -> JSON | None:
        """A synced command by name: the guild's own first, then the global one."""
        scopes = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands_for(scope):
                if cmd["name"] == name and cmd.get("type", 1) == command_type:
                    return cmd
        return None

    def resolve_mentions(self, content: str, guild: FakeGuild | None) -> list[JSON]:
        """Users mentioned as <@id> in `content`, as MESSAGE_CREATE's ``mentions`` array."""
        out: list[JSON] = []
        seen: set[int] = set()
        for raw in MENTION_RE.findall(content):
            uid = int(raw)
            if uid in seen:
                continue
            seen.add(uid)
            user = self.users.get(uid)
            if user is None:
                continue
            entry = dict(user)
            if guild is not None and uid in guild.members:
                entry["member"] = guild.member_payload(uid, with_user=False)
            out.append(entry)
        return out

    def user_from(self, value: Mapping[str, Any] | int) -> JSON:
        uid = int(value) if isinstance(value, int) else int(value["id"])
        return self.users[uid]
