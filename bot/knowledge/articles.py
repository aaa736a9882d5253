"""Article files: reading `.txt`, `.md`, `.json` and `.jsonl` into `Article` values.

Loading never stops at a bad file: each problem (file, line where known, reason) goes into
the `LoadReport` and everything else still loads. The article text is kept exactly as
written (wire line breaks included) so every passage and sentence span maps back to it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.knowledge.datelines import Dateline, find_dateline, parse_dateline
from bot.text import strip_invisible

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".json", ".jsonl")
_BINARY_SNIFF_BYTES = 8192
_TITLE_MAX_CHARS = 90
# A headline: one line, not too long, no sentence-final punctuation.
_HEADLINE_MAX_WORDS = 25
_SUBHEADING_MAX_WORDS = 10
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "”", "»", "’", "'", ",", ")")
# Paragraph breaks: a blank line, or a new line that starts indented (Reuters-21578 layout).
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S)")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"#{1,6}[ \t]+")


class ParagraphKind(Enum):
    """What a paragraph is for: body text is quotable, headings only give context."""

    BODY = "body"
    HEADING = "heading"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph as a span of its article's text (dateline excluded, whitespace trimmed)."""

    start: int
    end: int
    kind: ParagraphKind = ParagraphKind.BODY


@dataclass(frozen=True, slots=True)
class Article:
    """One news article: its exact text, where its paragraphs are, and its metadata."""

    id: str
    title: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    source_file: str
    dateline: Dateline | None = None
    record_id: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    agency: str | None = None

    @property
    def lead(self) -> str:
        """The first body paragraph, whitespace collapsed: a preview of the story."""
        for paragraph in self.paragraphs:
            if paragraph.kind is ParagraphKind.BODY:
                return collapse_whitespace(self.text[paragraph.start : paragraph.end])
        return ""


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Something wrong with one file (or one record in it); `fatal` means nothing was loaded."""

    file: str
    reason: str
    line: int | None = None
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FileLoad:
    """What one file yielded: its articles and its problems."""

    path: Path
    articles: tuple[Article, ...] = ()
    problems: tuple[LoadProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class LoadReport:
    """The result of loading a set of paths: all articles plus every problem found."""

    articles: tuple[Article, ...]
    problems: tuple[LoadProblem, ...]
    files: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        """True when some file or record could not be loaded at all."""
        return any(problem.fatal for problem in self.problems)


class ArticleRecord(BaseModel):
    """One article in a `.json`/`.jsonl` file, or a Markdown file's front matter."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = None
    title: str | None = None
    text: str = ""
    dateline: str | None = None
    published: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    agency: str | None = None

    @field_validator("id", "title", "text", "dateline", "source", "agency", mode="after")
    @classmethod
    def _visible(cls, value: str | None) -> str | None:
        """JSON escapes (`\\u202e`) decode after the file's text was cleaned: clean again."""
        return strip_invisible(value) if value is not None else None

    @field_validator("id", "published", mode="before")
    @classmethod
    def _scalar_to_text(cls, value: Any) -> Any:
        """Ids may be numbers and YAML turns `2020-04-02` into a date: keep them as text."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) or hasattr(value, "isoformat"):
            return value.isoformat() if hasattr(value, "isoformat") else str(value)
        return value


def collapse_whitespace(text: str) -> str:
    """Wire copy wraps lines; for display, any run of whitespace becomes one space."""
    return " ".join(text.split())


def shorten(text: str, limit: int = _TITLE_MAX_CHARS) -> str:
    """Shorten at a word boundary with an ellipsis."""
    text = collapse_whitespace(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-—") + "…"


# --------------------------------------------------------------------------- decoding


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode UTF-8 (with or without BOM), else cp1252; returns (text, warning or None)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        position = error.start
    try:
        return data.decode("cp1252"), f"not valid UTF-8 (byte {position}); read as cp1252"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), (
            f"not valid UTF-8 or cp1252 (byte {position}); undecodable bytes replaced"
        )


def looks_binary(data: bytes) -> bool:
    """NUL bytes never occur in text files in the encodings we read."""
    return b"\x00" in data[:_BINARY_SNIFF_BYTES]


# --------------------------------------------------------------------------- layout


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Trimmed spans of the paragraphs in text[start:end] (blank line or indented new line)."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    position = start
    for match in _PARAGRAPH_BREAK.finditer(text, start, stop):
        _append_trimmed(text, position, match.start(), spans)
        position = match.end()
    _append_trimmed(text, position, stop, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _is_headline(line: str, max_words: int) -> bool:
    """A single short line without sentence-final punctuation."""
    stripped = line.strip()
    if not stripped or "\n" in stripped:
        return False
    words = stripped.split()
    return len(words) <= max_words and not stripped.endswith(_SENTENCE_END)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the headline, dateline and paragraphs are in a plain-text body."""

    title: str | None
    dateline: Dateline | None
    paragraphs: tuple[Paragraph, ...]


