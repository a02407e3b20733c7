"""The Verifier: composes an encoder, a retriever and judges over an evidence index; text in, Report out."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from verify.claims.extract import claims_from_lines, extract_claims
from verify.claims.names import corpus_names
from verify.config import Settings, Thresholds
from verify.judging.registry import kind_of
from verify.models import Claim, IndexInfo, Judgement, Problem, Report, Verdict
from verify.protocols import Encoder, Judge, Retriever
from verify.retrieval.build import Progress, ensure_index, make_cached_encoder
from verify.retrieval.store import HybridRetriever
from verify.sources.files import Article, read_article
from verify.verdicts.aggregate import aggregate, judged_hits


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
        thresholds = settings.thresholds.for_corpus(store.info.passages)
        retriever = HybridRetriever(store, encoder, dense_weight=thresholds.dense_weight,
                                    relevance=thresholds.relevance)
        orgs = corpus_names(store.passages)
        judges = make_pipeline_judges(settings, encoder, sorted(orgs))
        for judge in judges if prefetch else ():
            start = getattr(judge, "prefetch", None)
            if start is not None:
                start()  # the cross-encoder loads while the encoder loads and retrieval runs
        return cls(
            retriever,
            judges,
            thresholds,
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
            for (i, _, p), got in zip(pairs, found, strict=True):
                assert got is not None  # every miss was judged and filled in above
                judged.setdefault((i, p.id), []).append(got)
        verdicts = []
        for i, (claim, hs) in enumerate(zip(claims, hits, strict=True)):
            by_passage = {h.passage.id: judged.get((i, h.passage.id), []) for h in hs}
            verdicts.append(aggregate(claim, hs, by_passage, self.thresholds))
        return verdicts

    def extract(self, text: str, *, source: str = "", lines: bool = False, language: str | None = None,
                article: Article | None = None) -> list[Claim]:
        if lines:
            return claims_from_lines(text, source=source, language=language)
        if article is not None and len(article.claim_text) == len(text):
            text = article.claim_text  # Markdown: its prose only, at the same offsets
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
        return self.report(source, verdicts, article.problems if article else [], time.perf_counter() - t0,
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
        return self.report(source, verdicts, problems, time.perf_counter() - t0, "")

    def report(self, source: str, verdicts: list[Verdict], problems: Sequence[Problem], seconds: float,
               language: str) -> Report:
        """The Report of `verdicts`: this verifier's encoder, judges, index and corpus problems, plus `problems`."""
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
