"""All file-system reading: evidence folders (md, txt, html, jsonl, pdf) and articles to check."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from verify.models import Document, Problem
from verify.sources.markdown import prose, without_link_targets
from verify.text import detect_language

EVIDENCE_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".jsonl", ".pdf"}
ARTICLE_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm"}
MAX_ARTICLE_BYTES = 1 << 20  # one article to check (evidence files may be larger: MAX_FILE_BYTES)
MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are read up to this size, with a warning
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_OPEN = re.compile(r"\A---[ \t]*(?:\r?\n|\Z)")
_META_KEYS = ("id", "title", "url", "publisher", "published", "language")
# Bump when the same files come to be read into other documents or problems: an index records both
# (its manifest keeps the corpus problems), so a bump makes every index rebuild once.
READER_VERSION = "2"


class InputError(Exception):
    """An input the user named cannot be read at all (missing path, unreadable article)."""

    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path = shown(path)
        self.line = line
        self.message = message  # without the path, for a Problem that names it in its own field
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    duplicate_ids: set[str] = field(default_factory=set)  # ids more than one file uses (the later ones renamed)

    def content_hash(self) -> str:
        h = hashlib.sha256(f"reader {READER_VERSION}\n".encode())
        for doc in sorted(self.documents, key=lambda d: d.id):
            h.update(doc.model_dump_json().encode("utf-8"))
        return h.hexdigest()


@dataclass
class Article:
    path: str
    text: str
    offset: int = 0  # where `text` starts in the file (after front matter)
    full_text: str = ""  # the whole file, for line/column numbers
    problems: list[Problem] = field(default_factory=list)
    # What claims are read from: `text` itself, or for Markdown its prose (verify/sources/markdown.py), the
    # same length with headings, tables, code and link targets blanked, so offsets are the same.
    prose: str = ""

    @property
    def claim_text(self) -> str:
        return self.prose or self.text

    def line_col(self, pos: int) -> tuple[int, int]:
        full = self.full_text or self.text
        absolute = self.offset + pos
        line = full.count("\n", 0, absolute) + 1
        col = absolute - (full.rfind("\n", 0, absolute) + 1) + 1
        return line, col


# --------------------------------------------------------------------------- decoding


def shown(path: Path | str) -> str:
    """A path as reports print it: a file name that is not valid UTF-8 (bytes the file system allows) gets
    U+FFFD for the bad bytes, so JSON, SARIF and the terminal can carry it."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    import stat

    try:
        st = path.stat()
        size = st.st_size
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block or never end
            problems.append(Problem(path=shown(path), message="not a regular file (a pipe or device); skipped"))
            return None
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        problems.append(Problem(path=shown(path), message="permission denied; file skipped"))
        return None
    except OSError as exc:
        problems.append(Problem(path=shown(path), message=f"cannot read file ({exc.strerror}); skipped"))
        return None
    return _capped(path, data, f"file is {size:,} bytes", problems)


def _capped(path: Path, data: bytes, what: str, problems: list[Problem]) -> bytes:
    if len(data) > MAX_FILE_BYTES:
        data = data[:MAX_FILE_BYTES]
        problems.append(
            Problem(
                path=str(path),
                severity="warning",
                message=f"{what}; only the first {MAX_FILE_BYTES:,} bytes were read",
            )
        )
    return data


