"""Operator replies on Discord: reload reports, extension reloads, status and refusals."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from bot.frontends.discord.render.markup import (
    COLOUR_ANSWER,
    COLOUR_ERROR,
    COLOUR_INFO,
    EMBED_FIELD_VALUE,
    LIST_IN_FIELD,
    escape_trimmed,
    fit_embed,
    trim,
)
from bot.knowledge import LoadProblem, stale_reason
from bot.serving import ReloadReport


def expired_button_message() -> str:
    """Shown for a click on a button that no longer works (expired, or from before a restart)."""
    return "This button has expired — ask again (or run the command again) for fresh buttons."


def not_owner_message() -> str:
    """Shown when someone else presses an answer's page buttons."""
    return "Only the person who asked can page through these results — ask your own with `/ask`."


def _stale_list(stale: Sequence[LoadProblem], limit: int = 5) -> str:
    """Each stale file with the reason it fails to load now."""
    lines = [
        f"`{escape_trimmed(problem.file, 160).replace('`', 'ʼ')}` — "
        f"{escape_trimmed(stale_reason(problem), 160)}"
        for problem in stale[:limit]
    ]
    if len(stale) > limit:
        lines.append(f"… and {len(stale) - limit:,} more")
    return trim("\n".join(lines), EMBED_FIELD_VALUE)


def _id_list(ids: Iterable[str], limit: int = LIST_IN_FIELD) -> str:
    items = list(ids)
    shown = [f"`{trim(item, 90).replace('`', 'ˋ')}`" for item in items[:limit]]
    more = len(items) - len(shown)
    text = ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")
    return trim(text, EMBED_FIELD_VALUE)


def reload_embed(report: ReloadReport) -> discord.Embed:
    """The /admin reload reply: what changed, problems and time; or why it failed."""
    if report.needs_confirmation:
        embed = discord.Embed(
            title="Reload refused — the previous knowledge is still answering",
            description=escape_trimmed(report.error or "unknown reason", 1500)
            + ".\n\nIf that is what you meant, run `/admin reload force:true`.",
            colour=COLOUR_ERROR,
        )
        return fit_embed(embed)
    if not report.ok:
        embed = discord.Embed(
            title="Reload failed — the previous knowledge is still answering",
            description=escape_trimmed(report.error or "unknown error", 1500),
            colour=COLOUR_ERROR,
        )
        embed.set_footer(text=f"after {report.seconds:.2f} s")
        return fit_embed(embed)
    embed = discord.Embed(
        title="Knowledge reloaded",
        description=(
            f"**{report.articles:,}** articles, **{report.passages:,}** passages "
            f"in {report.seconds:.2f} s."
        ),
        colour=COLOUR_ANSWER,
    )
    for name, ids in (
        ("Added", report.added),
        ("Removed", report.removed),
        ("Changed", report.changed),
    ):
        embed.add_field(
            name=f"{name} ({len(ids):,})", value=_id_list(ids) if ids else "—", inline=False
        )
    if report.stale:
        embed.add_field(
            name=f"Stale ({len(report.stale):,}): the last good version is still served",
            value=_stale_list(report.stale),
            inline=False,
        )
    if report.problems:
        problems = [escape_trimmed(str(problem), 200) for problem in report.problems[:5]]
        more = len(report.problems) - len(problems)
        value = "\n".join(problems) + (f"\n… and {more:,} more" if more > 0 else "")
        embed.add_field(name=f"Problems ({len(report.problems):,})", value=value, inline=False)
    return fit_embed(embed)


@dataclass(frozen=True, slots=True)
class ExtensionResult:
    """One cog's outcome in /admin reload-extensions."""

    name: str
    ok: bool
    error: str | None = None


def extensions_embed(results: Sequence[ExtensionResult]) -> discord.Embed:
    """The /admin reload-extensions reply."""
    failed = [result for result in results if not result.ok]
    embed = discord.Embed(
        title="Extensions reloaded" if not failed else "Some extensions failed to reload",
        colour=COLOUR_ANSWER if not failed else COLOUR_ERROR,
    )
    lines = []
    for result in results:
        if result.ok:
            lines.append(f"✅ `{result.name}`")
        else:
            error = escape_trimmed(result.error or "failed", 300)
            lines.append(f"❌ `{result.name}` — kept the previous version: {error}")
    embed.description = "\n".join(lines) or "No extensions."
    return fit_embed(embed)


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What /admin status shows; gathered by the admin cog, rendered here."""

    version: str
    discord_version: str
    started_at: float
    articles: int
    passages: int
    last_reload: ReloadReport | None
    reloading: bool
    latency_seconds: float | None
    guilds: int
    shard: str | None = None
    storage: str = "ok"
    reranker: str = ""
    stale: tuple[LoadProblem, ...] = ()  # files served from their last good version


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def status_embed(info: StatusInfo, now: float | None = None) -> discord.Embed:
    """The /admin status reply."""
    now = time.time() if now is None else now
    embed = discord.Embed(title="Dateline status", colour=COLOUR_INFO)
    embed.add_field(name="Uptime", value=_duration(now - info.started_at), inline=True)
    embed.add_field(name="Articles", value=f"{info.articles:,}", inline=True)
    embed.add_field(name="Passages", value=f"{info.passages:,}", inline=True)
    if info.last_reload is None:
        reload_text = "never"
    else:
        ago = _duration(now - info.last_reload.finished_at)
        verdict = "ok" if info.last_reload.ok else "failed"
        reload_text = f"{verdict}, {ago} ago — {escape_trimmed(info.last_reload.summary(), 700)}"
    if info.reloading:
        reload_text = "running now; " + reload_text
    embed.add_field(name="Last reload", value=trim(reload_text, EMBED_FIELD_VALUE), inline=False)
    latency = info.latency_seconds
    latency_text = (
        f"{latency * 1000:.0f} ms" if latency is not None and math.isfinite(latency) else "n/a"
    )
    embed.add_field(name="Gateway latency", value=latency_text, inline=True)
    embed.add_field(name="Servers", value=f"{info.guilds:,}", inline=True)
    if info.shard:
        embed.add_field(name="Shards", value=info.shard, inline=True)
    embed.add_field(name="Storage", value=trim(info.storage, 200), inline=True)
    if info.reranker:
        embed.add_field(name="Re-ranker", value=trim(info.reranker, 300), inline=False)
    if info.stale:
        embed.add_field(
            name=f"Stale files ({len(info.stale):,}): last good version served",
            value=_stale_list(info.stale),
            inline=False,
        )
    embed.set_footer(text=f"Dateline {info.version} · discord.py {info.discord_version}")
    return fit_embed(embed)


def refusal_message() -> str:
    """Shown to members who try an admin command."""
    return (
        "Only server admins can use this: you need the Manage Server permission or a "
        "Dateline admin role."
    )
