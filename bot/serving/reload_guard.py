"""The reload safety rule: a reload that would silently empty the bot needs a confirmation.

A knowledge path that does not exist (renamed, an unmounted volume, a typo in
DATELINE_KNOWLEDGE_PATHS) or article files gone for more than `reload_max_removed_share` of
the serving articles look the same to a loader as "the operator deleted everything", so the
reload is refused before anything is built or published, and the previous knowledge keeps
answering. An explicit confirmation (`/admin reload force:true`, `dateline index build
--allow-shrink`) goes ahead. The check reads the folder listing only, never the files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge import KnowledgeBase, iter_article_files, missing_paths


@dataclass(frozen=True, slots=True)
class ReloadRefusal:
    """Why a reload needs a confirmation, in plain words for the operator."""

    reason: str
    missing_paths: tuple[str, ...] = ()
    would_remove: int = 0


def missing_knowledge_paths(paths: Sequence[Path]) -> tuple[str, ...]:
    """The configured knowledge paths that do not exist."""
    return tuple(problem.file for problem in missing_paths(paths))


def articles_per_file(knowledge: KnowledgeBase | None) -> Mapping[str, int]:
    """How many serving articles each source file gave (empty before the first load)."""
    if knowledge is None:
        return {}
    return Counter(article.source_file for article in knowledge.articles)


def check_reload(
    paths: Sequence[Path], serving: Mapping[str, int], max_removed_share: float
) -> ReloadRefusal | None:
    """A refusal when this reload would lose knowledge the operator did not ask to lose.

    `serving` is the article count per source file of what serves now (the service's
    knowledge, or the published snapshot's for `dateline index build`).
    """
    missing = missing_knowledge_paths(paths)
    if missing:
        names = ", ".join(missing)
        return ReloadRefusal(
            f"the knowledge path {names} does not exist (renamed, an unmounted volume or a typo "
            "in DATELINE_KNOWLEDGE_PATHS?)",
            missing_paths=missing,
        )
    total = sum(serving.values())
    if total == 0:
        return None
    present = {file.as_posix() for file, _ in iter_article_files(paths)}
    gone = sum(count for file, count in serving.items() if file not in present)
    if gone > max_removed_share * total:
        return ReloadRefusal(
            f"this reload would remove {gone:,} of the {total:,} articles "
            f"(more than {max_removed_share:.0%}): their files are gone",
            would_remove=gone,
        )
    return None
