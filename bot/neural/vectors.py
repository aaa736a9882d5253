"""Every vector the encoder made, kept by the content it was made from.

A vector is keyed by a hash of its text and the model, never by an article id or a position:
a passage that did not change keeps its vector across reloads, renames, snapshot rebuilds and
code changes, so adding one article embeds one article. Vectors live in memory as float16
(half the room; cosines move by < 1e-3) and on disk as `.npz` segments under the cache
folder, each written once to a temporary name and renamed into place: a reader never sees a
half-written segment, and a damaged one is skipped with a warning (its texts are embedded
again). No pickle: `np.load(allow_pickle=False)`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.neural.encoder import DIMENSIONS, Matrix

log = logging.getLogger(__name__)

KEY_BYTES = 16
# Past this many segments the next load merges them into one.
MAX_SEGMENTS = 32


def text_key(text: str, model_id: str) -> bytes:
    """The cache key of `text` embedded by `model_id`."""
    hasher = hashlib.blake2b(digest_size=KEY_BYTES, person=b"dateline-vec")
    hasher.update(model_id.encode("utf-8"))
    hasher.update(b"\0")
    hasher.update(text.encode("utf-8", "surrogatepass"))
    return hasher.digest()


class VectorCache:
    """Content-addressed vectors: `find` what exists, `add` what was made, `flush` to disk."""

    def __init__(self, model_id: str, folder: Path | None = None) -> None:
        self.model_id = model_id
        self.folder = folder / _safe(model_id) if folder is not None else None
        self._lock = threading.Lock()
        self._rows: dict[bytes, int] = {}
        self._blocks: list[npt.NDArray[np.float16]] = []
        self._matrix: npt.NDArray[np.float16] = np.zeros((0, DIMENSIONS), dtype=np.float16)
        self._unsaved: list[tuple[bytes, npt.NDArray[np.float16]]] = []
        if self.folder is not None:
            self._load()

    def __len__(self) -> int:
        return len(self._rows)

    def key(self, text: str) -> bytes:
        return text_key(text, self.model_id)

    def has(self, key: bytes) -> bool:
        return key in self._rows

    def missing(self, keys: Sequence[bytes]) -> list[int]:
        """Positions in `keys` with no vector yet."""
        rows = self._rows
        return [position for position, key in enumerate(keys) if key not in rows]

    def find(self, keys: Sequence[bytes]) -> Matrix | None:
        """The vectors of `keys` as float32 rows, or None if any is missing."""
        with self._lock:
            try:
                rows = [self._rows[key] for key in keys]
            except KeyError:
                return None
            self._consolidate()
            return self._matrix[rows].astype(np.float32)

    def present(self, keys: Sequence[bytes]) -> tuple[list[int], npt.NDArray[np.float16]]:
        """(positions in `keys` that have a vector, those vectors as float16 rows)."""
        with self._lock:
            rows = self._rows
            positions = [position for position, key in enumerate(keys) if key in rows]
            self._consolidate()
            return positions, self._matrix[[rows[keys[position]] for position in positions]]

    def add(self, keys: Sequence[bytes], vectors: Matrix) -> None:
        """Keep new vectors (already known keys are ignored)."""
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        packed = np.asarray(vectors, dtype=np.float16)
        with self._lock:
            fresh = [index for index, key in enumerate(keys) if key not in self._rows]
            if not fresh:
                return
            base = len(self._rows)
            for offset, index in enumerate(fresh):
                self._rows[keys[index]] = base + offset
            block = packed[fresh]
            self._blocks.append(block)
            self._unsaved.extend((keys[index], packed[index]) for index in fresh)

    def _consolidate(self) -> None:
        if self._blocks:
            self._matrix = np.concatenate([self._matrix, *self._blocks])
            self._blocks = []

    def flush(self) -> int:
        """Write the vectors added since the last flush as one new segment; returns how many."""
        with self._lock:
            pending, self._unsaved = self._unsaved, []
        if not pending or self.folder is None:
            return 0
        keys = np.frombuffer(b"".join(key for key, _ in pending), dtype=np.uint8)
        vectors = np.stack([vector for _, vector in pending])
        try:
            self._write(keys.reshape(-1, KEY_BYTES), vectors)
        except OSError as error:
            log.warning("Could not save %d vectors to %s: %s", len(pending), self.folder, error)
            with self._lock:
                self._unsaved = pending + self._unsaved
            return 0
        return len(pending)

    def _write(self, keys: npt.NDArray[np.uint8], vectors: npt.NDArray[np.float16]) -> Path:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"segment-{time.time_ns()}-{os.getpid()}.npz"
        temporary = self.folder / f".tmp-{name}"
        with temporary.open("wb") as handle:
            np.savez(handle, keys=keys, vectors=vectors)
            handle.flush()
            os.fsync(handle.fileno())
        final = self.folder / name
        os.replace(temporary, final)
        return final

    def _load(self) -> None:
        assert self.folder is not None
        segments = sorted(self.folder.glob("segment-*.npz")) if self.folder.is_dir() else []
        for stale in self.folder.glob(".tmp-*") if self.folder.is_dir() else []:
            stale.unlink(missing_ok=True)  # a write cut short; its vectors are made again
        loaded: list[Path] = []
        for segment in segments:
            try:
                with np.load(segment, allow_pickle=False) as data:
                    keys = np.asarray(data["keys"], dtype=np.uint8)
                    vectors = np.asarray(data["vectors"], dtype=np.float16)
                if (
                    keys.ndim != 2
                    or keys.shape[1] != KEY_BYTES
                    or vectors.shape
                    != (
                        len(keys),
                        DIMENSIONS,
                    )
                ):
                    raise ValueError(f"shapes {keys.shape} and {vectors.shape}")
            except (OSError, ValueError, KeyError) as error:
                log.warning("Skipping damaged vector segment %s: %s", segment.name, error)
                continue
            self.add([bytes(row) for row in keys], vectors.astype(np.float32))
            loaded.append(segment)
        self._unsaved = []
        if len(loaded) > MAX_SEGMENTS:
            self._compact(loaded)

    def _compact(self, segments: list[Path]) -> None:
        """Merge many small segments into one (the new one is in place before any goes)."""
        with self._lock:
            self._consolidate()
            ordered = sorted(self._rows.items(), key=lambda item: item[1])
            keys = np.frombuffer(b"".join(key for key, _ in ordered), dtype=np.uint8)
            matrix = self._matrix
        try:
            self._write(keys.reshape(-1, KEY_BYTES), matrix)
        except OSError as error:
            log.warning("Could not merge vector segments in %s: %s", self.folder, error)
            return
        for segment in segments:
            segment.unlink(missing_ok=True)


def _safe(name: str) -> str:
    return "".join(
        character if character.isalnum() or character in "-_." else "_" for character in name
    )
