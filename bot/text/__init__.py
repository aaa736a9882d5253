"""Text: the analyzer (tokens, stems, stop words) and sentence splitting; imports nothing
of Dateline's."""

from bot.text.analyzer import Analyzer, Token
from bot.text.invisible import strip_invisible
from bot.text.sentences import sentence_spans

__all__ = ["Analyzer", "Token", "sentence_spans", "strip_invisible"]
