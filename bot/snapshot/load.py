"""Reading a published snapshot back: memory-mapped arrays, checked against the manifest's
sizes and checksums before anything is trusted."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge import Article, Paragraph, Passage
from bot.retrieval import BM25Index
from bot.snapshot.codec import (
    PARAGRAPH_KINDS,
    AnyArray,
    ArticleRow,
    IntArray,
    article_rows,
    check_offsets,
    damaged,
    make_article,
    paused_gc,
    read_array,
    spans_from_ends,
)
from bot.snapshot.store import (
    ARTICLES,
    INDEX_ARRAYS,
    INDEX_PARAMS,
    KNOWLEDGE_ARRAYS,
    TERM_ARRAYS,
    TEXTS,
    Manifest,
    snapshot_dir,
)


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    """A snapshot read back and verified; `terms()` reads the passage terms on demand."""

    directory: Path
    manifest: Manifest
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    passage_article: IntArray
    index: BM25Index

    def vocabulary(self) -> list[str]:
        """The index's sorted terms, read from the snapshot (no re-sort of the vocabulary)."""
        specs = {name: INDEX_ARRAYS[name] for name in ("terms_utf8", "terms_end")}
        arrays = _read_arrays(self.directory, self.manifest, specs, prefix="index_")
        try:
            joined = arrays["terms_utf8"].tobytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise damaged(f"the vocabulary is not UTF-8: {error}") from None
        ends = arrays["terms_end"].tolist()
        if len(ends) != self.index.vocabulary_size or (ends and ends[-1] != len(joined)):
            raise damaged("the vocabulary does not match the index")
        return [joined[a:b] for a, b in spans_from_ends(ends)]

    def terms(self) -> tuple[IntArray, npt.NDArray[np.int32]]:
        """(tok_ptr, tok_ids) of every passage, checked against the index."""
        arrays = _read_arrays(self.directory, self.manifest, TERM_ARRAYS)
        doc_len = _read_arrays(
            self.directory, self.manifest, {"doc_len": INDEX_ARRAYS["doc_len"]}, prefix="index_"
        )["doc_len"]
        tok_ptr, tok_ids = arrays["tok_ptr"], arrays["tok_ids"]
        check_offsets("tok_ptr", tok_ptr, len(tok_ids), len(self.passages))
        if (
            len(tok_ids)
            and not 0 <= int(tok_ids.min()) <= int(tok_ids.max()) < self.index.vocabulary_size
        ):
            raise damaged("passage terms point outside the vocabulary")
        if not np.array_equal(np.diff(tok_ptr), doc_len):
            raise damaged("passage terms disagree with the index's passage lengths")
        return tok_ptr, tok_ids.astype(np.int32, copy=False)


def _read_arrays(
    directory: Path,
    manifest: Manifest,
    specs: Mapping[str, tuple[npt.DTypeLike, int, int | None]],
    prefix: str = "",
) -> dict[str, AnyArray]:
    arrays: dict[str, AnyArray] = {}
    for name, (dtype, ndim, columns) in specs.items():
        key = f"{prefix}{name}"
        checksum = manifest.checksums.get(key)
        if checksum is None:
            raise damaged(f"no checksum for {key}")
        arrays[name] = read_array(directory / f"{key}.npy", checksum, dtype, ndim, columns)
    return arrays


def load_snapshot(home: Path, manifest: Manifest) -> StoredSnapshot:
    """Read and verify a whole snapshot (the passage terms are read later, if needed)."""
    directory = snapshot_dir(home, manifest.snapshot_id)
    arrays = _read_arrays(directory, manifest, KNOWLEDGE_ARRAYS)
    with paused_gc():
        articles = _read_articles(directory, manifest, arrays)
        passages, passage_article = _passages(articles, arrays)
        index = _read_index(directory, manifest, len(passages))
    return StoredSnapshot(directory, manifest, articles, passages, passage_article, index)


