"""Evidence reading: every format, metadata, offsets, and bad input reported (never dropped silently)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from verify.sources.files import InputError, load_corpus, read_article
from verify.sources.passages import passages_of_all

from ..conftest import FIXTURES


def test_reads_every_format_with_metadata():
    corpus = load_corpus([FIXTURES / "evidence"])
    ids = {d.id for d in corpus.documents}
    assert {"acme-founding", "acme-de", "notes", "page", "hooli-1", "hooli-2"} <= ids
    acme = next(d for d in corpus.documents if d.id == "acme-founding")
    assert acme.url == "https://example.org/acme-founding"
    assert acme.publisher == "Example News"
    assert acme.published == "2024-03-01"
    assert acme.language == "en"
    de = next(d for d in corpus.documents if d.id == "acme-de")
    assert de.published == "2024-05" and de.language == "de"


def test_html_drops_scripts_and_keeps_title():
    corpus = load_corpus([FIXTURES / "evidence" / "page.html"])
    (doc,) = corpus.documents
    assert doc.title == "Initech annual report"
    assert "alert" not in doc.text and "1,200 people" in doc.text


def test_malformed_jsonl_line_is_reported_with_line_number():
    corpus = load_corpus([FIXTURES / "evidence" / "records.jsonl"])
    assert {d.id for d in corpus.documents} == {"hooli-1", "hooli-2"}
    (problem,) = corpus.problems
    assert problem.line == 2 and "records.jsonl" in problem.path and "JSON" in problem.message


def test_passage_offsets_slice_the_document():
    corpus = load_corpus([FIXTURES / "evidence"])
    docs = {d.id: d for d in corpus.documents}
    passages = passages_of_all(corpus.documents, sentences=2, overlap=1)
    assert passages
    for p in passages:
        assert docs[p.doc_id].text[p.start : p.end] == p.text
        assert p.url == docs[p.doc_id].url


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path: Path):
    (tmp_path / "good.md").write_text("---\nid: good\n---\nGood text about Acme.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 in M\xfcnchen was opened in 2020.".encode("latin-1"))
    (tmp_path / "bad-front.md").write_text("---\ntitle: [unclosed\n---\nBody still counts.\n", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    locked = tmp_path / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    os.chmod(locked, 0)
    try:
        corpus = load_corpus([tmp_path])
    finally:
        os.chmod(locked, 0o644)
    ids = {d.id for d in corpus.documents}
    assert {"good", "latin1", "bad-front"} <= ids
    by_file = {Path(p.path).name: p for p in corpus.problems}
    assert "empty" in by_file["empty.txt"].message
    assert "binary" in by_file["binary.txt"].message
    assert by_file["latin1.txt"].severity == "warning" and "UTF-8" in by_file["latin1.txt"].message
    assert "front matter" in by_file["bad-front.md"].message and by_file["bad-front.md"].line
    assert "unsupported" in by_file["image.png"].message
    if os.geteuid() != 0:  # root reads files regardless of permissions
        assert "permission" in by_file["locked.txt"].message


def test_article_line_numbers_count_front_matter():
    article = read_article(FIXTURES / "articles" / "article.md")
    pos = article.text.index("Hooli")
    assert article.line_col(pos) == (6, 1)


def test_missing_article_is_an_input_error():
    with pytest.raises(InputError, match="no such file"):
        read_article("does/not/exist.txt")


def test_standard_input_is_decoded_like_a_file(monkeypatch):
    # A C-locale stdin hands invalid UTF-8 on as surrogate escapes, which no later step can encode.
    raw = "Fluidstack wurde 2017 in München gegründet.\n".encode("cp1252")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape"))
    article = read_article("-")
    assert article.text == "Fluidstack wurde 2017 in München gegründet.\n"
    (problem,) = article.problems
    assert problem.path == "-" and problem.line == 1 and problem.severity == "warning" and "cp1252" in problem.message
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\x00\x01binary\x00")))
    with pytest.raises(InputError, match="binary"):
        read_article("-")


def test_front_matter_never_closed_is_a_warning_and_the_document_kept(tmp_path: Path):
    (tmp_path / "open.md").write_text("---\ntitle: Never closed\nAcme Robotics was founded in 2015.\n", encoding="utf-8")
    (tmp_path / "empty-front.md").write_text("---\n---\nHooli opened an office in 2020.\n", encoding="utf-8")
    corpus = load_corpus([tmp_path])
    docs = {d.id: d for d in corpus.documents}
    assert "Acme Robotics was founded in 2015." in docs["open"].text
    assert docs["empty-front"].text == "Hooli opened an office in 2020.\n"  # empty front matter is front matter
    (problem,) = corpus.problems
    assert problem.path == str(tmp_path / "open.md") and problem.line == 1 and problem.severity == "warning"
    assert problem.message == "front matter opened on line 1 is never closed; read as text"


def test_an_evidence_folder_without_documents_is_a_warning_naming_it(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    corpus = load_corpus([empty, FIXTURES / "evidence"])
    assert corpus.documents  # the other folder is read as before
    (problem,) = [p for p in corpus.problems if p.path == str(empty)]
    assert problem.severity == "warning" and problem.message == "no documents found in the evidence folder"
    assert not any(p.path == str(FIXTURES / "evidence") for p in corpus.problems)


@pytest.mark.parametrize("name,content", [("empty.txt", ""), ("blank.md", "---\ntitle: T\n---\n\n  \n"),
                                          ("page.html", "<html><script>x()</script></html>")])
def test_an_empty_article_is_a_warning(tmp_path: Path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8")
    (problem,) = read_article(tmp_path / name).problems
    assert problem.path == str(tmp_path / name) and problem.severity == "warning" and "empty" in problem.message