def analyse_layout(
    text: str, start: int = 0, known_dateline: Dateline | None = None, headline_first: bool = True
) -> _Layout:
    """Find headline, dateline and paragraphs in wire layout.

    Shapes handled: `headline / [standfirst] / DATELINE - body…` and the TASS shape
    `lead / DATELINE./TASS/. body… / Subheading / body…`. The dateline is looked for at the
    start of the first few paragraphs after the headline; paragraphs before it are the
    lead or standfirst (quotable). Short unpunctuated lines between paragraphs are
    subheadings: context for the passage after them, never a title or a dateline.
    """
    spans = paragraph_spans(text, start)
    title: str | None = None
    if (
        headline_first
        and len(spans) > 1
        and _is_headline(text[spans[0][0] : spans[0][1]], _HEADLINE_MAX_WORDS)
    ):
        title = collapse_whitespace(text[spans[0][0] : spans[0][1]])
        spans = spans[1:]
    dateline = known_dateline
    dateline_index: int | None = None
    body_starts: dict[int, int] = {}
    for index, (span_start, span_end) in enumerate(spans[:3]):
        match = find_dateline(text[span_start:span_end])
        if match is not None:
            dateline_index = index
            body_starts[index] = span_start + match.body_start
            if dateline is None:
                dateline = match.dateline
            break
    paragraphs: list[Paragraph] = []
    for index, (raw_start, span_end) in enumerate(spans):
        span_start = body_starts.get(index, raw_start)
        if span_start >= span_end:
            continue
        chunk = text[span_start:span_end]
        is_heading = (
            index > (dateline_index if dateline_index is not None else 0)
            and index + 1 < len(spans)
            and _is_headline(chunk, _SUBHEADING_MAX_WORDS)
        )
        kind = ParagraphKind.HEADING if is_heading else ParagraphKind.BODY
        paragraphs.append(Paragraph(span_start, span_end, kind))
    return _Layout(title=title, dateline=dateline, paragraphs=tuple(paragraphs))


def _fallback_title(text: str, paragraphs: Sequence[Paragraph], path: Path) -> str:
    for paragraph in paragraphs:
        if paragraph.kind is ParagraphKind.BODY:
            lead = text[paragraph.start : paragraph.end].strip().strip("\"“”«»'")
            if lead:
                return shorten(lead)
    return path.stem.replace("-", " ").replace("_", " ").strip() or path.name


# --------------------------------------------------------------------------- building articles


def _article_from_text(
    text: str,
    *,
    article_id: str,
    source_file: str,
    path: Path,
    record: ArticleRecord | None = None,
    headline_first: bool = True,
    body_offset: int = 0,
    heading_title: str | None = None,
) -> Article:
    known = parse_dateline(record.dateline) if record is not None and record.dateline else None
    layout = analyse_layout(text, body_offset, known, headline_first=headline_first)
    title = (record.title if record is not None and record.title else None) or heading_title
    title = title or layout.title or _fallback_title(text, layout.paragraphs, path)
    return Article(
        id=article_id,
        title=collapse_whitespace(title),
        text=text,
        paragraphs=layout.paragraphs,
        source_file=source_file,
        dateline=layout.dateline,
        record_id=record.id if record is not None else None,
        source=record.source if record is not None else None,
        url=record.url if record is not None else None,
        published=record.published if record is not None else None,
        language=record.language if record is not None else None,
        agency=record.agency if record is not None else None,
    )


