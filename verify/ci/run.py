"""`verify ci`: check documents in batches through the cached pipeline; findings and the exit code."""

from __future__ import annotations

import copy
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from verify.ci.baseline import Baseline
from verify.ci.cache import CachedJudge, ResultCache, judge_identity, sha_text, tool_version
from verify.ci.config import BATCH_DOCUMENTS, CiConfig
from verify.ci.discovery import discover, git_changed, relative_path
from verify.ci.pipeline import PipelineHandle
from verify.models import Claim, Label, Problem, UnknownReason, Verdict
from verify.render.findings import CacheStats, CiResult, FailOn, Finding, Level, finding_id, normalise_claim


def classify(verdict: Verdict, fail_on: FailOn, min_confidence: float) -> Level:
    if verdict.label == Label.SUPPORTED or verdict.unknown_reason == UnknownReason.NOT_CHECKWORTHY:
        return Level.NONE
    fails = verdict.label == Label.CONTRADICTED or fail_on == FailOn.UNKNOWN
    return Level.ERROR if fails and verdict.confidence >= min_confidence else Level.WARNING


def locate_in_source(source: str, sentence: str) -> tuple[int, int] | None:
    """(line, column) of a sentence in a file's source (HTML): its first words, whitespace-tolerant."""
    words = sentence.split()
    for n in (8, 5, 3):
        if len(words) < n:
            continue
        m = re.search(r"\s+".join(re.escape(w) for w in words[:n]), source)
        if m:
            line = source.count("\n", 0, m.start()) + 1
            return line, m.start() - (source.rfind("\n", 0, m.start()) + 1) + 1
    return None


def _record(verdict: Verdict, article: Any, html_source: str | None = None) -> dict:
    data = verdict.model_dump(mode="json")
    if html_source is not None:
        # Claims of an HTML page sit in its extracted text; point at the page's own line where we can.
        where = locate_in_source(html_source, verdict.claim.sentence)
        if where:
            data["claim"]["line"], data["claim"]["column"] = where
        return {"verdict": data, "end": [None, None]}
    end_line, end_col = article.line_col(verdict.claim.end)
    return {"verdict": data, "end": [end_line, end_col]}


def _cached_verifier(verifier: Any, cache: ResultCache, stats: CacheStats, keys: dict[str, str]
                     ) -> tuple[Any, list]:
    """A shallow copy of the verifier whose judges read and fill the judgement tables."""
    tables = [cache.judgements(judge_identity(j, keys.get(j.name, ""))) for j in verifier.judges]
    clone = copy.copy(verifier)
    clone.judges = [CachedJudge(j, t, stats) for j, t in zip(verifier.judges, tables, strict=True)]
    if hasattr(verifier, "memo"):
        from verify.pipeline import JudgementMemo

        # The persistent judgement tables are the cache here; the in-process memo would hide their hits.
        clone.memo = JudgementMemo()
    return clone, tables


def _verify_batch(verifier: Any, batch: list[tuple[str, Path, str]], cache: ResultCache,
                  problems: list[Problem]) -> dict[str, dict]:
    """Check a batch of documents together (one retrieval and one judge pass); returns rel -> entry."""
    from verify.sources.files import InputError, read_article

    claims_of: dict[str, tuple[Any, list[Claim], list[Problem]]] = {}
    for rel, path, _key in batch:
        try:
            article = read_article(path)
        except InputError as exc:
            problems.append(Problem(path=rel, line=exc.line, message=exc.message))
            continue
        doc_problems = [p.model_copy(update={"path": rel}) for p in article.problems]
        claims = verifier.extract(article.text, source=rel, article=article)
        claims_of[rel] = (article, claims, doc_problems)
    all_claims = [c for _, cs, _ in claims_of.values() for c in cs]
    verdicts = iter(verifier.verify_claims(all_claims) if all_claims else [])
    out = {}
    for rel, path, key in batch:
        if rel not in claims_of:
            continue
        article, claims, doc_problems = claims_of[rel]
        html_source = None
        if path.suffix.lower() in (".html", ".htm"):
            html_source = path.read_bytes().decode("utf-8", "replace")
        entry = {
            "path": rel,
            "records": [_record(next(verdicts), article, html_source) for _ in claims],
            "problems": [p.model_dump(mode="json") for p in doc_problems],
        }
        cache.put(key, entry)
        out[rel] = entry
    return out


