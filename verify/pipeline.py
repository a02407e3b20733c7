"""The Verifier: composes an encoder, a retriever and judges over an evidence index; text in, Report out."""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from verify.claims.extract import claims_from_lines, extract_claims, organisations_from_passages
from verify.config import Settings, Thresholds, cache_dir
from verify.judging.registry import kind_of
from verify.models import Claim, IndexInfo, Judgement, Problem, Report, Verdict
from verify.protocols import Encoder, Judge, Retriever
from verify.retrieval.store import HybridRetriever, IndexError_, IndexStore, index_lock
from verify.sources.files import Article, load_corpus, read_article
from verify.sources.passages import passages_of_all
from verify.verdicts.aggregate import aggregate, judged_hits

Progress = Callable[[str, int, int], None]


def index_folder(settings: Settings, encoder: Encoder) -> Path:
    if settings.index_dir is not None:
        return settings.index_dir
    key = json.dumps(
        {
            "evidence": sorted(str(Path(p).resolve()) for p in settings.evidence),
            "encoder": encoder.id,
            "window": [settings.passage_sentences, settings.passage_overlap],
        }
    )
    return cache_dir() / "index" / hashlib.sha256(key.encode()).hexdigest()[:16]


def evidence_fingerprint(files: Sequence[Path]) -> str:
    """Cheap identity of the evidence files (path, size, mtime): unchanged -> no need to re-read them.

    It includes the reader's version: files read by an older reader may hold other problems than the
    manifest recorded."""
    from verify.sources import files as io

    h = hashlib.sha256(f"reader {io.READER_VERSION}\n".encode())
    for f in sorted(files):
        try:
            st = f.stat()
            h.update(f"{f.resolve()}\x00{st.st_size}\x00{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{f}\x00missing\n".encode())
    return h.hexdigest()


def evidence_files(paths: Sequence[Path]) -> list[Path]:
    from verify.sources.files import EVIDENCE_SUFFIXES, iter_files

    return [f for f, _ in iter_files(paths, EVIDENCE_SUFFIXES, [])]


def make_cached_encoder(settings: Settings) -> Encoder:
    """The settings' encoder behind the embedding cache (`<cache>/embeddings/<encoder>-<version>/`).

    Rebuilding an index after one evidence file changed then embeds only that file's passages, and a
    claim seen before is not embedded again. The cache is keyed by content hash and encoder version,
    so the vectors are the ones the encoder gave for that exact text."""
    from verify.retrieval.embed_cache import CachedEncoder
    from verify.retrieval.encoders import ConcatEncoder, make_encoder

    encoder = make_encoder(settings.encoder, batch_size=settings.batch_size)
    if not settings.embedding_cache:
        return encoder
    if isinstance(encoder, ConcatEncoder):  # cache per part, shared with each encoder used alone
        return ConcatEncoder([CachedEncoder(p, root=cache_dir() / "embeddings") for p in encoder.parts])
    return CachedEncoder(encoder, root=cache_dir() / "embeddings")


def ensure_index(
    settings: Settings,
    encoder: Encoder,
    *,
    force: bool = False,
    progress: Progress | None = None,
    index_type: str | None = None,
) -> tuple[IndexStore, list[Problem], bool]:
    """Load the index for the evidence folders, building it when the corpus or encoder changed.

    Returns (store, problems found while reading the corpus, whether it was rebuilt)."""
    folder = index_folder(settings, encoder)
    with index_lock(folder):
        files = evidence_files(settings.evidence)
        fingerprint = evidence_fingerprint(files)
        manifest = IndexStore.read_manifest(folder)
        if manifest and index_type and not force:
            from verify.retrieval.store import resolve_index_type

            info = manifest["info"]
            # An explicit --index-type that the built index does not have means: rebuild with it.
            force = resolve_index_type(index_type, info["passages"], info["dimension"]) != info["index_type"]
        if manifest and not force:
            same_encoder = (
                manifest["info"]["encoder_id"] == encoder.id
                and manifest["info"]["encoder_version"] == encoder.version
            )
            if same_encoder and manifest.get("fingerprint") == fingerprint:
                try:
                    store = IndexStore.load(folder, encoder)
                    return store, [Problem.model_validate(p) for p in manifest.get("problems", [])], False
                except IndexError_:
                    pass  # corrupted: fall through and rebuild
        corpus = load_corpus(settings.evidence)
        corpus_hash = corpus.content_hash()
        if manifest and not force and manifest["info"]["corpus_hash"] == corpus_hash:
            try:
                store = IndexStore.load(folder, encoder)
                return store, corpus.problems, False
            except IndexError_:
                pass
        passages = passages_of_all(corpus.documents, settings.passage_sentences, settings.passage_overlap)
        store = IndexStore.build(
            passages,
            encoder,
            corpus_hash,
            len(corpus.documents),
            index_type=index_type,
            progress=(lambda done, total: progress("embedding passages", done, total)) if progress else None,
        )
        flush = getattr(encoder, "flush", None)
        if flush is not None:
            flush()  # the new passages' vectors, for the next rebuild
        store.save(
            folder,
            extra={
                "fingerprint": fingerprint,
                "evidence": [str(p) for p in settings.evidence],
                "problems": [p.model_dump(mode="json") for p in corpus.problems],
            },
        )
        return store, corpus.problems, True


