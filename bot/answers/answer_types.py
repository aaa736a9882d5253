"""What kind of answer a question expects, and whether a sentence offers one.

A question that asks "how many", "when" or "who" is answered by a number, a date or a
name that the question itself does not contain. Among sentences that echo the question
equally well, the one that also holds such a candidate is far more often the answer. This
is a general signal for quote choice (English question words; other languages get none).
"""

from __future__ import annotations

import re
from enum import Enum


class AnswerType(Enum):
    """The broad kind of answer a question asks for."""

    NUMBER = "number"
    TIME = "time"
    NAME = "name"
    NONE = "none"


_NUMBER_QUESTION = re.compile(
    r"\bhow\s+(many|much|long|old|far|large|big|tall|high|often|wide|deep|fast|heavy)\b"
    r"|\bwhat\s+(percentage|percent|proportion|number|amount|age|size|distance|price|cost)\b",
    re.I,
)
_TIME_QUESTION = re.compile(
    r"\bwhen\b|\b(what|which)\s+(year|years|date|day|month|time|decade|century|period|season)\b"
    r"|\bin\s+what\s+year\b|\bhow\s+long\s+ago\b",
    re.I,
)
_NAME_QUESTION = re.compile(
    r"\bwho(m|se)?\b|\bwhere\b|\bwhat\s+(country|city|company|team|state|name)\b", re.I
)

_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|"
    r"million|billion|trillion|half|third|quarter|once|twice)\b",
    re.I,
)
_TIME = re.compile(
    r"\b\d{3,4}s?\b|\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|century|decade|year|years|month|months|week|weeks|day|days|today|"
    r"yesterday|tomorrow|ago|season|spring|summer|autumn|winter|morning|evening|night)\b"
    r"|\b\d{1,2}[:.]\d{2}\b",
    re.I,
)
_MONTH = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
# Digits that are part of a date ("March 21", "21st of March", "2020") say when, not how many.
_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?\b(,?\s+\d{{4}}\b)?"
    rf"|\b\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?{_MONTH}(\s+\d{{4}})?\b"
    r"|\b(1[5-9]|20)\d{2}s?\b",
    re.I,
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")


def expected_answer_type(question: str) -> AnswerType:
    """The kind of answer an English question asks for (NONE when unclear)."""
    if _TIME_QUESTION.search(question):
        return AnswerType.TIME
    if _NUMBER_QUESTION.search(question):
        return AnswerType.NUMBER
    if _NAME_QUESTION.search(question):
        return AnswerType.NAME
    return AnswerType.NONE


def offers_answer(answer_type: AnswerType, sentence: str, question: str) -> bool:
    """Whether `sentence` holds a candidate of the expected kind that the question lacks."""
    if answer_type is AnswerType.NONE:
        return False
    asked = question.casefold()
    if answer_type is AnswerType.NUMBER:
        pattern = _NUMBER
        sentence = _DATE.sub(" ", sentence)
    elif answer_type is AnswerType.TIME:
        pattern = _TIME
    else:
        pattern = _CAPITALISED
    return any(match.group(0).casefold() not in asked for match in pattern.finditer(sentence))