def _read_stdin(problems: list[Problem]) -> str:
    """Standard input decoded like a file: as bytes, so invalid UTF-8 falls back to cp1252 with a warning
    instead of reaching the claims as surrogate escapes."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text-only stream (an embedding application): already decoded
        return sys.stdin.read()
    data = _capped(Path("-"), stream.read(MAX_FILE_BYTES + 1), f"input is over {MAX_FILE_BYTES:,} bytes", problems)
    text = decode_text(Path("-"), data, problems)
    if text is None:
        raise InputError("-", "binary data on standard input, not text")
    return text


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and control / len(head) > 0.10


def decode_text(path: Path, data: bytes, problems: list[Problem]) -> str | None:
    """UTF-8, or UTF-16 with its byte-order mark; a line that is not valid UTF-8 is read as cp1252 (with a
    warning naming the lines), the rest of the file stays UTF-8; None for binary data."""
    for bom, codec in _BOMS:
        if data.startswith(bom) and codec != "utf-8-sig":
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                problems.append(Problem(path=shown(path), message=f"invalid {codec.upper()} text; skipped"))
                return None
    if _looks_binary(data):
        problems.append(Problem(path=shown(path), message="binary file (not text); skipped"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad = []
    out = []
    for i, raw in enumerate(lines):
        try:
            out.append(raw.decode("utf-8-sig" if i == 0 else "utf-8"))
        except UnicodeDecodeError:
            bad.append(i + 1)
            out.append(raw.decode("cp1252", errors="replace"))
    listed = ", ".join(map(str, bad[:10])) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    problems.append(Problem(path=shown(path), line=bad[0], severity="warning",
                            message=f"invalid UTF-8 on line(s) {listed}; those lines decoded as cp1252"))
    return "\n".join(out)


# --------------------------------------------------------------------------- formats


META_VALUE_MAX = 1000  # characters of one metadata value (a title, a URL); longer values are cut
FRONT_MATTER_MAX = 64 * 1024  # bytes of YAML read as metadata


def _meta_str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if not isinstance(value, str | int | float | bool):
        return ""  # lists and mappings are no title, URL or date
    return str(value).strip()[:META_VALUE_MAX]


def _safe_yaml(text: str) -> object:
    """yaml.safe_load without aliases: metadata needs none, and an alias "bomb" of a few hundred bytes
    expands to gigabytes. Refusing them at the parser keeps reading linear in the input."""
    import yaml

    class _NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.MarkedYAMLError(problem="YAML aliases (*name) are not read in front matter",
                                           problem_mark=event.start_mark)
            return super().compose_node(parent, index)

    if len(text.encode("utf-8", "surrogatepass")) > FRONT_MATTER_MAX:
        raise ValueError(f"front matter larger than {FRONT_MATTER_MAX // 1024} KiB")
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass


def split_front_matter(path: Path, text: str, problems: list[Problem]) -> tuple[dict, str, int]:
    """(metadata, body, body offset). Malformed front matter is reported, and the body still used."""
    m = _FRONT_MATTER.match(text)
    if not m:
        if _FRONT_MATTER_OPEN.match(text):
            # Its metadata lines would otherwise become the document's first passage, unexplained.
            problems.append(
                Problem(
                    path=str(path),
                    line=1,
                    severity="warning",
                    message="front matter opened on line 1 is never closed; read as text",
                )
            )
        return {}, text, 0
    try:
        meta = _safe_yaml(m.group(1) or "") or {}  # "---\n---" is empty front matter
        if not isinstance(meta, dict):
            raise ValueError("front matter is not a mapping")
    except Exception as exc:  # yaml raises many types; all mean "malformed"
        line = 2
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 2
        problems.append(
            Problem(
                path=str(path),
                line=line,
                severity="warning",
                message=f"malformed front matter ({str(exc).splitlines()[0]}); metadata ignored",
            )
        )
        meta = {}
    body_offset = m.end()
    return meta, text[body_offset:], body_offset


def _doc(meta: dict, text: str, path: Path, doc_id: str, offset: int = 0) -> Document:
    values = {k: _meta_str(meta.get(k)) for k in _META_KEYS}
    return Document(
        id=values["id"] or doc_id,
        text=text,
        title=values["title"] or shown(path.stem),
        url=values["url"],
        publisher=values["publisher"],
        published=values["published"],
        language=values["language"] or detect_language(text[:2000]),
        source_path=shown(path),
        source_offset=offset,
    )


def html_to_text(html: str) -> tuple[str, str]:
    """(title, visible text) of an HTML page; scripts and styles are dropped, never run."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript, template, iframe, svg"):
        node.decompose()
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    root = tree.body or tree.root
    if root is None:
        return title, ""
    blocks = []
    for node in root.css("h1, h2, h3, h4, h5, h6, p, li, blockquote, pre, td, th, figcaption, dd, dt"):
        t = re.sub(r"\s+", " ", node.text(separator=" ")).strip()
        if t:
            blocks.append(t)
    if not blocks:
        blocks = [re.sub(r"\s+", " ", root.text(separator=" ")).strip()]
    return title, "\n\n".join(b for b in blocks if b)


