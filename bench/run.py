"""The benchmark suite: pipeline overhead, per-stage times, seed audit cold and warm, judge speed, memory.

    .venv/bin/python bench/run.py            # writes bench/results.json and docs/performance.md
    .venv/bin/python bench/run.py --quick    # fewer repetitions and texts (about a minute)

Everything is measured in one run, on one machine, because ratios survive a noisy machine and absolute
times do not. The index-type comparison on synthetic corpora is bench/index_types.py (its own section
of docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from index_types import write_section  # noqa: E402

TARGETS = {"overhead": 0.15, "audit_cold_s": 6.0, "audit_warm_s": 1.0}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ---------------------------------------------------------------------------------------------- overhead


def corpus_copies(evidence: Sequence[Path], copies: int, folder: Path) -> Path:
    """The evidence corpus repeated `copies` times as one JSON-lines file (distinct ids and titles)."""
    from verify.sources.files import load_corpus

    corpus = load_corpus(evidence)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "corpus.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for c in range(copies):
            for d in corpus.documents:
                # the copy number in the title makes every embedded text ("title\npassage") distinct
                f.write(json.dumps({"id": f"{d.id}~{c}", "text": d.text, "title": f"{d.title} ({c})", "url": d.url,
                                    "publisher": d.publisher, "published": d.published,
                                    "language": d.language}, default=str) + "\n")
    return folder


def measure_overhead(encoder, evidence: Sequence[Path], copies: int, repeats: int, log) -> dict:
    """Index build (read, split, embed, FAISS, save) against encoding the same passage texts alone."""
    # The plain encoder on both sides: through the embedding cache the repeated texts would be free.
    encoder = getattr(encoder, "encoder", encoder)
    from verify.config import Settings
    from verify.retrieval.build import ensure_index
    from verify.sources.files import load_corpus
    from verify.sources.passages import passages_of_all

    with tempfile.TemporaryDirectory() as td:
        ev = corpus_copies(evidence, copies, Path(td) / "ev")
        settings = Settings(evidence=(ev,), index_dir=Path(td) / "ix")
        passages = passages_of_all(load_corpus([ev]).documents, settings.passage_sentences,
                                   settings.passage_overlap)
        texts = [f"{p.title}\n{p.text}" if p.title else p.text for p in passages]
        encoder.encode_passages(texts[:8])  # load the model outside both timings
        raw, build = [], []
        for _ in range(repeats):  # interleaved, so that drift on a noisy machine hits both alike
            t0 = time.perf_counter()
            encoder.encode_passages(texts)
            raw.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            store, _, rebuilt = ensure_index(settings, encoder, force=True)
            build.append(time.perf_counter() - t0)
            assert rebuilt and store.info.passages == len(texts)
        r, b = min(raw), min(build)
        # where the rest goes: reading and splitting the corpus, the FAISS build, writing the files
        t0 = time.perf_counter()
        passages = passages_of_all(load_corpus([ev]).documents, settings.passage_sentences,
                                   settings.passage_overlap)
        read_split = time.perf_counter() - t0
        from verify.retrieval.store import _build_faiss

        vectors = np.asarray([store.faiss.reconstruct(i) for i in range(store.faiss.ntotal)], dtype=np.float32)
        t0 = time.perf_counter()
        _build_faiss(vectors, store.info.index_type)
        faiss_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.save(Path(td) / "ix2")
        save_s = time.perf_counter() - t0
        # the embedding cache (verify/retrieval/embed_cache.py, in memory here): its cost when every text is new,
        # its gain when every text was seen (a re-check, or an index rebuild after a small change)
        from verify.retrieval.embed_cache import CachedEncoder

        cached = CachedEncoder(encoder, None)
        t0 = time.perf_counter()
        cold_vecs = cached.encode_passages(texts)
        cache_miss = time.perf_counter() - t0
        t0 = time.perf_counter()
        hit_vecs = cached.encode_passages(texts)
        cache_hit = time.perf_counter() - t0
        assert np.array_equal(cold_vecs, hit_vecs)
        out = {
            "embedding_cache": {"all_new_s": round(cache_miss, 4), "all_cached_s": round(cache_hit, 4),
                                "raw_s": round(r, 4)},
            "passages": len(texts), "repeats": repeats, "encoder": encoder.id,
            "raw_encode_s": round(r, 6), "index_build_s": round(b, 6),  # fakes encode in microseconds
            "raw_passages_per_s": round(len(texts) / r, 1), "build_passages_per_s": round(len(texts) / b, 1),
            "overhead": round(b / r - 1, 4), "index_type": store.info.index_type,
            "all_raw_s": [round(x, 3) for x in raw], "all_build_s": [round(x, 3) for x in build],
            "parts_s": {"read_and_split": round(read_split, 4), "faiss": round(faiss_s, 4), "save": round(save_s, 4)},
        }
    log(f"overhead: {out['overhead']:+.1%} ({out['build_passages_per_s']} vs {out['raw_passages_per_s']} passages/s)")
    return out


# ---------------------------------------------------------------------------------------------- stages


class _Timer:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, dt: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + dt

    def wrap(self, stage: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - t0)

        return timed


def stage_breakdown(verifier, article_path: Path, repeats: int, log) -> dict:
    """Time each stage of checking one article by wrapping the verifier's own parts (no re-implementation)."""
    import verify.pipeline as pipeline_module
    from verify.render import RENDERERS
    from verify.sources.files import read_article

    article = read_article(article_path)
    timer = _Timer()
    retriever = verifier.retriever
    encoder = retriever.encoder
    originals = (encoder.encode_queries, retriever.search, [j.judge for j in verifier.judges],
                 pipeline_module.aggregate, verifier.extract)
    # "embed" = the claims embedded by the search; the NLI judge's focus embeds with the same encoder,
    # and that time belongs to the judge (it is inside judge:nli).
    searching = [False]
    embed_timed, plain_embed = timer.wrap("embed", encoder.encode_queries), encoder.encode_queries
    search_timed = timer.wrap("_search", retriever.search)

    def search(*args, **kwargs):
        searching[0] = True
        try:
            return search_timed(*args, **kwargs)
        finally:
            searching[0] = False

    encoder.encode_queries = lambda texts: embed_timed(texts) if searching[0] else plain_embed(texts)
    retriever.search = search
    for j in verifier.judges:
        j.judge = timer.wrap(f"judge:{j.name}", j.judge)
    pipeline_module.aggregate = timer.wrap("aggregate", pipeline_module.aggregate)
    verifier.extract = timer.wrap("split", verifier.extract)
    runs = []
    try:
        verifier.verify_text(article.text, source=article.path, article=article)  # warm-up, not counted
        for _ in range(repeats):
            timer.seconds.clear()
            forget(verifier)
            t0 = time.perf_counter()
            report = verifier.verify_text(article.text, source=article.path, article=article)
            check = time.perf_counter() - t0
            for fmt, render in RENDERERS.items():
                t1 = time.perf_counter()
                render(report)
                timer.add(f"render:{fmt}", time.perf_counter() - t1)
            s = dict(timer.seconds)
            s["retrieve"] = s.pop("_search", 0.0) - s.get("embed", 0.0)  # search embeds the claims itself
            s["judge"] = sum(v for k, v in s.items() if k.startswith("judge:"))
            s["other"] = check - sum(s.get(k, 0.0) for k in ("split", "embed", "retrieve", "judge", "aggregate"))
            s["render"] = s["render:table"]  # what `verify check` prints by default
            s["total"] = check + s["render"]
            runs.append(s)
    finally:
        (encoder.encode_queries, retriever.search, judges, pipeline_module.aggregate, verifier.extract) = originals
        for j, fn in zip(verifier.judges, judges):
            j.judge = fn
        for obj in (encoder, retriever, verifier, *verifier.judges):  # drop the instance attributes
            for name in ("encode_queries", "search", "judge", "extract"):
                obj.__dict__.pop(name, None)
    keys = sorted({k for r in runs for k in r})
    median = {k: round(statistics.median(r.get(k, 0.0) for r in runs) * 1000, 2) for k in keys}
    out = {"article": str(article_path), "chars": len(article.text), "claims": len(report.verdicts),
           "repeats": repeats, "ms": median}
    log(f"stages (ms, median of {repeats}): " + ", ".join(f"{k} {v}" for k, v in median.items()))
    return out


