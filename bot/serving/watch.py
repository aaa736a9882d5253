"""Watch mode: reload the knowledge base, debounced, when article files change on disk.

Off by default (`DATELINE_WATCH_KNOWLEDGE`). Uses `watchfiles` (the operating system's file
events through a small Rust core); without it, watch mode logs one clear error and the bot runs as
usual, reloading only on `/admin reload`. Changes to hidden paths are ignored: the `.trash/`
folder, upload temporaries (`.upload-*.tmp`) and editors' swap files never trigger a reload.
A burst of changes (an editor saving, a folder copied in) becomes one reload; changes made
while a reload runs are picked up by the next one, so the last state on disk always wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bot.errors import KnowledgeError, ReloadInProgressError
from bot.knowledge import SUPPORTED_SUFFIXES
from bot.serving.service import KnowledgeService, ReloadReport

log = logging.getLogger(__name__)

# A burst is over after DEFAULT_STEP_MS without a change (an rsync or an editor's save pauses
# for less); changes that never stop are still reloaded every DEFAULT_DEBOUNCE_MS.
DEFAULT_DEBOUNCE_MS = 1600
DEFAULT_STEP_MS = 300
UNAVAILABLE = (
    "watch mode needs the 'watchfiles' package (pip install watchfiles); "
    "carrying on without it: use /admin reload after changing articles"
)
_BUSY_POLL_SECONDS = 0.1

OnReload = Callable[[ReloadReport], Awaitable[None]]


class WatchUnavailableError(KnowledgeError):
    """`watchfiles` is not installed."""


def watch_available() -> bool:
    """Whether watch mode can run here."""
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        return False
    return True


class KnowledgeFilter:
    """Which changes matter: article files and folders, never hidden paths under a root."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = [root.resolve() for root in roots]

    def __call__(self, change: Any, path: str) -> bool:
        changed = Path(path)
        for root in self.roots:
            if changed == root:
                return True
            if changed.is_relative_to(root):
                parts = changed.relative_to(root).parts
                if any(part.startswith(".") for part in parts):
                    return False
                suffix = changed.suffix.lower()
                # No suffix: most likely a folder moved in or out, which changes articles too.
                return suffix in SUPPORTED_SUFFIXES or suffix == ""
        return False


async def watch_knowledge(
    service: KnowledgeService,
    paths: Sequence[Path] | None = None,
    *,
    debounce_ms: int = DEFAULT_DEBOUNCE_MS,
    step_ms: int = DEFAULT_STEP_MS,
    stop_event: asyncio.Event | None = None,
    on_reload: OnReload | None = None,
    force_polling: bool | None = None,
) -> int:
    """Reload `service` whenever files under `paths` change, until `stop_event` is set.

    Returns how many reloads ran. Changes are grouped: once one is seen, more are collected
    until `step_ms` passes quietly (at most `debounce_ms`). `on_reload` gets every report,
    failed ones included (the previous knowledge then keeps serving). Raises
    `WatchUnavailableError` if `watchfiles` is missing.
    """
    try:
        from watchfiles import awatch
    except ImportError as error:
        raise WatchUnavailableError(UNAVAILABLE) from error
    roots = [path for path in (paths if paths is not None else service.paths) if path.exists()]
    if not roots:
        log.warning("watch mode: none of the knowledge paths exists; nothing to watch")
        return 0
    log.info("watch mode: watching %s", ", ".join(str(root) for root in roots))
    reloads = 0
    async for changes in awatch(
        *roots,
        watch_filter=KnowledgeFilter(roots),
        debounce=debounce_ms,
        step=step_ms,
        stop_event=stop_event,
        force_polling=force_polling,
    ):
        log.info("watch mode: %d change(s) under the knowledge paths; reloading", len(changes))
        report = await _reload(service)
        if report is None:
            continue
        reloads += 1
        if on_reload is not None:
            try:
                await on_reload(report)
            except Exception:
                log.exception("watch mode: the reload callback failed")
    log.info("watch mode stopped after %d reload(s)", reloads)
    return reloads


async def _reload(service: KnowledgeService) -> ReloadReport | None:
    """Reload once; if another reload (say `/admin reload`) is running, wait and go again,
    because it may have read the folder before these changes were made."""
    while True:
        try:
            return await service.reload_async()
        except ReloadInProgressError:
            while service.reloading:
                await asyncio.sleep(_BUSY_POLL_SECONDS)
        except Exception:  # the watcher must outlive any one failure
            log.exception("watch mode: reload raised; the previous knowledge keeps serving")
            return None


def start_watching(
    service: KnowledgeService,
    paths: Sequence[Path] | None = None,
    *,
    debounce_ms: int = DEFAULT_DEBOUNCE_MS,
    step_ms: int = DEFAULT_STEP_MS,
    stop_event: asyncio.Event | None = None,
    on_reload: OnReload | None = None,
) -> asyncio.Task[int] | None:
    """Run `watch_knowledge` as a background task; None (and one logged error) without
    `watchfiles`. Stop it with `stop_event.set()` (clean) or `task.cancel()`."""
    if not watch_available():
        log.error(UNAVAILABLE)
        return None
    coroutine = watch_knowledge(
        service,
        paths,
        debounce_ms=debounce_ms,
        step_ms=step_ms,
        stop_event=stop_event,
        on_reload=on_reload,
    )
    task = asyncio.get_running_loop().create_task(coroutine, name="dateline-watch")
    task.add_done_callback(_log_end)
    return task


def _log_end(task: asyncio.Task[int]) -> None:
    """A watcher that dies (folder deleted, permission lost) says so instead of vanishing."""
    if not task.cancelled() and task.exception() is not None:
        log.error("watch mode stopped: %s", task.exception(), exc_info=task.exception())
