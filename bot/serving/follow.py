"""Follow the published snapshot: when another process reloads, serve its knowledge here too.

Every shard process serves the same snapshot, read-only. A reload in one of them (`/admin
reload`) publishes a new snapshot by replacing the small ``version`` file on the shared
volume; `SnapshotWatcher` polls that file every `settings.snapshot_poll_seconds` and, when it
names a new snapshot with different content, has the service adopt it
(`KnowledgeService.adopt_snapshot`, in a worker thread, so the event loop never waits).

Only changes seen after the watcher starts count: a snapshot that was already published at
start-up is the builder's business, and an older one is never adopted over newer knowledge.
A snapshot that cannot be adopted (damaged, built with other settings or code) is logged
once and skipped until the next publication.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.errors import KnowledgeError, ReloadInProgressError
from bot.serving.service import KnowledgeService, ReloadReport
from bot.snapshot import VersionPointer, read_version, snapshot_home

log = logging.getLogger(__name__)

OnChange = Callable[[ReloadReport], Awaitable[None]]


class SnapshotWatcher:
    """Polls the version file and adopts newly published snapshots into `service`."""

    def __init__(
        self,
        service: KnowledgeService,
        *,
        interval: float | None = None,
        on_change: OnChange | None = None,
    ) -> None:
        self.service = service
        self.interval = service.settings.snapshot_poll_seconds if interval is None else interval
        self.on_change = on_change
        self.home: Path = snapshot_home(service.settings, service.paths)
        self._seen: VersionPointer | None = None
        self._started = False
        self.adopted = 0

    @staticmethod
    def supported(service: KnowledgeService) -> bool:
        """Whether `service` serves snapshots (its builder can adopt a published one)."""
        return service.settings.use_snapshot and hasattr(service.builder, "adopt")

    async def start(self) -> None:
        """Remember what is published now; only later publications are adopted."""
        self._seen = await asyncio.to_thread(self._read)
        self._started = True

    async def run(self) -> None:
        """Poll until cancelled."""
        if not self._started:
            await self.start()
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # a watcher must outlive any one bad poll
                log.exception("snapshot watcher: poll failed; trying again")

    async def check(self) -> ReloadReport | None:
        """Adopt the published snapshot if it is new; the report, or None if nothing to do."""
        pointer = await asyncio.to_thread(self._read)
        if pointer is None or pointer == self._seen:
            return None
        service = self.service
        if pointer.snapshot_id == service.snapshot_id or pointer.content_key == service.content_key:
            self._seen = pointer  # our own publication, or the same knowledge
            return None
        if service.reloading:
            return None  # try again at the next poll
        try:
            report = await service.adopt_snapshot_async()
        except ReloadInProgressError:
            return None
        except KnowledgeError as error:
            log.warning("snapshot watcher: %s", error)
            self._seen = pointer
            return None
        self._seen = pointer
        if report.ok:
            self.adopted += 1
            log.info("adopted published snapshot %s", pointer.snapshot_id)
        if self.on_change is not None:
            await self.on_change(report)
        return report

    def _read(self) -> VersionPointer | None:
        try:
            return read_version(self.home)
        except KnowledgeError as error:
            log.warning("snapshot watcher: %s", error)
            return None