# ---------------------------------------------------------------------------------------------- judges


def judge_speed(verifier, seeds: Path, repeats: int, log) -> dict:
    """Pairs per second for each judge on the seed audit's own (claim, passage) pairs: the relevant
    passages, the first `nli_top_k` of them for the NLI judge, as `Verifier.verify_claims` picks them."""
    from verify.sources.files import iter_articles, read_article

    claims = []
    for f in iter_articles([seeds])[0]:
        a = read_article(f)
        claims += verifier.extract(a.text, source=a.path, article=a)
    from verify.verdicts.aggregate import judged_hits

    hits = verifier.retriever.search(claims, verifier.top_k)
    out: dict = {}
    for j in verifier.judges:
        pairs = [(c, h.passage) for c, hs in zip(claims, hits) for h in judged_hits(hs, verifier.thresholds, j.name)]
        j.judge(pairs[:4])  # load the model outside the timing
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            j.judge(pairs)
            times.append(time.perf_counter() - t0)
        out[j.name] = {"pairs_per_s": round(len(pairs) / min(times), 1), "seconds": round(min(times), 4),
                       "pairs": len(pairs)}
        log(f"judge {j.name}: {out[j.name]['pairs_per_s']} pairs/s over {len(pairs)} pairs")
    return out


# ---------------------------------------------------------------------------------------------- audit


