"""Fuzz the readers: random and hostile bytes through decoding, front matter, Markdown prose, JSONL evidence
lines and article reading; exit 1 on any exception that is not an expected input error.

    .venv/bin/python scripts/fuzz_readers.py 100000 [SEED]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from verify.sources.files import InputError, decode_text, read_article, split_front_matter
from verify.sources.markdown import prose, without_link_targets

PIECES = [
    "---\n", "title: ", "a: &a [1,2]\n", "b: *a\n", "---", "# ", "| x | y |\n|---|---|\n", "```\ncode\n```\n",
    "[link](https://e.org/2019/5-b)", "![i](x.png)", "**", "_", "`", "> ", "- ", "1. ", "\ud800", "\udcff", "\x00",
    "{\"id\": 1, \"text\": \"t\"}\n", "{\"text\": [", "[[[[[[[[", "Anthropic investiert 50 Milliarden Dollar. ",
    "siebzehn ", "2017 ", "Zürich ", "\ufeff", "\r\n", "\t", "<script>x</script>", "&amp;", "💥", "\u202e",
]


def one(rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 30)))
    enc = rng.choice(["utf-8", "utf-16", "cp1252", "latin-1"])
    return text.encode(enc, "surrogatepass" if enc.startswith("utf") else "replace")


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    rng = random.Random(seed)
    failures = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        md = Path(tmp) / "a.md"
        jl = Path(tmp) / "e.jsonl"
        for i in range(n):
            data = one(rng)
            problems: list = []
            try:
                text = decode_text(md, data, problems)
                if text is not None:
                    meta, body, offset = split_front_matter(md, text, problems)
                    assert len(prose(body)) == len(body) and len(without_link_targets(body)) == len(body)
                if i % 10 == 0:  # the file paths as well, less often (they touch the disk)
                    md.write_bytes(data)
                    try:
                        read_article(md)
                    except InputError:
                        pass
                    jl.write_bytes(data)
                    from verify.sources.files import load_corpus

                    load_corpus([jl])
            except Exception as exc:  # noqa: BLE001 - what a fuzzer is for
                failures += 1
                if failures <= 5:
                    print(f"input {i}: {type(exc).__name__}: {exc!r:.200} on {data[:80]!r}")
    print(f"inputs: {n}  exceptions: {failures}  time: {time.perf_counter() - start:.1f} s  seed: {seed}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