def _pdf_text(path: Path, problems: list[Problem]) -> str | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises a zoo of errors on broken files
        problems.append(Problem(path=shown(path), message=f"unreadable PDF ({exc}); skipped"))
        return None
    return "\n\n".join(p.strip() for p in pages if p.strip())


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: object) -> bool:
    return isinstance(value, str) and bool(_LONE_SURROGATE.search(value))


def _jsonl_docs(path: Path, text: str, problems: list[Problem]) -> Iterator[Document]:
    offset = 0
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        line_offset = offset
        offset += len(line)
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(path=shown(path), line=lineno, message=f"malformed JSON ({exc.msg}); line skipped"))
            continue
        except RecursionError:
            problems.append(Problem(path=shown(path), line=lineno, message="JSON nested too deeply; line skipped"))
            continue
        if isinstance(obj, dict) and _has_surrogate(obj.get("text")):
            obj = {**obj, "text": _LONE_SURROGATE.sub("\ufffd", obj["text"])}
            problems.append(Problem(path=shown(path), line=lineno, severity="warning",
                                    message="text holds an unpaired surrogate escape (\\ud800-\\udfff); replaced by U+FFFD"))
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"].strip():
            problems.append(
                Problem(path=shown(path), line=lineno, message="JSONL record needs a non-empty string 'text'; line skipped")
            )
            continue
        doc_id = _meta_str(obj.get("id")) or f"{path.stem}:{lineno}"
        yield _doc(obj, obj["text"], path, doc_id, offset=line_offset)


def read_document_file(path: Path, problems: list[Problem], base: Path | None = None) -> list[Document]:
    suffix = path.suffix.lower()
    rel = path.relative_to(base) if base and path.is_relative_to(base) else Path(path.name)
    default_id = shown(rel.with_suffix("").as_posix())
    if suffix == ".pdf":
        text = _pdf_text(path, problems)
        if text is None:
            return []
        docs = [_doc({}, text, path, default_id)]
    else:
        data = _read_bytes(path, problems)
        if data is None:
            return []
        text = decode_text(path, data, problems)
        if text is None:
            return []
        if suffix == ".jsonl":
            docs = list(_jsonl_docs(path, text, problems))
        elif suffix in (".html", ".htm"):
            title, body = html_to_text(text)
            docs = [_doc({"title": title}, body, path, default_id)]
        elif suffix in (".md", ".markdown"):
            meta, body, offset = split_front_matter(path, text, problems)
            body = without_link_targets(body)  # a link's URL holds no values (same length: offsets kept)
            docs = [_doc(meta, body, path, default_id, offset)]
        else:
            docs = [_doc({}, text, path, default_id)]
    kept = []
    for doc in docs:
        if doc.text.strip():
            kept.append(doc)
        elif suffix != ".jsonl":
            problems.append(Problem(path=shown(path), message="empty file (no text); skipped"))
    return kept