def audit_cold(seeds: Path, evidence: Path, runs: int, extra: Sequence[str], log) -> dict:
    """`python -m verify audit` in a fresh process each time (interpreter start and imports included).

    A first run, not counted, builds the index or assembles a model if the cache lacks them; the
    timed runs are what a user sees on every later call. Children's peak RSS is reported."""
    cmd = [sys.executable, "-m", "verify", "audit", str(seeds), "--evidence", str(evidence), "--format", "json",
           *extra]
    env = dict(os.environ)
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if first.returncode != 0:
        raise RuntimeError(f"audit failed ({first.returncode}): {first.stderr[-2000:]}")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"audit failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    parts = {}  # what a cold process spends before any work: the interpreter, then importing the CLI
    for name, argv in (("python_start_s", [sys.executable, "-c", "pass"]),
                       ("cli_import_s", [sys.executable, "-m", "verify", "--help"])):
        spent = []
        for _ in range(max(1, runs)):
            t0 = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=120)
            spent.append(time.perf_counter() - t0)
        parts[name] = round(statistics.median(spent), 3)
    out = {"runs": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3), **parts,
           "verdicts": len(report["verdicts"]), "judges": report["judges"], "command": " ".join(cmd[1:]),
           "peak_rss_mb_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    log(f"audit cold: median {out['median_s']} s over {runs} runs {out['runs']}")
    return out


def forget(verifier) -> None:
    """Make the next audit compute everything again with the models loaded: no memoised judgement,
    no claim vector kept in memory (what a warm server sees for a new article)."""
    memo = getattr(verifier, "memo", None)
    if memo is not None:
        memo.clear()
    drop = getattr(verifier.retriever.encoder, "forget", None)
    if drop is not None:
        drop()


def audit_warm(verifier, seeds: Path, runs: int, log) -> dict:
    """The same audit in-process with the models loaded: the first call after loading, then steady state
    with nothing memoised (the target), and repeated with the judgement memo and claim vectors kept."""
    forget(verifier)
    t0 = time.perf_counter()
    verifier.audit([seeds])
    first = time.perf_counter() - t0
    times, repeat = [], []
    for _ in range(runs):
        forget(verifier)
        t0 = time.perf_counter()
        report = verifier.audit([seeds])
        times.append(time.perf_counter() - t0)
    for _ in range(runs):
        t0 = time.perf_counter()
        verifier.audit([seeds])
        repeat.append(time.perf_counter() - t0)
    out = {"first_s": round(first, 3), "runs": [round(t, 3) for t in times],
           "median_s": round(statistics.median(times), 3), "verdicts": len(report.verdicts),
           "memoised_median_s": round(statistics.median(repeat), 3)}
    log(f"audit warm: first {out['first_s']} s, then median {out['median_s']} s with nothing memoised, "
        f"{out['memoised_median_s']} s repeated (memoised judgements)")
    return out


