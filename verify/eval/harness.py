"""The evaluation harness: the full pipeline (retrieval, judges, aggregation) over benchmark claims, scored.

Gold evidence is used only to score retrieval (recall@k) and to attribute errors; the verdicts come from
the same retriever, judges and `aggregate` as `verify check`. Every run's per-(claim, passage)
judgements are saved (gzipped JSON lines, under `<cache>/eval-runs/`), so threshold tuning
(`verify.eval.tune`) re-aggregates them with other thresholds without running the models again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from verify.config import Settings, Thresholds, cache_dir
from verify.datasets.benchmarks import (
    CONTRADICTED,
    DISPUTED,
    LABELS,
    SUPPORTED,
    UNKNOWN,
    BenchClaim,
    Benchmark,
)
from verify.eval.metrics import (
    bootstrap_ci,
    breakdown,
    classification,
    distribution,
    recall_at_k,
    reliability,
)
from verify.judging.registry import kind_of
from verify.models import Claim, Hit, JudgeKind, Judgement
from verify.retrieval.fusion import cross_lingual, fuse_languages, relevance, rescale_dense
from verify.verdicts.aggregate import aggregate, read_by_judges

RUN_FORMAT = "verify-eval-run-2"
RECALL_DEPTH = 10  # retrieval depth for recall@1/5/10 (only the top_k are judged)
Progress = Callable[[str, int, int], None]


@dataclass
class Record:
    """One claim's pass through the pipeline: what was retrieved, what each judge said, the verdict."""

    id: str
    gold: str
    language: str
    gold_evidence: list[str]
    claim: Claim
    retrieved: list[str]  # doc ids of the first RECALL_DEPTH passages, in rank order
    hits: list[Hit]  # the judged passages (top `pool`), in rank order
    judgements: dict[str, list[Judgement]]  # passage id -> every judge's judgement
    pred: str = UNKNOWN
    confidence: float = 0.0
    unknown_reason: str | None = None
    reason: str = ""
    dense_weight: float = 0.7
    encoder_id: str = ""
    relevance: str = "fused"  # how the hits' scores were made (Thresholds.relevance)

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id, "gold": self.gold, "language": self.language, "gold_evidence": self.gold_evidence,
            "claim": self.claim.model_dump(mode="json"), "retrieved": self.retrieved,
            "hits": [h.model_dump(mode="json") for h in self.hits],
            "judgements": {k: [j.model_dump(mode="json") for j in v] for k, v in self.judgements.items()},
            "pred": self.pred, "confidence": self.confidence, "unknown_reason": self.unknown_reason,
            "reason": self.reason, "dense_weight": self.dense_weight, "encoder_id": self.encoder_id,
            "relevance": self.relevance,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Record:
        d = json.loads(line)
        return cls(
            id=d["id"], gold=d["gold"], language=d["language"], gold_evidence=d["gold_evidence"],
            claim=Claim.model_validate(d["claim"]), retrieved=d["retrieved"],
            hits=[Hit.model_validate(h) for h in d["hits"]],
            judgements={k: [Judgement.model_validate(j) for j in v] for k, v in d["judgements"].items()},
            pred=d["pred"], confidence=d["confidence"], unknown_reason=d["unknown_reason"], reason=d["reason"],
            dense_weight=d["dense_weight"], encoder_id=d["encoder_id"], relevance=d.get("relevance", "fused"),
        )


@dataclass
class Run:
    """Records of one evaluation run plus how it was made (header of the saved file)."""

    header: dict
    records: list[Record] = field(default_factory=list)

    def save(self, path: Path) -> Path:
        from verify.locking import atomic_write_bytes

        text = "\n".join([json.dumps(self.header, ensure_ascii=False), *(r.to_json() for r in self.records)])
        atomic_write_bytes(path, gzip.compress(text.encode("utf-8"), compresslevel=5))
        return path

    @classmethod
    def load(cls, path: Path) -> Run:
        lines = gzip.decompress(Path(path).read_bytes()).decode("utf-8").splitlines()
        header = json.loads(lines[0])
        if header.get("format") != RUN_FORMAT:
            raise ValueError(f"{path}: not a {RUN_FORMAT} file")
        return cls(header, [Record.from_json(x) for x in lines[1:] if x.strip()])


# --------------------------------------------------------------------------- building claims


def to_claim(c: BenchClaim) -> Claim:
    """A benchmark claim as `verify check --lines` would read it (kind: fact, quote, opinion ...)."""
    from verify.claims.extract import claims_from_lines

    parsed = claims_from_lines(c.text, source=c.id, language=c.language)
    if not parsed:
        return Claim(id=c.id, text=c.text, sentence=c.text, start=0, end=len(c.text), language=c.language,
                     source=c.id)
    return parsed[0].model_copy(update={"id": c.id})


