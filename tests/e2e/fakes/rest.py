"""The fake REST API's plumbing: routing, request recording and fault injection.

Every request under ``/api/v10`` is parsed (JSON body, or ``payload_json`` plus files of a
multipart body), answered, and recorded as a `RecordedRequest` with the status and body the
fake answered. Faults queued with `FakeRest.add_fault` answer the next N matching requests with
an error (or delay them) before the real handler runs. JSON answers carry exactly
``Content-Type: application/json``: discord.py treats anything else as text. The handlers
live in `fake_routes` and `fake_interaction_routes`.
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

from .gateway import FakeGateway
from .journal import Journal
from .state import JSON, VIEW_CHANNEL, StoredFile, World
from .validation import Problem, invalid_form_body

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
# A 1x1 transparent PNG, served for every CDN asset (avatars, icons).
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


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
    """Request plumbing: routing, auth, parsing, recording, faults, rate-limit headers.

    Route groups (`fake_routes`, `fake_interaction_routes`) register their handlers with
    `route`. `origin()` is ``http://127.0.0.1:PORT`` once the server runs.
    """

    def __init__(
        self, world: World, gateway: FakeGateway, token: str, origin: Callable[[], str]
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.token = token
        self.origin = origin
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

    def route(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
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

    def file_url(self, stored: StoredFile) -> str:
        return f"{self.origin()}/attachments/{stored.id}/{stored.filename}"

    def store_file(self, filename: str, data: bytes, content_type: str) -> StoredFile:
        stored = StoredFile(self.world.ids.next(), filename, data, content_type)
        self.world.files[stored.id] = stored
        return stored

    def channel_or_404(self, channel_id: str) -> JSON:
        channel = self.world.channel(int(channel_id))
        if channel is None:
            raise error(404, 10003, "Unknown Channel")
        return channel

    def message_or_404(self, channel_id: str, message_id: str) -> JSON:
        message = self.world.messages.get(int(message_id))
        if message is None or message["channel_id"] != str(channel_id):
            raise error(404, 10008, "Unknown Message")
        return message

    def check_bot_perms(self, channel_id: int, needed: int) -> None:
        guild = self.world.guild_of_channel(channel_id)
        if guild is None:
            return
        perms = guild.channel_permissions(self.world.bot_id, channel_id)
        if not perms & VIEW_CHANNEL:
            raise error(403, 50001, "Missing Access")
        if perms & needed != needed:
            raise error(403, 50013, "Missing Permissions")


def body_of(req: Incoming) -> JSON:
    """The JSON object body of a request (``{}`` when absent or not an object)."""
    return req.json if isinstance(req.json, dict) else {}


async def serve_file(world: World, request: web.Request) -> web.StreamResponse:
    """``GET /attachments/{id}/{filename}``: bytes of an uploaded file (what the CDN does)."""
    stored = world.files.get(int(request.match_info["file_id"]))
    if stored is None or stored.filename != request.match_info["filename"]:
        return web.Response(status=404, text="not found")
    return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})


async def serve_cdn(request: web.Request) -> web.StreamResponse:
    return web.Response(body=TINY_PNG, headers={"Content-Type": "image/png"})
