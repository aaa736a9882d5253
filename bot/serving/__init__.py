"""Serving: the knowledge service that answers and reloads, watching the article folders,
and following a snapshot another process publishes.
"""

from bot.serving.follow import SnapshotWatcher
from bot.serving.service import Builder, KnowledgeService, ReloadReport
from bot.serving.watch import (
    KnowledgeFilter,
    WatchUnavailableError,
    start_watching,
    watch_knowledge,
)

__all__ = [
    "Builder",
    "KnowledgeFilter",
    "KnowledgeService",
    "ReloadReport",
    "SnapshotWatcher",
    "WatchUnavailableError",
    "start_watching",
    "watch_knowledge",
]