# --------------------------------------------------------------------------- re-aggregation


def fuse_again(hits: Sequence[Hit], dense_weight: float, encoder_id: str, claim_language: str = "",
           mode: str = "fused") -> list[Hit]:
    """The judged hits re-ranked and re-scored with another dense weight; same passages, same rules as
    the retriever (ranked by the fused score, scored by `fusion.relevance`)."""
    import numpy as np

    if not hits:
        return []
    dense = rescale_dense(np.array([h.dense for h in hits], dtype=np.float32), encoder_id)
    lexical = np.array([h.lexical for h in hits], dtype=np.float32)
    cross = cross_lingual(claim_language, (h.passage.language for h in hits))
    fused = fuse_languages(dense, lexical, dense_weight, cross)
    scores = relevance(fused, dense, mode)
    order = np.argsort(-fused, kind="stable")
    return [hits[int(j)].model_copy(update={"score": float(scores[j]), "rank": r}) for r, j in enumerate(order)]


def verdict_of(rec: Record, th: Thresholds, top_k: int):
    """Aggregate a record's cached judgements with thresholds `th` (top_k of its judged hits)."""
    hits = rec.hits
    if abs(th.dense_weight - rec.dense_weight) > 1e-9 or th.relevance != rec.relevance:
        hits = fuse_again(hits, th.dense_weight, rec.encoder_id, rec.claim.language, th.relevance)
    hits = hits[:top_k]
    by_passage = read_by_judges(hits, {h.passage.id: rec.judgements.get(h.passage.id, []) for h in hits}, th)
    return aggregate(rec.claim, hits, by_passage, th)


def with_verdict(rec: Record, th: Thresholds, top_k: int) -> Record:
    """A copy of `rec` with the verdict its judgements give under `th`."""
    v = verdict_of(rec, th, top_k)
    return Record(**{**rec.__dict__, "pred": v.label.value, "confidence": v.confidence,
                     "unknown_reason": v.unknown_reason.value if v.unknown_reason else None, "reason": v.reason})


def reaggregate(records: Sequence[Record], th: Thresholds, top_k: int) -> list[Record]:
    return [with_verdict(rec, th, top_k) for rec in records]


# --------------------------------------------------------------------------- scoring


def error_cause(rec: Record, top_k: int) -> str | None:
    """Why a claim was missed: retrieval miss, judge error or aggregation (None when correct).

    retrieval: the claim has gold evidence and none of it is among the top_k judged passages;
    aggregation: some judge labelled some top_k passage with the gold label, yet the verdict differs
    (thresholds, relevance cut-off, conflict rule); judge: no judge read the gold label anywhere."""
    if rec.pred == rec.gold:
        return None
    top = rec.hits[:top_k]
    if rec.gold == UNKNOWN:
        return "judge"  # a judge asserted a stance the evidence does not settle
    if rec.gold_evidence and not set(rec.gold_evidence) & {h.passage.doc_id for h in top}:
        return "retrieval"
    said = {j.label.value for h in top for j in rec.judgements.get(h.passage.id, [])}
    return "aggregation" if rec.gold in said else "judge"


