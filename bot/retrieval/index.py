"""Exact BM25 (as rank-bm25 defines it) at interactive speed, from precomputed term weights.

Definition. rank-bm25's ``BM25Okapi``, ``BM25Plus`` and ``BM25L`` define the scores: their
idf formulas (rank-bm25's own ``_calc_idf`` computes the idf table), document lengths,
average length, k1, b, epsilon and delta. ``scores(q)`` equals ``get_scores(q)`` of the
same model — bit for bit, since each weight is computed with rank-bm25's own expression and
summed in query-term order — repeated query terms counting repeatedly and unknown terms
adding 0. Where rank-bm25 yields NaN (0/0 for a passage that lacks the term when b = 1 and
the passage is empty, or when k1 = 0), Dateline uses the limit tf → 0 instead: 0, or
δ·idf for BM25+. rank-bm25 cannot fit an empty corpus or one whose passages are all empty;
here every query then scores 0 and ``search`` returns ``[]``.

Layout (CSC-like, one column per term, terms in sorted order):
``indptr[t]:indptr[t+1]`` slices ``doc_ids`` (int32, ascending passage ids containing term
t) and ``weights`` (float64, that term's whole contribution to that passage's score:
``idf·tf·(k1+1)/(tf + k1·(1-b+b·dl/avgdl))`` for Okapi, and the BM25L/BM25+ equivalents).
A query touches only the postings of its own terms: they are concatenated in query order, a
boolean mark per passage yields the candidates (passages holding a query term) without a
sort, and ``np.bincount`` sums the weights over that compact candidate set. BM25+ also gives
every passage ``δ·idf`` for each known query term even without the term; that is the
per-query base score of all passages, and a candidate's score replaces it term by term.
(rank-bm25's BM25L multiplies by tf, so there an absent term adds 0, as in Okapi.)
Top-k partitions the candidate scores only, then sorts the few best by (-score, id).

Search results hold only passages that contain at least one query term (``matching_only``,
the default; pass ``False`` to rank all passages, as a full sort of ``scores`` would), best
first; ties are broken by the lower passage id, so results are deterministic.

Common terms (Okapi only). rank-bm25 replaces the negative idf of a term found in more than
half the passages by ``epsilon × average idf``, which can exceed the idf of rarer terms, so a
question's most common word may outweigh its rarest. ``common_terms="capped"`` (Dateline's
default) lowers that floor to the smallest idf among the terms that were not floored, so a
more common term never weighs more than a rarer one; ``"rank_bm25"`` keeps the plain
semantics. Either way the idf table is rank-bm25's, adjusted or not, and scores equal
``get_scores`` of a rank-bm25 model carrying the same table.

Fitting: document frequencies come from one sort of (term, passage) pairs; rank-bm25's
``_calc_idf`` then runs on them in rank-bm25's own term order, so idf values (and Okapi's
average idf) match a fitted rank-bm25 model exactly without keeping its per-passage dicts.
The token lists are not kept. Measured on the shared news paragraphs (scripts/bench_index.py):
100k passages build in ~0.6 s; ~1M passages in ~8 s with ~1.1 GB peak, 224 MB of arrays.
"""

from __future__ import annotations

import heapq
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import rank_bm25

from bot.errors import KnowledgeError

