"""The fake gateway: HELLO/IDENTIFY/READY/RESUME/heartbeats over a websocket, with sessions.

A *session* outlives its websocket: every dispatch gets a sequence number and is kept, so a
client that RESUMEs (after op 7 or a dropped socket) receives what it missed, exactly like
Discord. Events are routed to the sessions whose shard owns the guild
(``(guild_id >> 22) % shard_count``); DMs go to shard 0. Frames are zlib-stream compressed
when the client asks for it (discord.py always does unless zstd is installed, in which case
plain text frames are sent, which discord.py also accepts).
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .journal import Journal
from .state import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    JSON,
    World,
    shard_for,
)

log = logging.getLogger(__name__)

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11
INTENT_GUILD_PRESENCES = 1 << 8
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT
MESSAGE_EVENTS = ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE")


@dataclass(frozen=True, slots=True)
class GatewayFrame:
    """One frame the client sent (op 1/2/3/6/8...), recorded for assertions."""

    index: int
    connection: int
    session_id: str | None
    shard: tuple[int, int] | None
    op: int
    data: Any
    time: float


class GatewayConnection:
    """One websocket. Sends are serialised so the zlib stream and sequence order stay intact."""

    def __init__(self, number: int, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.number = number
        self.ws = ws
        self.request = request
        self.path = request.path
        self.session: GatewaySession | None = None
        self.lock = asyncio.Lock()
        compress = request.query.get("compress")
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None

    @property
    def closed(self) -> bool:
        return self.ws.closed

    async def send(self, payload: JSON) -> None:
        async with self.lock:
            await self.send_locked(payload)

    async def send_locked(self, payload: JSON) -> None:
        if self.ws.closed:
            return
        text = json.dumps(payload)
        try:
            if self._zlib is not None:
                data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(text)
        except (ConnectionError, RuntimeError) as exc:
            log.debug("gateway connection %s: send failed: %s", self.number, exc)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (a network failure)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass
class GatewaySession:
    session_id: str
    shard: tuple[int, int] | None
    intents: int
    connection: GatewayConnection | None
    seq: int = 0
    sent: list[JSON] = field(default_factory=list)
    ended: bool = False
    resumes: int = 0

    @property
    def shard_id(self) -> int:
        return 0 if self.shard is None else self.shard[0]

    @property
    def shard_count(self) -> int:
        return 1 if self.shard is None else self.shard[1]

    def owns_guild(self, guild_id: int) -> bool:
        return shard_for(guild_id, self.shard_count) == self.shard_id


class FakeGateway:
    """Websocket endpoint plus session registry and event routing."""

    def __init__(self, world: World, token: str, resume_url: Callable[[], str]) -> None:
        self.world = world
        self.token = token
        self._resume_url = resume_url
        self.heartbeat_interval_ms = 41_250
        self.allowed_intents = -1  # all privileged intents enabled in the "developer portal"
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.frames: Journal[GatewayFrame] = Journal(
            lambda f: f"[{f.index}] conn={f.connection} shard={f.shard} op={f.op}"
        )
        self._counter = 0

    # -- websocket endpoint -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._counter += 1
        conn = GatewayConnection(self._counter, ws, request)
        self.connections.append(conn)
        await conn.send(
            {
                "op": OP_HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-discord"]},
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            self._detach(conn)
        return ws

    def _detach(self, conn: GatewayConnection) -> None:
        session = conn.session
        if session is None or session.connection is not conn:
            return
        session.connection = None
        # A client that closes with 1000/1001 is done with the session (as on Discord).
        if conn.ws.close_code in (1000, 1001):
            session.ended = True

    async def _on_frame(self, conn: GatewayConnection, frame: JSON) -> None:
        op = int(frame.get("op", -1))
        data: Any = frame.get("d")
        fields: JSON = data if isinstance(data, dict) else {}
        session = conn.session
        if session is None and op == OP_RESUME:
            session = self.sessions.get(str(fields.get("session_id")))
        self.frames.append(
            GatewayFrame(
                index=len(self.frames),
                connection=conn.number,
                session_id=session.session_id if session else None,
                shard=session.shard if session else None,
                op=op,
                data=data,
                time=asyncio.get_running_loop().time(),
            )
        )
        if op == OP_HEARTBEAT:
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, fields)
        elif op == OP_RESUME:
            await self._resume(conn, fields)
        elif op == OP_REQUEST_MEMBERS and session is not None:
            await self._send_member_chunks(session, fields)

    async def _identify(self, conn: GatewayConnection, data: JSON) -> None:
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_raw = data.get("shard")
        shard = (int(shard_raw[0]), int(shard_raw[1])) if shard_raw else None
        if shard is not None and not 0 <= shard[0] < shard[1]:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.allowed_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self._counter += 1
        session = GatewaySession(f"fake-session-{self._counter}", shard, intents, conn)
        self.sessions[session.session_id] = session
        conn.session = session
        guilds = [g for g in self.world.guilds.values() if session.owns_guild(g.id)]
        ready: JSON = {
            "v": 10,
            "user": self.world.bot_user,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-discord"],
        }
        if shard is not None:
            ready["shard"] = [shard[0], shard[1]]
        await self.deliver(session, "READY", ready)
        for guild in guilds:
            await self.deliver(session, "GUILD_CREATE", self.guild_create_for(session, guild.id))

    def guild_create_for(self, session: GatewaySession, guild_id: int) -> JSON:
        """GUILD_CREATE as Discord sends it: without the presences intent the member list holds
        only the bot (so a bot with the members intent must request chunks)."""
        guild = self.world.guilds[guild_id]
        include = None if session.intents & INTENT_GUILD_PRESENCES else [self.world.bot_id]
        return guild.create_payload(include_members=include)

    async def _resume(self, conn: GatewayConnection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or session.ended:
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        last_seq = int(data.get("seq") or 0)
        async with conn.lock:
            old = session.connection
            session.connection = conn
            conn.session = session
            session.resumes += 1
            missed = [p for p in session.sent if p["s"] > last_seq]
            for payload in missed:
                await conn.send_locked(payload)
        if old is not None and old is not conn and not old.closed:
            await old.ws.close(code=4000)
        await self.deliver(session, "RESUMED", {"_trace": ["fake-discord"]})

    async def _send_member_chunks(self, session: GatewaySession, data: JSON) -> None:
        raw_ids: Any = data.get("guild_id")
        guild_ids: list[Any] = raw_ids if isinstance(raw_ids, list) else [raw_ids]
        for raw in guild_ids:
            guild = self.world.guilds.get(int(raw or 0))
            if guild is None:
                continue
            members = list(guild.members.values())
            user_ids = {int(u) for u in data.get("user_ids") or []}
            if user_ids:
                members = [m for m in members if int(m["user"]["id"]) in user_ids]
            query = data.get("query")
            if query:
                members = [m for m in members if m["user"]["username"].startswith(query)]
            limit = int(data.get("limit") or 0)
            if limit:
                members = members[:limit]
            chunk: JSON = {
                "guild_id": str(guild.id),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            await self.deliver(session, "GUILD_MEMBERS_CHUNK", chunk)

    # -- dispatching --------------------------------------------------------------------------

    async def deliver(self, session: GatewaySession, event: str, data: JSON) -> None:
        """Number, keep (for RESUME) and send one dispatch on one session."""
        session.seq += 1
        payload = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(payload)
        conn = session.connection
        if conn is not None:
            await conn.send(payload)

    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if not s.ended]

    def sessions_for(
        self, *, guild_id: int | None = None, shard_id: int | None = None
    ) -> list[GatewaySession]:
        """Sessions that would receive an event (guild routing, explicit shard, or all)."""
        live = self.live_sessions()
        if shard_id is not None:
            return [s for s in live if s.shard_id == shard_id]
        if guild_id is not None:
            return [s for s in live if s.owns_guild(guild_id)]
        return live

    async def dispatch(
        self,
        event: str,
        data: JSON,
        *,
        guild_id: int | None = None,
        shard_id: int | None = None,
        dm: bool = False,
    ) -> int:
        """Queue `event` on every matching session; returns how many sessions got it."""
        if dm and shard_id is None:
            shard_id = 0
        count = 0
        for session in self.sessions_for(guild_id=guild_id, shard_id=shard_id):
            shaped = self._shape_for(session, event, data, dm=dm)
            if shaped is None:
                continue
            await self.deliver(session, event, shaped)
            count += 1
        return count

    def _shape_for(
        self, session: GatewaySession, event: str, data: JSON, *, dm: bool
    ) -> JSON | None:
        """Apply intents: no message events without the intent, no content without
        MESSAGE_CONTENT unless the bot is mentioned (or it is a DM or the bot's own message)."""
        if event.startswith("GUILD_MEMBER_") and not session.intents & INTENT_GUILD_MEMBERS:
            return None
        if event not in MESSAGE_EVENTS:
            return data
        needed = INTENT_DIRECT_MESSAGES if dm else INTENT_GUILD_MESSAGES
        if not session.intents & needed:
            return None
        if dm or event == "MESSAGE_DELETE" or session.intents & INTENT_MESSAGE_CONTENT:
            return data
        bot_id = str(self.world.bot_id)
        author = data.get("author") or {}
        mentioned = any(m.get("id") == bot_id for m in data.get("mentions") or [])
        if author.get("id") == bot_id or mentioned:
            return data
        stripped = dict(data)
        for key, empty in (
            ("content", ""),
            ("embeds", []),
            ("attachments", []),
            ("components", []),
        ):
            if key in stripped:
                stripped[key] = empty
        stripped.pop("poll", None)
        return stripped

    # -- fault injection ----------------------------------------------------------------------

    async def send_op(self, op: int, data: Any, *, shard_id: int | None = None) -> int:
        count = 0
        for session in self.sessions_for(shard_id=shard_id):
            if session.connection is not None:
                await session.connection.send({"op": op, "d": data, "s": None, "t": None})
                count += 1
        return count

    async def drop(self, *, shard_id: int | None = None, code: int | None = None) -> int:
        """Abort the TCP connection (code None) or close the websocket with `code`."""
        count = 0
        for session in self.sessions_for(shard_id=shard_id):
            conn = session.connection
            if conn is None:
                continue
            session.connection = None
            if code is None:
                conn.abort()
            else:
                await conn.ws.close(code=code)
            count += 1
        return count

    async def close_all(self) -> None:
        for conn in self.connections:
            if not conn.closed:
                await conn.ws.close(code=1001)
