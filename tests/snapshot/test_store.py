"""Snapshots: a round trip answers identically; damaged snapshots are rebuilt, never trusted.

Every corruption below ends the same way: a warning, a full rebuild from the articles, and
answers equal to a plain build. Tampering that keeps the checksums consistent (as an
attacker with write access could) is caught by the structural checks; a pickled `.npy`
is refused without being unpickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.errors import KnowledgeError
from bot.knowledge import build_knowledge_base
from bot.settings import Settings, load_settings
from bot.snapshot import (
    MANIFEST,
    SnapshotBuilder,
    read_array,
    read_manifest,
    read_version,
    snapshot_dir,
    snapshot_home,
    store,
    write_array,
)
from tests.samples.snapshots import answers, same_knowledge, write_corpus


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "knowledge"
    write_corpus(folder)
    return load_settings(knowledge_paths=[folder], cache_dir=tmp_path / "cache", passage_words=20)


def home_of(settings: Settings) -> Path:
    return snapshot_home(settings, settings.knowledge_paths)


def current_dir(settings: Settings) -> Path:
    home = home_of(settings)
    pointer = read_version(home)
    assert pointer is not None
    return snapshot_dir(home, pointer.snapshot_id)


def test_round_trip_gives_identical_knowledge_and_answers(settings: Settings) -> None:
    builder = SnapshotBuilder()
    built = builder(settings)
    assert builder.last_stats is not None and builder.last_stats.mode == "full"
    assert built.snapshot_id is not None
    fresh = SnapshotBuilder()
    loaded = fresh(settings)
    assert fresh.last_stats is not None and fresh.last_stats.mode == "snapshot"
    assert loaded.snapshot_id == built.snapshot_id
    plain = build_knowledge_base(settings)
    same_knowledge(loaded, plain)
    same_knowledge(built, plain)
    assert any(answer["answered"] for answer in answers(loaded))
    assert {a.dateline for a in loaded.articles} == {a.dateline for a in plain.articles}
    assert fresh(settings) is loaded  # nothing changed: the knowledge in memory is reused
    assert fresh.last_stats is not None and fresh.last_stats.mode == "memory"


def test_snapshot_holds_no_pickle(settings: Settings) -> None:
    SnapshotBuilder()(settings)
    directory = current_dir(settings)
    for path in directory.glob("*.npy"):
        array = np.load(path, allow_pickle=False)  # raises if any file needed pickle
        assert not array.dtype.hasobject
    assert {p.suffix for p in directory.iterdir()} <= {".npy", ".json", ".jsonl", ".utf8"}


# --------------------------------------------------------------------------- corruption


def _rehash(settings: Settings) -> None:
    """Make the checksums and the version file agree with whatever the files now hold."""
    home = home_of(settings)
    pointer = read_version(home)
    assert pointer is not None
    directory = snapshot_dir(home, pointer.snapshot_id)
    manifest = json.loads((directory / MANIFEST).read_bytes())
    for name in manifest["checksums"]:
        path = directory / (name if "." in name else f"{name}.npy")
        manifest["checksums"][name] = hashlib.sha256(path.read_bytes()).hexdigest()
    raw = json.dumps(manifest).encode()
    (directory / MANIFEST).write_bytes(raw)
    version = json.loads((home / "version").read_text())
    version["manifest_sha256"] = hashlib.sha256(raw).hexdigest()
    (home / "version").write_text(json.dumps(version))


def _truncate(settings: Settings) -> None:
    path = current_dir(settings) / "index_weights.npy"
    path.write_bytes(path.read_bytes()[:-40])


def _truncate_consistently(settings: Settings) -> None:
    _truncate(settings)
    _rehash(settings)


def _flip_byte(settings: Settings) -> None:
    path = current_dir(settings) / "index_weights.npy"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))


def _edit_manifest(settings: Settings) -> None:
    path = current_dir(settings) / MANIFEST
    path.write_text(path.read_text().replace('"passages":', '"passages": 1, "x":', 1))


def _edit_manifest_consistently(settings: Settings) -> None:
    path = current_dir(settings) / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["counts"]["articles"] += 1
    path.write_text(json.dumps(manifest))
    _rehash(settings)


def _edit_articles(settings: Settings) -> None:
    path = current_dir(settings) / "articles.jsonl"
    lines = path.read_text().splitlines()
    rows = json.loads(lines[0])
    rows[0][1] = 42  # a title that is not text
    lines[0] = json.dumps(rows)
    path.write_text("\n".join(lines) + "\n")
    _rehash(settings)


def _bad_utf8(settings: Settings) -> None:
    path = current_dir(settings) / "texts.utf8"
    data = bytearray(path.read_bytes())
    data[5] = 0xFF
    path.write_bytes(bytes(data))
    _rehash(settings)


def _wrong_shape(settings: Settings) -> None:
    path = current_dir(settings) / "pas_start.npy"
    array = np.load(path)
    write_array(path, np.concatenate([array, array]))
    _rehash(settings)


def _wrong_dtype(settings: Settings) -> None:
    path = current_dir(settings) / "index_doc_ids.npy"
    write_array(path, np.load(path).astype(np.float64))
    _rehash(settings)


def _out_of_bounds(settings: Settings) -> None:
    path = current_dir(settings) / "par_end.npy"
    array = np.load(path)
    array[0] = 10**9
    write_array(path, array)
    _rehash(settings)


def _bad_postings(settings: Settings) -> None:
    path = current_dir(settings) / "index_doc_ids.npy"
    array = np.load(path)
    array[:] = 0  # every posting names passage 0: repeated passages in one list
    write_array(path, array)
    _rehash(settings)


def _bad_version(settings: Settings) -> None:
    (home_of(settings) / "version").write_text('{"format": 1, "snapshot": "../../../etc"}')


def _garbage_version(settings: Settings) -> None:
    (home_of(settings) / "version").write_bytes(b"\x00\xff not json")


def _missing_file(settings: Settings) -> None:
    (current_dir(settings) / "seg_ptr.npy").unlink()


CORRUPTIONS: dict[str, Callable[[Settings], None]] = {
    "truncated npy": _truncate,
    "truncated npy, checksums updated": _truncate_consistently,
    "flipped byte": _flip_byte,
    "edited manifest": _edit_manifest,
    "edited manifest, checksums updated": _edit_manifest_consistently,
    "edited articles JSON": _edit_articles,
    "texts not UTF-8": _bad_utf8,
    "wrong shape": _wrong_shape,
    "wrong dtype": _wrong_dtype,
    "paragraph out of bounds": _out_of_bounds,
    "repeated postings": _bad_postings,
    "path in version file": _bad_version,
    "garbage version file": _garbage_version,
    "missing array": _missing_file,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_damaged_snapshot_is_rebuilt_with_a_warning(
    settings: Settings, corrupt: Callable[[Settings], None], caplog: pytest.LogCaptureFixture
) -> None:
    SnapshotBuilder()(settings)
    corrupt(settings)
    builder = SnapshotBuilder()
    with caplog.at_level(logging.WARNING):
        knowledge = builder(settings)
    assert builder.last_stats is not None and builder.last_stats.mode == "full"
    assert any("damaged" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    same_knowledge(knowledge, build_knowledge_base(settings))
    again = SnapshotBuilder()
    again(settings)  # the rebuild published a good snapshot again
    assert again.last_stats is not None and again.last_stats.mode == "snapshot"


class _Payload:
    """Unpickling this would create a file: proof that code ran."""

    marker: Path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def test_pickled_npy_is_refused_never_unpickled(settings: Settings, tmp_path: Path) -> None:
    SnapshotBuilder()(settings)
    marker = tmp_path / "code-ran"
    payload = _Payload()
    payload.marker = marker
    path = current_dir(settings) / "pas_start.npy"
    np.save(path, np.array([payload], dtype=object), allow_pickle=True)
    _rehash(settings)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(KnowledgeError, match="damaged"):
        read_array(path, digest, np.int64, 1)
    builder = SnapshotBuilder()
    knowledge = builder(settings)
    assert builder.last_stats is not None and builder.last_stats.mode == "full"
    assert not marker.exists()
    same_knowledge(knowledge, build_knowledge_base(settings))


def test_old_snapshots_are_pruned(settings: Settings) -> None:
    folder = settings.knowledge_paths[0]
    builder = SnapshotBuilder()
    for number in range(5):
        (folder / "extra.txt").write_text(f"Extra\n\nThe count reached {number} today.\n")
        builder(settings)
    home = home_of(settings)
    kept = sorted(p.name for p in (home / "snapshots").iterdir())
    assert len(kept) == 3
    pointer = read_version(home)
    assert pointer is not None and kept[-1] == pointer.snapshot_id
    assert read_manifest(home, pointer).counts["articles"] == 5


def test_unwritable_cache_still_serves(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.cache_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.cache_dir.write_text("not a folder")
    builder = SnapshotBuilder()
    with caplog.at_level(logging.WARNING):
        knowledge = builder(settings)
    assert knowledge.snapshot_id is None
    assert any("could not save" in r.getMessage() for r in caplog.records)
    same_knowledge(knowledge, build_knowledge_base(settings))


def test_version_file_is_replaced_atomically(settings: Settings) -> None:
    SnapshotBuilder()(settings)
    home = home_of(settings)
    leftovers = [p.name for p in home.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert not any(p.name.startswith(".tmp-") for p in (home / "snapshots").iterdir())
    assert os.stat(home / "version").st_size < 400


def test_a_crashed_publish_is_cleaned_up_at_the_next_start(settings: Settings) -> None:
    SnapshotBuilder()(settings)
    snapshots = home_of(settings) / "snapshots"
    finished = sorted(p.name for p in snapshots.iterdir())
    # A writer of this machine that died mid-publish (no such process), a live writer (this
    # test's parent process) and one from another machine sharing the folder.
    gone_pid = _ended_pid()
    crashed = snapshots / f".tmp-00000000000000000001-0123abcd-{store._HOST}-{gone_pid}"
    alive = snapshots / f".tmp-00000000000000000002-0123abcd-{store._HOST}-{os.getppid()}"
    remote = snapshots / f".tmp-00000000000000000003-0123abcd-otherhost-{gone_pid}"
    for folder in (crashed, alive, remote):
        folder.mkdir()
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
    SnapshotBuilder()(settings)  # a new process starting: nothing changed, nothing written
    left = sorted(p.name for p in snapshots.iterdir())
    assert crashed.name not in left
    assert alive.name in left and remote.name in left  # they may still be writing
    assert [name for name in left if not name.startswith(".tmp-")] == finished


def _ended_pid() -> int:
    """The pid of a child process that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
