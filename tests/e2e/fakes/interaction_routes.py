"""Interaction routes: the callback (acknowledgement) and the webhook (followup) endpoints.

They enforce Discord's interaction life cycle. An answer comes within the timeout and only
once; the callback type must fit the interaction type; followups need an acknowledgement
first; and the first followup after a deferred reply replaces the "thinking..." message.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .bot_messages import EPHEMERAL, LOADING, BotMessages
from .rest import NO_CONTENT, FakeRest, Incoming, body_of, error, form_error
from .state import JSON, InteractionRecord
from .validation import Problem, autocomplete_problems, modal_problems

# Interaction callback types allowed per interaction type.
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


class InteractionRoutes:
    """Handlers for ``/interactions/.../callback`` and ``/webhooks/{app}/{token}...``."""

    def __init__(self, rest: FakeRest, messages: BotMessages) -> None:
        self.rest = rest
        self.messages = messages
        self.world = rest.world

    def install(self) -> None:
        r = self.rest.route
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
        if asyncio.get_running_loop().time() - rec.created > self.rest.interaction_timeout:
            raise error(404, 10062, "Unknown interaction")
        if rec.responded:
            raise error(400, 40060, "Interaction has already been acknowledged.")
        body = body_of(req)
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
            self.messages.validate(data, req.files, allow_ephemeral=True)
            message = await self.messages.create(
                rec.channel_id, data, req.files, ephemeral=ephemeral, interaction=rec, webhook=True
            )
            rec.original_message_id = int(message["id"])
        elif ctype == 5:
            message = await self.messages.create(
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
                self.messages.validate(data, req.files, editing=True)
                message = await self.messages.edit(
                    self.world.messages[rec.message_id], data, req.files
                )
            ephemeral = bool(int(self.world.messages[rec.message_id]["flags"]) & EPHEMERAL)
        elif ctype == 8 and self.rest.strict and (problems := autocomplete_problems(data)):
            raise form_error(problems)
        elif ctype == 9:
            if self.rest.strict and (problems := modal_problems(data)):
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
        body = body_of(req)
        self.messages.validate(body, req.files, allow_ephemeral=True)
        original = self.world.messages.get(rec.original_message_id or 0)
        if rec.response_type == 5 and original is not None and int(original["flags"]) & LOADING:
            # The first followup after a deferred reply replaces the "thinking..." message.
            body = {k: v for k, v in body.items() if k != "flags"}
            message = await self.messages.edit(original, body, req.files)
        else:
            ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
            message = await self.messages.create(
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
        body = body_of(req)
        self.messages.validate(body, req.files, allow_ephemeral=True, editing=True)
        return await self.messages.edit(message, body, req.files)

    async def delete_webhook_message(
        self, req: Incoming, app_id: str, token: str, message_id: str
    ) -> object:
        rec = self._interaction(token, app_id=app_id)
        await self.messages.delete(self._webhook_message(rec, message_id))
        return NO_CONTENT
