"""Retrieval: the exact BM25 index over analysed passages. Takes its parameters as arguments;
imports only `bot.text` and `bot.errors`.
"""

from bot.retrieval.index import BM25Index, BM25Params

__all__ = ["BM25Index", "BM25Params"]
