"""Autocomplete for the Discord commands, and resolving what was picked or typed.

Autocomplete must answer within Discord's 3 seconds on every keystroke, so the work per
keystroke is one linear scan with an early stop over what is prepared once per knowledge
snapshot.

- `/article title:`: lower-cased titles (`ArticleCatalog`). Choice values are article ids, or a
  short stable digest when an id is longer than Discord's 100 characters.
- `/admin knowledge remove`: article files by path or by the titles of their articles, and
  resolving what the admin typed (a file's path as listed, or an article's title) to one file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.frontends.discord.render import CHOICE_NAME, CHOICE_VALUE, CHOICES, trim
from bot.knowledge import Article, FileEntry, KnowledgeBase, collapse_whitespace, list_article_files

_DIGEST_PREFIX = "#"


def choice_value(article: Article) -> str:
    """The value a choice carries: the id, or `#<digest>` when the id is too long."""
    if len(article.id) <= CHOICE_VALUE and not article.id.startswith(_DIGEST_PREFIX):
        return article.id
    return _DIGEST_PREFIX + hashlib.sha1(article.id.encode("utf-8")).hexdigest()[:24]


def choice_name(article: Article) -> str:
    """What the user sees in the list: the title and the dateline, within 100 characters."""
    title = collapse_whitespace(article.title) or article.id
    if article.dateline is not None:
        suffix = f" — {article.dateline.display}"
        if len(title) + len(suffix) <= CHOICE_NAME:
            return title + suffix
    return trim(title, CHOICE_NAME)


@dataclass(frozen=True, slots=True)
class ArticleCatalog:
    """Titles of one snapshot, prepared for fast search."""

    articles: tuple[Article, ...]
    _folded: tuple[str, ...] = field(init=False, repr=False)
    _by_value: dict[str, Article] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        folded = tuple(collapse_whitespace(article.title).casefold() for article in self.articles)
        object.__setattr__(self, "_folded", folded)
        object.__setattr__(self, "_by_value", {choice_value(a): a for a in self.articles})

    def choices(self, typed: str, limit: int = CHOICES) -> list[tuple[str, str]]:
        """(name, value) pairs for what the user has typed: title prefix matches first, then
        titles containing every typed word; at most `limit` (Discord allows 25)."""
        limit = min(limit, CHOICES)
        query = collapse_whitespace(typed).casefold()
        if not query:
            picked = list(range(min(limit, len(self.articles))))
        else:
            words = query.split()
            prefix: list[int] = []
            contains: list[int] = []
            for position, title in enumerate(self._folded):
                if title.startswith(query):
                    prefix.append(position)
                    if len(prefix) >= limit:
                        break
                elif len(contains) < limit and all(word in title for word in words):
                    contains.append(position)
            picked = (prefix + contains)[:limit]
        return [(choice_name(self.articles[i]), choice_value(self.articles[i])) for i in picked]

    def resolve(self, value: str) -> Article | None:
        """The article for a chosen value, or for a typed title (exact, then unique prefix)."""
        found = self._by_value.get(value)
        if found is not None:
            return found
        query = collapse_whitespace(value).casefold()
        if not query:
            return None
        for position, title in enumerate(self._folded):
            if title == query:
                return self.articles[position]
        matches = [i for i, title in enumerate(self._folded) if title.startswith(query)]
        if len(matches) == 1:
            return self.articles[matches[0]]
        return None


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
