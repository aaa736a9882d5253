"""INTERACTION_CREATE payload builders and `FakeInteraction`, a handle to await the bot's answer.

Command interactions are built from the command schema the bot *synced* (PUT .../commands),
so option types, sub-command groups and ids are what discord.py expects; passing an option the
synced schema does not have (or leaving out a required one) raises `ValueError` in the test,
because the Discord client would never send such an interaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .rest import FakeRest, RecordedRequest
from .state import (
    JSON,
    THREAD_TYPES,
    FakeFile,
    FakeGuild,
    InteractionRecord,
    StoredFile,
    World,
    attachment_payload,
    walk_components,
)

ATTACHMENT_SIZE_LIMIT = 26_214_400  # 25 MiB, what Discord sends for unboosted guilds
SUBCOMMAND, GROUP = 1, 2


def interaction_payload(
    world: World,
    *,
    interaction_id: int,
    token: str,
    interaction_type: int,
    data: JSON | None,
    channel_id: int,
    user: JSON,
    message: JSON | None = None,
    locale: str = "en-US",
) -> JSON:
    """The INTERACTION_CREATE ``d`` discord.py 2.7 parses (incl. attachment_size_limit)."""
    guild = world.guild_of_channel(channel_id)
    channel = world.channel(channel_id)
    if channel is None:
        raise KeyError(f"unknown channel {channel_id}")
    uid = int(user["id"])
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "channel_id": str(channel_id),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if data is not None:
        payload["data"] = data
    if message is not None:
        payload["message"] = message
    if guild is not None:
        if uid not in guild.members:
            raise ValueError(f"user {user['username']!r} is not a member of guild {guild.name!r}")
        payload.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member=guild.member_payload(uid, permissions_in=channel_id),
            app_permissions=str(guild.channel_permissions(world.bot_id, channel_id)),
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
            channel={**channel, "permissions": str(guild.channel_permissions(uid, channel_id))},
        )
    else:
        payload.update(
            user=user,
            app_permissions=str((1 << 53) - 1 & ~(1 << 3)),
            authorizing_integration_owners={"0": str(world.application_id)},
            context=1,
            channel=channel,
        )
    return payload


class CommandDataBuilder:
    """Turns ``("knowledge add", {"file": FakeFile(...)})`` into ``data`` with ``resolved``."""

    def __init__(
        self,
        world: World,
        guild: FakeGuild | None,
        channel_id: int,
        user_id: int,
        store_file: Callable[[FakeFile], JSON],
    ) -> None:
        self.world = world
        self.guild = guild
        self.channel_id = channel_id
        self.user_id = user_id
        self.store_file = store_file
        self.resolved: dict[str, dict[str, JSON]] = {}

    def build(
        self,
        command: JSON,
        path: Sequence[str],
        options: Mapping[str, Any],
        focused: str | None = None,
    ) -> JSON:
        data: JSON = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        schema: list[JSON] = list(command.get("options") or [])
        top: list[JSON] = []
        container = top
        for name in path:
            opt = next(
                (o for o in schema if o["name"] == name and o["type"] in (SUBCOMMAND, GROUP)), None
            )
            if opt is None:
                raise ValueError(
                    f"{command['name']!r} has no sub-command {name!r}; "
                    f"has {[o['name'] for o in schema if o['type'] in (1, 2)]}"
                )
            node: JSON = {"name": name, "type": opt["type"], "options": []}
            container.append(node)
            container = node["options"]
            schema = list(opt.get("options") or [])
        if any(o["type"] in (SUBCOMMAND, GROUP) for o in schema):
            raise ValueError(
                f"{command['name']!r} needs a sub-command: {[o['name'] for o in schema]}"
            )
        by_name = {o["name"]: o for o in schema}
        for name, value in options.items():
            opt = by_name.get(name)
            if opt is None:
                raise ValueError(f"unknown option {name!r}; synced options: {list(by_name)}")
            container.append(self.option(opt, value, focused=name == focused))
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in options]
            if missing:
                raise ValueError(f"required options missing: {missing}")
        elif focused not in options:
            raise ValueError(f"focused option {focused!r} must be given a (partial) value")
        elif not by_name[focused].get("autocomplete"):
            raise ValueError(f"option {focused!r} was not synced with autocomplete")
        data["options"] = top
        if self.resolved:
            data["resolved"] = self.resolved
        return data

    def option(self, opt: JSON, value: Any, *, focused: bool) -> JSON:
        otype = int(opt["type"])
        out: JSON = {"name": opt["name"], "type": otype}
        if focused:
            out.update(value=value, focused=True)
            return out
        if otype == 3:
            value = str(value)
        elif otype == 4:
            value = int(value)
        elif otype == 5:
            value = bool(value)
        elif otype == 10:
            value = float(value)
        elif otype in (6, 7, 8, 9, 11):
            value = self.resolve(otype, value)
        choices = opt.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"{value!r} is not a choice of {opt['name']!r}: {choices}")
        out["value"] = value
        return out

    def resolve(self, otype: int, value: Any) -> str:
        if otype == 11:
            if not isinstance(value, FakeFile):
                raise TypeError("attachment options take a FakeFile")
            att = self.store_file(value)
            self.resolved.setdefault("attachments", {})[att["id"]] = att
            return str(att["id"])
        if otype == 7:
            cid = int(value["id"]) if isinstance(value, Mapping) else int(value)
            channel = self.world.channel(cid)
            if channel is None:
                raise ValueError(f"unknown channel {cid}")
            entry: JSON = {
                k: channel[k]
                for k in ("id", "name", "type", "parent_id", "thread_metadata")
                if k in channel
            }
            # Permissions of the invoking user in that channel, as Discord computes them.
            entry["permissions"] = str(
                self.guild.channel_permissions(self.user_id, cid) if self.guild else 0
            )
            if channel["type"] in THREAD_TYPES:
                entry.setdefault("thread_metadata", channel.get("thread_metadata"))
            self.resolved.setdefault("channels", {})[str(cid)] = entry
            return str(cid)
        raw_id = int(value["id"]) if isinstance(value, Mapping) else int(value)
        if otype in (8, 9) and self.guild is not None and raw_id in self.guild.roles:
            self.resolved.setdefault("roles", {})[str(raw_id)] = self.guild.roles[raw_id]
            return str(raw_id)
        if otype == 8:
            raise ValueError(f"unknown role {raw_id}")
        user = self.world.users.get(raw_id)
        if user is None:
            raise ValueError(f"unknown user {raw_id}")
        self.resolved.setdefault("users", {})[str(raw_id)] = user
        if self.guild is not None and raw_id in self.guild.members:
            member = self.guild.member_payload(
                raw_id, with_user=False, permissions_in=self.channel_id
            )
            self.resolved.setdefault("members", {})[str(raw_id)] = member
        return str(raw_id)


def modal_submit_components(modal: JSON, values: Mapping[str, Any]) -> list[JSON]:
    """Mirror a modal's layout with the user's input (text inputs and selects by custom_id)."""
    unknown = set(values) - {
        c.get("custom_id") for c in walk_components(modal.get("components", []))
    }
    if unknown:
        raise ValueError(f"modal has no inputs {sorted(unknown)}")

    def fill(comp: JSON) -> JSON:
        ctype = comp.get("type")
        if ctype == 1:
            return {"type": 1, "components": [fill(c) for c in comp.get("components", [])]}
        if ctype == 18:
            return {"type": 18, "id": comp.get("id", 0), "component": fill(comp["component"])}
        cid = comp.get("custom_id")
        if ctype == 4:
            return {"type": 4, "custom_id": cid, "value": str(values.get(cid or "", ""))}
        if ctype in (3, 5, 6, 7, 8):
            chosen = values.get(cid or "", [])
            return {"type": ctype, "custom_id": cid, "values": [str(v) for v in chosen]}
        return {"type": ctype, "id": comp.get("id", 0)}

    return [fill(c) for c in modal.get("components", [])]


def stored_attachment(rest: FakeRest, file: FakeFile) -> JSON:
    stored: StoredFile = rest.store_file(file.filename, file.data, file.content_type)
    return attachment_payload(stored, rest.file_url(stored), ephemeral=True)


@dataclass(frozen=True, slots=True)
class FakeInteraction:
    """A dispatched interaction: await what the bot answered to it."""

    id: int
    token: str
    type: int
    payload: JSON
    since: int  # request-journal index when it was dispatched
    rest: FakeRest

    @property
    def record(self) -> InteractionRecord:
        """Server-side state: responded, response_type, original_message_id, modal, ..."""
        return self.rest.world.interactions[self.token]

    def _mine(self, r: RecordedRequest) -> bool:
        return f"/{self.token}" in r.path

    def requests(self) -> list[RecordedRequest]:
        return self.rest.requests.find(self._mine, self.since)

    async def wait(
        self, predicate: Callable[[RecordedRequest], bool], *, timeout: float = 5.0
    ) -> RecordedRequest:
        return await self.rest.requests.wait(
            lambda r: self._mine(r) and predicate(r),
            since=self.since,
            timeout=timeout,
            what=f"request for interaction {self.id}",
        )

    async def callback(self, *, timeout: float = 5.0) -> RecordedRequest:
        """The ``POST /interactions/{id}/{token}/callback`` (``json['type']``, ``json['data']``)."""
        return await self.wait(
            lambda r: r.method == "POST" and r.path.endswith("/callback"), timeout=timeout
        )

    async def followup(self, n: int = 0, *, timeout: float = 5.0) -> RecordedRequest:
        """The `n`-th ``POST /webhooks/{app}/{token}`` (a followup message)."""
        seen: list[int] = []

        def nth(r: RecordedRequest) -> bool:
            if r.method == "POST" and r.path.startswith("/webhooks/") and r.index not in seen:
                seen.append(r.index)
            return len(seen) > n and r.index == seen[n]

        return await self.wait(nth, timeout=timeout)

    async def edit_original(self, *, timeout: float = 5.0) -> RecordedRequest:
        """The ``PATCH /webhooks/{app}/{token}/messages/@original``."""
        return await self.wait(
            lambda r: r.method == "PATCH" and r.path.endswith("/@original"), timeout=timeout
        )

    async def answer(self, *, timeout: float = 5.0) -> JSON:
        """Body of the first request that shows the user a message: a type 4/7 callback's
        ``data``, a followup, or an edit of @original -- whichever the bot used."""

        def shows(r: RecordedRequest) -> bool:
            if not 200 <= r.status < 300 or not isinstance(r.json, dict):
                return False
            if r.path.endswith("/callback"):
                return r.json.get("type") in (4, 7)
            return r.method == "POST" or (r.method == "PATCH" and "/messages/" in r.path)

        r = await self.wait(shows, timeout=timeout)
        assert isinstance(r.json, dict)
        body: JSON = r.json["data"] if r.path.endswith("/callback") else r.json
        return body

    async def choices(self, *, timeout: float = 5.0) -> list[JSON]:
        """Autocomplete choices the bot returned (callback type 8)."""
        r = await self.callback(timeout=timeout)
        assert isinstance(r.json, dict) and r.json.get("type") == 8, r.json
        result: list[JSON] = r.json["data"]["choices"]
        return result

    def original_message(self) -> JSON | None:
        mid = self.record.original_message_id
        return None if mid is None else self.rest.world.messages.get(mid)
