"""BM25Index equals rank-bm25's get_scores (and its ranking) for all three variants."""

from __future__ import annotations

import functools
import io
import itertools
import json
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import rank_bm25
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import KnowledgeError
from bot.knowledge import bm25_params
from bot.retrieval import BM25Index, BM25Params
from bot.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NEWS = SHARED_DATA / "news" / "articles.jsonl"
TERMS = ["a", "b", "c", "d", "e", "f", "g"]


def reference(corpus: list[list[str]], params: BM25Params) -> rank_bm25.BM25:
    """rank-bm25 fitted directly; for Okapi + "capped" its idf table adjusted by the rule."""
    if params.variant == "okapi":
        model = rank_bm25.BM25Okapi(corpus, k1=params.k1, b=params.b, epsilon=params.epsilon)
        if params.common_terms == "capped":
            df = Counter(term for doc in model.doc_freqs for term in doc)
            floored = {term for term in model.idf if 2 * df[term] > len(corpus)}
            rest = [model.idf[term] for term in model.idf if term not in floored]
            if floored and rest:
                floor = min(model.average_idf * params.epsilon, *rest)
                for term in floored:
                    model.idf[term] = floor
        return model
    model_class = rank_bm25.BM25Plus if params.variant == "plus" else rank_bm25.BM25L
    return model_class(corpus, k1=params.k1, b=params.b, delta=params.delta)


