"""The content-addressed vector cache: kept by text, saved atomically, reloaded, and a damaged
segment skipped rather than served."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.neural import VectorCache


def _unit(rows: int, seed: int) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(rows, 384)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_vectors_are_found_by_text_and_survive_a_restart(tmp_path: Path) -> None:
    cache = VectorCache("model-a", tmp_path)
    keys = [cache.key(text) for text in ("one", "two", "three")]
    vectors = _unit(3, 1)
    cache.add(keys, vectors)
    assert cache.find(keys[::-1]) is not None
    assert cache.missing([*keys, cache.key("four")]) == [3]
    assert cache.flush() == 3
    assert cache.flush() == 0  # nothing new
    again = VectorCache("model-a", tmp_path)
    found = again.find(keys)
    assert found is not None
    assert np.allclose(found, vectors, atol=2e-3)  # float16 storage


def test_keys_depend_on_the_model() -> None:
    assert VectorCache("model-a").key("text") != VectorCache("model-b").key("text")


def test_a_damaged_segment_is_skipped_and_a_cut_write_removed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = VectorCache("model-a", tmp_path)
    good = [cache.key("good")]
    cache.add(good, _unit(1, 2))
    cache.flush()
    folder = tmp_path / "model-a"
    (folder / "segment-9-1.npz").write_bytes(b"not a zip at all")
    (folder / ".tmp-segment-10-1.npz").write_bytes(b"half")
    with caplog.at_level(logging.WARNING, logger="bot.neural.vectors"):
        again = VectorCache("model-a", tmp_path)
    assert "damaged vector segment" in caplog.text
    assert again.find(good) is not None
    assert not list(folder.glob(".tmp-*"))


def test_many_segments_are_merged_on_load(tmp_path: Path) -> None:
    cache = VectorCache("model-a", tmp_path)
    for number in range(40):
        cache.add([cache.key(f"text {number}")], _unit(1, number))
        cache.flush()
    merged = VectorCache("model-a", tmp_path)
    assert len(merged) == 40
    assert len(list((tmp_path / "model-a").glob("segment-*.npz"))) == 1
    assert VectorCache("model-a", tmp_path).find([cache.key("text 7")]) is not None