def iter_files(paths: Iterable[Path], suffixes: set[str], problems: list[Problem]) -> Iterator[tuple[Path, Path]]:
    """(file, base folder) for every file with a known suffix; other files are reported, not dropped."""
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield root, root.parent
            continue
        if not root.exists():
            raise InputError(root, "no such file or folder")
        visited = {os.path.realpath(root)}
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=lambda e: problems.append(
            Problem(path=shown(e.filename), message=f"cannot list folder ({e.strerror}); skipped"))):
            kept = []
            for d in sorted(d for d in dirnames if not d.startswith(".")):
                real = os.path.realpath(os.path.join(dirpath, d))
                if real in visited:  # a link back up the tree (or to a folder already read) would loop
                    problems.append(Problem(path=shown(Path(dirpath) / d), severity="warning",
                                            message="symbolic link to a folder already read; not read again"))
                    continue
                visited.add(real)
                kept.append(d)
            dirnames[:] = kept
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                if shown(name) != name:
                    problems.append(Problem(path=shown(path), severity="warning",
                                            message="file name is not valid UTF-8; shown with U+FFFD for the bad bytes"))
                if path.suffix.lower() in suffixes:
                    yield path, root
                elif name.lower() not in ("readme", "license", "notice"):
                    problems.append(
                        Problem(path=shown(path), severity="warning", message=f"unsupported file type '{path.suffix}'; skipped")
                    )


def load_corpus(paths: Iterable[Path]) -> Corpus:
    """Read every evidence file under `paths`; what cannot be read is listed in `problems`."""
    corpus = Corpus()
    seen: dict[str, str] = {}
    for root in paths:
        before = len(corpus.documents)
        _load_into(corpus, Path(root), seen)
        if len(corpus.documents) == before and Path(root).is_dir():
            # Its claims would all be "no relevant evidence", unexplained; a file named alone has its own problem.
            corpus.problems.append(
                Problem(path=shown(root), severity="warning", message="no documents found in the evidence folder")
            )
    return corpus


def _load_into(corpus: Corpus, root: Path, seen: dict[str, str]) -> None:
    for path, base in iter_files([root], EVIDENCE_SUFFIXES, corpus.problems):
        corpus.files.append(path)
        for doc in read_document_file(path, corpus.problems, base):
            if doc.id in seen:
                corpus.problems.append(
                    Problem(
                        path=str(path),
                        severity="warning",
                        message=f"document id '{doc.id}' also used by {seen[doc.id]}; renamed",
                    )
                )
                corpus.duplicate_ids.add(doc.id)
                doc = doc.model_copy(update={"id": f"{doc.id}@{path.as_posix()}"})
            seen[doc.id] = str(path)
            corpus.documents.append(doc)


def read_article(path: str | Path) -> Article:
    """An article to check: '-' is standard input. Raises InputError when it cannot be read."""
    problems: list[Problem] = []
    if str(path) == "-":
        text = _read_stdin(problems)
        if not text.strip():
            problems.append(Problem(path="-", severity="warning", message="no text on standard input; nothing to check"))
        return Article(path="-", text=text, full_text=text, problems=problems)
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file")
    if p.is_dir():
        raise InputError(p, "is a folder; use 'verify audit' for folders")
    size = p.stat().st_size
    if size > MAX_ARTICLE_BYTES:  # the time budget: checking grows with the claims, parsing with the markup
        raise InputError(p, f"article is {size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,} (about 150 pages of "
                            "text): split it into parts")
    data = _read_bytes(p, problems)
    if data is None:
        raise InputError(p, problems[-1].message)
    decoded = decode_text(p, data, problems)
    if decoded is None:
        raise InputError(p, "binary file, not text")
    text = full = decoded
    offset = 0
    suffix = p.suffix.lower()
    prose_text = ""
    if suffix in (".md", ".markdown"):
        _meta, text, offset = split_front_matter(p, text, problems)
        prose_text = prose(text)
    elif suffix in (".html", ".htm"):
        _title, text = html_to_text(text)
        full = text
    if not text.strip():  # as an empty evidence file is reported: 0 claims, not silence
        problems.append(Problem(path=shown(p), severity="warning", message="empty file (no text); nothing to check"))
    return Article(path=shown(p), text=text, offset=offset, full_text=full, problems=problems, prose=prose_text)


def iter_articles(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    problems: list[Problem] = []
    files = [f for f, _ in iter_files(paths, ARTICLE_SUFFIXES, problems)]
    return files, problems
