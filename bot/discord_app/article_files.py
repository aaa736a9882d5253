"""Finding article files from Discord: `/admin knowledge remove` autocomplete, and resolving what
the admin typed (a file's path as listed, or an article's title) to one file."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.articles import collapse_whitespace
from bot.discord_app.render import CHOICE_NAME, CHOICE_VALUE, CHOICES, trim
from bot.knowledge import KnowledgeBase
from bot.knowledge_files import FileEntry, list_article_files


def _key(path: str | Path) -> str:
    return os.path.realpath(path)


def titles_by_file(knowledge: KnowledgeBase) -> dict[str, list[str]]:
    """Real path of each loaded file → the titles of its articles."""
    titles: dict[str, list[str]] = {}
    for article in knowledge.articles:
        title = collapse_whitespace(article.title) or article.id
        titles.setdefault(_key(article.source_file), []).append(title)
    return titles


def titles_of(entry: FileEntry, titles: Mapping[str, Sequence[str]]) -> list[str]:
    """The loaded titles of one file's articles."""
    return list(titles.get(_key(entry.path), ()))


def article_files(folder: Path, knowledge: KnowledgeBase) -> list[FileEntry]:
    """The folder's article files as the serving knowledge sees them (disk work: use a thread)."""
    return list_article_files(folder, knowledge.report)


def file_choices(
    entries: Sequence[FileEntry],
    titles: Mapping[str, Sequence[str]],
    current: str,
    limit: int = CHOICES,
) -> list[tuple[str, str]]:
    """(name, value) autocomplete pairs: files whose path or article titles contain `current`;
    path matches first. Values are relative paths (files with longer paths cannot be offered)."""
    wanted = collapse_whitespace(current).casefold()
    by_path: list[tuple[str, str]] = []
    by_title: list[tuple[str, str]] = []
    for entry in entries:
        value = entry.relative_path
        if len(value) > CHOICE_VALUE:
            continue
        file_titles = titles.get(_key(entry.path), ())
        first = file_titles[0] if file_titles else "not loaded"
        more = f" (+{len(file_titles) - 1})" if len(file_titles) > 1 else ""
        name = trim(f"{value} — {first}{more}", CHOICE_NAME)
        if wanted in value.casefold():
            by_path.append((name, value))
        elif any(wanted in title.casefold() for title in file_titles):
            by_title.append((name, value))
        if len(by_path) >= limit:
            break
    return (by_path + by_title)[:limit]


def resolve_file(
    entries: Sequence[FileEntry], titles: Mapping[str, Sequence[str]], given: str
) -> FileEntry | None:
    """The file `given` names: its relative path exactly, else the one file with an article of
    exactly that title (ignoring case). None when nothing, or more than one file, matches."""
    text = given.strip()
    for entry in entries:
        if entry.relative_path == text:
            return entry
    wanted = collapse_whitespace(text).casefold()
    if not wanted:
        return None
    matches = [
        entry
        for entry in entries
        if any(title.casefold() == wanted for title in titles.get(_key(entry.path), ()))
    ]
    return matches[0] if len(matches) == 1 else None
