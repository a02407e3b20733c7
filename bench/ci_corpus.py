"""`verify ci` on a generated corpus of 200 documents: cold, warm (unchanged), one file changed, evidence changed.

Documents are built from the seed article's sentences and altered variants (numbers, years, places), in
German and English, in a temporary folder; the evidence is a copy of ./evidence. Each run is the real
command line in a fresh process (start-up included), with its own user cache. Writes docs/ci-bench.json.

    .venv/bin/python bench/ci_corpus.py                 # default judges (rules, plus NLI when shipped)
    .venv/bin/python bench/ci_corpus.py --judge rules   # rule judge only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENGLISH = [
    "Anthropic announced a $50 billion data center partnership with Fluidstack.",
    "The new data centers will be located in Texas and New York.",
    "The facilities are expected to come online throughout 2026.",
    "Fluidstack was founded in 2017.",
    "Meta has committed $600 billion to data centers over the next three years.",
    "The Stargate partnership of SoftBank, OpenAI and Oracle has committed $500 billion to infrastructure.",
    "Anthropic projects revenue of $70 billion by 2028.",
    "Anthropic expects a positive cash flow of $17 billion in 2028.",
    "Fluidstack was named lead partner for a 1 gigawatt AI project backed by the French government.",
    "Amazon is an investor in Anthropic.",
    "Dario Amodei is the CEO and a co-founder of Anthropic.",
    "The company also has cloud partnerships with Google and Amazon.",
]
# (old, new) substitutions that turn a true sentence into a contradicted one.
ALTERATIONS = [
    ("2017", "2019"), ("50", "80"), ("600", "900"), ("500", "300"), ("Texas", "Ohio"), ("New York", "Kalifornien"),
    ("2026", "2029"), ("70", "40"), ("17", "27"), ("Februar", "Oktober"), ("February", "October"),
]
FILLER = [
    "Dieser Abschnitt fasst die Berichterstattung zusammen.",
    "This section summarises the coverage.",
    "Weitere Einzelheiten folgen.",
    "More details will follow.",
]


def seed_sentences() -> list[str]:
    from verify.text import sentence_spans

    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    return [text[a:b].strip() for a, b in sentence_spans(text) if len(text[a:b].split()) >= 5]


def alter(sentence: str, rng: random.Random) -> str:
    options = [(a, b) for a, b in ALTERATIONS if a in sentence]
    if not options:
        return sentence
    a, b = rng.choice(options)
    return sentence.replace(a, b, 1)


def make_corpus(folder: Path, n: int = 200, seed: int = 7) -> None:
    rng = random.Random(seed)
    german = seed_sentences()
    for i in range(n):
        english = i % 3 == 2
        pool = ENGLISH if english else german
        k = rng.randint(3, 6)
        lines = []
        for s in rng.sample(pool, min(k, len(pool))):
            lines.append(alter(s, rng) if rng.random() < 0.25 else s)
        lines.insert(rng.randint(0, len(lines)), rng.choice(FILLER))
        title = f"Note {i:03d}"
        body = "\n\n".join(lines)
        sub = folder / f"section-{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note-{i:03d}.md").write_text(f"---\ntitle: {title}\n---\n# {title}\n\n{body}\n", encoding="utf-8")


def run_ci(corpus: Path, cache: Path, evidence: Path, judges: list[str]) -> tuple[float, dict, int]:
    env = {**os.environ, "VERIFY_CACHE": str(cache), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "verify", "ci", "docs", "--evidence", str(evidence), "--format", "json"]
    for j in judges:
        cmd += ["--judge", j]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True, env=env, timeout=3600)
    seconds = time.perf_counter() - t0
    if out.returncode not in (0, 1):
        raise SystemExit(f"verify ci failed ({out.returncode}): {out.stderr[-2000:]}")
    return seconds, json.loads(out.stdout), out.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=200)
    ap.add_argument("--judge", action="append", default=[], help="rules | nli (repeatable); default: the CLI's")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "ci-bench.json")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="verify-ci-bench-"))
    try:
        corpus, cache, evidence = work / "corpus", work / "cache", work / "evidence"
        make_corpus(corpus / "docs", args.documents)
        shutil.copytree(ROOT / "evidence", evidence)
        runs = {}

        def record(name: str, note: str) -> dict:
            seconds, result, rc = run_ci(corpus, cache, evidence, args.judge)
            row = {"seconds": round(seconds, 2), "exit_code": rc, "cache": result["cache"],
                   "claims": len(result["findings"]), "failing": result["summary"]["failing"],
                   "counts": result["summary"]["counts"], "judges": result["judges"], "note": note}
            runs[name] = row
            print(f"{name:>16}: {row['seconds']:7.2f} s  hits {row['cache']['hits']:3d}  misses "
                  f"{row['cache']['misses']:3d}  judgements reused {row['cache']['judgements_reused']:5d} "
                  f"computed {row['cache']['judgements_computed']:5d}  ({note})", flush=True)
            return row

        record("cold", "empty cache: index built, models loaded, every document checked")
        record("warm_unchanged", "nothing changed: every document from the cache, no model loaded")
        changed = corpus / "docs" / "section-3" / "note-013.md"
        with open(changed, "a", encoding="utf-8") as f:
            f.write("\nFluidstack wurde 2019 gegründet.\n")
        record("one_file_changed", f"one sentence appended to {changed.relative_to(corpus)}")
        record("warm_again", "unchanged since the previous run")
        (evidence / "bench-extra.md").write_text(
            "---\nid: bench-extra\ntitle: Fluidstack opens an office in Berlin\nurl: https://example.org/bench\n"
            "publisher: Bench\npublished: 2025-01-01\nlanguage: en\n---\n\nFluidstack opened an office in Berlin "
            "in January 2025.\n", encoding="utf-8")
        record("evidence_changed", "one evidence document added: index rebuilt, every document re-retrieved, "
               "judgements of unchanged (claim, passage) pairs reused")

        data = {
            "command": "verify ci docs --evidence EVIDENCE --format json" + "".join(f" --judge {j}" for j in args.judge),
            "documents": args.documents,
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "runs": runs,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
