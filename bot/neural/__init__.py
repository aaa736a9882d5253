"""Neural: the sentence encoder that re-ranks BM25's candidates, and the vectors it makes.

The model is data, never code: `files` finds the pinned weight files inside installed
distributions without importing them and checks their SHA-256; `encoder` runs the int8 ONNX
export on onnxruntime; `reference` is a plain numpy forward pass of the publisher's fp32
safetensors, the yardstick the int8 file is shown equivalent to; `vectors` keeps every
vector made, by content, on disk, so nothing is embedded twice.
"""

from bot.neural.encoder import Encoder, EncoderState, load_encoder
from bot.neural.files import MODEL_ID, PinnedFile, UnverifiedModelError, read_verified
from bot.neural.vectors import VectorCache, text_key

__all__ = [
    "MODEL_ID",
    "Encoder",
    "EncoderState",
    "PinnedFile",
    "UnverifiedModelError",
    "VectorCache",
    "load_encoder",
    "read_verified",
    "text_key",
]