def reference_scores(model: rank_bm25.BM25, query: list[str], params: BM25Params) -> np.ndarray:
    """get_scores, with NaN (0/0 in an empty passage when b = 1) replaced by the tf → 0 limit."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.asarray(model.get_scores(query), dtype=np.float64)
    if params.variant == "plus":
        limit = sum((model.idf.get(term) or 0) * params.delta for term in query)
    else:
        limit = 0.0
    return np.where(np.isnan(scores), limit, scores)


def reference_top(
    corpus: list[list[str]], scores: np.ndarray, query: list[str], k: int, matching_only: bool
) -> list[int]:
    ids = sorted(range(len(corpus)), key=lambda i: (-scores[i], i))
    if matching_only:
        ids = [i for i in ids if set(query) & set(corpus[i])]
    return ids[:k]


corpora = st.lists(
    st.lists(st.sampled_from(TERMS[:5]) | st.sampled_from(TERMS), max_size=8), max_size=12
)
queries = st.lists(st.sampled_from([*TERMS, "unknown"]), max_size=6)
params_strategy = st.builds(
    BM25Params,
    variant=st.sampled_from(["okapi", "plus", "l"]),
    k1=st.floats(0.05, 3.0),
    b=st.floats(0.0, 1.0),
    epsilon=st.floats(0.0, 1.0),
    delta=st.floats(0.0, 2.0),
    common_terms=st.sampled_from(["capped", "rank_bm25"]),
)


@settings(max_examples=400, deadline=None)
@given(corpora, queries, params_strategy, st.integers(1, 15), st.booleans())
def test_scores_and_search_equal_rank_bm25(
    corpus: list[list[str]], query: list[str], params: BM25Params, k: int, matching_only: bool
) -> None:
    index = BM25Index.build(corpus, params)
    assert index.n_passages == len(corpus)
    if sum(map(len, corpus)) == 0:  # rank-bm25 cannot fit this; every score is 0
        assert not index.scores(query).any()
        assert index.search(query, k) == []
        return
    expected = reference_scores(reference(corpus, params), query, params)
    got = index.scores(query)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    # Same floats, same order of additions: the ranking, ties included, is identical.
    assert np.array_equal(got, expected)
    hits = index.search(query, k, matching_only=matching_only)
    assert [i for i, _ in hits] == reference_top(corpus, expected, query, k, matching_only)
    assert [s for _, s in hits] == [expected[i] for i, _ in hits]


@settings(max_examples=100, deadline=None)
@given(corpora, queries, params_strategy)
def test_arrays_round_trip_through_npz_and_json(
    corpus: list[list[str]], query: list[str], params: BM25Params
) -> None:
    index = BM25Index.build(corpus, params)
    arrays, meta = index.to_arrays()
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as stored:
        restored = BM25Index.from_arrays(dict(stored), json.loads(json.dumps(meta)))
    assert restored.params == index.params
    assert np.array_equal(restored.scores(query), index.scores(query))
    assert restored.search(query, 5) == index.search(query, 5)
    for term in [*TERMS, "unknown"]:
        assert restored.has_term(term) == index.has_term(term)
        assert restored.idf(term) == index.idf(term)
        assert restored.document_frequency(term) == index.document_frequency(term)


@settings(max_examples=200, deadline=None)
@given(corpora)
def test_capped_okapi_idf_never_rises_with_document_frequency(corpus: list[list[str]]) -> None:
    index = BM25Index.build(corpus, BM25Params(variant="okapi", common_terms="capped"))
    known = sorted((index.document_frequency(t), index.idf(t)) for t in TERMS if index.has_term(t))
    for (df_low, idf_low), (df_high, idf_high) in itertools.pairwise(known):
        if df_high > df_low:
            assert idf_high <= idf_low


def common_term_corpus() -> list[list[str]]:
    """'common' is in passages 0-3 (idf > 0); 'the' in passages 4-9, over half (floored)."""
    return [[f"w{i}", "common" if i < 4 else "the"] for i in range(10)]


def test_plain_rank_bm25_floor_can_outweigh_rarer_terms() -> None:
    corpus = common_term_corpus()
    plain = BM25Index.build(corpus, BM25Params(common_terms="rank_bm25"))
    model = rank_bm25.BM25Okapi(corpus)
    assert plain.idf("the") == model.idf["the"] == model.average_idf * 0.25
    assert plain.idf("the") > plain.idf("common") > 0  # the pitfall, kept on request
    assert plain.search(["the", "common"], 1)[0][0] >= 4  # a passage with only "the" wins


def test_capped_floor_keeps_common_terms_below_rarer_ones() -> None:
    corpus = common_term_corpus()
    capped = BM25Index.build(corpus, BM25Params(common_terms="capped"))
    assert capped.idf("the") == capped.idf("common") > 0
    assert capped.idf("w1") > capped.idf("common")
    # "the" no longer outweighs "common": tied, so the lower passage id (a "common" one) wins.
    assert capped.search(["the", "common"], 1)[0][0] == 0


def test_unknown_terms_score_zero_and_find_nothing() -> None:
    index = BM25Index.build([["a", "b"], ["b"]], BM25Params())
    assert not index.scores(["zzz"]).any()
    assert index.search(["zzz"], 3) == []
    assert index.search(["zzz"], 3, matching_only=False) == [(0, 0.0), (1, 0.0)]
    assert not index.has_term("zzz") and index.idf("zzz") == 0.0
    assert index.document_frequency("zzz") == 0 and index.document_frequency("b") == 2


def test_repeated_query_terms_count_repeatedly() -> None:
    index = BM25Index.build([["a", "c"], ["b", "c"], ["d"]], BM25Params(variant="l"))
    assert index.scores(["a", "a"])[0] == pytest.approx(2 * index.scores(["a"])[0])


def test_bm25_plus_scores_every_passage_but_search_prefers_matches() -> None:
    corpus = [["x"], ["a", "b"], ["c"], ["a"]]
    index = BM25Index.build(corpus, BM25Params(variant="plus"))
    scores = index.scores(["a"])
    assert scores[0] == scores[2] == index.idf("a") * 1.0
    assert index.idf("a") > 0
    assert [i for i, _ in index.search(["a"], 10)] == [3, 1]
    assert [i for i, _ in index.search(["a"], 3, matching_only=False)] == [3, 1, 0]


@pytest.mark.parametrize("variant", ["okapi", "plus", "l"])
def test_empty_corpus_and_empty_passages_do_not_crash(variant: str) -> None:
    params = BM25Params(variant=variant)
    corpora: list[list[list[str]]] = [[], [[]], [[], [], []]]
    for corpus in corpora:
        index = BM25Index.build(corpus, params)
        assert index.n_passages == len(corpus)
        assert index.vocabulary_size == 0
        assert index.search(["a"], 5) == []
        assert index.scores(["a"]).shape == (len(corpus),)
    assert BM25Index.build([], params).search(["a"], 5, matching_only=False) == []


def test_zero_k_returns_nothing() -> None:
    assert BM25Index.build([["a"]], BM25Params()).search(["a"], 0) == []


def test_k1_zero_uses_the_limit_where_rank_bm25_gives_nan() -> None:
    corpus = [["a", "b"], ["b"], ["c"]]
    params = BM25Params(variant="okapi", k1=0.0, common_terms="rank_bm25")
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = rank_bm25.BM25Okapi(corpus, k1=0.0).get_scores(["a"])
    got = BM25Index.build(corpus, params).scores(["a"])
    assert np.isnan(expected[1]) and got[1] == 0.0
    assert got[0] == expected[0]


def test_params_validate_and_come_from_settings() -> None:
    with pytest.raises(ValueError, match="variant"):
        BM25Params(variant="bm42")
    with pytest.raises(ValueError, match="common_terms"):
        BM25Params(common_terms="sometimes")
    with pytest.raises(ValueError, match="k1"):
        BM25Params(b=1.5)
    configured = Settings(bm25_variant="plus", bm25_k1=1.2, bm25_b=0.5, bm25_delta=0.7)
    assert bm25_params(configured) == BM25Params(
        variant="plus", k1=1.2, b=0.5, epsilon=0.25, delta=0.7
    )


def test_damaged_arrays_are_refused() -> None:
    index = BM25Index.build([["a", "b"], ["b"]], BM25Params())
    arrays, meta = index.to_arrays()
    with pytest.raises(KnowledgeError, match="format"):
        BM25Index.from_arrays(arrays, {**meta, "format": 99})
    with pytest.raises(KnowledgeError, match="damaged"):
        BM25Index.from_arrays({**arrays, "weights": arrays["weights"][:1]}, meta)
    without_idf = {name: array for name, array in arrays.items() if name != "idf"}
    with pytest.raises(KnowledgeError, match="damaged"):
        BM25Index.from_arrays(without_idf, meta)


@functools.cache
def news_paragraph_terms() -> list[list[str]]:
    """The first 3,000 shared news articles, split into paragraphs and analyzed."""
    from bot.text import Analyzer

    analyzer = Analyzer("english")
    corpus: list[list[str]] = []
    with NEWS.open(encoding="utf-8") as lines:
        for _, line in zip(range(3000), lines, strict=False):
            for part in re.split(r"\n\s*\n|\n(?=    )", json.loads(line)["text"]):
                if part.strip():
                    corpus.append(analyzer.terms(part))
    return corpus


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize("variant", ["okapi", "plus", "l"])
def test_news_paragraphs_match_rank_bm25(variant: str) -> None:
    if not NEWS.exists():
        pytest.skip(f"shared data absent: {NEWS}")
    corpus = news_paragraph_terms()
    params = BM25Params(variant=variant)
    index = BM25Index.build(corpus, params)
    model = reference(corpus, params)
    rng = random.Random(2024)
    for _ in range(50):
        passage = rng.choice([doc for doc in corpus if doc])
        query = [*rng.sample(passage, min(len(passage), rng.randint(1, 6))), "unknownterm"]
        expected = reference_scores(model, query, params)
        got = index.scores(query)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
        hits = index.search(query, 10)
        assert [i for i, _ in hits] == reference_top(corpus, expected, query, 10, True)
