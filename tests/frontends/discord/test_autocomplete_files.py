"""Autocomplete and resolution for `/admin knowledge remove` (article_files.py)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.frontends.discord.autocomplete import file_choices, resolve_file, titles_of
from bot.knowledge import FileEntry


def entry(name: str) -> FileEntry:
    return FileEntry(name, Path("/k") / name, 10, 0.0, 1, (), True)


ENTRIES = [entry("bridge.txt"), entry("city/ferry.md"), entry("tolls.json"), entry("x" * 120)]
TITLES = {
    os.path.realpath("/k/bridge.txt"): ["Mayor opens river bridge"],
    os.path.realpath("/k/city/ferry.md"): ["Ferry service ends"],
    os.path.realpath("/k/tolls.json"): ["No tolls", "Tolls again", "Bridge tolls"],
}


def test_choices_match_paths_first_then_titles_and_respect_limits() -> None:
    choices = file_choices(ENTRIES, TITLES, "bridge")
    assert choices == [
        ("bridge.txt — Mayor opens river bridge", "bridge.txt"),
        ("tolls.json — No tolls (+2)", "tolls.json"),
    ]
    everything = file_choices(ENTRIES, TITLES, "")
    assert [value for _, value in everything] == ["bridge.txt", "city/ferry.md", "tolls.json"]
    assert all(len(name) <= 100 and len(value) <= 100 for name, value in everything)
    many = [entry(f"f{i}.txt") for i in range(40)]
    assert len(file_choices(many, {}, "")) == 25
    assert file_choices(many, {}, "f1")[0] == ("f1.txt — not loaded", "f1.txt")


def test_resolve_by_exact_path_or_unique_title() -> None:
    assert resolve_file(ENTRIES, TITLES, "city/ferry.md") == ENTRIES[1]
    assert resolve_file(ENTRIES, TITLES, "  ferry SERVICE ends ") == ENTRIES[1]
    assert resolve_file(ENTRIES, TITLES, "ferry") is None
    assert resolve_file(ENTRIES, TITLES, "../bridge.txt") is None
    assert resolve_file(ENTRIES, TITLES, "") is None
    twice = {**TITLES, os.path.realpath("/k/bridge.txt"): ["No tolls"]}
    assert resolve_file(ENTRIES, twice, "no tolls") is None  # ambiguous: refuse to guess
    assert titles_of(ENTRIES[2], TITLES) == ["No tolls", "Tolls again", "Bridge tolls"]