def python_peak(verifier, seeds: Path) -> float:
    """Peak Python-heap allocation (tracemalloc) during one warm audit, in MB (numpy/torch buffers from
    C allocators are not all seen by tracemalloc; the process peak RSS is reported separately)."""
    tracemalloc.start()
    verifier.audit([seeds])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 2**20, 1)


# ---------------------------------------------------------------------------------------------- report


def markdown(r: dict) -> str:
    o, s, w, c, j = r["overhead"], r["stages"]["ms"], r["audit_warm"], r.get("audit_cold"), r["judges"]

    def ok(flag: bool) -> str:
        return "met" if flag else "**missed**"

    lines = [
        "## Pipeline (`bench/run.py`)",
        "",
        f"{r['machine']}; encoder {o['encoder']}; judges {', '.join(r['judge_names'])}"
        f"{r.get('nli_reads', '')}; "
        f"{'quick run' if r['quick'] else 'full run'}; measured {r['when']}. All figures come from one run.",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| index build vs raw encoder ({o['passages']} passages, best of {o['repeats']}) | "
        f"{o['build_passages_per_s']} vs {o['raw_passages_per_s']} passages/s: overhead {o['overhead']:+.1%} | "
        "≤ +15%: " + (ok(o["overhead"] <= TARGETS["overhead"]) if o["overhead"] > -0.02 else
                      "not measured validly (a build faster than encoding alone is machine noise)") + " |",
        f"| of which (one build, s) | read + split {o['parts_s']['read_and_split']}, FAISS "
        f"{o['parts_s']['faiss']}, save {o['parts_s']['save']} | |",
        f"| embedding cache (`verify/retrieval/embed_cache.py`), same {o['passages']} passages | all new "
        f"{o['embedding_cache']['all_new_s']} s (raw encoder {o['embedding_cache']['raw_s']} s); all cached "
        f"{o['embedding_cache']['all_cached_s']} s | |",
    ]
    if c:
        lines.append(f"| seed audit, cold (`python -m verify audit`, process start included; median of "
                     f"{len(c['runs'])}) | {c['median_s']:.2f} s (of which interpreter start {c['python_start_s']} s, "
                     f"`verify --help` {c['cli_import_s']} s) | ≤ 6 s: {ok(c['median_s'] <= TARGETS['audit_cold_s'])} |")
    lines += [
        f"| seed audit, warm (in-process, models loaded, nothing memoised; median of {len(w['runs'])}) | "
        f"{w['median_s']:.3f} s (first call after loading: {w['first_s']:.2f} s) | ≤ 1 s: "
        f"{ok(w['median_s'] <= TARGETS['audit_warm_s'])} |",
        f"| seed audit, repeated in-process (judgements memoised) | {w.get('memoised_median_s', float('nan')):.3f} s | |",
    ]
    for name in r["judge_names"]:
        lines.append(f"| judge `{name}` | {j[name]['pairs_per_s']:,} pairs/s ({j[name]['pairs']} pairs) | |")
    m = r["memory"]
    lines.append(f"| peak memory | {m['peak_rss_mb']:.0f} MB RSS (this process)"
                 + (f", {c['peak_rss_mb_children']:.0f} MB (cold audit process)" if c else "")
                 + f", {m['python_heap_peak_mb']} MB Python heap during a warm audit | |")
    lines += [
        "",
        f"Per-stage time for checking `{Path(r['stages']['article']).name}` ({r['stages']['claims']} claims, "
        f"{r['stages']['chars']} characters; median of {r['stages']['repeats']}, ms):",
        "",
        "| split | embed | retrieve | judge | aggregate | other | render (table) | total |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s.get('split', 0)} | {s.get('embed', 0)} | {s.get('retrieve', 0)} | {s.get('judge', 0)} | "
        f"{s.get('aggregate', 0)} | {s.get('other', 0)} | {s.get('render', 0)} | {s.get('total', 0)} |",
        "",
        "Judges separately: " + ", ".join(f"{k[6:]} {v} ms" for k, v in s.items() if k.startswith("judge:"))
        + "; renderers: " + ", ".join(f"{k[7:]} {v} ms" for k, v in s.items() if k.startswith("render:")) + ".",
        "",
    ]
    return "\n".join(lines)


