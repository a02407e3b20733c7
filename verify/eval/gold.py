"""Gold-evidence NLI evaluation sets for the judge, and `evaluate(judge_folder, name)`.

Every loader returns (premise, hypothesis, label) with premise = evidence, hypothesis = claim and label
in {"entailment", "neutral", "contradiction"}; rte3-de is 2-way and uses "not_entailment" for NO
(a prediction of neutral or contradiction counts as correct there).

    python -m verify.eval.gold NAME [--limit N] [--judge FOLDER]     # prints a JSON object

The benchmark sets (covid-fact, climate-fever, healthfc*) are split deterministically into dev/test by
a hash of the claim's group (`split_of`), rte3-de by RTE-3's own dev/test; only the test split is
evaluated by default.
"""

from __future__ import annotations

import csv
import json
import os
import random
import time
from pathlib import Path

from verify.datasets.splits import benchmarks_dir, split_of

LABELS = ("entailment", "neutral", "contradiction")
SETS = (
    "xnli-de",
    "xnli-en-de",
    "xnli-en",
    "rte3-de",
    "mnli-choice-en",
    "swaps-de",
    "covid-fact",
    "climate-fever",
    "healthfc",
    "healthfc-de",
    "healthfc-en",
    "fv-dev",
    "averitec",
)
FV_SETS = ("fv-dev", "averitec")  # the dev carve-outs of ../shared/fv-data: never trained on

csv.field_size_limit(1 << 26)


# --------------------------------------------------------------------------- held-out NLI data


def _xnli(combo: str) -> list[tuple[str, str, str]]:
    from verify.datasets import nli as nli_data

    return [(p, h, LABELS[lab]) for p, h, lab, _ in nli_data.xnli_pairs(nli_data.xnli_rows("dev"), combo)]


