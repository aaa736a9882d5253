"""The sentence encoder: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, mean-pooled and
normalised as sentence-transformers does, so a dot product of two vectors is their cosine."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.neural.files import MODEL_ID, ONNX_MODEL, TOKENIZER, UnverifiedModelError, read_verified

log = logging.getLogger(__name__)

DIMENSIONS = 384
# The model was trained on at most 256 word pieces (its sentence_bert_config.json); past that
# sentence-transformers truncates too.
MAX_TOKENS = 256
BATCH = 32

Matrix = npt.NDArray[np.float32]


class Encoder:
    """Text to unit vectors. Thread-safe (onnxruntime sessions are); each call is bounded by
    the session's own two threads, so callers bound concurrency by how many calls they make."""

    def __init__(self, model: bytes, tokenizer: bytes, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_str(tokenizer.decode("utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.model_id = MODEL_ID
        self._lock = threading.Lock()  # the tokenizer's settings are shared state

    def encode(self, texts: Sequence[str], batch: int = BATCH) -> Matrix:
        """One unit vector per text, in order. Texts are batched by length so padding is small."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        clean = [_encodable(text) for text in texts]
        with self._lock:
            encodings = self._tokenizer.encode_batch(clean)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        result = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for first in range(0, len(order), batch):
            chunk = order[first : first + batch]
            width = max(len(encodings[index].ids) for index in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            result[chunk] = mean_pool(np.asarray(hidden, dtype=np.float32), mask)
        return result

    def token_count(self, text: str) -> int:
        """Word pieces the model reads for `text` (truncated at `MAX_TOKENS`)."""
        with self._lock:
            return len(self._tokenizer.encode(_encodable(text)).ids)


def _encodable(text: str) -> str:
    """The text with lone surrogates (which UTF-8 cannot carry) replaced."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def mean_pool(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> Matrix:
    """sentence-transformers' pooling: the mean of the real tokens' states, normalised."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
    pooled: Matrix = (summed / norms).astype(np.float32)
    return pooled


@dataclass(frozen=True, slots=True)
class EncoderState:
    """The encoder, or why there is none (answers then go on BM25-only)."""

    encoder: Encoder | None
    reason: str
    load_ms: float = 0.0

    @property
    def ready(self) -> bool:
        return self.encoder is not None

    def reason_line(self) -> str:
        """The start-up log line."""
        if self.ready:
            return f"Neural re-ranker {self.reason}, loaded in {self.load_ms:.0f} ms"
        return f"Neural re-ranker {self.reason}; answering BM25-only"


def load_encoder(
    enabled: bool = True, *, model_path: Path | None = None, threads: int = 2
) -> EncoderState:
    """Verify and load the model; never raises. `model_path` overrides the ONNX file's
    location (tests hand in a tampered copy)."""
    if not enabled:
        return EncoderState(None, "off (DATELINE_RERANKER=off)")
    started = time.perf_counter()
    try:
        model = read_verified(ONNX_MODEL, model_path)
        tokenizer = read_verified(TOKENIZER)
        encoder = Encoder(model, tokenizer, threads)
    except UnverifiedModelError as error:
        log.warning("Neural re-ranker unavailable, answering BM25-only: %s", error)
        return EncoderState(None, f"unavailable: {error}")
    except Exception as error:  # onnxruntime raises its own types for a bad graph
        log.warning("Neural re-ranker failed to load, answering BM25-only: %s", error)
        return EncoderState(None, f"unavailable: {type(error).__name__}: {error}")
    elapsed = (time.perf_counter() - started) * 1000.0
    log.info("Neural re-ranker %s loaded in %.0f ms", MODEL_ID, elapsed)
    return EncoderState(encoder, f"on ({MODEL_ID})", elapsed)