def run(*, quick: bool = False, evidence: Path = ROOT / "evidence", seeds: Path = ROOT / "seeds",
        encoder=None, judges: Sequence | None = None, nli_model: str | None = None, cold: bool = True,
        out: Path | None = ROOT / "bench/results.json", md: Path | None = ROOT / "docs/performance.md",
        log=print) -> dict:
    """Run every measurement; `encoder`/`judges` may be injected (the smoke test passes fakes)."""
    from verify.claims.names import corpus_names
    from verify.config import Settings
    from verify.pipeline import Verifier, make_pipeline_judges
    from verify.retrieval.build import ensure_index
    from verify.retrieval.encoders import make_encoder
    from verify.retrieval.store import HybridRetriever

    # The user's cache (models, the evidence index): a cold run there is what a user sees.
    settings = Settings(evidence=(evidence,), nli_model=nli_model)
    if encoder is None and judges is None:
        verifier = Verifier.from_settings(settings)  # exactly what `verify audit` builds
    else:
        enc = encoder or make_encoder(settings.encoder, batch_size=settings.batch_size)
        store, problems, _ = ensure_index(settings, enc)
        orgs = sorted(corpus_names(store.passages))
        js = list(judges) if judges is not None else make_pipeline_judges(settings, enc, orgs)
        verifier = Verifier(HybridRetriever(store, enc, dense_weight=settings.thresholds.dense_weight), js,
                            settings.thresholds, organisations=orgs, top_k=settings.top_k, encoder_id=enc.id,
                            index_info=store.info, corpus_problems=problems)
    js = verifier.judges
    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
                    "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick}
    result["overhead"] = measure_overhead(verifier.retriever.encoder, [evidence], 4 if quick else 20,
                                          2 if quick else 3, log)
    result["judge_names"] = [j.name for j in js]
    if any(j.name == "nli" for j in js):
        focus = getattr(next(j for j in js if j.name == "nli"), "sentences", 0)
        result["nli_reads"] = (f" (NLI reads the first {settings.thresholds.nli_top_k} relevant passages of a claim"
                               + ((", of each the sentence closest to the claim)" if focus == 1 else
                                   f", of each the {focus} sentences closest to the claim)") if focus else ")"))
    result["audit_warm"] = audit_warm(verifier, seeds, 3 if quick else 10, log)
    article = sorted(p for p in seeds.iterdir() if p.suffix in (".txt", ".md", ".html"))[0]
    result["stages"] = stage_breakdown(verifier, article, 3 if quick else 10, log)
    result["judges"] = judge_speed(verifier, seeds, 2 if quick else 5, log)
    result["memory"] = {"peak_rss_mb": round(_rss_mb(), 1), "python_heap_peak_mb": python_peak(verifier, seeds)}
    if cold:
        extra = ["--nli-model", nli_model] if nli_model else []
        result["audit_cold"] = audit_cold(seeds, evidence, 1 if quick else 3, extra, log)
    result["targets"] = TARGETS
    if out:
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if md:
        write_section(md, "pipeline", markdown(result))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller corpus")
    ap.add_argument("--evidence", type=Path, default=ROOT / "evidence")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    ap.add_argument("--nli-model", default=None, help="a CrossEncoder folder (default: the shipped judge, if any)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-process audit")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results.json")
    ap.add_argument("--md", type=Path, default=ROOT / "docs/performance.md")
    args = ap.parse_args()
    run(quick=args.quick, evidence=args.evidence, seeds=args.seeds, nli_model=args.nli_model,
        cold=not args.no_cold, out=args.out, md=args.md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
