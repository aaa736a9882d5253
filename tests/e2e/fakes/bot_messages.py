"""Messages the bot creates, edits and deletes: validated, stored, echoed over the gateway.

Shared by the channel routes and the interaction routes. It resolves uploads into attachments
served by the fake, works out who a message really pings (honouring ``allowed_mentions``), and
sends MESSAGE_CREATE/UPDATE/DELETE for non-ephemeral messages, as Discord does.
"""

from __future__ import annotations

import re

from .rest import FakeRest, UploadedFile, error, form_error
from .state import (
    JSON,
    MENTION_RE,
    ROLE_MENTION_RE,
    FakeGuild,
    InteractionRecord,
    attachment_payload,
    message_payload,
    now_iso,
)
from .validation import Problem, message_problems

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class BotMessages:
    """Create/edit/delete bot messages the way Discord would (see module docstring)."""

    def __init__(self, rest: FakeRest) -> None:
        self.rest = rest
        self.world = rest.world
        self.gateway = rest.gateway

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
            stored = self.rest.store_file(
                entry.get("filename") or upload.filename, upload.data, upload.content_type
            )
            att = attachment_payload(stored, self.rest.file_url(stored))
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

    async def create(
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

    async def edit(self, message: JSON, body: JSON, files: tuple[UploadedFile, ...]) -> JSON:
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

    async def delete(self, message: JSON) -> None:
        self.world.delete_message(int(message["id"]))
        if not int(message["flags"]) & EPHEMERAL:
            data: JSON = {"id": message["id"], "channel_id": message["channel_id"]}
            if "guild_id" in message:
                data["guild_id"] = message["guild_id"]
            await self._echo("MESSAGE_DELETE", data)

    async def _echo(self, event: str, message: JSON) -> None:
        if not self.rest.echo_bot_messages:
            return
        guild_id = int(message["guild_id"]) if "guild_id" in message else None
        await self.gateway.dispatch(event, message, guild_id=guild_id, dm=guild_id is None)

    def validate(
        self,
        body: JSON,
        files: tuple[UploadedFile, ...],
        *,
        allow_ephemeral: bool = False,
        editing: bool = False,
    ) -> None:
        if not self.rest.strict:
            return
        problems = message_problems(
            body, files=len(files), allow_ephemeral=allow_ephemeral, editing=editing
        )
        if any(p.code == "50006" for p in problems):
            raise error(400, 50006, "Cannot send an empty message")
        if problems:
            raise form_error(problems)
