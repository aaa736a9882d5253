"""Finding an article by title for `/article`: autocomplete choices and resolving the pick.

Autocomplete must answer within Discord's 3 seconds on every keystroke, so the lower-cased
titles are prepared once per knowledge snapshot and a lookup is one linear scan with an early
stop. Choice values are article ids, or a short stable digest when an id is longer than
Discord's 100 characters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.articles import Article, collapse_whitespace
from bot.discord_app.render import CHOICE_NAME, CHOICE_VALUE, CHOICES, trim

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
