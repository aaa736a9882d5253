"""Latency and throughput of the Discord front end under load, against the local fake Discord.

Usage: python scripts/bench_discord_load.py [--users 50] [--questions 1000] [--slash-every 2]
                                            [--knowledge PATH] [--reload] [--json]
                                            [--start-timeout SECONDS]

The real bot and the fake Discord run in one process on 127.0.0.1 (so the figures include the
fake's own work). Each simulated user asks, waits for the answer, and asks again; latency is
from the question being dispatched to the reply arriving at the fake (polled every 1 ms).
By default the questions are about four short stories; `--knowledge` points at real articles.
A benchmark, not a test: nothing is asserted, the figures are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the fake Discord lives with the tests

from e2e.dateline_harness import BRIDGE_STORIES, Harness, write_articles  # noqa: E402
from e2e.fakes.discord_server import FakeDiscord  # noqa: E402
from e2e.fakes.state import ADMINISTRATOR  # noqa: E402
from e2e.load_driver import LoadResult, run_load  # noqa: E402

from bot.frontends.discord.bot import DatelineBot  # noqa: E402


async def bench(args: argparse.Namespace, workdir: Path) -> LoadResult:
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            guild = await fake.add_guild("Bench", channels=("general", "news"))
            admin = await fake.add_role(guild, "Admin", ADMINISTRATOR)
            await fake.add_user(guild, "alice")
            await fake.add_user(guild, "root", roles=[admin])
            harness = Harness(fake, guild, workdir)
            users = [await fake.add_user(guild, f"reader{i}") for i in range(args.users)]
            knowledge = args.knowledge or write_articles(workdir / "stories", BRIDGE_STORIES)
            settings = harness.settings(knowledge, cooldown_rate=1_000_000, cooldown_per_seconds=1)

            async def reload() -> Any:
                interaction = await fake.slash_command(
                    harness.general, harness.root, "admin reload"
                )
                return await interaction.followup(timeout=120)

            bot = DatelineBot(settings, guild_ready_timeout=0.1)
            async with fake.run_bot(bot, timeout=args.start_timeout):  # a big corpus builds first
                return await run_load(
                    fake,
                    harness.general,
                    users,
                    questions=args.questions,
                    slash_every=args.slash_every,
                    midway=reload if args.reload else None,
                    answer_timeout=120,
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--slash-every", type=int, default=2, help="every n-th question is /ask")
    parser.add_argument("--knowledge", type=Path, default=None)
    parser.add_argument("--reload", action="store_true", help="/admin reload half-way through")
    parser.add_argument("--start-timeout", type=float, default=900.0, help="seconds to load")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as tmp:
        result = asyncio.run(bench(args, Path(tmp)))
    figures = {
        "users": args.users,
        "questions": len(result.asked),
        "answered": len(result.latencies),
        "lost": len(result.failures),
        "duplicated": sum(1 for count in result.counts.values() if count > 1),
        "seconds": round(result.seconds, 3),
        "p50_ms": round(result.percentile(0.5) * 1000, 1),
        "p95_ms": round(result.percentile(0.95) * 1000, 1),
        "max_ms": round(max(result.latencies, default=0.0) * 1000, 1),
        "throughput_per_s": round(result.throughput, 1),
    }
    if args.json:
        sys.stdout.write(json.dumps(figures) + "\n")
    else:
        width = max(len(name) for name in figures)
        for name, value in figures.items():
            sys.stdout.write(f"{name:<{width}}  {value}\n")
    return 0 if not result.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
