"""Meaning beyond shared words: static word vectors that let paraphrases score as related.

BM25 and the quote features only see words the question and the article share; a news
quiz asks "which automaker recalled pickup trucks" of an article that says "Toyota announced
a recall". Static embeddings close part of that gap at almost no cost: every word maps to a
fixed 256-dimensional vector, a text's vector is the sum of its words' vectors, and the
cosine of two texts says how related they are. No neural network runs at question time.

The vectors are WordLlama's `l2_supercat_256` model (MIT licence), which the `wordllama`
package ships inside its wheel: its token embedding matrix (read with `safetensors`) and its
tokenizer (read with `tokenizers`). We read those two files directly instead of importing
`wordllama`: its inference module configures the root logger on import, its loader looks for
the bundled tokenizer in the wrong folder and then tries to download it, and we need sums of
word vectors (so a pair of sentences is the sum of two) rather than its pooled sentences.
Nothing here ever reaches the network; if the files cannot be read, similarity is simply
unavailable and answers fall back to the lexical features (logged once).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import mmap
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]

MODEL_PACKAGE = "wordllama"
WEIGHTS_FILE = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER_FILE = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
TENSOR_KEY = "embedding.weight"
WORD_START = "\u2581"  # SentencePiece's mark for a piece that starts a word
# Numbers, years and amounts carry no meaning a static vector could match ("1987" vs
# "1986"), yet each is a new word to encode: they all share the zero row and match only
# exactly, through the lexical features.
_NO_MEANING = 0
_has_digit = re.compile(r"\d").search
# Distinct surface words whose vectors are kept (float32: 1 kB each, so at most 64 MB). The
# vectors are stored as float32, not the model's float16: numpy converts float16 slowly, and
# the conversions cost more than the rest of the vector work of an answer.
_MEMO_LIMIT = 65_536


class WordVectors:
    """Surface words → vectors (the sum of each word's sub-word token vectors).

    Each distinct word is tokenized once and its vector kept in a table, so summing
    the words of a passage is one gather and one matrix product. Past `memo_limit` distinct
    words, new words are computed each time instead of kept (memory stays bounded).
    Safe to share between threads: rows are written before their index is published.
    """

    def __init__(
        self,
        embedding: npt.NDArray[Any],
        tokenizer: Any,
        name: str,
        memo_limit: int = _MEMO_LIMIT,
    ) -> None:
        self._embedding = np.ascontiguousarray(embedding, dtype=np.float32)
        self._tokenizer = tokenizer
        self.name = name
        self.dimensions = int(self._embedding.shape[1])
        self._memo_limit = memo_limit
        self._index: dict[str, int] = {}
        # Allocated once at full size, so the table never moves (growing it stalled an answer
        # ~20 ms); pages come from the OS as rows are first written (see `_lazy_zeros`).
        self._table = _lazy_zeros(memo_limit + 1, self.dimensions)
        self._norms = np.zeros(memo_limit + 1, dtype=np.float32)  # each kept row's length
        self._size = 1  # row 0 stays zero: the vector of every word with a digit
        self._lock = threading.Lock()  # the Rust tokenizer and the writing of new rows
        # Whole-word pieces ("▁planes" → id): most words are one piece, found without running
        # the tokenizer (which costs tens of microseconds a call).
        vocabulary = tokenizer.get_vocab() if hasattr(tokenizer, "get_vocab") else {}
        self._whole_words: dict[str, int] = {
            piece[1:]: token
            for piece, token in vocabulary.items()
            if piece.startswith(WORD_START) and len(piece) > 1 and token < len(self._embedding)
        }

    @property
    def memoised_words(self) -> int:
        """How many distinct words have a kept vector."""
        return self._size - 1

    def sums(self, groups: Sequence[Sequence[str]]) -> Vector:
        """One row per group of words: the sum of their vectors (zeros for an empty group)."""
        return self.sums_and_matches(groups, None)[0]

    def sums_and_matches(
        self, groups: Sequence[Sequence[str]], targets: Vector | None
    ) -> tuple[Vector, Vector]:
        """Group sums, and for each group and each unit `targets` row the best word cosine.

        The second result (groups × targets, zeros without targets) is what soft matching
        needs: how close the group's nearest word comes to each question word. One call for
        many groups costs little more than one for a single group: batch them.
        """
        rows, uncached = self._rows(groups)
        sizes = np.fromiter((len(words) for words in groups), dtype=np.intp, count=len(groups))
        width = 0 if targets is None else len(targets)
        sums: Vector = np.zeros((len(groups), self.dimensions), dtype=np.float32)
        best: Vector = np.zeros((len(groups), width), dtype=np.float32)
        if not rows:
            return sums, best
        vectors = self._table[rows]
        norms = self._norms[rows]
        for position, vector in uncached.items():  # past the memo limit
            vectors[position] = vector
            norms[position] = np.linalg.norm(vectors[position])
        filled = sizes > 0
        starts = (np.cumsum(sizes) - sizes)[filled]
        sums[filled] = group_sums(vectors, sizes[filled])
        if targets is not None and width:
            # Cosines as dot products over word norms: no normalised copy of every vector.
            dots = vectors @ targets.T
            np.divide(dots, norms[:, None], out=dots, where=norms[:, None] > 0)
            best[filled] = np.maximum.reduceat(dots, starts, axis=0)
        return sums, best

    def _rows(self, groups: Sequence[Sequence[str]]) -> tuple[list[int], dict[int, Vector]]:
        """Each word's table row, adding new words in one batch; words that no longer fit
        the table come back as vectors by position (their row is a placeholder 0)."""
        index = self._index
        rows: list[int] = []
        missing: dict[str, list[int]] = {}
        for words in groups:
            for word in words:
                row = index.get(word)
                if row is None:
                    row = _NO_MEANING
                    if not _has_digit(word):
                        missing.setdefault(word, []).append(len(rows))
                rows.append(row)
        uncached: dict[int, Vector] = {}
        if missing:
            new = list(missing)
            added, vectors = self._remember(new)
            for number, (word, row) in enumerate(zip(new, added, strict=True)):
                for position in missing[word]:
                    if row >= 0:
                        rows[position] = row
                    else:
                        uncached[position] = vectors[number]
        return rows, uncached

    def _encode(self, words: Sequence[str]) -> Vector:
        """Vectors of words: whole-word pieces by lookup, the rest in one tokenizer call."""
        folded = [word.casefold() for word in words]
        encoded: Vector = np.zeros((len(words), self.dimensions), dtype=np.float32)
        whole_rows: list[int] = []
        whole_ids: list[int] = []
        pieces: list[int] = []
        for number, word in enumerate(folded):
            whole = self._whole_words.get(word)
            if whole is None:
                pieces.append(number)
            else:
                whole_rows.append(number)
                whole_ids.append(whole)
        if whole_ids:
            encoded[whole_rows] = self._embedding[whole_ids]
        if pieces:
            with self._lock:  # the Rust tokenizer is not shared across threads
                encoding = self._tokenizer.encode(
                    [folded[number] for number in pieces],
                    is_pretokenized=True,
                    add_special_tokens=False,
                )
            owners = np.fromiter(
                (-1 if owner is None else owner for owner in encoding.word_ids), dtype=np.intp
            )
            ids = np.asarray(encoding.ids, dtype=np.intp)
            valid = (owners >= 0) & (ids >= 0) & (ids < self._embedding.shape[0])
            owned = owners[valid]  # non-decreasing: each word's pieces are adjacent
            if len(owned):
                starts = np.flatnonzero(np.r_[True, owned[1:] != owned[:-1]])
                counts = np.diff(np.r_[starts, len(owned)])
                words_with_pieces = np.asarray(pieces, dtype=np.intp)[owned[starts]]
                encoded[words_with_pieces] = group_sums(self._embedding[ids[valid]], counts)
        return encoded

    def _remember(self, words: Sequence[str]) -> tuple[list[int], Vector]:
        """Add new words to the table: their rows (-1 once the table is full) and vectors."""
        vectors = self._encode(words)
        norms = np.linalg.norm(vectors, axis=1)
        rows: list[int] = []
        with self._lock:
            first = self._size
            fresh: list[int] = []  # positions in `words` that get a new row
            for number, word in enumerate(words):
                row = self._index.get(word)
                if row is None and first + len(fresh) <= self._memo_limit:
                    row = first + len(fresh)
                    fresh.append(number)
                rows.append(-1 if row is None else row)
            self._table[first : first + len(fresh)] = vectors[fresh]
            self._norms[first : first + len(fresh)] = norms[fresh]
            for number in fresh:  # published after their rows are written
                self._index[words[number]] = rows[number]
            self._size = first + len(fresh)
        return rows, vectors


def _lazy_zeros(rows: int, columns: int) -> Vector:
    """A zero float32 matrix whose memory is committed page by page as it is written.

    numpy asks the kernel for transparent huge pages on large arrays, and then the first
    write into each 2 MB page stalls while the kernel finds and clears one (measured
    ~5 ms here, every ~2,000 new words): small pages keep each first write cheap.
    """
    size = max(rows * columns * 4, 1)
    try:
        memory = mmap.mmap(-1, size)
        if hasattr(mmap, "MADV_NOHUGEPAGE"):
            memory.madvise(mmap.MADV_NOHUGEPAGE)
    except (OSError, ValueError):  # no anonymous mmap here: plain (possibly huge) pages
        return np.zeros((rows, columns), dtype=np.float32)
    table: Vector = np.frombuffer(memory, dtype=np.float32, count=rows * columns)
    return table.reshape(rows, columns)


def group_sums(rows: Vector, sizes: npt.NDArray[np.intp]) -> Vector:
    """Sums of consecutive runs of rows (`sizes` of them, each at least 1). `add.reduceat` is
    linear in the rows; a 0/1 membership product (groups × rows) was as fast for one dozen
    passages but 2-6x slower for the neural stage's 35 (measured: 500 windows over 15k words,
    44 ms against 22 ms)."""
    if not len(sizes):
        return np.zeros((0, rows.shape[1]), dtype=np.float32)
    starts = np.cumsum(sizes) - sizes
    result: Vector = np.add.reduceat(rows, starts, axis=0)
    return result


def cosines(rows: Vector, target: Vector) -> npt.NDArray[np.float64]:
    """Cosine of each row with `target`; 0.0 where either side has no words."""
    norms = np.linalg.norm(rows, axis=1) * float(np.linalg.norm(target))
    dots = rows @ target
    result: npt.NDArray[np.float64] = np.divide(
        dots, norms, out=np.zeros(len(rows), dtype=np.float64), where=norms > 0
    ).astype(np.float64)
    return result


def _package_folder(package: str) -> Path | None:
    """Where an installed package lives, found without importing (running) it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def load_word_vectors(folder: Path | None = None) -> WordVectors | None:
    """Read the bundled model; None (with a warning) when it is missing or unreadable."""
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = folder if folder is not None else _package_folder(MODEL_PACKAGE)
        if root is None:
            log.warning("semantic similarity off: the %r package is not installed", MODEL_PACKAGE)
            return None
        weights_path = root / WEIGHTS_FILE
        embedding = load_file(str(weights_path))[TENSOR_KEY]
        tokenizer = Tokenizer.from_file(str(root / TOKENIZER_FILE))
        tokenizer.no_padding()
        tokenizer.no_truncation()
    except Exception as error:  # any unreadable model only turns the feature off
        log.warning("semantic similarity off: cannot read the word vectors (%s)", error)
        return None
    if embedding.ndim != 2 or embedding.shape[0] == 0:
        log.warning("semantic similarity off: unexpected vector table %s", embedding.shape)
        return None
    log.debug("word vectors loaded from %s: %s", weights_path, embedding.shape)
    return WordVectors(embedding, tokenizer, "wordllama-l2_supercat_256")


@functools.cache
def shared_word_vectors() -> WordVectors | None:
    """The process-wide word vectors, read once on first use (~0.1 s)."""
    return load_word_vectors()