def unreadable_articles(report: Report, paths: Sequence[Path], corpus_problems: Sequence[Problem] = ()
                        ) -> list[Problem]:
    """The report's errors about the articles under `paths`: what an audit could not check. Evidence
    problems are listed in a report too, but do not count (as `verify ci` counts only its documents),
    even where the evidence folder lies under `paths` and its files are read as articles as well: each
    of `corpus_problems` cancels one identical entry of the report, so a file unreadable both ways
    still counts once as an article."""
    from collections import Counter

    from verify.sources.files import iter_articles

    files, walk_problems = iter_articles(paths)  # the walk the audit made: a file listing, no reading
    articles = {str(f) for f in files} | {p.path for p in walk_problems if p.severity == "error"}
    corpus = Counter((p.path, p.line, p.message, p.severity) for p in corpus_problems)
    out = []
    for p in report.problems:
        key = (p.path, p.line, p.message, p.severity)
        if corpus[key]:
            corpus[key] -= 1
        elif p.severity == "error" and p.path in articles:
            out.append(p)
    return out


def make_pipeline_judges(settings: Settings, encoder: Encoder, organisations: Sequence[str] = (),
                         names: Sequence[str] | None = None) -> list[Judge]:
    """The settings' judges (or `names`) as the pipeline runs them, from the one registry
    (`verify.judging.registry`): the NLI judge reads each passage's `nli_focus` sentences closest to the
    claim (by `encoder`), in batches of `nli_batch_size`."""
    from verify.judging.registry import make_judges

    return make_judges(settings, encoder, organisations, names)


class JudgementMemo:
    """Judgements already computed, keyed by judge, claim and passage text (least recently used dropped).

    A server or a CI job re-reads the same claims against the same evidence; the cross-encoder is
    the expensive part, so an unchanged (claim, passage) pair is judged once per process."""

    def __init__(self, size: int = 50_000):
        import threading

        self.size = size
        self._items: OrderedDict[tuple, Judgement] = OrderedDict()
        self._lock = threading.Lock()  # a server may check articles from several threads
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Judgement | None:
        with self._lock:
            j = self._items.get(key)
            if j is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return j

    def put(self, key: tuple, judgement: Judgement) -> None:
        with self._lock:
            self._items[key] = judgement
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


