"""A plain numpy forward pass of the publisher's fp32 weights (BERT, 6 layers, 384 wide).

Slow (a few sentences a second per core at full length) and never used to answer: it is the
yardstick that shows the int8 ONNX file Dateline runs is the same model (`dateline`'s
equivalence test and `bot.tooling.bench`), computed from the file whose SHA-256 the
publisher lists, with nothing but numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.neural.encoder import DIMENSIONS, MAX_TOKENS, Matrix, mean_pool
from bot.neural.files import REFERENCE_WEIGHTS, TOKENIZER, read_verified

LAYERS = 6
HEADS = 12
EPSILON = 1e-12

Array = npt.NDArray[np.float32]


def _layer_norm(x: Array, weight: Array, bias: Array) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed: Array = (x - mean) / np.sqrt(variance + EPSILON) * weight + bias
    return normed


def _erf(x: Array) -> Array:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26): float32 noise, numpy only."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    result: Array = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return result


def _gelu(x: Array) -> Array:
    """BERT's exact (erf) GELU."""
    result: Array = (0.5 * x * (1.0 + _erf(x / np.float32(math.sqrt(2.0))))).astype(np.float32)
    return result


class ReferenceEncoder:
    """The fp32 model, read from the verified safetensors without pickle."""

    def __init__(self) -> None:
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        self._weights: dict[str, Array] = load(read_verified(REFERENCE_WEIGHTS))
        self._transposed: dict[str, Array] = {}
        self._tokenizer = Tokenizer.from_str(read_verified(TOKENIZER).decode("utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)

    def _dense(self, x: Array, name: str) -> Array:
        # A 2-D product with the weight transposed once: numpy's batched 3-D matmul with a
        # transposed view misses BLAS and is ~50x slower.
        weight = self._transposed.get(name)
        if weight is None:
            weight = np.ascontiguousarray(self._weights[f"{name}.weight"].T)
            self._transposed[name] = weight
        flat = x.reshape(-1, x.shape[-1]) @ weight + self._weights[f"{name}.bias"]
        result: Array = flat.reshape(*x.shape[:-1], weight.shape[1])
        return result

    def _norm(self, x: Array, name: str) -> Array:
        return _layer_norm(x, self._weights[f"{name}.weight"], self._weights[f"{name}.bias"])

    def _forward(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Array:
        w = self._weights
        batch, width = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(width)][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        head = DIMENSIONS // HEADS
        blocked = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        for number in range(LAYERS):
            prefix = f"encoder.layer.{number}"

            def heads(t: Array) -> Array:
                return t.reshape(batch, width, HEADS, head).transpose(0, 2, 1, 3)

            q = heads(self._dense(x, f"{prefix}.attention.self.query"))
            k = heads(self._dense(x, f"{prefix}.attention.self.key"))
            v = heads(self._dense(x, f"{prefix}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, width, DIMENSIONS)
            attended = self._dense(context, f"{prefix}.attention.output.dense")
            x = self._norm(attended + x, f"{prefix}.attention.output.LayerNorm")
            inner = _gelu(self._dense(x, f"{prefix}.intermediate.dense"))
            x = self._norm(
                self._dense(inner, f"{prefix}.output.dense") + x, f"{prefix}.output.LayerNorm"
            )
        return x.astype(np.float32)

    def encode(self, texts: Sequence[str], batch: int = 64) -> Matrix:
        """One unit vector per text, pooled as sentence-transformers does."""
        encodings = self._tokenizer.encode_batch(list(texts))
        result = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        for first in range(0, len(order), batch):
            chunk = order[first : first + batch]
            width = max(len(encodings[index].ids) for index in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            result[chunk] = mean_pool(self._forward(ids, mask), mask)
        return result