FORMAT_VERSION = 1
VARIANTS = ("okapi", "plus", "l")
COMMON_TERMS = ("capped", "rank_bm25")
_MODELS: dict[str, type[rank_bm25.BM25]] = {
    "okapi": rank_bm25.BM25Okapi,
    "plus": rank_bm25.BM25Plus,
    "l": rank_bm25.BM25L,
}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BM25Params:
    """Which BM25 and its constants; `common_terms` only matters for Okapi (see module doc)."""

    variant: str = "okapi"
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    delta: float = 1.0
    common_terms: str = "capped"

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown BM25 variant {self.variant!r}; choose one of {VARIANTS}")
        if self.common_terms not in COMMON_TERMS:
            raise ValueError(f"common_terms must be one of {COMMON_TERMS}")
        if not (self.k1 >= 0 and 0 <= self.b <= 1 and self.epsilon >= 0 and self.delta >= 0):
            raise ValueError("BM25 needs k1 >= 0, 0 <= b <= 1, epsilon >= 0, delta >= 0")

    def rank_bm25_model(self, corpus: Sequence[Sequence[str]]) -> rank_bm25.BM25:
        """A fitted rank-bm25 model with these parameters (the reference; for tests/bench)."""
        model_class = _MODELS[self.variant]
        if self.variant == "okapi":
            return model_class(corpus, k1=self.k1, b=self.b, epsilon=self.epsilon)
        return model_class(corpus, k1=self.k1, b=self.b, delta=self.delta)