class Verifier:
    """Claims -> retrieval -> judges -> verdicts. Every part is injected; see `from_settings`."""

    def __init__(
        self,
        retriever: Retriever,
        judges: Sequence[Judge],
        thresholds: Thresholds,
        *,
        organisations: Sequence[str] = (),
        top_k: int = 5,
        encoder_id: str = "",
        index_info: IndexInfo | None = None,
        corpus_problems: Sequence[Problem] = (),
        memo: JudgementMemo | None = None,
    ):
        self.memo = memo if memo is not None else JudgementMemo()
        self.retriever = retriever
        self.judges = list(judges)
        self.thresholds = thresholds
        self.organisations = list(organisations)
        self.top_k = top_k
        self.encoder_id = encoder_id
        self.index_info = index_info
        self.corpus_problems = list(corpus_problems)

    @classmethod
    def from_settings(cls, settings: Settings, progress: Progress | None = None, prefetch: bool = True) -> Verifier:
        encoder = make_cached_encoder(settings)
        store, problems, _ = ensure_index(settings, encoder, progress=progress)
        retriever = HybridRetriever(store, encoder, dense_weight=settings.thresholds.dense_weight,
                                    relevance=settings.thresholds.relevance)
        orgs = organisations_from_passages(p.text for p in store.passages if p.language == "en")
        judges = make_pipeline_judges(settings, encoder, sorted(orgs))
        for judge in judges if prefetch else ():
            start = getattr(judge, "prefetch", None)
            if start is not None:
                start()  # the cross-encoder loads while the encoder loads and retrieval runs
        return cls(
            retriever,
            judges,
            settings.thresholds,
            organisations=sorted(orgs),
            top_k=settings.top_k,
            encoder_id=encoder.id,
            index_info=store.info,
            corpus_problems=problems,
        )

    # ------------------------------------------------------------------ core

    def verify_claims(self, claims: Sequence[Claim], top_k: int | None = None) -> list[Verdict]:
        """Batch every claim through retrieval and each judge at once, then aggregate per claim.

        Only relevant passages (fused score >= min_retrieval) are judged: `aggregate` scales an
        irrelevant passage's stance by its score, below every threshold, so judging it could not
        change a label and would only spend cross-encoder time. The NLI judge reads the first
        `nli_top_k` of them (the rule judge, which costs nothing, reads all)."""
        k = top_k or self.top_k
        hits = self.retriever.search(claims, k)
        judged: dict[tuple[int, str], list[Judgement]] = {}
        for n, judge in enumerate(self.judges):
            pairs = [(i, claim, h.passage) for i, (claim, hs) in enumerate(zip(claims, hits, strict=True))
                     for h in judged_hits(hs, self.thresholds, kind_of(judge))]
            keys = [(n, judge.name, c.text, c.language, p.id, p.text) for _, c, p in pairs]
            # One lookup per pair: a second one could miss what a large batch has just evicted.
            found = [self.memo.get(key) for key in keys]
            todo = [i for i, j in enumerate(found) if j is None]
            if todo:
                for i, j in zip(todo, judge.judge([pairs[i][1:] for i in todo]), strict=True):
                    self.memo.put(keys[i], j)
                    found[i] = j
            for (i, _, p), j in zip(pairs, found, strict=True):
                judged.setdefault((i, p.id), []).append(j)
        verdicts = []
        for i, (claim, hs) in enumerate(zip(claims, hits, strict=True)):
            by_passage = {h.passage.id: judged.get((i, h.passage.id), []) for h in hs}
            verdicts.append(aggregate(claim, hs, by_passage, self.thresholds))
        return verdicts

    def extract(self, text: str, *, source: str = "", lines: bool = False, language: str | None = None,
                article: Article | None = None) -> list[Claim]:
        if lines:
            return claims_from_lines(text, source=source, language=language)
        return extract_claims(
            text,
            source=source,
            language=language,
            organisations=self.organisations,
            line_col=article.line_col if article else None,
        )

    def verify_text(
        self,
        text: str,
        *,
        source: str = "",
        lines: bool = False,
        language: str | None = None,
        top_k: int | None = None,
        article: Article | None = None,
    ) -> Report:
        t0 = time.perf_counter()
        claims = self.extract(text, source=source, lines=lines, language=language, article=article)
        verdicts = self.verify_claims(claims, top_k)
        return self._report(source, verdicts, article.problems if article else [], time.perf_counter() - t0,
                            language or (claims[0].language if claims else ""))

    def verify_file(self, path: str | Path, *, lines: bool = False, top_k: int | None = None) -> Report:
        article = read_article(path)
        return self.verify_text(article.text, source=article.path, lines=lines, top_k=top_k, article=article)

    def audit(self, paths: Sequence[Path], top_k: int | None = None,
              progress: Progress | None = None) -> Report:
        """Check every article under `paths`; files that cannot be read are listed, not dropped."""
        from verify.sources.files import InputError, iter_articles

        t0 = time.perf_counter()
        files, problems = iter_articles(paths)
        verdicts: list[Verdict] = []
        for n, f in enumerate(files, start=1):
            try:
                article = read_article(f)
            except InputError as exc:
                problems.append(Problem(path=exc.path, line=exc.line, message=exc.message))
                continue
            problems.extend(article.problems)
            claims = self.extract(article.text, source=article.path, article=article)
            verdicts.extend(self.verify_claims(claims, top_k))
            if progress:
                progress("checking articles", n, len(files))
        source = ", ".join(str(p) for p in paths)
        return self._report(source, verdicts, problems, time.perf_counter() - t0, "")

    def _report(self, source: str, verdicts: list[Verdict], problems: Sequence[Problem], seconds: float,
                language: str) -> Report:
        return Report(
            source=source,
            language=language,
            encoder=self.encoder_id,
            judges=[j.name for j in self.judges],
            index=self.index_info,
            verdicts=verdicts,
            problems=[*self.corpus_problems, *problems],
            seconds=round(seconds, 3),
        )
