"""Dateline: answers questions from a folder of news articles, quoting the supporting sentence."""

__version__ = "0.1.0"