def _article_rows(directory: Path, manifest: Manifest) -> list[ArticleRow]:
    path = directory / ARTICLES
    try:
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != manifest.checksums.get(
                ARTICLES
            ):
                raise damaged(f"{ARTICLES} does not match its checksum")
            handle.seek(0)
            data = handle.read()
    except OSError as error:
        raise damaged(f"cannot read {ARTICLES}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise damaged(f"{ARTICLES} is not UTF-8: {error}") from None
    rows: list[ArticleRow] = []
    for line in text.split("\n"):
        if line:
            rows.extend(article_rows(line))
    if len(rows) != manifest.counts["articles"]:
        raise damaged(f"{ARTICLES} holds {len(rows)} articles, not {manifest.counts['articles']}")
    return rows


def _inside(starts: IntArray, ends: IntArray, low: IntArray, high: IntArray) -> bool:
    """Every span [start, end) is non-empty-or-empty, ordered, and within [low, high]."""
    return bool((starts >= low).all() and (starts <= ends).all() and (ends <= high).all())


def _texts(directory: Path, manifest: Manifest, text_end: IntArray) -> list[str]:
    path = directory / TEXTS
    try:
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != manifest.checksums.get(TEXTS):
                raise damaged(f"{TEXTS} does not match its checksum")
            handle.seek(0)
            blob = handle.read()
    except OSError as error:
        raise damaged(f"cannot read {TEXTS}: {error.strerror or error}") from None
    count = manifest.counts["articles"]
    if len(text_end) != count or (count and (int(text_end[-1]) != len(blob))):
        raise damaged(f"{TEXTS} does not hold {count} texts")
    if count and (int(text_end[0]) < 0 or bool((np.diff(text_end) < 0).any())):
        raise damaged("text offsets go backwards")
    ends = text_end.tolist()
    try:
        # One decode per article: the GIL is released between them (no long event-loop stall).
        return [blob[a:b].decode("utf-8", errors="surrogatepass") for a, b in spans_from_ends(ends)]
    except UnicodeDecodeError as error:
        raise damaged(f"{TEXTS} is not UTF-8: {error}") from None


def _read_articles(
    directory: Path, manifest: Manifest, arrays: Mapping[str, AnyArray]
) -> tuple[Article, ...]:
    records = _article_rows(directory, manifest)
    texts = _texts(directory, manifest, arrays["text_end"])
    count = len(records)
    par_ptr, starts, ends, kinds = (
        arrays["par_ptr"],
        arrays["par_start"],
        arrays["par_end"],
        arrays["par_kind"],
    )
    if not len(starts) == len(ends) == len(kinds):
        raise damaged("paragraph arrays disagree in length")
    check_offsets("par_ptr", par_ptr, len(starts), count)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    owner = np.repeat(np.arange(count, dtype=np.int64), np.diff(par_ptr))
    if len(starts) and not (
        _inside(starts, ends, np.zeros(1, np.int64), lengths[owner])
        and bool((starts < ends).all())
        and bool(((kinds == 0) | (kinds == 1)).all())
    ):
        raise damaged("a paragraph lies outside its article")
    if len({row[0] for row in records}) != count:
        raise damaged("article ids repeat")
    start_list, end_list, bounds = starts.tolist(), ends.tolist(), par_ptr.tolist()
    kind_list = [PARAGRAPH_KINDS[k] for k in kinds.tolist()]
    paragraphs = [
        tuple(map(Paragraph, start_list[a:b], end_list[a:b], kind_list[a:b]))
        for a, b in itertools.pairwise(bounds)
    ]
    articles = tuple(map(make_article, records, texts, paragraphs))
    for entry in manifest.files:
        if any(
            a.source_file != entry.fingerprint.path
            for a in articles[entry.first_article : entry.end_article]
        ):
            raise damaged("a file entry names articles of another file")
    return articles


def _passages(
    articles: Sequence[Article], arrays: Mapping[str, AnyArray]
) -> tuple[tuple[Passage, ...], IntArray]:
    owner, starts, ends = arrays["pas_article"], arrays["pas_start"], arrays["pas_end"]
    seg_ptr, seg_starts, seg_ends = arrays["seg_ptr"], arrays["seg_start"], arrays["seg_end"]
    count = len(owner)
    if not (len(starts) == len(ends) == count and len(seg_starts) == len(seg_ends)):
        raise damaged("passage arrays disagree in length")
    check_offsets("seg_ptr", seg_ptr, len(seg_starts), count)
    ordinals: list[int] = []
    if count:
        if (
            int(owner.min()) < 0
            or int(owner.max()) >= len(articles)
            or bool((np.diff(owner) < 0).any())
        ):
            raise damaged("passages point at missing articles or are out of order")
        lengths = np.fromiter((len(a.text) for a in articles), dtype=np.int64, count=len(articles))
        seg_owner = np.repeat(np.arange(count, dtype=np.int64), np.diff(seg_ptr))
        if not (
            _inside(starts, ends, np.zeros(1, np.int64), lengths[owner])
            and _inside(seg_starts, seg_ends, starts[seg_owner], ends[seg_owner])
        ):
            raise damaged("a passage lies outside its article")
        first = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
        group_start = np.repeat(first, np.diff(np.r_[first, count]))
        ordinals = (np.arange(count, dtype=np.int64) - group_start).tolist()
    owner_list = owner.tolist()
    ids = [article.id for article in articles]
    texts = [article.text for article in articles]
    segments = list(zip(seg_starts.tolist(), seg_ends.tolist(), strict=True))
    bounds = seg_ptr.tolist()
    passages = tuple(
        map(
            Passage,
            [ids[i] for i in owner_list],
            ordinals,
            starts.tolist(),
            ends.tolist(),
            [tuple(segments[a:b]) for a, b in itertools.pairwise(bounds)],
            [texts[i] for i in owner_list],
        )
    )
    return passages, owner


def _read_index(directory: Path, manifest: Manifest, passages: int) -> BM25Index:
    arrays = _read_arrays(directory, manifest, INDEX_ARRAYS, prefix="index_")
    meta = manifest.index_meta
    if any(meta.get(name) != manifest.index.get(name) for name in INDEX_PARAMS):
        raise damaged("index parameters disagree with the manifest")
    indptr, doc_ids, ends = arrays["indptr"], arrays["doc_ids"], arrays["terms_end"]
    check_offsets("indptr", indptr, len(doc_ids), len(indptr) - 1)
    if len(ends) and (bool((np.diff(ends) <= 0).any()) or int(ends[0]) <= 0):
        raise damaged("the vocabulary offsets are not increasing")
    if len(doc_ids) > 1:
        ascending = np.diff(doc_ids.astype(np.int64)) > 0
        starts = indptr[1:-1]
        starts = starts[(starts > 0) & (starts < len(doc_ids))]
        ascending[starts - 1] = True  # a new posting list may start lower
        if not bool(ascending.all()):
            raise damaged("a posting list repeats or disorders passages")
    if not (bool(np.isfinite(arrays["weights"]).all()) and bool(np.isfinite(arrays["idf"]).all())):
        raise damaged("the index holds non-finite weights")
    if len(arrays["doc_len"]) and int(arrays["doc_len"].min()) < 0:
        raise damaged("negative passage length")
    index = BM25Index.from_arrays(arrays, meta)
    if index.n_passages != passages:
        raise damaged(f"the index covers {index.n_passages} passages, not {passages}")
    return index


def snapshot_bytes(home: Path, manifest: Manifest) -> int:
    """The size of one snapshot on disk."""
    directory = snapshot_dir(home, manifest.snapshot_id)
    return sum(path.stat().st_size for path in directory.iterdir() if path.is_file())
