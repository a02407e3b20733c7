"""Claim-level benchmark loaders: claims with gold labels and gold evidence, pooled evidence corpora, splits.

Every benchmark becomes a `Benchmark`: its claims (id, text, language, gold label, gold evidence ids,
split group) and one or more pooled evidence corpora (one document per evidence sentence, stable ids).
A corpus is written as a `.jsonl` evidence folder under the user cache, so the normal index code
(`verify.pipeline.ensure_index`) indexes it like any user corpus.

Splits use `verify.datasets.splits.split_of` with the same group keys as the gold-evidence judge
evaluation, so both views of a benchmark hold out the same claims (COVID-Fact by `gold_source` group,
so a claim and its generated counter-claims never straddle the split).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from verify.config import cache_dir
from verify.datasets.splits import benchmarks_dir, split_of

SUPPORTED, CONTRADICTED, UNKNOWN = "supported", "contradicted", "unknown"
DISPUTED = "disputed"  # Climate-FEVER only: kept out of the 3-way metrics, reported on its own
LABELS = (SUPPORTED, CONTRADICTED, UNKNOWN)
BENCHMARKS = ("climate-fever", "healthfc", "covid-fact", "averitec", "fever-jsonl", "articles")

csv.field_size_limit(1 << 26)


class DataError(Exception):
    """A benchmark file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class EvidenceDoc:
    id: str
    text: str
    title: str = ""
    url: str = ""
    publisher: str = ""
    language: str = "en"

    def as_json(self) -> dict:
        return {"id": self.id, "text": self.text, "title": self.title, "url": self.url,
                "publisher": self.publisher, "published": "", "language": self.language}


@dataclass(frozen=True)
class BenchClaim:
    id: str
    text: str
    language: str
    gold: str  # supported | contradicted | unknown | disputed
    gold_evidence: tuple[str, ...]  # evidence doc ids (empty: none, e.g. NOT_ENOUGH_INFO)
    group: str  # split unit
    corpus: str  # key of the corpus this claim is checked against
    fixed_split: str = ""  # a split set by the data (AVeriTeC's dev carve-out) instead of the group hash

    @property
    def split(self) -> str:
        return self.fixed_split or split_of(self.group)


@dataclass
class Benchmark:
    name: str
    claims: list[BenchClaim]
    corpora: dict[str, list[EvidenceDoc]] = field(default_factory=dict)
    source: str = ""
    folders: dict[str, tuple[Path, ...]] = field(default_factory=dict)  # corpus key -> the user's evidence folders
    folders_digest: str = ""  # content hash of those folders as loaded ("" for pooled sentences)

    def select(self, split: str | None = "test", limit: int | None = None) -> list[BenchClaim]:
        """Claims of `split` ("dev", "test", None/"all"); `limit` takes a fixed sample (nested: the first
        N of a larger limit are the same N), ordered by a hash of the claim id."""
        claims = [c for c in self.claims if split in (None, "all") or c.split == split]
        if limit is not None and limit < len(claims):
            claims = sorted(claims, key=lambda c: _h(f"sample:{c.id}"))[:limit]
            order = {c.id: i for i, c in enumerate(self.claims)}
            claims.sort(key=lambda c: order[c.id])
        return claims

    def corpus_folders(self, key: str) -> tuple[Path, ...]:
        """The evidence folders corpus `key` is indexed from: the user's own, or the pooled sentences written once."""
        if key in self.folders:
            return self.folders[key]
        return (write_corpus(key, self.corpora[key]),)


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def sentence_id(prefix: str, text: str) -> str:
    """Stable id of an evidence sentence: the same text always gets the same id."""
    return f"{prefix}-{_h(' '.join(text.split()))[:12]}"