def _parse_entry(entry: dict) -> tuple[list[tuple[Verdict, tuple[int | None, int | None]]], list[Problem]] | None:
    """(verdicts with their end positions, document problems) of a cache entry; None if it is not valid."""
    try:
        records = []
        for rec in entry["records"]:
            end = rec.get("end") or [None, None]
            records.append((Verdict.model_validate(rec["verdict"]), (end[0], end[1])))
        return records, [Problem.model_validate(p) for p in entry.get("problems", [])]
    except (KeyError, TypeError, IndexError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def run_ci(
    config: CiConfig,
    engine: PipelineHandle | Callable[[], PipelineHandle],
    *,
    root: Path,
    paths: Sequence[Path] | None = None,
    baseline: Baseline | None = None,
    changed_only: str | None = None,
    cache: ResultCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> CiResult:
    """Check every document under `paths` (default: the configured ones); cached documents are not re-read
    by the pipeline, and a run with every document cached loads no model. `engine` may be a factory,
    called only when there is a document to check."""
    t0 = time.perf_counter()
    root = root.resolve()
    cache = cache or ResultCache()
    unsupported: list[Problem] = []  # named files that cannot be checked: documents that could not be read
    docs = discover(list(paths) if paths else list(config.paths), config, root, unsupported)
    if changed_only is not None:
        changed = git_changed(changed_only, root)
        docs = [(rel, p) for rel, p in docs if p in changed]

    stats = CacheStats(documents=len(docs), enabled=cache.enabled)
    if not isinstance(engine, PipelineHandle):
        engine = engine() if docs else PipelineHandle(identity={}, make_verifier=lambda: None)
    identity = json.dumps(engine.identity, sort_keys=True)
    problems: list[Problem] = list(unsupported)
    # rel -> (verdicts with their end positions, document problems); None for a fresh entry that is not valid
    entries: dict[str, tuple[list[tuple[Verdict, tuple[int | None, int | None]]], list[Problem]] | None]
    entries = {}
    misses: list[tuple[str, Path, str]] = []
    for rel, path in docs:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(path=rel, message=f"cannot read file ({exc.strerror}); skipped"))
            continue
        key = sha_text(f"{identity}\0{rel}\0{sha_text(data)}")
        entry = cache.get(key)
        parsed = _parse_entry(entry) if entry is not None else None
        if parsed is not None:
            entries[rel] = parsed
        else:
            if entry is not None:
                cache.invalid += 1  # readable JSON, but not a valid entry
            misses.append((rel, path, key))
    stats.hits = len(entries)
    stats.misses = len(misses)

    if misses:
        verifier, tables = _cached_verifier(engine.verifier(), cache, stats, engine.judge_keys)
        for i in range(0, len(misses), BATCH_DOCUMENTS):
            fresh = _verify_batch(verifier, misses[i : i + BATCH_DOCUMENTS], cache, problems)
            entries.update({rel: _parse_entry(entry) for rel, entry in fresh.items()})
            if progress:
                progress("checking documents", min(i + BATCH_DOCUMENTS, len(misses)), len(misses))
        for table in tables:
            table.save()
    stats.invalid = cache.invalid

    findings: list[Finding] = []
    for rel, _path in docs:
        parsed = entries.get(rel)
        if parsed is None:
            continue
        records, doc_problems = parsed
        problems.extend(doc_problems)
        seen: Counter[str] = Counter()
        for v, (end_line, end_col) in records:
            seen[normalise_claim(v.text)] += 1
            f = Finding(
                id=finding_id(rel, v.text, seen[normalise_claim(v.text)]),
                file=rel,
                line=v.claim.line,
                column=v.claim.column,
                end_line=end_line,
                end_column=end_col,
                claim=v.text,
                sentence=v.claim.sentence,
                label=v.label,
                confidence=v.confidence,
                reason=v.reason,
                unknown_reason=v.unknown_reason,
                citations=v.citations,
                language=v.claim.language,
                level=classify(v, config.fail_on, config.min_confidence),
            )
            if baseline is not None and f.level != Level.NONE and baseline.suppresses(f):
                f = f.model_copy(update={"suppressed": True})
            findings.append(f)

    return CiResult(
        tool_version=tool_version(),
        fail_on=config.fail_on,
        min_confidence=config.min_confidence,
        findings=findings,
        documents=sorted([rel for rel, _ in docs] + [p.path for p in unsupported]),
        problems=[*(_relative_problem(p, root) for p in engine.problems), *problems],
        cache=stats,
        baseline=baseline.path if baseline else None,
        changed_only=changed_only,
        encoder=engine.encoder,
        judges=engine.judges,
        seconds=round(time.perf_counter() - t0, 3),
    )


def _relative_problem(problem: Problem, root: Path) -> Problem:
    path = Path(problem.path)
    if path.is_absolute():
        return problem.model_copy(update={"path": relative_path(path, root)})
    return problem


def exit_code(result: CiResult) -> int:
    """0 clean, 1 findings at or above the fail-on level, 2 a document could not be read."""
    if result.input_errors:
        return 2
    return 1 if result.failing else 0