def _rte3_de(split: str | None) -> list[tuple[str, str, str]]:
    """RTE-3 German, its own dev (800) or test (800) split: dev serves choices between judges, test reports."""
    from verify.datasets import nli as nli_data

    out = []
    with open(nli_data.nli_data_dir() / "rte3-de-en" / "rte3_de_en_aligned.tsv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if split and r["split"] != split:
                continue
            lab = "entailment" if r["label_de"] == "entailment" else "not_entailment"
            out.append((r["premise_de"], r["hypothesis_de"], lab))
    return out


def _swaps_de() -> list[tuple[str, str, str]]:
    from verify.datasets.swaps import swap_pairs

    return [(p, h, lab) for p, h, lab, _ in swap_pairs("test", seed=0)]


# --------------------------------------------------------------------------- benchmarks (evaluation only)


def _covid_fact(split: str | None) -> list[tuple[str, str, str]]:
    m = {"SUPPORTED": "entailment", "REFUTED": "contradiction"}
    out = []
    with open(benchmarks_dir() / "covid-fact" / "COVIDFACT_dataset.jsonl", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r["label"] not in m or (split and split_of("covid:" + r["gold_source"]) != split):
                continue
            out.append(("\n".join(e.strip() for e in r["evidence"]), r["claim"].strip(), m[r["label"]]))
    return out


def _climate_fever(split: str | None) -> list[tuple[str, str, str]]:
    """Claim vs all five of its evidence sentences joined (DISPUTED claims excluded)."""
    m = {"SUPPORTS": "entailment", "REFUTES": "contradiction", "NOT_ENOUGH_INFO": "neutral"}
    out = []
    with open(benchmarks_dir() / "climate-fever" / "climate-fever.jsonl", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r["claim_label"] not in m or (split and split_of("climate:" + r["claim_id"]) != split):
                continue
            ev = "\n".join(e["evidence"].strip() for e in r["evidences"])
            out.append((ev, r["claim"].strip(), m[r["claim_label"]]))
    return out


def _healthfc(lang: str, split: str | None) -> list[tuple[str, str, str]]:
    """Claim (a yes/no question) vs its top evidence sentences; 0 supported, 1 NEI, 2 refuted."""
    m = {"0": "entailment", "1": "neutral", "2": "contradiction"}
    out = []
    with open(benchmarks_dir() / "healthfc" / "Datensatz.csv", newline="", encoding="utf-8-sig") as f:
        for i, r in enumerate(csv.DictReader(f)):
            group = r.get("url") or str(i)
            if str(r["label"]).strip() not in m or (split and split_of("healthfc:" + group) != split):
                continue
            for lg in ("de", "en") if lang == "both" else (lang,):
                ev, claim = (r[f"{lg}_top_sentences"] or "").strip(), (r[f"{lg}_claim"] or "").strip()
                if ev and claim:
                    out.append((ev, claim, m[str(r["label"]).strip()]))
    return out


def load(name: str, split: str | None = "test") -> list[tuple[str, str, str]]:
    """Pairs of set `name`; `split` ("dev"/"test"/None for all) applies to the benchmark sets only."""
    if name == "xnli-de":
        return _xnli("de-de")
    if name == "xnli-en-de":
        return _xnli("en-de")
    if name == "xnli-en":
        return _xnli("en-en")
    if name == "rte3-de":
        return _rte3_de(split)
    if name == "mnli-choice-en":  # held apart for choices between judges, never trained on or reported as test
        from verify.datasets import nli as nli_data

        return [(p, h, LABELS[lab]) for p, h, lab, _ in nli_data.mnli_choice_en()]
    if name == "swaps-de":
        return _swaps_de()
    if name == "covid-fact":
        return _covid_fact(split)
    if name == "climate-fever":
        return _climate_fever(split)
    if name == "healthfc":
        return _healthfc("both", split)
    if name in ("healthfc-de", "healthfc-en"):
        return _healthfc(name[-2:], split)
    if name in FV_SETS:
        return _fv_dev(("averitec",) if name == "averitec" else None)
    raise KeyError(f"unknown NLI set {name!r}; known: {', '.join(SETS)}")


def _fv_dev(sets: tuple[str, ...] | None) -> list[tuple[str, str, str]]:
    """The dev carve-out of the real claim-evidence sets (claim vs its pooled gold evidence); the judge never
    trains on these claim groups (`verify.datasets.fv.split_of`)."""
    from verify.datasets import fv

    m = {"supported": "entailment", "unknown": "neutral", "contradicted": "contradiction"}
    pairs = fv.load_pairs(sets or fv.SETS)
    return [(p.evidence, p.claim, m[p.label]) for p in pairs if p.split == "dev"]


# --------------------------------------------------------------------------- metrics


def metrics(gold: list[str], pred: list[str]) -> dict:
    """Accuracy, macro-F1 and per-class P/R/F1 over the gold label set.

    With a 2-way gold set (entailment / not_entailment) predictions are collapsed first.
    """
    if "not_entailment" in gold:
        pred = ["entailment" if p == "entailment" else "not_entailment" for p in pred]
        classes = ["entailment", "not_entailment"]
    else:
        classes = [c for c in LABELS if c in gold or c in pred]
    n = len(gold)
    per = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        npred = sum(1 for p in pred if p == c)
        ngold = sum(1 for g in gold if g == c)
        prec = tp / npred if npred else 0.0
        rec = tp / ngold if ngold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[c] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": ngold}
    gold_classes = [c for c in classes if per[c]["support"]]
    macro = sum(per[c]["f1"] for c in gold_classes) / len(gold_classes) if gold_classes else 0.0
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / n if n else 0.0
    confusion = {
        g: {p: sum(1 for a, b in zip(gold, pred, strict=True) if a == g and b == p) for p in classes}
        for g in gold_classes
    }
    out = {
        "n": n,
        "accuracy": round(acc, 4),
        "macro_f1": round(macro, 4),
        "per_class": per,
        "contradiction_recall": per["contradiction"]["recall"]
        if "contradiction" in per and per["contradiction"]["support"]
        else None,
        "confusion": confusion,
    }
    if set(gold) == {"entailment", "contradiction"}:
        # A 2-way set (COVID-Fact: SUPPORTED / REFUTED) scored in its own label space, as RTE is: a claim
        # the evidence does not entail counts as refuted, so a neutral reading is no longer always wrong.
        two = metrics(["entailment" if g == "entailment" else "not_entailment" for g in gold], pred)
        out["two_way"] = {"reading": "supported = entailment; refuted = neutral or contradiction",
                          "accuracy": two["accuracy"], "macro_f1": two["macro_f1"], "confusion": two["confusion"],
                          "majority_baseline": round(max(gold.count(c) for c in set(gold)) / n, 4)}
    return out


def _evidence_sentences(premise: str) -> list[str]:
    """The evidence of a benchmark pair as its sentences (the loaders join them with newlines)."""
    if "\n" in premise:
        return [x for x in premise.split("\n") if x.strip()]
    from verify.datasets.benchmarks import split_sentences

    return split_sentences(premise) or [premise]


def _probabilities(ce, pairs: list[tuple[str, str]], batch_size: int = 32):
    """(n, 3) probabilities of entailment, neutral, contradiction in input order; one batched
    CrossEncoder.predict over length-sorted pairs (dynamic padding)."""
    import numpy as np

    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    logits = np.asarray(ce.predict([pairs[i] for i in order], batch_size=batch_size, show_progress_bar=False,
                                   convert_to_numpy=True), dtype=np.float64)
    names = [str(ce.model.config.id2label[k]).lower() for k in range(logits.shape[1])]
    logits = logits[:, [names.index(x) for x in LABELS]]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    out = np.empty_like(probs)
    out[order] = probs
    return out


def predict_per_sentence(ce, pairs: list[tuple[str, str]], batch_size: int = 32) -> list[str]:
    """The claim judged against each evidence sentence alone, as the pipeline judges single-sentence
    passages; the label is the most probable non-neutral reading over the sentences when it beats
    neutral (max entailment vs max contradiction), else neutral."""
    flat, owner = [], []
    for i, (premise, hypothesis) in enumerate(pairs):
        for sent in _evidence_sentences(premise):
            flat.append((sent, hypothesis))
            owner.append(i)
    probs = _probabilities(ce, flat, batch_size)
    best = [[0.0, 0.0] for _ in pairs]  # max entailment, max contradiction over the claim's sentences
    for j, i in enumerate(owner):
        best[i][0], best[i][1] = max(best[i][0], probs[j, 0]), max(best[i][1], probs[j, 2])
    return ["neutral" if max(me, mc) < 0.5 else "entailment" if me >= mc else "contradiction" for me, mc in best]


def predict_labels(ce, pairs: list[tuple[str, str]], batch_size: int = 32) -> list[str]:
    """The most probable label of each pair, in input order."""
    return [LABELS[int(k)] for k in _probabilities(ce, pairs, batch_size).argmax(axis=1)]


def evaluate(
    judge_folder: Path | str | None,
    name: str,
    limit: int | None = None,
    split: str = "test",
    batch_size: int = 32,
    max_length: int = 256,
    int8: bool = False,
    per_sentence: bool = False,
) -> dict:
    """Evaluate the judge on set `name` (test split); `limit` takes a fixed random sample of that size."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import CrossEncoder

    from verify.weights.judge import ensure_judge

    torch.set_num_threads(int(os.environ.get("VERIFY_THREADS", "2")))
    folder = Path(judge_folder) if judge_folder else ensure_judge()
    data = load(name, split)
    if limit and limit < len(data):
        data = random.Random(0).sample(data, limit)
    ce = CrossEncoder(str(folder), max_length=max_length, device="cpu")
    if int8:
        from verify.weights.judge import quantize_int8

        quantize_int8(ce.model)
    t = time.perf_counter()
    pairs = [(p, h) for p, h, _ in data]
    if per_sentence:
        pred = predict_per_sentence(ce, pairs, batch_size=batch_size)
    else:
        pred = predict_labels(ce, [(p.replace("\n", " "), h) for p, h in pairs], batch_size=batch_size)
    dt = time.perf_counter() - t
    res = {
        "set": name,
        "split": split
        if name in ("covid-fact", "climate-fever", "rte3-de") or name.startswith("healthfc")
        else "dev carve-out" if name in FV_SETS
        else "choice (held apart)" if name == "mnli-choice-en"
        else "held-out",
        "limit": limit,
        **metrics([x[2] for x in data], pred),
    }
    res["pairs_per_second"] = round(len(data) / dt, 2) if dt > 0 else None
    res["max_length"] = max_length
    res["judge"] = str(folder)
    res["int8"] = int8
    res["evidence"] = "per sentence (max)" if per_sentence else "joined"
    return res


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="evaluate the NLI judge on gold evidence")
    ap.add_argument("name", choices=SETS)
    ap.add_argument(
        "--judge", default=None, help="CrossEncoder folder (default: the assembled project judge)"
    )
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--split", default="test", choices=["dev", "test"])
    ap.add_argument("--int8", action="store_true", help="dynamic int8 quantisation of the Linear layers")
    ap.add_argument("--per-sentence", action="store_true",
                    help="judge each evidence sentence alone and take the strongest reading (benchmark sets)")
    a = ap.parse_args()
    print(json.dumps(evaluate(a.judge, a.name, a.limit, a.split, int8=a.int8, per_sentence=a.per_sentence),
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