def write_corpus(name: str, docs: Sequence[EvidenceDoc], root: Path | None = None) -> Path:
    """Write `docs` as `<cache>/eval-corpora/<name>-<content hash>/<name>.jsonl` (once) and return the folder.

    The folder name carries the content hash, so an unchanged corpus keeps its file (and its mtime), and
    the index built on it is reused; a changed corpus gets a new folder and a new index."""
    lines = [json.dumps(d.as_json(), ensure_ascii=False) for d in docs]
    digest = _h("\n".join(lines))[:12]
    folder = (root or cache_dir() / "eval-corpora") / f"{name}-{digest}"
    path = folder / f"{name}.jsonl"
    if not path.exists():
        from verify.locking import atomic_write_text

        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, "\n".join(lines) + "\n")
    return folder


def _data_file(data: Path | None, default_dir: str, filename: str) -> Path:
    path = Path(data) if data else benchmarks_dir() / default_dir
    if path.is_dir():
        path = path / filename
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    return path


def read_jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    """(line number, object) of each non-blank line; errors name the file and line (DataError)."""
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{path}:{lineno}: malformed JSON ({exc.msg})") from exc
                if not isinstance(obj, dict):
                    raise DataError(f"{path}:{lineno}: expected a JSON object")
                yield lineno, obj
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc


# --------------------------------------------------------------------------- Climate-FEVER

_CLIMATE = {"SUPPORTS": SUPPORTED, "REFUTES": CONTRADICTED, "NOT_ENOUGH_INFO": UNKNOWN, "DISPUTED": DISPUTED}


def climate_fever(data: Path | None = None) -> Benchmark:
    """1,535 claims (DISPUTED kept as `disputed`); corpus: the pooled candidate sentences, keyed on evidence_id.

    Gold evidence: the claim's sentences labelled SUPPORTS or REFUTES (none for NOT_ENOUGH_INFO)."""
    path = _data_file(data, "climate-fever", "climate-fever.jsonl")
    docs: dict[str, EvidenceDoc] = {}
    claims = []
    for lineno, r in read_jsonl(path):
        try:
            gold = _CLIMATE[r["claim_label"]]
            evidences = r["evidences"]
            cid = str(r["claim_id"])
            text = " ".join(str(r["claim"]).split())
        except KeyError as exc:
            raise DataError(f"{path}:{lineno}: missing or unknown field {exc}") from exc
        gold_ids = []
        for e in evidences:
            eid = str(e["evidence_id"])
            if eid not in docs:
                article = str(e.get("article") or eid.rsplit(":", 1)[0])
                docs[eid] = EvidenceDoc(
                    id=eid, text=" ".join(str(e["evidence"]).split()), title=article,
                    url="https://en.wikipedia.org/wiki/" + article.replace(" ", "_"),
                    publisher="Wikipedia", language="en",
                )
            if e.get("evidence_label") in ("SUPPORTS", "REFUTES"):
                gold_ids.append(eid)
        claims.append(BenchClaim(id=f"climate-fever:{cid}", text=text, language="en", gold=gold,
                                 gold_evidence=tuple(gold_ids), group="climate:" + cid, corpus="climate-fever"))
    return Benchmark("climate-fever", claims, {"climate-fever": list(docs.values())}, str(path))


# --------------------------------------------------------------------------- COVID-Fact

_COVID = {"SUPPORTED": SUPPORTED, "REFUTED": CONTRADICTED}


def covid_fact(data: Path | None = None) -> Benchmark:
    """4,086 claims (2-way gold); corpus: the pooled evidence sentences; split by `gold_source` group."""
    path = _data_file(data, "covid-fact", "COVIDFACT_dataset.jsonl")
    docs: dict[str, EvidenceDoc] = {}
    claims = []
    for lineno, r in read_jsonl(path):
        try:
            gold = _COVID[r["label"]]
            evidence = [" ".join(str(e).split()) for e in r["evidence"]]
            text = " ".join(str(r["claim"]).split())
            source = str(r["gold_source"])
        except KeyError as exc:
            raise DataError(f"{path}:{lineno}: missing or unknown field {exc}") from exc
        gold_ids = []
        for e in evidence:
            if not e:
                continue
            did = sentence_id("cf", e)
            docs.setdefault(did, EvidenceDoc(id=did, text=e, title="", publisher="COVID-Fact", language="en"))
            if did not in gold_ids:
                gold_ids.append(did)
        claims.append(BenchClaim(id=f"covid-fact:{lineno}", text=text, language="en", gold=gold,
                                 gold_evidence=tuple(gold_ids), group="covid:" + source, corpus="covid-fact"))
    return Benchmark("covid-fact", claims, {"covid-fact": list(docs.values())}, str(path))


