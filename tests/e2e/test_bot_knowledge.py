"""`/admin knowledge add | remove | list` and watch mode through the fake Discord: uploads are
checked before download, validated before writing, written atomically, audited; hostile file
names are refused with nothing written; removal goes to a restorable trash."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.frontends.discord.bot import DatelineBot
from bot.knowledge import KnowledgeBase, ProgressCallback, build_knowledge_base
from bot.serving import KnowledgeService
from bot.settings import Settings

from .dateline_harness import Harness, assert_no_pings
from .fakes.discord_server import FakeDiscord
from .fakes.state import FakeFile, FakeGuild

pytestmark = pytest.mark.timeout(30)

LIGHTS = (
    b"Bridge lights switched on\n\nLONDON, May 5 (Reuters) - The mayor switched on the new "
    b"bridge lights on Friday evening. Hundreds watched from the river bank.\n"
)
LIGHTS_QUESTION = "Who switched on the bridge lights?"

# Names an attacker (or a careless admin) might upload; every one must be refused.
HOSTILE_NAMES = (
    "../../x.txt",
    "../escape.md",
    "/etc/passwd.txt",
    "..\\..\\x.txt",
    "sub/dir.txt",
    ".env",
    ".env.txt",
    ".hidden.md",
    "CON.txt",
    "con",
    "nul.md",
    "LPT1.json",
    "COM3.txt",
    "C:evil.txt",
    "x.exe",
    "x.txt.exe",
    "x.py",
    "x",
    "",
    "   ",
    "-rf.txt",
    "x.txt.",
    "br\u0456dge.txt",  # Cyrillic і among Latin letters
    "\uff42\uff52\uff49\uff44\uff47\uff45.txt",  # fullwidth ｂｒｉｄｇｅ
    "bridge\uff0etxt",  # fullwidth full stop
    "bri\u200bdge.txt",  # zero-width space
    "x\u202etxt.md",  # right-to-left override
    "x\u0000.txt",
    "x\n.txt",
    "a" * 300 + ".txt",
    "<@&123>.txt",
    "@everyone.txt",
)


@pytest.fixture
def harness(fake_discord: FakeDiscord, fake_guild: FakeGuild, tmp_path: Path) -> Harness:
    return Harness(fake_discord, fake_guild, tmp_path)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the attachments the bot downloaded."""
    seen: list[str] = []
    original = discord.Attachment.read

    async def counting(self: discord.Attachment, *, use_cached: bool = False) -> bytes:
        seen.append(self.filename)
        return await original(self, use_cached=use_cached)

    monkeypatch.setattr(discord.Attachment, "read", counting)
    return seen


def plain(text: str) -> str:
    """Discord markdown with the escapes removed (what the admin reads)."""
    return re.sub(r"\\(.)", r"\1", text)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones included) with its bytes, but for the database and
    the neural vector cache (derived data, saved as the bot runs)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not path.name.startswith("dateline.sqlite3")
        and "vectors" not in path.relative_to(root).parts
    }


def visible_files(folder: Path) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


async def add(
    harness: Harness, filename: str, data: bytes, *, replace: bool | None = None, user: Any = None
) -> dict[str, Any]:
    options: dict[str, Any] = {"file": FakeFile(filename, data, "text/plain")}
    if replace is not None:
        options["replace"] = replace
    ix = await harness.fake.slash_command(
        harness.general, user or harness.root, "admin knowledge add", options
    )
    answer = await ix.answer()
    assert answer["flags"] & 64
    assert_no_pings_if_present(answer)
    return answer


def assert_no_pings_if_present(answer: dict[str, Any]) -> None:
    if "allowed_mentions" in answer:
        assert_no_pings(answer)


async def audit(bot: DatelineBot, limit: int = 100) -> list[Any]:
    assert bot.store is not None
    rows = await bot.store.audit_log(limit)
    assert rows is not None
    return sorted(rows, key=lambda row: row.id)


# --- add --------------------------------------------------------------------------------------


async def test_add_validates_writes_reloads_and_reports(
    harness: Harness, downloads: list[str]
) -> None:
    folder = harness.stories()
    async with harness.running(harness.settings(folder)) as bot:
        before = bot.service.knowledge.article_count
        answer = await add(harness, "lights.txt", LIGHTS)
        embed = answer["embeds"][0]
        assert embed["title"] == "Article file added"
        assert embed["description"].startswith("**Bridge lights switched on**\n")
        assert "LONDON" in embed["description"] and "1 passage" in embed["description"]
        fields = {field["name"]: field["value"] for field in embed["fields"]}
        assert fields["File"].startswith("`lights.txt` · ")
        assert fields["Knowledge"].startswith(f"{before + 1} articles")
        assert (folder / "lights.txt").read_bytes() == LIGHTS
        assert downloads == ["lights.txt"]
        reply = await harness.mention(harness.alice, LIGHTS_QUESTION)
        assert reply["embeds"][0]["title"] == "Bridge lights switched on"
        (row,) = [row for row in await audit(bot) if row.action == "admin knowledge add"]
        assert row.result == "ok" and row.user_id == int(harness.root["id"])
        assert row.detail["file"] == "lights.txt" and row.detail["passages"] == 1
        assert row.detail["reload"] == "ok" and row.detail["grant"] == "manage_guild"


