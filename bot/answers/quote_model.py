"""The learned linear scorer that chooses the supporting quote and re-ranks passages.

Each candidate window (a sentence, or two adjacent sentences) of the best BM25 passages is
described by the features below; its score is their weighted sum, and the highest-scoring
window across the re-ranked passages becomes the answer. The weights were fitted by
`scripts/fit_quote_model.py` (listwise softmax regression: pick the window holding the gold
answer) on half of the articles of `squad-dev` and `realtimeqa` and checked on the other
half; re-run it after changing analysis, passages or features. No feature looks at
particular questions or answers: they describe how a window relates to the question.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

NEURAL_FEATURES: tuple[str, ...] = (
    "neural_window",  # sentence-encoder cosine of the window and the question
    "neural_passage",  # the same for the whole passage
    "neural_best_sentence",  # the passage's closest sentence
    "neural_window_gap",  # neural_window - neural_best_sentence (0 for the closest)
    "neural_passage_gap",  # neural_passage - the best candidate passage's
    "neural_window_x_coverage",  # a close window that also has the question's words
    "neural_reciprocal_rank",  # 1 / (rank of the passage by neural_passage + 1)
)

FEATURES: tuple[str, ...] = (
    "coverage",  # share of the question's idf weight found in the window
    "bm25_share",  # the passage's BM25 score / the best passage's
    "offers_number",  # "how many"-type question; the window has a number the question lacks
    "offers_time",  # "when"-type question; the window has a date or time the question lacks
    "offers_name",  # "who/where"-type question; the window has a name the question lacks
    "typed_without_offer",  # the question asks for such a kind, the window has none
    "is_pair",  # two adjacent sentences rather than one
    "length_100_chars",  # window length / 100 characters
    "previous_sentence_coverage",  # coverage of the sentence before the window
    "next_sentence_coverage",  # coverage of the sentence after the window
    "passage_coverage",  # coverage of the whole passage
    "retrieval_reciprocal_rank",  # 1 / (BM25 rank + 1)
    "passage_lead",  # the window starts the passage
    "coverage_squared",  # rewards near-complete coverage
    "coverage_x_bm25_share",  # coverage in a strong passage
    "novelty",  # share of the window's words that are not question words
    "proximity",  # distinct matched question words / their spread in words
    "article_lead_passage",  # the passage opens its article
    "bigram_share",  # share of the question's adjacent word pairs found together
    "misses_top_term",  # the question's rarest known word is not in the window
    "window_similarity",  # cosine of the window's and the question's word vectors
    "passage_similarity",  # cosine of the whole passage's and the question's word vectors
    "soft_coverage",  # coverage where a missing word earns its nearest window word's cosine
    *NEURAL_FEATURES,  # the neural stage's (bot.answers.neural), 0 when it is off
)

# Fitted by `python scripts/fit_quote_model.py` on both shared question sets (all articles);
# refitted after words with digits stopped carrying word vectors.
# Held-out check (fit on one half of the articles, score the other half): the share of
# questions whose chosen window holds a gold answer is 0.747 on squad-dev and 0.659 on
# realtimeqa (0.734 and 0.646 for the same model without the three word-vector features;
# 0.707 and 0.613 for the hand-set heuristic before it).
# The weights with the neural stage off (its features are then 0).
BM25_ONLY_WEIGHTS: tuple[float, ...] = (
    1.5776,  # coverage
    1.8921,  # bm25_share
    0.9424,  # offers_number
    0.4405,  # offers_time
    -0.2457,  # offers_name
    -1.1372,  # typed_without_offer
    0.1906,  # is_pair
    0.0589,  # length_100_chars
    -0.0827,  # previous_sentence_coverage
    -1.3971,  # next_sentence_coverage
    2.5206,  # passage_coverage
    0.3378,  # retrieval_reciprocal_rank
    0.5767,  # passage_lead
    0.6222,  # coverage_squared
    0.8322,  # coverage_x_bm25_share
    0.4738,  # novelty
    0.3596,  # proximity
    0.0606,  # article_lead_passage
    1.3869,  # bigram_share
    -0.5086,  # misses_top_term
    3.053,  # window_similarity
    2.0221,  # passage_similarity
    5.1087,  # soft_coverage
    *(0.0,) * len(NEURAL_FEATURES),
)

# Fitted by `python scripts/fit_quote_model.py` with the neural stage on (NEURAL_DEPTH
# candidates). Held-out check (fit on one half of the articles, score the other): the chosen
# window holds a gold answer for 0.780 of squad-dev's questions and 0.734 of realtimeqa's
# (0.746 and 0.660 with BM25_ONLY_WEIGHTS and the stage off).
WEIGHTS: tuple[float, ...] = (
    1.3132,  # coverage
    0.5552,  # bm25_share
    0.5985,  # offers_number
    0.4664,  # offers_time
    0.0146,  # offers_name
    -1.0796,  # typed_without_offer
    0.1001,  # is_pair
    0.099,  # length_100_chars
    -0.1564,  # previous_sentence_coverage
    -1.478,  # next_sentence_coverage
    2.5791,  # passage_coverage
    0.2266,  # retrieval_reciprocal_rank
    0.4932,  # passage_lead
    0.5375,  # coverage_squared
    0.498,  # coverage_x_bm25_share
    0.7915,  # novelty
    0.1784,  # proximity
    -0.2302,  # article_lead_passage
    1.2631,  # bigram_share
    -0.4586,  # misses_top_term
    0.7235,  # window_similarity
    -0.8159,  # passage_similarity
    4.1315,  # soft_coverage
    3.7388,  # neural_window
    1.9209,  # neural_passage
    3.0382,  # neural_best_sentence
    0.7837,  # neural_window_gap
    1.7503,  # neural_passage_gap
    1.9136,  # neural_window_x_coverage
    0.9659,  # neural_reciprocal_rank
)


_TYPED_WITHOUT_OFFER = FEATURES.index("typed_without_offer")


def lacks_asked_kind(features: Sequence[float]) -> bool:
    """The question asks for a number, a time or a name and the window offers none."""
    return features[_TYPED_WITHOUT_OFFER] > 0.0


def quote_score(features: Sequence[float], weights: Sequence[float] = WEIGHTS) -> float:
    """The window's score: a weighted sum of its features."""
    if len(features) != len(weights):
        raise ValueError(f"{len(features)} features for {len(weights)} weights")
    return float(sum(map(operator.mul, weights, features)))