# --------------------------------------------------------------------------- HealthFC

_HEALTHFC = {"0": SUPPORTED, "1": UNKNOWN, "2": CONTRADICTED}


def split_sentences(text: str) -> list[str]:
    from verify.text import sentence_spans

    text = " ".join(text.split())
    return [text[a:b] for a, b in sentence_spans(text) if text[a:b].strip()]


def healthfc(data: Path | None = None, languages: Sequence[str] = ("de", "en")) -> Benchmark:
    """750 claims in German and English (each language a claim of its own, against its own corpus).

    Corpus per language: the `*_top_sentences` of all rows, split into sentences and pooled. Gold
    evidence: the sentences of the claim's own row. The explanation and verdict columns are never read
    into the corpus: they state the verdict."""
    path = _data_file(data, "healthfc", "Datensatz.csv")
    corpora: dict[str, dict[str, EvidenceDoc]] = {lg: {} for lg in languages}
    claims = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc
    for i, r in enumerate(rows):
        label = str(r.get("label", "")).strip()
        if label not in _HEALTHFC:
            continue
        group = r.get("url") or str(i)
        for lg in languages:
            claim = " ".join((r.get(f"{lg}_claim") or "").split())
            sentences = split_sentences(r.get(f"{lg}_top_sentences") or "")
            if not claim or not sentences:
                continue
            gold_ids = []
            for s in sentences:
                did = sentence_id(f"hfc-{lg}", s)
                corpora[lg].setdefault(did, EvidenceDoc(id=did, text=s, title="", url=r.get("url") or "",
                                                        publisher="Medizin-transparent", language=lg))
                if did not in gold_ids:
                    gold_ids.append(did)
            claims.append(BenchClaim(id=f"healthfc:{i}:{lg}", text=claim, language=lg, gold=_HEALTHFC[label],
                                     gold_evidence=tuple(gold_ids), group="healthfc:" + group,
                                     corpus=f"healthfc-{lg}"))
    return Benchmark("healthfc", claims, {f"healthfc-{lg}": list(d.values()) for lg, d in corpora.items()},
                     str(path))


# --------------------------------------------------------------------------- AVeriTeC

_AVERITEC = {"Supported": SUPPORTED, "Refuted": CONTRADICTED, "Not Enough Evidence": UNKNOWN,
             "Conflicting Evidence/Cherrypicking": DISPUTED}


def averitec_passage(question: str, answer: dict) -> str:
    """One answer as a passage: its question, the answer, and a Boolean answer's explanation."""
    text = f"Q: {' '.join(question.split())} A: {' '.join(str(answer.get('answer') or '').split())}"
    if answer.get("answer_type") == "Boolean" and answer.get("boolean_explanation"):
        text += ". " + " ".join(str(answer["boolean_explanation"]).split())
    return text