async def test_add_refuses_to_overwrite_unless_replace(harness: Harness) -> None:
    folder = harness.stories()
    async with harness.running(harness.settings(folder)) as bot:
        original = (folder / "bridge.txt").read_bytes()
        refused = await add(harness, "bridge.txt", LIGHTS)
        assert refused["embeds"][0]["title"] == "Nothing was changed"
        assert "already exists; set replace" in plain(refused["embeds"][0]["description"])
        lookalike = await add(harness, "Bridge.txt", LIGHTS)  # differs only in case
        assert "would look the same" in plain(lookalike["embeds"][0]["description"])
        assert (folder / "bridge.txt").read_bytes() == original

        replaced = await add(harness, "bridge.txt", LIGHTS, replace=True)
        embed = replaced["embeds"][0]
        assert embed["title"] == "Article file replaced"
        assert any(field["name"] == "Previous version" for field in embed["fields"])
        assert (folder / "bridge.txt").read_bytes() == LIGHTS
        trashed = list((folder / ".trash").rglob("bridge.txt"))
        assert [path.read_bytes() for path in trashed] == [original]
        assert bot.service.knowledge.article_count == 4
        results = [(r.result, r.detail.get("replace")) for r in await audit(bot)]
        assert results == [("refused", False), ("refused", False), ("ok", True)]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("binary.txt", bytes(range(256)) * 20, "was not added"),
        ("empty.md", b"", "was not added"),
        ("broken.json", b'{"title": "half a record", "text": ', "was not added"),
        ("deep.json", b"[" * 5000 + b"]" * 5000, "was not added"),
        ("letters.txt", b"aaaaaaaaaa", "needs a title and at least one sentence"),
        ("repeat.txt", b"Test\n\ntest test test test.\n", "no sentence of real text"),
    ],
)
async def test_invalid_files_are_refused_and_nothing_is_written(
    harness: Harness, name: str, data: bytes, reason: str
) -> None:
    folder = harness.stories()
    async with harness.running(harness.settings(folder)) as bot:
        before = tree(harness.tmp_path)
        answer = await add(harness, name, data)
        embed = answer["embeds"][0]
        assert embed["title"] == "Nothing was changed", embed
        assert reason in plain(embed["description"])
        assert tree(harness.tmp_path) == before
        assert bot.service.knowledge.article_count == 4
        (row,) = await audit(bot)
        assert (row.action, row.result, row.detail["file"]) == (
            "admin knowledge add",
            "refused",
            name,
        )


async def test_over_the_size_limit_is_refused_before_downloading(
    harness: Harness, downloads: list[str]
) -> None:
    folder = harness.stories()
    async with harness.running(harness.settings(folder, upload_max_bytes=1000)) as bot:
        before = tree(harness.tmp_path)
        answer = await add(harness, "big.txt", LIGHTS * 20)
        assert "over the 1,000-byte upload limit" in plain(answer["embeds"][0]["description"])
        assert downloads == []
        assert tree(harness.tmp_path) == before
        assert [(r.result, r.detail["size"]) for r in await audit(bot)] == [
            ("refused", len(LIGHTS) * 20)
        ]


async def test_hostile_file_names_are_refused_before_downloading_and_nothing_is_written(
    harness: Harness, downloads: list[str]
) -> None:
    folder = harness.stories()
    async with harness.running(harness.settings(folder)) as bot:
        before = tree(harness.tmp_path)
        for name in HOSTILE_NAMES:
            answer = await add(harness, name, LIGHTS)
            embed = answer["embeds"][0]
            assert embed["title"] == "Nothing was changed", name
            assert plain(embed["description"]).startswith("file name refused: "), (name, embed)
            assert len(embed["description"]) <= 4096
        assert downloads == []
        assert tree(harness.tmp_path) == before
        assert not (harness.tmp_path.parent / "x.txt").exists()
        rows = await audit(bot)
        assert len(rows) == len(HOSTILE_NAMES)
        assert {(row.action, row.result) for row in rows} == {("admin knowledge add", "refused")}
        assert bot.service.knowledge.article_count == 4


