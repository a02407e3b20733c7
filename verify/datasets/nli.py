"""The judge's training mix from ../shared/nli-data, plus a data manifest (sha256 + counts per source).

Every example is (premise, hypothesis, label_id, source) with premise = evidence, hypothesis = claim.
XNLI dev is never used here (it is the held-out eval); the project benchmarks are never read.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import random
from pathlib import Path

from verify.locking import sha256_file

NAMES = ["entailment", "neutral", "contradiction"]
LAB = {n: i for i, n in enumerate(NAMES)}
MIXES = ("v1", "v2", "v3", "v4", "v5", "v6", "v7")  # train_set's mixes, oldest first
GENERATED = ("swaps-", "lex-", "question-", "topical", "near-")  # source prefixes of the made (not human-labelled) pairs

csv.field_size_limit(1 << 26)


def nli_data_dir() -> Path:
    """$VERIFY_NLI_DATA, else ../shared/nli-data next to the repository."""
    env = os.environ.get("VERIFY_NLI_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "nli-data"


def _tsv(path: Path, **kw) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", **kw))


# --------------------------------------------------------------------------- XNLI


def xnli_rows(split: str | None = None) -> list[dict]:
    rows = _tsv(nli_data_dir() / "xnli-de-en" / "xnli_de_en_aligned.tsv")
    return [r for r in rows if split is None or r["split"] == split]


_COMBOS = {
    "de-de": ("premise_de", "hypothesis_de"),
    "en-en": ("premise_en", "hypothesis_en"),
    "en-de": ("premise_en", "hypothesis_de"),
    "de-en": ("premise_de", "hypothesis_en"),
}


def xnli_pairs(rows: list[dict], combo: str) -> list[tuple[str, str, int, str]]:
    p, h = _COMBOS[combo]
    return [(r[p], r[h], LAB[r["label"]], "xnli-test-" + combo) for r in rows]


def xnli_train() -> list:
    rows = xnli_rows("test")  # the dev split is the held-out eval set
    out = []
    for combo in _COMBOS:
        out += xnli_pairs(rows, combo)
    return out


# --------------------------------------------------------------------------- other 3-way sets


def mnli_de() -> list:
    out = []
    for r in _tsv(nli_data_dir() / "mnli-de-mt" / "mnli_train_first10k_de.tsv"):
        a, b, lab = (
            (r.get("sentenceA") or "").strip(),
            (r.get("sentenceB") or "").strip(),
            (r.get("label") or "").strip(),
        )
        if a and b and a != b and lab in LAB:
            out.append((a, b, LAB[lab], "mnli-de"))
    return out


MNLI_DEV_EN = "mnli-dev-en/mnli_dev_matched_mismatched.tsv"


def mnli_dev_en() -> list:
    out = []
    for r in _tsv(nli_data_dir() / MNLI_DEV_EN):
        a, b, lab = (
            (r.get("premise") or "").strip(),
            (r.get("hypothesis") or "").strip(),
            (r.get("label") or "").strip(),
        )
        if a and b and lab in LAB:
            out.append((a, b, LAB[lab], "mnli-dev-en"))
    return out


# The held-apart 3-way choice set: MNLI dev premises that appear in no training pair of the v1 (seed 0) or v2
# (seed 1) mixes, in any source, so judges that continue from the second stage can be compared
# on pairs none of them trained on. Frozen as premise hashes (`mnli_choice_en.json`); `build_mnli_choice()` re-derives it.
CHOICE_FILE = Path(__file__).with_name("mnli_choice_en.json")


def premise_key(premise: str) -> str:
    return hashlib.sha1(premise.encode("utf-8")).hexdigest()[:16]


def build_mnli_choice(stages: tuple[tuple[int, str], ...] = ((0, "v1"), (1, "v2"))) -> dict:
    """MNLI dev premises that appear nowhere (as any source's premise) in the given stages' training mixes."""
    seen = {premise_key(r[0]) for seed, mix in stages for r in train_set(seed=seed, mix=mix)}
    keys = sorted({premise_key(r[0]) for r in mnli_dev_en()} - seen)
    return {
        "source": MNLI_DEV_EN,
        "source_sha256": sha256_file(nli_data_dir() / MNLI_DEV_EN),
        "rule": "MNLI dev premises in no training pair of the mixes (seed, mix) = "
        + ", ".join(f"({s}, {m})" for s, m in stages),
        "premise_sha1_16": keys,
    }


def mnli_choice_keys() -> frozenset[str]:
    return frozenset(json.loads(CHOICE_FILE.read_text(encoding="utf-8"))["premise_sha1_16"])


def mnli_choice_en() -> list:
    """The held-apart choice pairs (English, 3-way), never in any training mix."""
    keys = mnli_choice_keys()
    return [r for r in mnli_dev_en() if premise_key(r[0]) in keys]


def sick() -> list:
    out = []
    m = {"entails": 0, "neutral": 1, "contradicts": 2}
    for r in _tsv(nli_data_dir() / "sick-en" / "SICK.txt"):
        a, b = r["sentence_A"], r["sentence_B"]
        ab = LAB[r["entailment_label"].lower()]
        out.append((a, b, ab, "sick"))
        parts = r["entailment_BA"].split("_")
        ba = m.get(parts[1]) if len(parts) == 3 else None
        if ba is not None and ba != ab:
            out.append((b, a, ba, "sick-ba"))
    return out


def anli_dev() -> list:
    return [
        (r["premise"], r["hypothesis"], LAB[r["label"]], "anli-dev")
        for r in _tsv(nli_data_dir() / "anli-dev-en" / "anli_dev_r1-r3.tsv")
        if r["label"] in LAB
    ]


def healthver() -> list:
    m = {"Supports": 0, "Neutral": 1, "Refutes": 2}
    out = []
    for name in ("healthver_dev.csv", "healthver_test.csv"):
        with open(nli_data_dir() / "healthver-en" / name, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["label"] in m and r["evidence"].strip() and r["claim"].strip():
                    out.append((r["evidence"].strip(), r["claim"].strip(), m[r["label"]], "healthver"))
    return out


# --------------------------------------------------------------------------- two-way sets: positives only


def pawsx_de_positives() -> list:
    out = []
    for name in ("dev.de.tsv", "test.de.tsv"):
        with open(nli_data_dir() / "paws-x-de-en" / name, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if r.get("label") == "1" and r["sentence1"] and r["sentence2"]:
                    out.append((r["sentence1"], r["sentence2"], 0, "pawsx-de-pos"))
    return out


def forum_te_positives() -> list:
    return [
        (r["text"], r["hypothesis"], 0, "german-forum-te-pos")
        for r in _tsv(nli_data_dir() / "german-forum-te" / "german_forum_te.tsv")
        if r["label"].lower() == "entailment" and r["text"] and r["hypothesis"]
    ]


# --------------------------------------------------------------------------- parallel DE/EN text


def multi30k(part: str) -> list[tuple[str, str]]:
    d = nli_data_dir() / "multi30k-de-en"
    with gzip.open(d / f"{part}.de.gz", "rt", encoding="utf-8") as f:
        de = [x.strip() for x in f]
    with gzip.open(d / f"{part}.en.gz", "rt", encoding="utf-8") as f:
        en = [x.strip() for x in f]
    return [(a, b) for a, b in zip(de, en, strict=True) if a and b]


def stsb(part: str) -> list[tuple[str, str, str, str, float]]:
    """Row-aligned (de1, de2, en1, en2, score) of the STS benchmark."""
    d = nli_data_dir() / "stsb-multi-mt-de-en"
    with open(d / f"stsb-de-{part}.csv", newline="", encoding="utf-8") as f:
        de = list(csv.reader(f))
    with open(d / f"stsb-en-{part}.csv", newline="", encoding="utf-8") as f:
        en = list(csv.reader(f))
    return [(a[0], a[1], b[0], b[1], float(a[2])) for a, b in zip(de, en, strict=True)]


def translation_pairs(n: int, seed: int) -> list:
    """(English sentence, its German translation) and the reverse as cross-lingual entailment."""
    rng = random.Random(seed)
    pairs = multi30k("train")
    rng.shuffle(pairs)
    out = []
    for i, (de, en) in enumerate(pairs[:n]):
        out.append((en, de, 0, "translation") if i % 2 == 0 else (de, en, 0, "translation"))
    return out


# --------------------------------------------------------------------------- the mix

SOURCE_FILES = [
    "xnli-de-en/xnli_de_en_aligned.tsv",
    "mnli-de-mt/mnli_train_first10k_de.tsv",
    MNLI_DEV_EN,
    "sick-en/SICK.txt",
    "anli-dev-en/anli_dev_r1-r3.tsv",
    "healthver-en/healthver_dev.csv",
    "healthver-en/healthver_test.csv",
    "paws-x-de-en/dev.de.tsv",
    "paws-x-de-en/test.de.tsv",
    "german-forum-te/german_forum_te.tsv",
    "multi30k-de-en/train.de.gz",
    "multi30k-de-en/train.en.gz",
    "multi30k-de-en/val.de.gz",
    "multi30k-de-en/val.en.gz",
    "multi30k-de-en/test_2016_flickr.de.gz",
    "multi30k-de-en/test_2016_flickr.en.gz",
    "multi30k-de-en/test_2017_flickr.de.gz",
    "multi30k-de-en/test_2017_flickr.en.gz",
    "multi30k-de-en/test_2018_flickr.de.gz",
    "multi30k-de-en/test_2018_flickr.en.gz",
    "stsb-multi-mt-de-en/stsb-de-train.csv",
    "stsb-multi-mt-de-en/stsb-en-train.csv",
    "stsb-multi-mt-de-en/stsb-de-dev.csv",
    "stsb-multi-mt-de-en/stsb-en-dev.csv",
    "stsb-multi-mt-de-en/stsb-de-test.csv",
    "stsb-multi-mt-de-en/stsb-en-test.csv",
]

DEFAULT_SIZES = {  # max pairs per source (None = all)
    "mnli-dev-en": 8000,
    "sick": 6000,
    "pawsx-de-pos": 1000,
    "translation": 2000,
}


def train_set(seed: int = 0, sizes: dict | None = None, swaps: bool = True, mix: str = "v1") -> list:
    """The training pairs. Mix v1: what verify-judge-1's first stage saw; v2 adds the lexical
    substitution swaps, topical neutrals and claims asked as questions of `verify.datasets.lexical`;
    v3 keeps the human-labelled sources whole and a quarter of the generated pairs; v4 is v3 without the
    held-apart MNLI choice premises (`mnli_choice_en`); v5 is v4 with the lexical substitutions whole; v6 is
    v4 plus 6,000 retrieved near neutrals (`lexical.near_neutrals`), whole; v7 is the real claim-evidence
    pairs of ../shared/fv-data (train split, `fv_data.training_pairs`) plus an equal number of v6 pairs, so
    that general and German reading are kept while the judge learns real claims."""
    from verify.datasets import swaps as swap_data

    if mix not in MIXES:  # before any source is read
        raise ValueError(f"unknown training mix {mix!r} ({', '.join(MIXES)})")
    if mix == "v7":
        return _mix_v7(seed, sizes)
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    rng = random.Random(seed)

    def take(rows, key):
        rows = list(rows)
        rng.shuffle(rows)
        n = sizes.get(key)
        return rows if n is None else rows[:n]

    data = xnli_train()
    data += take(mnli_de(), "mnli-de")
    data += take(mnli_dev_en(), "mnli-dev-en")
    data += take(sick(), "sick")
    data += take(anli_dev(), "anli-dev")
    data += take(healthver(), "healthver")
    data += take(pawsx_de_positives(), "pawsx-de-pos")
    data += forum_te_positives()
    data += translation_pairs(sizes["translation"], seed)
    if swaps:
        data += [(p, h, LAB[lab], "swaps-" + kind) for p, h, lab, kind in swap_data.swap_pairs("train", seed=seed)]
    if mix != "v1":
        from verify.datasets import lexical

        data += [(p, h, LAB[lab], kind) for p, h, lab, kind in lexical.lexical_pairs(seed=seed)]
        data += [(p, h, LAB[lab], kind) for p, h, lab, kind in lexical.question_pairs(seed=seed)]
    if mix == "v6":
        from verify.datasets import lexical

        data += [(p, h, LAB[lab], kind) for p, h, lab, kind in lexical.near_neutrals(seed=seed)]
    if mix in ("v3", "v4", "v5", "v6"):
        # v3 (a later stage's mix): the human-labelled NLI sources whole, the generated pairs cut to a
        # quarter, since neutral pairs read as contradictions were the earlier stages' main XNLI error.
        # v5 keeps the lexical substitutions whole: after v4 cut them, the COVID-Fact counter-claims the
        # pipeline read as supported rose from 641 to 1,007 of 1,956 (test).
        whole = {"v5": "lex-", "v6": "near-"}.get(mix)
        made = tuple(g for g in GENERATED if g != whole)
        data = [x for x in data if not x[3].startswith(made) or rng.random() < 0.25]
    if mix in ("v4", "v5", "v6"):  # keep the held-apart choice premises out, whatever source carries them
        keys = mnli_choice_keys()
        data = [x for x in data if premise_key(x[0]) not in keys]
    rng.shuffle(data)
    return data


FV_LABEL = {"supported": LAB["entailment"], "unknown": LAB["neutral"], "contradicted": LAB["contradiction"]}


def _mix_v7(seed: int, sizes: dict | None) -> list:
    from verify.datasets import fv as fv_data

    fv = [(p.evidence, p.claim, FV_LABEL[p.label], "fv-" + p.set) for p in fv_data.training_pairs("train", seed=seed)]
    nli = train_set(seed=seed, sizes=sizes, mix="v6")  # already shuffled with this seed
    n_nli = (sizes or {}).get("v7-nli", len(fv))
    data = fv + nli[:n_nli]
    random.Random(seed).shuffle(data)
    return data


def manifest(data: list) -> dict:
    root = nli_data_dir()
    files = {}
    for rel in SOURCE_FILES:
        p = root / rel
        files[rel] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
    if any(src.startswith("fv-") for *_, src in data):
        from verify.datasets import fv as fv_data

        for p in fv_data.source_files():
            files["fv-data/" + str(p.relative_to(fv_data.fv_data_dir()))] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
    counts: dict[str, dict[str, int]] = {}
    for _, _, lab, src in data:
        c = counts.setdefault(src, {n: 0 for n in NAMES})
        c[NAMES[lab]] += 1
    return {"n_pairs": len(data), "source_files": files, "counts_by_source": dict(sorted(counts.items()))}