def trust(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """The errors a fact-checker cannot afford: the share of false claims labelled supported, the share of
    true claims labelled contradicted, and the precision of each decided label (None where never said)."""
    def share(g: str, p: str) -> float | None:
        n = sum(1 for x in gold if x == g)
        return round(sum(1 for x, y in zip(gold, pred) if x == g and y == p) / n, 4) if n else None

    def precision(p: str) -> float | None:
        n = sum(1 for y in pred if y == p)
        return round(sum(1 for x, y in zip(gold, pred) if y == p and x == p) / n, 4) if n else None

    return {"false_as_supported": share(CONTRADICTED, SUPPORTED),
            "true_as_contradicted": share(SUPPORTED, CONTRADICTED),
            "precision_supported": precision(SUPPORTED), "precision_contradicted": precision(CONTRADICTED)}


def summarise(records: Sequence[Record], top_k: int, groups: Mapping[str, str] | None = None) -> dict:
    """The metrics of a run: 3-way scores (DISPUTED apart), recall@k, ECE, per language, error causes, and
    95 % bootstrap intervals for accuracy and macro-F1 (whole split groups resampled when `groups` maps
    each record id to its group, so a claim and its counter-claims are drawn together)."""
    main = [r for r in records if r.gold != DISPUTED]
    gold = [r.gold for r in main]
    pred = [r.pred for r in main]
    cls = classification(gold, pred, LABELS)
    ci = bootstrap_ci(gold, pred, [groups.get(r.id, r.id) for r in main] if groups else None)
    rec = recall_at_k([r.retrieved for r in main], [r.gold_evidence for r in main], (1, 5, 10))
    cal = reliability([r.confidence for r in main], [r.pred == r.gold for r in main], bins=10)
    causes: dict[str, Counter] = {}
    for r in main:
        cause = error_cause(r, top_k)
        if cause:
            causes.setdefault(r.gold, Counter())[cause] += 1
    out = {
        "n": cls["n"],
        "accuracy": cls["accuracy"],
        "macro_f1": cls["macro_f1"],
        "ci": ci,
        "recall_at_1": rec["recall_at_1"],
        "recall_at_5": rec["recall_at_5"],
        "recall_at_10": rec["recall_at_10"],
        "ece": cal["ece"],
        "per_class": cls["per_class"],
        "confusion": cls["confusion"],
        "retrieval": rec,
        "reliability": cal["bins"],
        "per_language": _with_intervals(breakdown(gold, pred, [r.language for r in main], LABELS), main, groups),
        "predicted": distribution(pred),
        "abstain_rate": round(sum(1 for p in pred if p == UNKNOWN) / len(pred), 4) if pred else 0.0,
        "unknown_reasons": distribution(r.unknown_reason for r in main if r.pred == UNKNOWN),
        "errors": {g: dict(c.most_common()) for g, c in sorted(causes.items())},
        "trust": trust(gold, pred),
    }
    if set(gold) == {SUPPORTED, CONTRADICTED}:
        # A 2-way gold set (COVID-Fact) also scored in its own label space: "not supported" is what it
        # calls refuted, so an unknown verdict counts as refuted there; the 3-way figures above stay primary.
        two_labels = (SUPPORTED, "not supported")
        two = classification([g if g == SUPPORTED else two_labels[1] for g in gold],
                             [p if p == SUPPORTED else two_labels[1] for p in pred], two_labels)
        out["two_way"] = {"reading": "supported vs not supported; unknown counts as refuted",
                          "accuracy": two["accuracy"], "macro_f1": two["macro_f1"],
                          "majority_baseline": round(max(Counter(gold).values()) / len(gold), 4)}
    disputed = [r for r in records if r.gold == DISPUTED]
    if disputed:
        out["disputed"] = {
            "n": len(disputed),
            "predicted": distribution(r.pred for r in disputed),
            "unknown_reasons": distribution(r.unknown_reason for r in disputed if r.pred == UNKNOWN),
            "recall_at_5": recall_at_k([r.retrieved for r in disputed], [r.gold_evidence for r in disputed],
                                       (5,))["recall_at_5"],
        }
    return out


def _with_intervals(per_language: dict, records: Sequence[Record], groups: Mapping[str, str] | None) -> dict:
    """Each language's scores with their own bootstrap intervals (HealthFC's German target is one of them)."""
    if len(per_language) < 2:
        return per_language
    out = {}
    for lang, scores in per_language.items():
        sub = [r for r in records if r.language == lang]
        out[lang] = {**scores, "ci": bootstrap_ci([r.gold for r in sub], [r.pred for r in sub],
                                                  [groups.get(r.id, r.id) for r in sub] if groups else None)}
    return out


PREDICTIONS_FORMAT = "verify-predictions-1"


def write_predictions(path: Path, records: Sequence[Record], groups: Mapping[str, str]) -> Path:
    """Per-claim verdicts as JSON lines after a header line, written atomically."""
    from verify.locking import atomic_write_bytes

    lines = [json.dumps({"format": PREDICTIONS_FORMAT, "n": len(records)})]
    lines += [json.dumps({"id": r.id, "group": groups.get(r.id, r.id), "language": r.language, "gold": r.gold,
                          "pred": r.pred, "confidence": round(r.confidence, 4),
                          "unknown_reason": r.unknown_reason}, ensure_ascii=False) for r in records]
    atomic_write_bytes(Path(path), ("\n".join(lines) + "\n").encode("utf-8"))
    return Path(path)


# --------------------------------------------------------------------------- running


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
    timings = {"setup_seconds": 0.0, "pipeline_seconds": 0.0}
    records: list[Record] = []
    shared: dict[str, object] = {}
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
                for i, j in enumerate(judge.judge(pairs)):  # type: ignore[attr-defined]
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