def averitec(data: Path | None = None) -> Benchmark:
    """AVeriTeC in its official JSON form (a list of claims with `questions[].answers[]`).

    Corpus: every answer is a passage of its own (question + answer + a Boolean answer's explanation;
    Unanswerable answers are skipped), pooled over all claims; a claim's gold evidence is its own answers.
    `justification` states the verdict and is never read. "Conflicting Evidence/Cherrypicking" is kept
    as `disputed` and scored apart. Without `data`: the dev carve-out of ../shared/fv-data's AVeriTeC train
    file, the claims the judge never trained on (`fv_data.split_of`), all with split "dev"."""
    from verify.datasets import fv

    default = data is None
    path = fv.fv_data_dir() / "averitec-train-en" / "train.json.gz" if default else Path(data)  # type: ignore[arg-type]
    if path.is_dir():
        path = next((p for p in (path / "train.json.gz", path / "dev.json", path / "train.json") if p.is_file()), path)
    if not path.is_file():
        raise DataError(f"{path}: no such file (AVeriTeC JSON: a list of claims)")
    import gzip

    try:
        with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else open(path, encoding="utf-8")) as f:
            rows = json.load(f)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from exc
    if not isinstance(rows, list):
        raise DataError(f"{path}: AVeriTeC JSON is a list of claims, not {type(rows).__name__}")
    docs: dict[str, EvidenceDoc] = {}
    claims = []
    for i, r in enumerate(rows):
        rid = f"averitec-train-{i}" if default else f"{path.stem}-{i}"
        if not isinstance(r, dict) or not isinstance(r.get("claim"), str) or r.get("label") not in _AVERITEC:
            raise DataError(f"{path}: claim {i} needs a 'claim' text and a 'label' in {sorted(_AVERITEC)}")
        text = " ".join(r["claim"].split())
        group = f"averitec:claim:{fv.norm_claim(text)}"  # the training split's group of this claim
        if default and (rid in fv.AVERITEC_DROP or fv.split_of(group) != "dev"):
            continue
        gold_ids = []
        for q in r.get("questions") or []:
            for a in (q.get("answers") or []) if isinstance(q, dict) else []:
                if not isinstance(a, dict) or a.get("answer_type") == "Unanswerable" or not a.get("answer"):
                    continue
                passage = averitec_passage(str(q.get("question") or ""), a)
                did = sentence_id("avt", passage)
                url = str(a.get("source_url") or "")
                docs.setdefault(did, EvidenceDoc(id=did, text=passage, title=str(q.get("question") or "")[:200],
                                                 url=url, publisher="AVeriTeC", language="en"))
                if did not in gold_ids:
                    gold_ids.append(did)
        claims.append(BenchClaim(id=f"averitec:{rid}", text=text, language="en", gold=_AVERITEC[r["label"]],
                                 gold_evidence=tuple(gold_ids), group=group, corpus="averitec",
                                 fixed_split="dev" if default else ""))
    if not claims:
        raise DataError(f"{path}: no claims")
    return Benchmark("averitec", claims, {"averitec": list(docs.values())}, str(path))


# --------------------------------------------------------------------------- users' own FEVER-style sets

_GENERIC = {
    "supports": SUPPORTED, "supported": SUPPORTED, "support": SUPPORTED, "true": SUPPORTED,
    "entailment": SUPPORTED,
    "refutes": CONTRADICTED, "refuted": CONTRADICTED, "contradicted": CONTRADICTED, "false": CONTRADICTED,
    "contradiction": CONTRADICTED,
    "not enough info": UNKNOWN, "not_enough_info": UNKNOWN, "nei": UNKNOWN, "unknown": UNKNOWN,
    "neutral": UNKNOWN,
    "disputed": DISPUTED,
}


