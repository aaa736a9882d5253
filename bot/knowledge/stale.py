"""Last known good: the marks on a file that fails to load now and is served, instead, from
its last good version in the snapshot (`bot.snapshot.build`), and how reports find them."""

from __future__ import annotations

from collections.abc import Iterable

from bot.knowledge.articles import FileLoad, LoadProblem

# The reason of a load problem saying that a file's last good version is being served.
STALE_PREFIX = "stale: its last good version is served; now "


def failed_load(load: FileLoad) -> bool:
    """A file with a fatal problem (unreadable, binary, empty, broken JSON, a truncated
    record): some or all of its articles could not be read."""
    return any(problem.fatal for problem in load.problems)


def failure_reason(load: FileLoad) -> str:
    """The fatal problems of a failed load, in one line."""
    return "; ".join(problem.reason for problem in load.problems if problem.fatal)[:300]


def stale_problem(source_file: str, reason: str) -> LoadProblem:
    """The (non-fatal) problem that marks a file served from its last good version."""
    return LoadProblem(source_file, STALE_PREFIX + reason, fatal=False)


def is_stale(problem: LoadProblem) -> bool:
    """Whether `problem` marks a file served from its last good version."""
    return problem.reason.startswith(STALE_PREFIX)


def stale_among(problems: Iterable[LoadProblem]) -> tuple[LoadProblem, ...]:
    """The problems that mark files served from their last good version."""
    return tuple(problem for problem in problems if is_stale(problem))


def stale_reason(problem: LoadProblem) -> str:
    """Why a stale file fails to load now (its problem's reason without the marker)."""
    return problem.reason.removeprefix(STALE_PREFIX)
