"""Documents into overlapping sentence-window passages that keep their character offsets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from verify.models import Document, Passage
from verify.text import sentence_spans

MAX_PASSAGE_CHARS = 1200  # ~300 tokens: the encoders truncate at 512 and the judge reads 256


def _split_long(start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    # A "sentence" longer than the limit (a table row, a run-on list) is cut at whitespace.
    while end - start > limit:
        yield start, start + limit
        start += limit
    yield start, end


def passages_of(doc: Document, sentences: int = 3, overlap: int = 1) -> list[Passage]:
    """Windows of `sentences` sentences, sliding by `sentences - overlap`; text == doc.text[start:end]."""
    if sentences < 1 or not 0 <= overlap < sentences:
        raise ValueError(f"bad window: {sentences} sentences with overlap {overlap}")
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(doc.text):
        spans.extend(_split_long(start, end, MAX_PASSAGE_CHARS))
    out: list[Passage] = []
    step = sentences - overlap
    i = 0
    while i < len(spans):
        window = spans[i : i + sentences]
        start, end = window[0][0], window[-1][1]
        while len(window) > 1 and end - start > MAX_PASSAGE_CHARS:
            window = window[:-1]
            end = window[-1][1]
        out.append(
            Passage(
                id=f"{doc.id}#{len(out)}",
                doc_id=doc.id,
                text=doc.text[start:end],
                start=start,
                end=end,
                title=doc.title,
                url=doc.url,
                publisher=doc.publisher,
                published=doc.published,
                language=doc.language,
                source_path=doc.source_path,
            )
        )
        if i + sentences >= len(spans):
            break
        i += max(step, 1) if len(window) == sentences else len(window)
    return out


def passages_of_all(docs: Iterable[Document], sentences: int = 3, overlap: int = 1) -> list[Passage]:
    return [p for doc in docs for p in passages_of(doc, sentences, overlap)]
