"""Snapshots: the published, memory-mapped form of a knowledge base (store, load, build,
codec) and the fingerprints that decide when one is still valid.
"""

from bot.snapshot.build import (
    SnapshotBuilder,
    published_articles_per_file,
    snapshot_builder,
    snapshot_status,
)
from bot.snapshot.codec import read_array, write_array
from bot.snapshot.load import snapshot_bytes
from bot.snapshot.store import (
    MANIFEST,
    VersionPointer,
    read_manifest,
    read_version,
    snapshot_dir,
    snapshot_home,
)

__all__ = [
    "MANIFEST",
    "SnapshotBuilder",
    "VersionPointer",
    "published_articles_per_file",
    "read_array",
    "read_manifest",
    "read_version",
    "snapshot_builder",
    "snapshot_bytes",
    "snapshot_dir",
    "snapshot_home",
    "snapshot_status",
    "write_array",
]
