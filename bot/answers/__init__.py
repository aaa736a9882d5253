"""Answers: from a question to the exact supporting quote, or an honest "not found".

`model` holds the `Answer` value every front end renders; `pipeline.answer_question` builds it
from BM25's candidates (`candidates`), their quotes (`quotes`), the learned quote and
confidence models and the word vectors.
"""

from bot.answers.answer_types import AnswerType, expected_answer_type, offers_answer
from bot.answers.candidates import RERANK_ALWAYS, RERANK_DEPTH, candidate_windows, quote_candidates
from bot.answers.confidence import BIAS, SIGNALS, WORDS_ONLY_WEIGHTS, confidence_from
from bot.answers.model import Answer, AnswerStatus, Finding, SupportingQuote, confidence_label
from bot.answers.pipeline import answer_question
from bot.answers.quote_model import FEATURES, quote_score
from bot.answers.terms import weigh_question
from bot.answers.word_vectors import WordVectors, cosines, load_word_vectors, shared_word_vectors

__all__ = [
    "BIAS",
    "FEATURES",
    "RERANK_ALWAYS",
    "RERANK_DEPTH",
    "SIGNALS",
    "WORDS_ONLY_WEIGHTS",
    "Answer",
    "AnswerStatus",
    "AnswerType",
    "Finding",
    "SupportingQuote",
    "WordVectors",
    "answer_question",
    "candidate_windows",
    "confidence_from",
    "confidence_label",
    "cosines",
    "expected_answer_type",
    "load_word_vectors",
    "offers_answer",
    "quote_candidates",
    "quote_score",
    "shared_word_vectors",
    "weigh_question",
]
