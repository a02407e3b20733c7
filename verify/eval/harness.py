"""`verify eval NAME`: a benchmark through the full pipeline, saved runs reused, predictions written."""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verify.config import Settings, cache_dir
from verify.datasets.benchmarks import BenchClaim, Benchmark
from verify.eval.reaggregate import reaggregate, with_verdict
from verify.eval.records import RECALL_DEPTH, RUN_FORMAT, Progress, Record, Run, to_claim
from verify.eval.scoring import summarise, write_predictions
from verify.judging.registry import kind_of
from verify.models import JudgeKind, Judgement
from verify.protocols import Judge


def _source_digest() -> str:
    """Identity of the code that turns passages into judgements (`verify.identity.JUDGEMENT_PARTS`)."""
    from verify.identity import JUDGEMENT_PARTS, code_digest

    return code_digest(JUDGEMENT_PARTS)[:12]


def _judge_identity(settings: Settings, judge_names: Sequence[str]) -> str:
    """What the judges' judgements depend on besides the code (their models, backends, focus): the registry's."""
    from verify.judging.registry import identity

    return "|".join(identity(n, settings) for n in sorted(set(judge_names)))


def run_key(name: str, split: str, claims: Sequence[BenchClaim], settings: Settings, judge_names: Sequence[str],
            pool: int, corpus: str = "") -> str:
    """`corpus`: the content digest of a user's evidence folders (empty for a benchmark's pooled sentences,
    which its claims' file determines): judgements made against other evidence are never reused."""
    extra = {"corpus": corpus} if corpus else {}
    key = json.dumps({
        **extra,
        "format": RUN_FORMAT, "name": name, "split": split,
        "claims": hashlib.sha256("\n".join(c.id + "\t" + c.text for c in claims).encode()).hexdigest()[:16],
        "encoder": settings.encoder, "judges": list(judge_names), "judge": _judge_identity(settings, judge_names),
        "pool": pool, "dense_weight": settings.thresholds.dense_weight,
        "window": [settings.passage_sentences, settings.passage_overlap], "nli_focus": settings.nli_focus,
        # Judgements made by other rule-judge, claim or retrieval code are not this code's: never reuse them.
        "code": _source_digest(),
    }, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _current_gold(records: Sequence[Record], claims: Sequence[BenchClaim]) -> list[Record]:
    """Saved records with today's gold label and gold evidence: the key covers each claim's id and text,
    not its labels, so a relabelled line reuses the judgements but is scored against its new label."""
    by_id = {c.id: c for c in claims}
    out = []
    for rec in records:
        c = by_id.get(rec.id)
        if c is not None and (rec.gold != c.gold or list(rec.gold_evidence) != list(c.gold_evidence)):
            rec = Record(**{**rec.__dict__, "gold": c.gold, "gold_evidence": list(c.gold_evidence)})
        out.append(rec)
    return out


def runs_dir() -> Path:
    return cache_dir() / "eval-runs"


def _stderr_progress(stage: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r{stage}: {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run_pipeline(
    bench: Benchmark,
    claims: Sequence[BenchClaim],
    settings: Settings,
    *,
    pool: int | None = None,
    batch: int = 64,
    progress: Progress | None = None,
) -> tuple[list[Record], dict]:
    """Run retrieval, every judge and aggregation over `claims`; returns (records, timings).

    One Verifier per corpus (HealthFC has one per language); the NLI model is loaded once and shared."""
    from verify.pipeline import Verifier

    top_k = settings.top_k
    pool = max(pool or top_k, top_k)
    timings: dict[str, Any] = {"setup_seconds": 0.0, "pipeline_seconds": 0.0}
    records: list[Record] = []
    shared: dict[str, Judge] = {}
    by_corpus: dict[str, list[BenchClaim]] = {}
    for c in claims:
        by_corpus.setdefault(c.corpus, []).append(c)
    done = 0
    for key, group in by_corpus.items():
        t0 = time.perf_counter()
        s = settings.model_copy(update={"evidence": bench.corpus_folders(key)})
        verifier = Verifier.from_settings(s, prefetch=False)  # one NLI judge for all corpora, below
        # A model is loaded once for all corpora of a benchmark; a rule judge holds per-corpus names.
        verifier.judges = [shared.setdefault(j.name, j) if kind_of(j) is JudgeKind.READING else j
                           for j in verifier.judges]
        encoder_id = verifier.encoder_id
        bench_claims = [to_claim(c) for c in group]
        timings["setup_seconds"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        for start in range(0, len(group), batch):
            chunk, chunk_claims = group[start:start + batch], bench_claims[start:start + batch]
            hits = verifier.retriever.search(chunk_claims, max(RECALL_DEPTH, pool))
            pairs = [(claim, h.passage) for claim, hs in zip(chunk_claims, hits, strict=True) for h in hs[:pool]]
            per_pair: list[list[Judgement]] = [[] for _ in pairs]
            for judge in verifier.judges:
                for i, j in enumerate(judge.judge(pairs)):
                    per_pair[i].append(j)
            i = 0
            for bc, claim, hs in zip(chunk, chunk_claims, hits, strict=True):
                judged: dict[str, list[Judgement]] = {}
                for h in hs[:pool]:
                    judged[h.passage.id] = per_pair[i]
                    i += 1
                rec = Record(
                    id=bc.id, gold=bc.gold, language=bc.language, gold_evidence=list(bc.gold_evidence),
                    claim=claim, retrieved=[h.passage.doc_id for h in hs[:RECALL_DEPTH]], hits=list(hs[:pool]),
                    judgements=judged, pred="", confidence=0.0, unknown_reason=None, reason="",
                    dense_weight=verifier.thresholds.dense_weight, encoder_id=encoder_id,
                    relevance=verifier.thresholds.relevance,
                    corpus_passages=verifier.index_info.passages if verifier.index_info else 0,
                )
                # The verdict as the pipeline gives it (relevance floor, nli_top_k): one rule for
                # fresh and re-aggregated runs.
                records.append(with_verdict(rec, verifier.thresholds, top_k))
            done += len(chunk)
            if progress:
                progress("claims", done, len(claims))
        timings["pipeline_seconds"] += time.perf_counter() - t0
        timings.setdefault("judges", [j.name for j in verifier.judges])
    order = {c.id: i for i, c in enumerate(claims)}
    records.sort(key=lambda r: order[r.id])
    return records, timings


def _seed_partial(partial: Path, name: str, split: str, wanted: set[str], judge: str, dense_weight: float,
                  pool: int, encoder: str = "", nli_focus: int | None = None) -> None:
    """Start `partial` with the records of other saved runs (same benchmark, split, judges, model, dense
    weight, pool, encoder and NLI focus: a --limit sample is a subset of the full split), so no pair is
    judged twice. A run whose header does not say its NLI focus is not reused."""
    if partial.exists():
        return
    found: dict[str, str] = {}
    seconds = 0.0  # the reused claims' share of their runs' extra-judge time
    for other in runs_dir().glob(f"{name}-{split}-*.jsonl.gz"):
        try:
            lines = gzip.decompress(other.read_bytes()).decode("utf-8").splitlines()
            h = json.loads(lines[0])
        except (OSError, ValueError):
            continue
        if h.get("judge") != judge or h.get("dense_weight") != dense_weight or h.get("pool") != pool:
            continue
        if h.get("encoder") != encoder or h.get("nli_focus") != nli_focus:
            continue  # the focused sentence depends on both
        if h.get("code") != _source_digest():
            continue  # its rule judgements (and the passages judged) came from other code
        per_claim = float(h.get("extra_judge_seconds", 0.0)) / max(len(lines) - 1, 1)
        for line in lines[1:]:
            rid = json.loads(line)["id"]
            if rid in wanted and rid not in found:
                found[rid] = line
                seconds += per_claim
    if found:
        partial.write_text("\n".join(found.values()) + f"\n#seconds {seconds:.2f}\n", encoding="utf-8")


def extend_run(base: Run, settings: Settings, judge_names: Sequence[str], progress: Progress | None = None,
               batch: int = 128, partial: Path | None = None, judges: Sequence | None = None) -> Run:
    """A saved rules-only run completed with more judges (e.g. NLI) on the same retrieved passages.

    Retrieval and the rule judge are deterministic, so this equals a full run with all judges; the
    extra judges run on exactly the saved (claim, passage) pairs. Pipeline time = the base run's time
    plus the extra judges' time. With `partial`, finished batches are appended there as they complete
    and an interrupted extension resumes from them."""
    from verify.pipeline import make_pipeline_judges
    from verify.retrieval.build import make_cached_encoder

    if judges is None:
        judges = make_pipeline_judges(settings, make_cached_encoder(settings), names=judge_names)
    top_k = settings.top_k
    records: list[Record] = []
    spent = 0.0  # extra-judge seconds of earlier, interrupted attempts
    if partial is not None and partial.exists():
        wanted = {r.id for r in base.records}
        for line in partial.read_text(encoding="utf-8").splitlines():
            if line.startswith("#seconds "):
                spent = float(line.split()[1])
            elif line.strip():
                try:
                    rec = Record.from_json(line)
                except (ValueError, KeyError):
                    break  # a torn last line
                if rec.id in wanted:
                    records.append(rec)
    done = {r.id for r in records}
    todo = [r for r in base.records if r.id not in done]
    t0 = time.perf_counter()
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        pairs = [(r.claim, h.passage) for r in chunk for h in r.hits]
        extra: list[list[Judgement]] = [[] for _ in pairs]
        for judge in judges:
            for i, j in enumerate(judge.judge(pairs)):
                extra[i].append(j)
        i = 0
        for r in chunk:
            judged = {}
            for h in r.hits:
                judged[h.passage.id] = [*r.judgements.get(h.passage.id, []), *extra[i]]
                i += 1
            rec = with_verdict(Record(**{**r.__dict__, "judgements": judged}), settings.thresholds, top_k)
            records.append(rec)
            if partial is not None:
                with open(partial, "a", encoding="utf-8") as f:
                    f.write(rec.to_json() + "\n")
        if partial is not None:
            with open(partial, "a", encoding="utf-8") as f:
                f.write(f"#seconds {spent + time.perf_counter() - t0:.2f}\n")
        if progress:
            progress("claims (extra judges)", len(records), len(base.records))
    extra_seconds = spent + time.perf_counter() - t0
    order = {r.id: i for i, r in enumerate(base.records)}
    records.sort(key=lambda r: order[r.id])
    header = {**base.header, "judges": [*base.header["judges"], *(j.name for j in judges)],
              "judge": _judge_identity(settings, ["rules", *judge_names]), "nli_focus": settings.nli_focus,
              "thresholds": settings.thresholds.model_dump(),
              "pipeline_seconds": round(base.header["pipeline_seconds"] + extra_seconds, 2),
              "extra_judge_seconds": round(extra_seconds, 2)}
    return Run(header, records)


def evaluate(
    bench: Benchmark,
    settings: Settings,
    *,
    split: str = "test",
    limit: int | None = None,
    pool: int | None = None,
    reuse: bool = False,
    save: bool = True,
    progress: Progress | None = None,
    predictions: Path | None = None,
) -> dict:
    """Evaluate `bench` (split, limit) with the full pipeline under `settings`; returns the result dict.

    `predictions`: also write one JSON line per claim (id, group, language, gold, pred, confidence,
    unknown_reason), the input of `python -m verify.eval.compare`.

    `reuse`: when a saved run with the same claims, encoder, judges, model, code and dense weight exists,
    re-aggregate its judgements with the current thresholds instead of running the models again (its
    timings are reported as measured then; `from_saved_run` says so)."""
    from verify.judging.registry import default_names

    claims = bench.select(split, limit)
    if not claims:
        raise ValueError(f"{bench.name}: no claims in split {split!r}")
    judge_names = list(default_names(settings))
    pool = max(pool or settings.top_k, settings.top_k)
    corpus = bench.folders_digest
    key = run_key(bench.name, split, claims, settings, judge_names, pool, corpus)
    path = runs_dir() / f"{bench.name}-{split}-{len(claims)}-{key}.jsonl.gz"
    run = None
    if reuse and path.exists():
        try:
            run = Run.load(path)
            run.records = reaggregate(_current_gold(run.records, claims), settings.thresholds, settings.top_k)
        except (OSError, ValueError, KeyError):
            run = None
    from_saved = run is not None
    if run is None and reuse and judge_names != ["rules"] and "rules" in judge_names:
        # A saved rules-only run of these claims, or of the whole split (a --limit sample is a subset).
        wanted = {c.id for c in claims}
        for base_claims in (claims, bench.select(split, None)):
            base_key = run_key(bench.name, split, base_claims, settings, ["rules"], pool, corpus)
            base = runs_dir() / f"{bench.name}-{split}-{len(base_claims)}-{base_key}.jsonl.gz"
            if base.exists():
                base_run = Run.load(base)
                base_run.records = [r for r in base_run.records if r.id in wanted]
                if len(base_run.records) != len(claims):
                    continue
                share = len(claims) / max(int(base_run.header.get("n", len(claims))), 1)
                base_run.header = {**base_run.header, "n": len(claims), "limit": limit,
                                   "pipeline_seconds": base_run.header["pipeline_seconds"] * share}
                partial = path.with_name(path.name.replace(".jsonl.gz", ".partial.jsonl"))
                _seed_partial(partial, bench.name, split, wanted, _judge_identity(settings, judge_names),
                              settings.thresholds.dense_weight, pool, settings.encoder, settings.nli_focus)
                run = extend_run(base_run, settings, [j for j in judge_names if j != "rules"], progress,
                                 partial=partial)
                run.header["extended_from"] = str(base)
                if save:
                    run.save(path)
                partial.unlink(missing_ok=True)
                break
    if run is None:
        records, timings = run_pipeline(bench, claims, settings, pool=pool, progress=progress)
        run = Run({"format": RUN_FORMAT, "name": bench.name, "split": split, "limit": limit, "n": len(records),
                   "encoder": settings.encoder, "judges": timings.get("judges", judge_names),
                   "judge": _judge_identity(settings, judge_names), "nli_focus": settings.nli_focus,
                   "top_k": settings.top_k, "pool": pool,
                   "dense_weight": settings.thresholds.dense_weight, "code": _source_digest(),
                   "thresholds": settings.thresholds.model_dump(), "source": bench.source,
                   "setup_seconds": round(timings["setup_seconds"], 2),
                   "pipeline_seconds": round(timings["pipeline_seconds"], 2)}, records)
        if save:
            run.save(path)
    groups = {c.id: c.group for c in claims}
    if predictions is not None:
        write_predictions(predictions, run.records, groups)
    h = run.header
    result = {
        "benchmark": bench.name,
        "split": split,
        "limit": limit,
        **summarise(run.records, settings.top_k, groups),
        "seconds_per_claim": round(h["pipeline_seconds"] / max(len(run.records), 1), 4),
        "setup_seconds": h["setup_seconds"],
        "encoder": h["encoder"],
        "judges": h["judges"],
        "top_k": settings.top_k,
        "thresholds": settings.thresholds.model_dump(),
        "from_saved_run": from_saved,
        "code": h.get("code"),  # digest of the judge/claims/fusion sources the judgements came from
        "code_now": _source_digest(),
        "run_file": str(path) if save or from_saved else None,
    }
    return result