@pytest.mark.parametrize(
    ("fail_in", "replace"),
    [(("fsync",), False), (("link", "replace"), False), (("replace",), True)],
    ids=["fsync-of-the-temporary", "rename-of-a-new-file", "rename-over-an-old-file"],
)
async def test_a_crash_while_writing_never_leaves_a_half_written_article(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, fail_in: tuple[str, ...], replace: bool
) -> None:
    """The write dies at fsync (before the rename) or at the rename itself: the folder holds no
    new or half-written article and no temporary file, the old knowledge serves, and the admin
    is told."""
    folder = harness.stories()

    @contextlib.contextmanager
    def failing() -> Iterator[None]:
        saved = {name: getattr(os, name) for name in fail_in}

        def boom(*args: Any, **kwargs: Any) -> Any:
            raise OSError(5, "Input/output error")

        for name in fail_in:
            monkeypatch.setattr(os, name, boom)
        try:
            yield
        finally:
            for name, real in saved.items():
                monkeypatch.setattr(os, name, real)

    async with harness.running(harness.settings(folder)) as bot:
        before = tree(harness.tmp_path)
        with failing():
            if replace:
                answer = await add(harness, "bridge.txt", LIGHTS, replace=True)
            else:
                answer = await add(harness, "lights.txt", LIGHTS)
        embed = answer["embeds"][0]
        assert embed["title"] == "Nothing was changed"
        assert "Input/output error" in plain(embed["description"])
        after = tree(harness.tmp_path)
        # Only the trash may have gained a copy of the file that was about to be replaced.
        assert {name: data for name, data in after.items() if ".trash/" not in name} == before
        assert not list(folder.glob(".upload-*")) and not (folder / "lights.txt").exists()
        assert bot.service.knowledge.article_count == 4
        reply = await harness.mention(harness.alice, "Who opened the new bridge over the river?")
        assert reply["embeds"][0]["title"] == "Mayor opens river bridge"
        (row,) = await audit(bot)
        assert (row.action, row.result) == ("admin knowledge add", "error")


async def test_a_failed_reload_after_add_is_reported(harness: Harness) -> None:
    folder = harness.stories()
    builds: list[int] = []

    def flaky(
        settings: Settings, paths: Sequence[Path] | None, progress: ProgressCallback | None
    ) -> KnowledgeBase:
        builds.append(1)
        if len(builds) > 1:
            raise RuntimeError("index exploded")
        return build_knowledge_base(settings, paths, progress)

    settings = harness.settings(folder)
    service = KnowledgeService(settings, builder=flaky)
    async with harness.running(settings, service=service) as bot:
        answer = await add(harness, "lights.txt", LIGHTS)
        embed = answer["embeds"][0]
        assert embed["title"] == "Article file added, but not served yet"
        knowledge = {field["name"]: field["value"] for field in embed["fields"]}["Knowledge"]
        assert "The reload failed; the previous knowledge is still answering" in knowledge
        assert "index exploded" in knowledge
        assert bot.service.knowledge.article_count == 4
        (row,) = await audit(bot)
        assert (row.result, row.detail["reload"]) == ("error", "failed")


# --- remove and list --------------------------------------------------------------------------


async def test_remove_with_autocomplete_moves_to_the_trash_and_reloads(harness: Harness) -> None:
    fake = harness.fake
    folder = harness.stories()
    async with harness.running(harness.settings(folder)) as bot:
        typing = await fake.autocomplete(
            harness.general,
            harness.root,
            "admin knowledge remove",
            {"article": "ferr"},
            focused="article",
        )
        choices = await typing.choices()
        assert [choice["value"] for choice in choices] == ["ferry.txt"]
        assert choices[0]["name"] == "ferry.txt — Ferry service ends"
        by_title = await fake.autocomplete(
            harness.general,
            harness.root,
            "admin knowledge remove",
            {"article": "tolls"},
            focused="article",
        )
        assert [choice["value"] for choice in await by_title.choices()] == ["tolls.txt"]
        snoop = await fake.autocomplete(
            harness.general,
            harness.alice,
            "admin knowledge remove",
            {"article": ""},
            focused="article",
        )
        assert await snoop.choices() == []  # members see no file names

        ix = await fake.slash_command(
            harness.general, harness.root, "admin knowledge remove", {"article": "ferry.txt"}
        )
        embed = (await ix.followup()).json["embeds"][0]
        assert embed["title"] == "Article file removed"
        assert "`ferry.txt` was moved to the knowledge folder's `.trash`" in embed["description"]
        fields = {field["name"]: field["value"] for field in embed["fields"]}
        assert fields["No longer answered from (1)"] == "• Ferry service ends"
        assert not (folder / "ferry.txt").exists()
        assert [path.name for path in (folder / ".trash").rglob("*.txt")] == ["ferry.txt"]
        assert bot.service.knowledge.article_count == 3

        by_name = await fake.slash_command(
            harness.general,
            harness.root,
            "admin knowledge remove",
            {"article": "no tolls on the bridge"},
        )
        embed = (await by_name.followup()).json["embeds"][0]
        assert embed["title"] == "Article file removed" and "`tolls.txt`" in embed["description"]

        for given in ("../dateline.sqlite3", "/etc/passwd", ".trash", "nothing like it"):
            refused = await fake.slash_command(
                harness.general, harness.root, "admin knowledge remove", {"article": given}
            )
            shown = (await refused.followup()).json["embeds"][0]
            assert shown["title"] == "Nothing was changed", given
        assert harness.database.exists()
        assert visible_files(folder) == ["bridge.txt", "traffic.txt"]
        rows = [(r.result, r.detail.get("file")) for r in await audit(bot)]
        assert rows[:2] == [("ok", "ferry.txt"), ("ok", "tolls.txt")]
        assert [result for result, _ in rows[2:]] == ["refused"] * 4