class BM25Index:
    """An immutable BM25 index over passages numbered 0..n_passages-1."""

    __slots__ = (
        "_avgdl",
        "_doc_ids",
        "_doc_len",
        "_idf",
        "_indptr",
        "_params",
        "_vocab",
        "_weights",
    )

    def __init__(
        self,
        params: BM25Params,
        *,
        terms: Sequence[str],
        indptr: IntArray,
        doc_ids: npt.NDArray[np.int32],
        weights: FloatArray,
        idf: FloatArray,
        doc_len: npt.NDArray[np.int32],
        avgdl: float,
    ) -> None:
        """Use `build` or `from_arrays`; this only assembles already consistent arrays."""
        self._params = params
        self._vocab: dict[str, int] = {term: i for i, term in enumerate(terms)}
        self._indptr = indptr
        self._doc_ids = doc_ids
        self._weights = weights
        self._idf = idf
        self._doc_len = doc_len
        self._avgdl = avgdl

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, passage_terms: Iterable[Sequence[str]], params: BM25Params) -> BM25Index:
        """Fit BM25 over the passages' term lists (streamed; the lists are not kept)."""
        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__  # ids in order of first occurrence
        token_ids = array("i")
        lengths = array("q")
        for terms in passage_terms:
            token_ids.extend(map(vocab.__getitem__, terms))
            lengths.append(len(terms))
        n = len(lengths)
        first_seen = list(vocab)  # rank-bm25's own term order
        del vocab
        doc_len = np.frombuffer(lengths, dtype=np.int64)
        total = int(doc_len.sum())
        avgdl = total / n if n and total else 0.0  # rank-bm25: num_doc / corpus_size

        # Sorted vocabulary; then one sort of (term, passage) pairs gives postings and tf.
        order = _sorted_order(first_seen)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        terms = [first_seen[i] for i in order]
        tokens = _take(rank, np.frombuffer(token_ids, dtype=np.int32)) if total else rank[:0]
        del token_ids
        docs = _passage_of_each_token(doc_len, total)
        pairs, tf = np.unique(tokens * max(n, 1) + docs, return_counts=True)
        del tokens, docs
        term_of = pairs // max(n, 1)
        doc_ids = (pairs % max(n, 1)).astype(np.int32)
        del pairs
        df = np.bincount(term_of, minlength=len(terms))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])

        idf = _fit_idf(params, n, first_seen, df[rank].tolist())[np.asarray(order, dtype=np.int64)]
        weights = _posting_weights(params, idf[term_of], tf, doc_len[doc_ids], avgdl)
        return cls(
            params,
            terms=terms,
            indptr=indptr,
            doc_ids=doc_ids,
            weights=weights,
            idf=idf,
            doc_len=doc_len.astype(np.int32),
            avgdl=avgdl,
        )

    # ------------------------------------------------------------------ queries

    @property
    def n_passages(self) -> int:
        """How many passages were indexed (empty ones included)."""
        return len(self._doc_len)

    @property
    def params(self) -> BM25Params:
        """The parameters the weights were computed with."""
        return self._params

    @property
    def vocabulary_size(self) -> int:
        """How many distinct terms occur in the indexed passages."""
        return len(self._vocab)

    def has_term(self, term: str) -> bool:
        """Whether `term` occurs in at least one passage."""
        return term in self._vocab

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term` (0 for an unknown term)."""
        tid = self._vocab.get(term)
        return 0 if tid is None else int(self._indptr[tid + 1] - self._indptr[tid])

    def idf(self, term: str) -> float:
        """The idf BM25 uses for `term` (after the common-term rule); 0.0 when unknown."""
        tid = self._vocab.get(term)
        return 0.0 if tid is None else float(self._idf[tid])

    def scores(self, query_terms: Sequence[str]) -> FloatArray:
        """Dense scores of every passage; equals rank-bm25's `get_scores(query_terms)`."""
        candidates, candidate_scores, base = self._score_candidates(query_terms)
        dense = np.full(self.n_passages, base, dtype=np.float64)
        dense[candidates] = candidate_scores
        return dense

    def search(
        self, query_terms: Sequence[str], k: int, *, matching_only: bool = True
    ) -> list[tuple[int, float]]:
        """The `k` best (passage id, score), best first, ties by lower passage id.

        With `matching_only` (default) only passages containing a query term are returned;
        otherwise the ranking is that of all passages (BM25+ scores them all above 0).
        """
        if k <= 0 or self.n_passages == 0:
            return []
        candidates, candidate_scores, base = self._score_candidates(query_terms)
        ids, best = _top_k(candidates, candidate_scores, k)
        if not matching_only and len(ids) < self.n_passages:
            # Passages without any query term all score `base`; only the lowest ids can place.
            others = np.setdiff1d(
                np.arange(min(self.n_passages, k + len(candidates)), dtype=np.int64),
                candidates,
                assume_unique=True,
            )[:k]
            ids = np.concatenate([ids, others])
            best = np.concatenate([best, np.full(len(others), base)])
            order = np.lexsort((ids, -best))[:k]
            ids, best = ids[order], best[order]
        return [(int(i), float(s)) for i, s in zip(ids.tolist(), best.tolist(), strict=True)]

    def _score_candidates(self, query_terms: Sequence[str]) -> tuple[IntArray, FloatArray, float]:
        """Scores of the passages containing a query term, and every other passage's score."""
        term_ids = [self._vocab.get(term) for term in query_terms]
        known = [tid for tid in term_ids if tid is not None]
        if not known:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64), 0.0
        indptr = self._indptr
        spans = [(int(indptr[t]), int(indptr[t + 1])) for t in known]
        docs = np.concatenate([self._doc_ids[a:b] for a, b in spans])
        # Candidates and each posting's slot among them, without sorting the postings:
        # a mark per passage is cheaper than np.unique (measured: 2-3x at 1.4M passages).
        marked = np.zeros(self.n_passages, dtype=np.bool_)
        marked[docs] = True
        candidates = np.flatnonzero(marked)
        where = np.empty(self.n_passages, dtype=np.int64)
        where[candidates] = np.arange(len(candidates), dtype=np.int64)
        slot = where[docs]
        if self._params.variant != "plus" or self._params.delta == 0:
            weights = np.concatenate([self._weights[a:b] for a, b in spans])
            # bincount adds in input order: the same sum, in the same order, as rank-bm25.
            sums = np.bincount(slot, weights, len(candidates)).astype(np.float64, copy=False)
            return candidates, sums, 0.0
        # BM25+: each known term adds δ·idf to every passage, or its posting weight instead.
        base = 0.0
        scores = np.zeros(len(candidates), dtype=np.float64)
        offset = 0
        for t, (a, b) in zip(known, spans, strict=True):
            term_base = float(self._idf[t]) * self._params.delta
            contribution = np.full(len(candidates), term_base)
            contribution[slot[offset : offset + b - a]] = self._weights[a:b]
            scores += contribution
            base += term_base
            offset += b - a
        return candidates, scores, base

    # ------------------------------------------------------------------ snapshots

    def to_arrays(self) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, Any]]:
        """Numpy arrays plus JSON-able metadata that `from_arrays` restores (no pickle)."""
        terms = sorted(self._vocab, key=self._vocab.__getitem__)
        joined = "".join(terms)
        ends = np.cumsum([len(term) for term in terms], dtype=np.int64)
        arrays: dict[str, np.ndarray[Any, Any]] = {
            "terms_utf8": np.frombuffer(joined.encode("utf-8"), dtype=np.uint8),
            "terms_end": ends,
            "indptr": self._indptr,
            "doc_ids": self._doc_ids,
            "weights": self._weights,
            "idf": self._idf,
            "doc_len": self._doc_len,
        }
        p = self._params
        meta = {
            "format": FORMAT_VERSION,
            "variant": p.variant,
            "k1": p.k1,
            "b": p.b,
            "epsilon": p.epsilon,
            "delta": p.delta,
            "common_terms": p.common_terms,
            "avgdl": self._avgdl,
            "n_passages": self.n_passages,
            "vocabulary_size": len(terms),
        }
        return arrays, meta

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray[Any, Any]], meta: Mapping[str, Any]
    ) -> BM25Index:
        """Restore an index saved by `to_arrays`; `KnowledgeError` if it is inconsistent."""
        if meta.get("format") != FORMAT_VERSION:
            raise KnowledgeError(f"BM25 index format {meta.get('format')!r} is not supported")
        try:
            params = BM25Params(
                variant=meta["variant"],
                k1=meta["k1"],
                b=meta["b"],
                epsilon=meta["epsilon"],
                delta=meta["delta"],
                common_terms=meta["common_terms"],
            )
            joined = np.asarray(arrays["terms_utf8"], dtype=np.uint8).tobytes().decode("utf-8")
            ends = np.asarray(arrays["terms_end"], dtype=np.int64).tolist()
            terms = [joined[a:b] for a, b in zip([0, *ends][:-1], ends, strict=True)]
            indptr = np.asarray(arrays["indptr"], dtype=np.int64)
            doc_ids = np.asarray(arrays["doc_ids"], dtype=np.int32)
            weights = np.asarray(arrays["weights"], dtype=np.float64)
            idf = np.asarray(arrays["idf"], dtype=np.float64)
            doc_len = np.asarray(arrays["doc_len"], dtype=np.int32)
            avgdl = float(meta["avgdl"])
        except (KeyError, TypeError, ValueError) as error:
            raise KnowledgeError(f"BM25 index snapshot is damaged: {error}") from None
        consistent = (
            len(terms) == len(idf) == len(indptr) - 1 == meta.get("vocabulary_size")
            and len(doc_len) == meta.get("n_passages")
            and int(indptr[-1]) == len(doc_ids) == len(weights)
            and len(set(terms)) == len(terms)
            and (len(doc_ids) == 0 or 0 <= int(doc_ids.min()) <= int(doc_ids.max()) < len(doc_len))
        )
        if not consistent:
            raise KnowledgeError("BM25 index snapshot is damaged: array sizes disagree")
        return cls(
            params,
            terms=terms,
            indptr=indptr,
            doc_ids=doc_ids,
            weights=weights,
            idf=idf,
            doc_len=doc_len,
            avgdl=avgdl,
        )


# Work done in one C call holds the GIL throughout; a reload builds in a worker thread while
# the event loop answers, so long steps are cut into pieces of this size (at 1M passages one
# `sorted` of the vocabulary or one fancy-index over every token stalled the loop ~0.5 s).
_GIL_CHUNK = 1 << 20


def _sorted_order(items: list[str]) -> list[int]:
    """Indices that sort `items`: chunks sorted separately, then merged in Python bytecode,
    so other threads get the GIL in between."""
    chunk = max(1, _GIL_CHUNK // 64)
    runs = [
        sorted(range(start, min(start + chunk, len(items))), key=items.__getitem__)
        for start in range(0, len(items), chunk)
    ]
    if len(runs) <= 1:
        return runs[0] if runs else []
    return list(heapq.merge(*runs, key=items.__getitem__))


def _take(table: npt.NDArray[np.int64], ids: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """`table[ids]` in pieces, so a huge token array does not hold the GIL in one call."""
    out = np.empty(len(ids), dtype=np.int64)
    for start in range(0, len(ids), _GIL_CHUNK):
        out[start : start + _GIL_CHUNK] = table[ids[start : start + _GIL_CHUNK]]
    return out


def _passage_of_each_token(doc_len: npt.NDArray[np.int64], total: int) -> npt.NDArray[np.int64]:
    """`np.repeat(arange(n), doc_len)`, a few thousand passages at a time: one repeat over a
    million passages held the GIL for half a second."""
    out = np.empty(total, dtype=np.int64)
    step = max(1, _GIL_CHUNK // 64)
    position = 0
    for start in range(0, len(doc_len), step):
        lengths = doc_len[start : start + step]
        size = int(lengths.sum())
        out[position : position + size] = np.repeat(
            np.arange(start, start + len(lengths), dtype=np.int64), lengths
        )
        position += size
    return out


def _fit_idf(params: BM25Params, n: int, terms: list[str], df: list[int]) -> FloatArray:
    """rank-bm25's idf table for these document frequencies, in `terms` order.

    Runs the model class's own `_calc_idf` on an unfitted instance: the formula, the float
    operations and (for Okapi's average idf) the summation order are rank-bm25's.
    """
    if not terms:
        return np.empty(0, dtype=np.float64)
    model: Any = object.__new__(_MODELS[params.variant])
    model.corpus_size = n
    model.idf = {}
    model.epsilon, model.k1, model.b, model.delta = (
        params.epsilon,
        params.k1,
        params.b,
        params.delta,
    )
    model._calc_idf(dict(zip(terms, df, strict=True)))
    idf = np.array([model.idf[term] for term in terms], dtype=np.float64)
    if params.variant == "okapi" and params.common_terms == "capped":
        idf = cap_common_term_idf(idf, np.asarray(df), n)
    return idf


def cap_common_term_idf(idf: FloatArray, df: npt.NDArray[np.int64], n: int) -> FloatArray:
    """Okapi idf with the epsilon floor of common terms capped at the least rare term's idf.

    A term in more than half the passages (rank-bm25 floors its negative idf) then never
    weighs more than a term that was not floored.
    """
    floored = 2 * df > n
    if floored.all() or not floored.any():
        return idf
    capped = idf.copy()
    capped[floored] = min(float(idf[floored][0]), float(idf[~floored].min()))
    return capped


def _posting_weights(
    params: BM25Params, idf: FloatArray, tf: IntArray, dl: IntArray, avgdl: float
) -> FloatArray:
    """Each posting's contribution, written exactly as rank-bm25's `get_scores` computes it."""
    k1, b, delta = params.k1, params.b, params.delta
    if len(tf) == 0:
        return np.empty(0, dtype=np.float64)
    if params.variant == "okapi":
        return idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))
    if params.variant == "l":
        ctd = tf / (1 - b + b * dl / avgdl)
        return idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
    return idf * (delta + (tf * (k1 + 1)) / (k1 * (1 - b + b * dl / avgdl) + tf))


def _top_k(candidates: IntArray, scores: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
    """The k best candidates by (-score, passage id), looking only at the candidates."""
    if len(scores) > k:
        kth = -np.partition(-scores, k - 1)[k - 1]
        keep = np.flatnonzero(scores >= kth)
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((candidates, -scores))[:k]
    return candidates[order], scores[order]
