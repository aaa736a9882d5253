"""Load through the fake Discord: 50 users, 1,000 questions (mentions and /ask) and a knowledge
reload in the middle; every question answered exactly once, and every one recorded.

The latency figures are printed for information only (`scripts/bench_discord_load.py` is the
benchmark); the test asserts correctness, plus a generous time bound.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .dateline_harness import BRIDGE_STORIES, Harness, assert_no_pings, write_articles
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeGuild
from .load_driver import run_load

pytestmark = pytest.mark.timeout(120)

USERS = 50
QUESTIONS = 1000


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


async def test_1000_questions_from_50_users_with_a_reload_midway(harness: Harness) -> None:
    fake = harness.fake
    folder = write_articles(harness.tmp_path / "live", BRIDGE_STORIES)
    users = [await fake.add_user(harness.guild, f"reader{i}") for i in range(USERS)]
    settings = harness.settings(folder, cooldown_rate=10_000, cooldown_per_seconds=1)
    reload_tokens: list[str] = []
    reload_done: list[int] = []  # request-journal index of the reload's report

    async def reload_midway() -> None:
        (folder / "lights.txt").write_text(
            "Bridge lights\n\nLONDON, May 5 (Reuters) - The bridge lights were switched on.\n",
            encoding="utf-8",
        )
        interaction = await fake.slash_command(harness.general, harness.root, "admin reload")
        reload_tokens.append(interaction.token)
        followup = await interaction.followup(timeout=20)
        reload_done.append(followup.index)
        report = followup.json["embeds"][0]
        assert report["title"] == "Knowledge reloaded", report
        assert "**5** articles" in report["description"]

    async with harness.running(settings) as bot:
        result = await run_load(
            fake, harness.general, users, questions=QUESTIONS, midway=reload_midway
        )
        print(f"\nload: {result.summary()}")
        assert not result.failures, f"{len(result.failures)} questions got no answer"
        assert len(result.asked) == QUESTIONS
        duplicated = {key: n for key, n in result.counts.items() if n != 1}
        assert not duplicated, f"questions answered more than once: {duplicated}"
        assert set(result.unexpected) <= {f"token:{token}" for token in reload_tokens}
        kinds = list(result.asked.values())
        assert kinds.count("slash") == QUESTIONS // 2 and kinds.count("mention") == QUESTIONS // 2
        for key, reply in result.replies.items():
            if key in result.asked:
                assert reply.json["embeds"], f"{key} got {reply.json.get('content')!r}"
                assert_no_pings(reply.json)
        assert bot.service.knowledge.article_count == 5  # the reload took effect
        # ... in the middle: questions were answered before and after its report.
        answer_indexes = [result.replies[key].index for key in result.asked]
        assert min(answer_indexes) < reload_done[0] < max(answer_indexes)
        assert bot.store is not None
        # Every question (answered or not) was recorded for /admin stats; writes may still be
        # finishing, so wait for the store's queue to drain.
        stats = await bot.store.stats()
        assert stats is not None
        assert stats.questions_asked == QUESTIONS
        assert 0 < stats.questions_answered < QUESTIONS  # a mix of answered and not found
        assert result.seconds < 60