def fever_jsonl(data: Path | None, evidence: Sequence[Path] = ()) -> Benchmark:
    """A FEVER-style JSONL of labelled claims, each line:

        {"id": "c1", "claim": "...", "label": "SUPPORTS|REFUTES|NOT ENOUGH INFO" (or supported/contradicted/
         unknown), "evidence": ["sentence", ...] or [{"id": "...", "text": "...", "title": "...", "url": "..."}],
         "language": "de" (optional, default: detected), "group": "..." (optional split unit, default: id)}

    The corpus is the pooled evidence of all lines; a claim's gold evidence is its own list. With `evidence`
    (the user's evidence folders) the claims are checked against those folders instead, as `verify check
    --evidence` would, and a line names its gold evidence by document id: "evidence_docs": ["doc-id", ...]
    (an id the folders do not hold is an error naming the line)."""
    if data is None:
        raise DataError("fever-jsonl needs --data PATH (a JSONL file of labelled claims)")
    path = Path(data)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    from verify.text import detect_language

    corpus = _load_folders(evidence) if evidence else None
    folder_ids = {d.id for d in corpus.documents} if corpus else None
    docs: dict[str, EvidenceDoc] = {}
    claims = []
    for lineno, r in read_jsonl(path):
        text = " ".join(str(r.get("claim") or r.get("text") or "").split())
        label = str(r.get("label", "")).strip().lower()
        if not text or label not in _GENERIC:
            raise DataError(f"{path}:{lineno}: needs 'claim' and a 'label' in {sorted(set(_GENERIC))}")
        lang = str(r.get("language") or detect_language(text))
        cid = str(r.get("id") if r.get("id") is not None else lineno)
        if folder_ids is not None:
            named = r.get("evidence_docs", [])
            if r.get("evidence"):
                raise DataError(f"{path}:{lineno}: with --evidence, name gold evidence by document id in "
                                "'evidence_docs', not by text in 'evidence'")
            if not isinstance(named, list) or not all(isinstance(d, str) for d in named):
                raise DataError(f"{path}:{lineno}: 'evidence_docs' must be a list of document ids")
            missing = [d for d in named if d not in folder_ids]
            if missing:
                raise DataError(f"{path}:{lineno}: no document {', '.join(map(repr, missing))} in "
                                f"{', '.join(map(str, evidence))}")
            shared = [d for d in named if d in corpus.duplicate_ids]  # type: ignore[union-attr]
            if shared:
                raise DataError(f"{path}:{lineno}: document id {', '.join(map(repr, shared))} is used by more than one "
                                f"file in {', '.join(map(str, evidence))}: give each document its own id")
            claims.append(BenchClaim(id=f"{path.stem}:{cid}", text=text, language=lang, gold=_GENERIC[label],
                                     gold_evidence=tuple(dict.fromkeys(named)),
                                     group=f"{path.stem}:{r.get('group') or cid}", corpus=path.stem))
            continue
        if "evidence_docs" in r:
            raise DataError(f"{path}:{lineno}: 'evidence_docs' names documents of an evidence folder: "
                            "give the folder with --evidence")
        gold_ids = []
        for e in r.get("evidence") or []:
            if isinstance(e, str):
                doc = EvidenceDoc(id=sentence_id("ev", e), text=" ".join(e.split()), language=lang)
            elif isinstance(e, dict) and isinstance(e.get("text"), str):
                t = " ".join(e["text"].split())
                doc = EvidenceDoc(id=str(e.get("id") or sentence_id("ev", t)), text=t, title=str(e.get("title") or ""),
                                  url=str(e.get("url") or ""), publisher=str(e.get("publisher") or ""),
                                  language=str(e.get("language") or lang))
            else:
                raise DataError(f"{path}:{lineno}: evidence entries must be strings or objects with 'text'")
            if not doc.text:
                continue
            docs.setdefault(doc.id, doc)
            if doc.id not in gold_ids:
                gold_ids.append(doc.id)
        claims.append(BenchClaim(id=f"{path.stem}:{cid}", text=text, language=lang, gold=_GENERIC[label],
                                 gold_evidence=tuple(gold_ids), group=f"{path.stem}:{r.get('group') or cid}",
                                 corpus=path.stem))
    if not claims:
        raise DataError(f"{path}: no claims")
    if corpus is not None:
        return Benchmark(path.stem, claims, {}, str(path), folders={path.stem: tuple(Path(e) for e in evidence)},
                         folders_digest=corpus.content_hash()[:16])
    if not docs:
        raise DataError(f"{path}: no evidence texts to build a corpus from")
    return Benchmark(path.stem, claims, {path.stem: list(docs.values())}, str(path))