class _FrontMatterLoader(yaml.SafeLoader):
    """`safe_load` without aliases: front matter never needs them, and a few hundred bytes of
    nested aliases ("billion laughs") expand into a structure that takes minutes to report."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed in front matter", mark
            )
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def _load_txt(text: str, path: Path, article_id: str, source_file: str) -> list[Article]:
    return [_article_from_text(text, article_id=article_id, source_file=source_file, path=path)]


def _load_markdown(
    text: str, path: Path, article_id: str, source_file: str, problems: list[LoadProblem]
) -> list[Article]:
    record = ArticleRecord()
    offset = 0
    match = _FRONT_MATTER.match(text)
    if match is not None:
        offset = match.end()
        try:
            meta = yaml.load(match.group(1), Loader=_FrontMatterLoader) or {}
            if not isinstance(meta, dict):
                raise ValueError("front matter is not a mapping")
            record = ArticleRecord.model_validate(meta)
        except (yaml.YAMLError, ValueError, ValidationError, RecursionError) as error:
            problems.append(
                LoadProblem(
                    source_file, f"front matter ignored: {_one_line(error)}", 1, fatal=False
                )
            )
    heading_title: str | None = None
    heading = _MD_HEADING.match(text, _skip_space(text, offset))
    if heading is not None:
        line_end = text.find("\n", heading.end())
        line_end = len(text) if line_end < 0 else line_end
        heading_title = text[heading.end() : line_end].strip().rstrip("#").strip() or None
        offset = line_end
    return [
        _article_from_text(
            text,
            article_id=article_id,
            source_file=source_file,
            path=path,
            record=record,
            headline_first=heading_title is None and record.title is None,
            body_offset=offset,
            heading_title=heading_title,
        )
    ]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _records_from_json(
    text: str, path: Path, source_file: str, problems: list[LoadProblem]
) -> Iterator[tuple[int | None, Any]]:
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except (ValueError, RecursionError) as error:  # JSONDecodeError, int digit limit
                problems.append(
                    LoadProblem(source_file, f"broken JSON: {_one_line(error)}", number)
                )
        return
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, int digit limit
        error_line = error.lineno if isinstance(error, json.JSONDecodeError) else None
        problems.append(LoadProblem(source_file, f"broken JSON: {_one_line(error)}", error_line))
        return
    items = data if isinstance(data, list) else [data]
    for item in items:
        yield None, item


def _load_json(
    text: str, path: Path, file_id: str, source_file: str, problems: list[LoadProblem]
) -> list[Article]:
    articles: list[Article] = []
    seen: set[str] = set()
    for position, (line, raw) in enumerate(_records_from_json(text, path, source_file, problems)):
        if not isinstance(raw, dict):
            problems.append(LoadProblem(source_file, "record is not a JSON object", line))
            continue
        try:
            record = ArticleRecord.model_validate(raw)
        except ValidationError as error:
            problems.append(LoadProblem(source_file, f"invalid record: {_one_line(error)}", line))
            continue
        if not record.text.strip():
            problems.append(LoadProblem(source_file, "record has no text", line))
            continue
        record_id = record.id or str(position + 1)
        if record_id in seen:
            problems.append(LoadProblem(source_file, f"duplicate id {record_id!r} skipped", line))
            continue
        seen.add(record_id)
        articles.append(
            _article_from_text(
                record.text,
                article_id=f"{file_id}:{record_id}",
                source_file=source_file,
                path=path,
                record=record,
                headline_first=record.title is None,
            )
        )
    return articles


def _one_line(error: BaseException) -> str:
    return collapse_whitespace(str(error))[:200]


# --------------------------------------------------------------------------- files and folders


def article_file_id(path: Path, root: Path) -> str:
    """A stable id from the path relative to its knowledge root, without the extension."""
    try:
        relative = path.relative_to(root) if root.is_dir() else Path(path.name)
    except ValueError:
        relative = Path(path.name)
    return relative.with_suffix("").as_posix()


def load_file(path: Path, root: Path, max_bytes: int) -> FileLoad:
    """Load one article file; problems are returned, never raised."""
    source_file = path.as_posix()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return FileLoad(
                path,
                problems=(
                    LoadProblem(
                        source_file, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit"
                    ),
                ),
            )
        data = path.read_bytes()
    except OSError as error:
        return FileLoad(
            path, problems=(LoadProblem(source_file, f"cannot read: {error.strerror or error}"),)
        )
    return load_bytes(data, path, root)


def load_bytes(data: bytes, path: Path, root: Path) -> FileLoad:
    """Parse a file's bytes as if read from `path` under `root` (which need not exist yet).

    Uploads are validated this way before anything is written to the knowledge folder.
    """
    source_file = path.as_posix()
    file_id = article_file_id(path, root)
    problems: list[LoadProblem] = []
    if not data.strip():
        return FileLoad(path, problems=(LoadProblem(source_file, "empty file"),))
    if looks_binary(data):
        return FileLoad(path, problems=(LoadProblem(source_file, "binary file, not text"),))
    text, warning = decode_text(data)
    if warning is not None:
        log.warning("%s: %s", source_file, warning)
        problems.append(LoadProblem(source_file, warning, fatal=False))
    # Invisible controls could reverse or hide what a member reads (bot.text.invisible).
    text = strip_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    suffix = path.suffix.lower()
    try:
        if suffix in (".json", ".jsonl"):
            articles = _load_json(text, path, file_id, source_file, problems)
        elif suffix in (".md", ".markdown"):
            articles = _load_markdown(text, path, file_id, source_file, problems)
        else:
            articles = _load_txt(text, path, file_id, source_file)
    except RecursionError:
        problems.append(LoadProblem(source_file, "structure too deeply nested"))
        articles = []
    articles = [article for article in articles if _has_body(article, problems)]
    if not articles and not any(problem.fatal for problem in problems):
        problems.append(LoadProblem(source_file, "no article text found"))
    return FileLoad(path, tuple(articles), tuple(problems))


def _has_body(article: Article, problems: list[LoadProblem]) -> bool:
    if any(paragraph.kind is ParagraphKind.BODY for paragraph in article.paragraphs):
        return True
    problems.append(LoadProblem(article.source_file, f"article {article.id!r} has no body text"))
    return False


def iter_article_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, root) for every supported file under the given files and folders, sorted.

    Hidden files and folders (such as `.trash/`) are skipped; a file named explicitly is
    always included, whatever its extension, so its problems get reported.
    """
    for root in paths:
        if root.is_file():
            yield root, root
            continue
        if not root.is_dir():
            continue
        found = [
            candidate
            for candidate in root.rglob("*")
            if candidate.suffix.lower() in SUPPORTED_SUFFIXES
            and not any(part.startswith(".") for part in candidate.relative_to(root).parts)
            and candidate.is_file()
        ]
        for candidate in sorted(found):
            yield candidate, root


def missing_paths(paths: Iterable[Path]) -> list[LoadProblem]:
    """A problem for every knowledge path that does not exist."""
    return [
        LoadProblem(path.as_posix(), "no such file or folder")
        for path in paths
        if not path.exists()
    ]


def merge_loads(
    loads: Iterable[FileLoad], extra_problems: Iterable[LoadProblem] = ()
) -> LoadReport:
    """Combine per-file results; an article id seen twice keeps the first and reports the rest."""
    articles: list[Article] = []
    problems: list[LoadProblem] = list(extra_problems)
    files: list[Path] = []
    seen: set[str] = set()
    for load in loads:
        files.append(load.path)
        problems.extend(load.problems)
        for article in load.articles:
            if article.id in seen:
                problems.append(
                    LoadProblem(article.source_file, f"duplicate article id {article.id!r} skipped")
                )
                continue
            seen.add(article.id)
            articles.append(article)
    return LoadReport(tuple(articles), tuple(problems), tuple(files))


def load_articles(paths: Sequence[Path], max_bytes: int) -> LoadReport:
    """Load every article under `paths` (files or folders, searched recursively)."""
    loads = (load_file(path, root, max_bytes) for path, root in iter_article_files(paths))
    return merge_loads(loads, missing_paths(paths))
