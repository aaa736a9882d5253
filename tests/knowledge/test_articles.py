"""Article files: formats, titles, datelines, and bad input that never stops a load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import (
    ParagraphKind,
    decode_text,
    load_articles,
    load_file,
    paragraph_spans,
    shorten,
)

LIMIT = 1_000_000


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_default_article_loads_with_tass_dateline(knowledge_dir: Path) -> None:
    report = load_articles([knowledge_dir], LIMIT)
    assert not report.problems
    (article,) = report.articles
    assert article.dateline is not None
    assert article.dateline.display == "MOSCOW, April 2 /TASS/"
    assert article.dateline.as_written == "MOSCOW, April 2./TASS/."
    assert article.title != "Assistance to Italy"
    assert "Assistance to Italy" not in article.dateline.as_written
    headings = [
        article.text[p.start : p.end] for p in article.paragraphs if p.kind is ParagraphKind.HEADING
    ]
    assert headings == ["Assistance to Italy"]
    # The dateline is excluded from every paragraph span.
    for paragraph in article.paragraphs:
        assert "/TASS/" not in article.text[paragraph.start : paragraph.end]


def test_headline_first_txt(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "story.txt",
        "Harbour Bridge Reopens After Repairs\n\n"
        "A short standfirst sentence sets the scene.\n\n"
        "SYDNEY (Reuters) - The bridge reopened on Monday after two years of work.\n\n"
        "Traffic was light, officials said.\n",
    )
    (article,) = load_articles([tmp_path], LIMIT).articles
    assert article.title == "Harbour Bridge Reopens After Repairs"
    assert article.dateline is not None and article.dateline.agency == "Reuters"
    assert article.id == "story"
    bodies = [article.text[p.start : p.end] for p in article.paragraphs]
    assert bodies[0] == "A short standfirst sentence sets the scene."
    assert bodies[1].startswith("The bridge reopened")


def test_markdown_front_matter(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "notes/brief.md",
        '---\ntitle: Council votes on budget\ndateline: "LONDON, May 3 (AFP) -"\n'
        "published: 2024-05-03\nsource: Example Wire\nurl: https://example.org/x\n---\n\n"
        "The council approved the budget late on Friday.\n\nIt passed by two votes.\n",
    )
    (article,) = load_articles([tmp_path], LIMIT).articles
    assert article.id == "notes/brief"
    assert article.title == "Council votes on budget"
    assert article.published == "2024-05-03"
    assert article.source == "Example Wire" and article.url == "https://example.org/x"
    assert article.dateline is not None and article.dateline.agency == "AFP"


def test_markdown_heading_is_title(tmp_path: Path) -> None:
    _write(tmp_path, "h.md", "# The Heading Title\n\nBody text here, in a sentence.\n")
    (article,) = load_articles([tmp_path], LIMIT).articles
    assert article.title == "The Heading Title"
    assert article.lead == "Body text here, in a sentence."


def test_json_list_and_jsonl(tmp_path: Path) -> None:
    records = [
        {"id": "a", "title": "First", "text": "One sentence here."},
        {"id": 7, "title": "Second", "text": "ROME, March 3 - Another one.", "source": "S"},
    ]
    _write(tmp_path, "list.json", json.dumps(records))
    _write(tmp_path, "lines.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    report = load_articles([tmp_path], LIMIT)
    ids = sorted(article.id for article in report.articles)
    assert ids == ["lines:7", "lines:a", "list:7", "list:a"]
    second = next(a for a in report.articles if a.id == "list:7")
    assert second.record_id == "7"
    assert second.dateline is not None and second.dateline.place == "ROME"
    assert not report.problems


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "good.txt", "Good headline\n\nA good body sentence.\n")
    _write(tmp_path, "empty.txt", "   \n")
    _write(tmp_path, "binary.txt", b"\x00\x01\x02binary")
    _write(tmp_path, "big.txt", "word " * 1000)
    _write(
        tmp_path,
        "broken.jsonl",
        '{"id": "x", "text": "Fine text."}\n{not json\n{"id": "x", "text": "Duplicate."}\n[1, 2]\n',
    )
    _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    report = load_articles([tmp_path], 2000)
    assert sorted(a.id for a in report.articles) == ["broken:x", "good"]
    reasons = {(Path(p.file).name, p.line): p.reason for p in report.problems}
    assert "empty" in reasons[("empty.txt", None)]
    assert "binary" in reasons[("binary.txt", None)]
    assert "limit" in reasons[("big.txt", None)]
    assert "broken JSON" in reasons[("broken.jsonl", 2)]
    assert "duplicate" in reasons[("broken.jsonl", 3)]
    assert "not a JSON object" in reasons[("broken.jsonl", 4)]
    assert ("deep.json", None) in reasons or any(k[0] == "deep.json" for k in reasons)
    assert report.failed


def test_cp1252_fallback_is_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, "old.txt", "Café headline\n\nThe café opened “today”.\n".encode("cp1252"))
    report = load_articles([tmp_path], LIMIT)
    (article,) = report.articles
    assert "café" in article.text and "“today”" in article.text
    (problem,) = report.problems
    assert not problem.fatal and "cp1252" in problem.reason
    assert not report.failed


def test_utf8_bom_is_stripped() -> None:
    text, warning = decode_text("\ufeffHello".encode())
    assert text == "Hello" and warning is None


def test_hidden_folders_and_missing_paths(tmp_path: Path) -> None:
    _write(tmp_path, ".trash/old.txt", "Old headline\n\nOld body.\n")
    _write(tmp_path, "kept.txt", "Kept body sentence.\n")
    report = load_articles([tmp_path, tmp_path / "missing"], LIMIT)
    assert [a.id for a in report.articles] == ["kept"]
    assert any("no such file" in p.reason for p in report.problems)


def test_no_headline_title_falls_back_to_lead(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "x.txt",
        "This first paragraph is a full sentence that goes on for quite a while, "
        "long enough that it must be shortened at a word boundary for the title.\n\nMore text.\n",
    )
    (article,) = load_articles([tmp_path], LIMIT).articles
    assert article.title.endswith("…") and len(article.title) <= 90
    assert not article.title[:-1].endswith(" ")


def test_all_caps_brief_has_no_dateline(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "b.jsonl",
        json.dumps({"id": "1", "title": "T", "text": "FIRM TO CLOSE TWO PLANTS IN OHIO"}),
    )
    (article,) = load_articles([tmp_path], LIMIT).articles
    assert article.dateline is None


def test_reuters_indented_paragraphs() -> None:
    text = (
        "LONDON, March 2 - First line of the story\ncontinues here.\n"
        "    Second paragraph\nwraps too.\n"
    )
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "LONDON, March 2 - First line of the story\ncontinues here.",
        "Second paragraph\nwraps too.",
    ]


def test_shorten_never_exceeds_limit() -> None:
    assert shorten("a " * 200, 30).endswith("…")
    assert len(shorten("word " * 100, 30)) <= 30


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_file_loads_without_exception(
    tmp_path_factory: pytest.TempPathFactory, content: str
) -> None:
    folder = tmp_path_factory.mktemp("any")
    path = _write(folder, "any.txt", content)
    load = load_file(path, folder, LIMIT)
    for article in load.articles:
        for paragraph in article.paragraphs:
            chunk = article.text[paragraph.start : paragraph.end]
            assert chunk and chunk == chunk.strip()


def test_shared_news_articles_load(shared_data: Path) -> None:
    report = load_articles([shared_data / "news" / "articles.jsonl"], 100_000_000)
    assert len(report.articles) == 25_603
    assert not report.failed
