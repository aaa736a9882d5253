"""The benchmark (`dateline bench`): synthetic corpora, the baselines it compares against,
cold start and event-loop stall probes.
"""

from bot.tooling.bench.corpus import TAG_AFTER_WORDS, load_questions, vary, write_corpus

__all__ = ["TAG_AFTER_WORDS", "load_questions", "vary", "write_corpus"]
