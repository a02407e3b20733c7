"""Two systems on the same claims: paired bootstrap of accuracy and macro-F1 from `verify eval --predictions` files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from verify.datasets.benchmarks import DataError, read_jsonl
from verify.eval.metrics import paired_bootstrap
from verify.eval.scoring import PREDICTIONS_FORMAT

_SUFFIX = ".pred.jsonl"


class CompareError(ValueError):
    """A predictions file that cannot be read or does not match the other one."""


def read_predictions(path: Path) -> dict[str, dict]:
    """id -> row of a predictions file, or of every *.pred.jsonl in a folder pooled (ids and split groups
    prefixed by the file's name); errors name the file and line."""
    if path.is_dir():
        pooled: dict[str, dict] = {}
        for file in sorted(path.glob("*" + _SUFFIX)):
            name = file.name[: -len(_SUFFIX)]
            for i, row in read_predictions(file).items():
                pooled[f"{name}:{i}"] = {**row, "id": f"{name}:{i}", "group": f"{name}:{row.get('group', i)}"}
        if not pooled:
            raise CompareError(f"{path}: no *{_SUFFIX} files")
        return pooled
    rows: dict[str, dict] = {}
    try:
        for no, row in read_jsonl(path):
            if no == 1:
                if row.get("format") != PREDICTIONS_FORMAT:
                    raise CompareError(f"{path}:1: not a {PREDICTIONS_FORMAT} file (write one with verify eval "
                                       "NAME --predictions FILE)")
                continue
            missing = [k for k in ("id", "gold", "pred") if k not in row]
            if missing:
                raise CompareError(f"{path}:{no}: missing {', '.join(missing)}")
            if row["id"] in rows:
                raise CompareError(f"{path}:{no}: claim id {row['id']!r} appears twice")
            rows[row["id"]] = row
    except DataError as exc:
        raise CompareError(str(exc)) from None
    if not rows:
        raise CompareError(f"{path}: no predictions")
    return rows


def compare(a: Path, b: Path, resamples: int = 1000, seed: int = 0, language: str | None = None) -> dict:
    """B minus A over the claims both files hold (of one `language`, if given), resampling whole split groups."""
    ra, rb = read_predictions(a), read_predictions(b)
    if set(ra) != set(rb):
        only_a, only_b = sorted(set(ra) - set(rb)), sorted(set(rb) - set(ra))
        raise CompareError(f"the files hold different claims: {len(only_a)} only in {a} (e.g. {only_a[:3]}), "
                           f"{len(only_b)} only in {b} (e.g. {only_b[:3]})")
    ids = sorted(ra)
    differ = [i for i in ids if ra[i]["gold"] != rb[i]["gold"]]
    if differ:
        raise CompareError(f"gold labels differ between the files for {len(differ)} claims (e.g. {differ[:3]})")
    ids = [i for i in ids if ra[i]["gold"] != "disputed"]  # scored apart, as in verify eval
    if language:
        ids = [i for i in ids if ra[i].get("language") == language]
        if not ids:
            raise CompareError(f"no claims in language {language!r}")
    res = paired_bootstrap([ra[i]["gold"] for i in ids], [ra[i]["pred"] for i in ids], [rb[i]["pred"] for i in ids],
                           [ra[i].get("group", i) for i in ids], resamples=resamples, seed=seed)
    res["changed"] = sum(1 for i in ids if ra[i]["pred"] != rb[i]["pred"])
    return {"a": str(a), "b": str(b), "language": language, **res}


def markdown(res: dict) -> str:
    lang = f" in language {res['language']}" if res.get("language") else ""
    lines = [f"A = `{res['a']}`, B = `{res['b']}`: {res['n']} claims{lang}, {res['changed']} with another verdict; "
             f"{round(res['level'] * 100)} % paired bootstrap ({res['resamples']} resamples of "
             f"{'split groups' if res['unit'] == 'group' else 'claims'})", "",
             "| metric | A | B | B − A | interval | resamples with B ahead |", "|---|---|---|---|---|---|"]
    for m in ("accuracy", "macro_f1"):
        r = res[m]
        lines.append(f"| {m.replace('_', '-')} | {r['a']:.4f} | {r['b']:.4f} | {r['delta']:+.4f} | "
                     f"{r['ci'][0]:+.4f} to {r['ci'][1]:+.4f} | {r['b_ahead']:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m verify.eval.compare", description=__doc__)
    ap.add_argument("a", type=Path, help="predictions of system A (verify eval NAME --predictions A.jsonl), or a "
                    "folder of *.pred.jsonl files (scripts/baseline_dev.sh OUT): each file, then all pooled")
    ap.add_argument("b", type=Path, help="predictions of system B, on the same claims (a folder with the same files)")
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--language", default=None, help="only the claims in this language (e.g. de)")
    ap.add_argument("--format", choices=("markdown", "json"), default="markdown")
    args = ap.parse_args(argv)
    if args.resamples < 1:
        print("--resamples must be at least 1", file=sys.stderr)
        return 2
    pairs = [(args.a, args.b)]
    folders = args.a.is_dir() and args.b.is_dir()
    if folders:
        names = sorted({f.name for f in args.a.glob("*" + _SUFFIX)} | {f.name for f in args.b.glob("*" + _SUFFIX)})
        pairs = [(args.a / n, args.b / n) for n in names] + pairs
    results = []
    try:
        for i, (a, b) in enumerate(pairs):
            if folders and i < len(pairs) - 1 and args.language and not any(
                    r.get("language") == args.language for r in read_predictions(a).values()):
                continue  # one set of the folders without claims in that language; the pooled row decides
            results.append(compare(a, b, args.resamples, args.seed, args.language))
    except CompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(results[0] if len(results) == 1 else results, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(markdown(r) for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
