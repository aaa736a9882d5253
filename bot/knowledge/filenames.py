"""Which file names an uploaded article may have: checked, never repaired.

A refused name says why, and the admin renames the file. Look-alike characters are refused
rather than transliterated, because a transliterated name could silently land on, or next
to, an existing article.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath

from bot.errors import KnowledgeError
from bot.knowledge.articles import (
    LoadProblem,
)

UPLOAD_SUFFIXES = (".txt", ".md", ".json", ".jsonl")


MAX_NAME_CHARS = 100


_MAX_NAME_BYTES = 255  # what most file systems allow for one name


_ASCII_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-()+,")


_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"COM{n}" for n in range(10)}
    | {f"LPT{n}" for n in range(10)}
)


_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


# Cyrillic and Greek letters drawn like Latin ones: names equal after this mapping (and
# casefolding) are treated as the same name, so no upload can sit next to an existing
# article under a name that looks identical.
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁԛԝһӏвкмнтαβεικνορτυχζ",
    "aeopcyxijsdqwhlbkmhtabeikvoptuxz",
)


class UploadRejectedError(KnowledgeError):
    """An upload was refused; nothing was written. `problems` lists what the loader found."""

    def __init__(self, message: str, problems: Iterable[LoadProblem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[LoadProblem, ...] = tuple(problems)


class UnsafeFilenameError(UploadRejectedError):
    """The attachment's name is not acceptable (the message says why, without echoing it)."""


def _refuse(reason: str) -> UnsafeFilenameError:
    return UnsafeFilenameError(f"file name refused: {reason}")


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def sanitise_filename(name: str) -> str:
    """Check an attachment's name and return it as it will be stored (NFC, suffix lower-case).

    Refused (`UnsafeFilenameError`): empty or over `MAX_NAME_CHARS`; folders or path separators;
    drive letters; hidden names (`.env`); a leading `-`; Windows device names (`CON`,
    `com1.txt`, ...); control, invisible, bidi or zero-width characters; compatibility forms
    such as fullwidth `．` or `／` (anything NFKC would change); non-ASCII punctuation or
    symbols; Latin mixed with Cyrillic or Greek letters; extensions other than .txt, .md,
    .json and .jsonl. Surrounding whitespace is dropped. Letters of any one script are fine.
    """
    if len(name) > 4 * MAX_NAME_CHARS:  # bound the work before looking at every character
        raise _refuse(f"longer than {MAX_NAME_CHARS} characters")
    name = name.strip()
    if not name:
        raise _refuse("it is empty")
    for char in name:
        category = unicodedata.category(char)
        if category[0] == "C" or category in ("Zl", "Zp") or (category == "Zs" and char != " "):
            raise _refuse(f"invisible or control character {_codepoint(char)}")
    if "/" in name or "\\" in name:
        raise _refuse("a path separator; give a plain file name, no folders")
    if ":" in name:
        raise _refuse("':' (drive letters and alternate streams are not allowed)")
    name = unicodedata.normalize("NFC", name)
    for char in name:
        if unicodedata.normalize("NFKC", char) != char:
            raise _refuse(f"look-alike character {_codepoint(char)}; use plain characters")
    for char in name:
        if char not in _ASCII_ALLOWED and (
            ord(char) < 128 or unicodedata.category(char)[0] not in "LMN"
        ):
            raise _refuse(
                f"character {_codepoint(char)}; use letters, digits, spaces and . _ - ( ) + ,"
            )
    stem = PurePosixPath(name).stem
    scripts = {_script(char) for char in stem if char.isalpha()} & _CONFUSABLE_SCRIPTS
    if len(scripts) > 1:
        mixed = " and ".join(script.capitalize() for script in sorted(scripts))
        raise _refuse(f"it mixes {mixed} letters, which can look identical")
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise _refuse(f"longer than {MAX_NAME_CHARS} characters")
    if name.startswith("."):
        raise _refuse("hidden names (starting with '.') are not allowed")
    if name.startswith("-"):
        raise _refuse("names may not start with '-'")
    if name.endswith((".", " ")):
        raise _refuse("names may not end with '.' or a space")
    device = name.split(".", 1)[0].rstrip(" ").upper()
    if device in _WINDOWS_RESERVED:
        raise _refuse(f"{device} is a reserved device name on Windows")
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise _refuse(f"only {', '.join(UPLOAD_SUFFIXES)} files are accepted")
    if not path.stem.strip(" ._-"):
        raise _refuse("the name has no letters or digits before the extension")
    return path.stem + suffix


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def name_key(name: str) -> str:
    """What two names must differ in to be told apart: stem, casefolded, homoglyphs mapped."""
    stem = PurePosixPath(name).stem
    return unicodedata.normalize("NFKC", stem).casefold().translate(_HOMOGLYPHS)