async def test_list_pages_through_files_with_their_problems(harness: Harness) -> None:
    fake = harness.fake
    folder = harness.stories()
    for number in range(10):
        (folder / f"extra{number:02}.txt").write_text(
            f"Extra story {number}\n\nLONDON, May 6 (Reuters) - Story number {number}.\n",
            encoding="utf-8",
        )
    (folder / "zz-broken.json").write_text("{not json", encoding="utf-8")
    async with harness.running(harness.settings(folder)) as bot:
        (folder / "zz-new.txt").write_bytes(LIGHTS)  # added on disk after the last reload
        ix = await fake.slash_command(harness.general, harness.root, "admin knowledge list")
        answer = await ix.answer()
        assert answer["flags"] & 64
        embed = answer["embeds"][0]
        assert embed["title"] == "Article files (16)"
        assert embed["footer"]["text"].startswith("Page 1 of 2 · 2 need attention")
        assert "`1.` `bridge.txt` — 1 article · " in embed["description"]
        message = ix.original_message()
        assert message is not None
        next_button = next(
            component
            for row in message["components"]
            for component in row["components"]
            if component.get("label") == "Next ▶"
        )
        other = await fake.click_button(message, next_button["custom_id"], harness.alice)
        assert "Only the person who asked" in (await other.callback()).json["data"]["content"]
        click = await fake.click_button(message, next_button["custom_id"], harness.root)
        page_two = (await click.callback()).json["data"]["embeds"][0]
        assert "zz-broken.json" in page_two["description"] and "❌" in page_two["description"]
        assert "`zz-new.txt` — 0 articles" in page_two["description"]
        assert "not loaded yet" in page_two["description"]

        only = await fake.slash_command(
            harness.general, harness.root, "admin knowledge list", {"problems": True}
        )
        embed = (await only.answer())["embeds"][0]
        assert embed["title"] == "Article files with problems (2)"
        rows = await audit(bot)
        assert [(row.action, row.detail.get("files")) for row in rows] == [
            ("admin knowledge list", 16),
            ("admin knowledge list", 2),
        ]


# --- watch mode -------------------------------------------------------------------------------


async def test_watch_mode_reloads_when_files_change(harness: Harness) -> None:
    folder = harness.stories()
    async with harness.running(harness.settings(folder, watch_knowledge=True)) as bot:
        assert bot.service.knowledge.article_count == 4
        await asyncio.sleep(0.3)  # the watcher is up
        (folder / "lights.txt").write_bytes(LIGHTS)
        for _ in range(100):
            if bot.service.knowledge.article_count == 5:
                break
            await asyncio.sleep(0.05)
        assert bot.service.knowledge.article_count == 5
        reply = await harness.mention(harness.alice, LIGHTS_QUESTION)
        assert reply["embeds"][0]["title"] == "Bridge lights switched on"
        watchers = [task for task in bot._tasks if task.get_name() == "dateline-watch"]
        assert len(watchers) == 1
    assert all(task.done() for task in watchers)  # stopped on close


async def test_invisible_characters_never_reach_a_member(harness: Harness) -> None:
    rlo, pdf, zwsp = "\u202e", "\u202c", "\u200b"
    hostile = (
        f"Harbour {rlo}lanoitan{pdf} reopens\n\nLONDON, May 5 (Reuters) - The har{zwsp}bour "
        f"master reopened the {rlo}yauq{pdf} on Friday after the storm.\n"
    )
    folder = harness.stories({"harbour.txt": hostile})
    async with harness.running(harness.settings(folder)):
        reply = await harness.mention(harness.alice, "Who reopened the harbour?")
        article = await harness.fake.slash_command(
            harness.general, harness.alice, "article", {"title": "Harbour"}
        )
        shown = await article.answer()
        for payload in (reply, shown):
            text = json.dumps(payload, ensure_ascii=False)
            assert not {rlo, pdf, zwsp} & set(text), payload
        assert "master **reopened** the yauq" in reply["embeds"][0]["description"]
