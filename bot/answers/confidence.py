"""How sure Dateline is that its quote answers the question: a calibrated logistic model.

Raw BM25 scores sit on different scales in different corpora, so the signals below are all
scale-free: shares of the question's idf weight, cosines, and relative margins. Their
weights were fitted by `scripts/fit_confidence.py` (logistic regression) on both shared
question sets under the unanswerable protocol: a question whose article is in the
knowledge and whose quote holds the answer is a positive; a question whose article was
withheld is a negative. The confidence is that model's probability; below the
`abstain_threshold` setting Dateline says the articles do not say (README, "Abstention").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SIGNALS: tuple[str, ...] = (
    "known_share",  # share of the question's weight made of words some article contains
    "quote_coverage",  # share of the question's weight found in the quote
    "soft_coverage",  # the same, with near words earning their cosine
    "window_similarity",  # word-vector cosine of the quote and the question
    "passage_similarity",  # word-vector cosine of the quote's passage and the question
    "bigram_share",  # share of the question's word pairs found together in the quote
    "neural_window",  # sentence-encoder cosine of the quote and the question (0 when off)
    "neural_passage",  # the same for the quote's passage
)

# Fitted by `python scripts/fit_confidence.py` (see its docstring for the held-out check).
SEMANTIC_WEIGHTS: tuple[float, ...] = (
    1.3342,  # known_share
    1.7753,  # quote_coverage
    2.3965,  # soft_coverage
    2.8956,  # window_similarity
    0.6759,  # passage_similarity
    1.7402,  # bigram_share
    0.0,  # neural_window
    0.0,  # neural_passage
)
# The fitted bias (-5.7695) moved by -logit(0.09) so that 0.5 is the default operating point.
SEMANTIC_BIAS = -3.4559

# The same model fitted with DATELINE_SEMANTIC_SIMILARITY=false (the similarity signals are 0):
# `python scripts/fit_confidence.py` with that setting; its bias moved by -logit(0.11).
WORDS_ONLY_WEIGHTS: tuple[float, ...] = (
    2.0195,  # known_share
    2.6267,  # quote_coverage
    1.9416,  # soft_coverage
    0.0,  # window_similarity
    0.0,  # passage_similarity
    2.2892,  # bigram_share
    0.0,  # neural_window
    0.0,  # neural_passage
)
WORDS_ONLY_BIAS = -2.8271


# The default mode's, fitted with the neural stage on (its two cosines are the answerability
# signal BM25 lacked). Held-out half (`python scripts/fit_confidence.py`, fitted on the other
# half of the questions): at the operating point, 78.8% of squad-dev's withheld-article
# questions abstained with answer-in-quote on the kept ones unchanged (0.8368 both ways), and
# 42.2% on realtimeqa for 1.35 points (0.7930 vs 0.8065).
NEURAL_WEIGHTS: tuple[float, ...] = (
    0.84,  # known_share
    1.5146,  # quote_coverage
    2.2352,  # soft_coverage
    1.4273,  # window_similarity
    -0.8192,  # passage_similarity
    1.2807,  # bigram_share
    3.4889,  # neural_window
    2.1974,  # neural_passage
)
# The fitted bias (-6.4634) moved by -logit(0.10) so that 0.5 is the default operating point.
NEURAL_BIAS = -4.2662

# The default mode's (neural stage on, word vectors on).
WEIGHTS = NEURAL_WEIGHTS
BIAS = NEURAL_BIAS


def confidence_from(
    signals: Sequence[float], *, semantic: bool = True, neural: bool = False
) -> float:
    """The calibrated confidence that the quote answers the question, in [0, 1].

    Each mode has the weights fitted in it: `neural` (the re-ranking stage's cosines),
    `semantic` without it, and words only (`semantic=False`), so turning a stage off keeps
    abstention calibrated instead of silencing every answer.
    """
    if neural:
        weights, bias = NEURAL_WEIGHTS, NEURAL_BIAS
    elif semantic:
        weights, bias = SEMANTIC_WEIGHTS, SEMANTIC_BIAS
    else:
        weights, bias = WORDS_ONLY_WEIGHTS, WORDS_ONLY_BIAS
    logit = bias + sum(weight * value for weight, value in zip(weights, signals, strict=True))
    if logit < -30.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-logit))