def articles(data: Path | None) -> Benchmark:
    """A folder of articles, each a subfolder with its own evidence (`notes/`) and labelled claims
    (`claims.jsonl`: `id`, `claim`, `label`, `evidence_docs`, optional `language`): every claim is checked
    against its own article's notes only, as an editor checks an article against a small folder of notes.
    `eval/owned-articles/` is one. A subfolder's language is its `language` field, else its name's `de-`/`en-`
    prefix, else detected."""
    if data is None:
        raise DataError("articles needs --data FOLDER (subfolders with claims.jsonl and notes/)")
    root = Path(data)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    subfolders = sorted(p for p in root.iterdir() if (p / "claims.jsonl").is_file())
    if not subfolders:
        raise DataError(f"{root}: no subfolder holds a claims.jsonl")
    claims: list[BenchClaim] = []
    folders: dict[str, tuple[Path, ...]] = {}
    digests = []
    for sub in subfolders:
        notes = sub / "notes"
        if not notes.is_dir():
            raise DataError(f"{sub}: no notes/ folder")
        corpus = _load_folders([notes])
        ids = {d.id for d in corpus.documents}
        digests.append(corpus.content_hash())
        folders[sub.name] = (notes,)
        prefix = sub.name.split("-", 1)[0]
        for lineno, r in read_jsonl(sub / "claims.jsonl"):
            text = " ".join(str(r.get("claim") or "").split())
            label = str(r.get("label", "")).strip().lower()
            if not text or label not in _GENERIC:
                raise DataError(f"{sub / 'claims.jsonl'}:{lineno}: needs 'claim' and a 'label' in {sorted(set(_GENERIC))}")
            named = r.get("evidence_docs") or []
            if not isinstance(named, list) or any(d not in ids for d in named):
                raise DataError(f"{sub / 'claims.jsonl'}:{lineno}: 'evidence_docs' must list ids of {notes}")
            lang = str(r.get("language") or (prefix if prefix in ("de", "en") else "")) or None
            if lang is None:
                from verify.text import detect_language

                lang = detect_language(text)
            cid = str(r.get("id") or f"{sub.name}-{lineno}")
            claims.append(BenchClaim(id=f"{sub.name}:{cid}", text=text, language=lang, gold=_GENERIC[label],
                                     gold_evidence=tuple(named), group=f"{sub.name}:{cid}", corpus=sub.name))
    digest = hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16]
    return Benchmark(root.name, claims, {}, str(root), folders=folders, folders_digest=digest)


def _load_folders(evidence: Sequence[Path]):
    """The user's evidence folders, read as `verify check` reads them; a folder that is missing or holds
    nothing, or a file that cannot be read, is an error naming the file and line."""
    from verify.sources.files import load_corpus

    for folder in evidence:
        if not Path(folder).exists():
            raise DataError(f"{folder}: no such evidence folder")
    corpus = load_corpus([Path(e) for e in evidence])
    errors = [p for p in corpus.problems if p.severity == "error"]
    if errors or not corpus.documents:
        first = errors[0] if errors else None
        where = f"{first.path}:{first.line}" if first and first.line else (first.path if first else "")
        raise DataError(f"{where}: {first.message}" if first else
                        f"{', '.join(map(str, evidence))}: no evidence documents")
    return corpus


def load_benchmark(name: str, data: Path | None = None, evidence: Sequence[Path] = ()) -> Benchmark:
    if evidence and name != "fever-jsonl":
        raise DataError(f"--evidence is for fever-jsonl (your own labelled claims); {name} brings its own corpus")
    if name == "climate-fever":
        return climate_fever(data)
    if name == "covid-fact":
        return covid_fact(data)
    if name == "healthfc":
        return healthfc(data)
    if name in ("healthfc-de", "healthfc-en"):
        b = healthfc(data, languages=(name[-2:],))
        b.name = name
        return b
    if name == "averitec":
        return averitec(data)
    if name == "fever-jsonl":
        return fever_jsonl(data, evidence)
    if name == "articles":
        return articles(data)
    raise KeyError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
