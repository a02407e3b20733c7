"""One-call checks for Python users: a text or a file against evidence folders, returning the Report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verify.config import Settings
from verify.models import Report


def _verifier(evidence: Sequence[str | Path] | str | Path | None, settings: dict[str, Any]):
    from verify.pipeline import Verifier

    if evidence is not None:
        if isinstance(evidence, (str, Path)):
            evidence = [evidence]
        settings = {**settings, "evidence": tuple(Path(e) for e in evidence)}
    return Verifier.from_settings(Settings(**settings))


def check_text(text: str, evidence: Sequence[str | Path] | str | Path | None = None, *, lines: bool = False,
               language: str | None = None, **settings: Any) -> Report:
    """Check `text` (an article, or one claim per line with `lines=True`) against `evidence` folders or files
    (default: ./evidence). Other keywords are `verify.Settings` fields (encoder, top_k, thresholds, ...).

    The index is built on first use and reused while the evidence is unchanged. Raises ValueError for empty
    text, before any model loads."""
    if not text.strip():
        raise ValueError("no text to check: the input is empty")
    return _verifier(evidence, settings).verify_text(text, lines=lines, language=language)


def check_file(path: str | Path, evidence: Sequence[str | Path] | str | Path | None = None, *, lines: bool = False,
               **settings: Any) -> Report:
    """Check one article file (.txt, .md, .html, .pdf); citations and offsets point into that file."""
    from verify.sources.files import read_article

    article = read_article(path)
    if not article.text.strip():
        raise ValueError(f"{path}: the file holds no text to check")
    return _verifier(evidence, settings).verify_text(article.text, source=article.path, lines=lines,
                                                     article=article)
