"""`verify ci`: configuration, document discovery, cached incremental runs over a corpus, and baselines."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import subprocess
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from verify import DEFAULT_ENCODER
from verify.config import Settings, cache_dir
from verify.identity import folder_fingerprint
from verify.models import Claim, Judgement, Label, Passage, Problem, UnknownReason, Verdict
from verify.render.findings import CacheStats, CiResult, FailOn, Finding, Level, finding_id, normalise_claim
from verify.sources.files import ARTICLE_SUFFIXES

CACHE_FORMAT = "ci-1"  # bump when a cache entry's layout or meaning changes
BASELINE_FORMAT = "verify-baseline/1"
DEFAULT_INCLUDE = tuple(f"**/*{s}" for s in sorted(ARTICLE_SUFFIXES))
BATCH_DOCUMENTS = 16  # documents whose claims go through retrieval and the judges together



class CiError(Exception):
    """A usage or input error of `verify ci` (bad configuration, missing path, not a git repository)."""


# --------------------------------------------------------------------------- configuration


class CiConfig(BaseModel):
    """`[tool.verify]` in pyproject.toml, or the top level of verify.toml. Paths are relative to that file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    paths: tuple[Path, ...] = (Path("."),)  # documents to check when none are named on the command line
    evidence: tuple[Path, ...] = (Path("evidence"),)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    fail_on: FailOn = FailOn.CONTRADICTED
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    encoder: str = DEFAULT_ENCODER
    judges: tuple[str, ...] | None = None  # None: the pipeline's default
    nli_model: str | None = None  # a CrossEncoder folder; default: the project's own judge
    nli_backend: str = "onnx"  # onnx | torch
    top_k: int = Field(default=5, ge=1, le=50)
    baseline: Path | None = None
    thresholds: Path | None = None  # a verdict thresholds JSON (python -m verify.eval.tune --out); default: shipped


def _from_table(table: dict[str, Any], base: Path, where: str) -> CiConfig:
    data = {k.replace("-", "_"): v for k, v in table.items()}
    for key in ("paths", "evidence", "include", "exclude", "judges"):
        if isinstance(data.get(key), str):
            data[key] = [data[key]]
    try:
        cfg = CiConfig.model_validate(data)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'config'}: {e['msg']}" for e in exc.errors())
        raise CiError(f"{where}: {msgs}") from None
    return cfg.model_copy(
        update={
            "paths": tuple(base / p for p in cfg.paths),
            "evidence": tuple(base / p for p in cfg.evidence),
            "baseline": base / cfg.baseline if cfg.baseline else None,
            "thresholds": base / cfg.thresholds if cfg.thresholds else None,
        }
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise CiError(f"{path}: cannot read configuration ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CiError(f"{path}: invalid TOML ({exc})") from None


def load_config(config_file: Path | None = None, start: Path | None = None) -> tuple[CiConfig, Path | None]:
    """(configuration, the file it came from). Without `config_file`: verify.toml, else pyproject.toml's
    [tool.verify], in `start` or the nearest folder above it; no file at all gives the defaults."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise CiError(f"{path}: no such configuration file")
        data = _read_toml(path)
        if path.name == "pyproject.toml" or "tool" in data:
            table = data.get("tool", {}).get("verify")
            if table is None:
                raise CiError(f"{path}: has no [tool.verify] table")
            return _from_table(table, path.parent, f"{path} [tool.verify]"), path
        return _from_table(data, path.parent, str(path)), path
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "verify.toml"
        if candidate.is_file():
            return _from_table(_read_toml(candidate), folder, str(candidate)), candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = _read_toml(candidate).get("tool", {}).get("verify")
            if table is not None:
                return _from_table(table, folder, f"{candidate} [tool.verify]"), candidate
        if (folder / ".git").exists():
            break  # the repository root: a configuration further up belongs to something else
    return _from_table({}, here, "defaults"), None


# --------------------------------------------------------------------------- discovery


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-like glob: '**' crosses folders, '*' and '?' do not; no '/' matches at any depth."""
    p = pattern.strip().replace("\\", "/")
    anchored = "/" in p.rstrip("/")
    p = p.strip("/")
    out, i = [], 0
    while i < len(p):
        if p.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif p.startswith("**", i):
            out.append(".*")
            i += 2
        elif p[i] == "*":
            out.append("[^/]*")
            i += 1
        elif p[i] == "?":
            out.append("[^/]")
            i += 1
        elif p[i] == "[" and "]" in p[i + 1 :]:
            j = p.index("]", i + 1)
            body = p[i + 1 : j]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = j + 1
        else:
            out.append(re.escape(p[i]))
            i += 1
    regex = "".join(out)
    return re.compile(("" if anchored else "(?:.*/)?") + regex + r"\Z")


def glob_match(rel: str, patterns: Iterable[str]) -> bool:
    """Whether the repository path `rel`, or a folder above it, matches one of the patterns."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        rx = _glob_regex(pattern)
        if any(rx.match(x) for x in prefixes):
            return True
    return False


def relative_path(path: Path, root: Path) -> str:
    """The path as findings name it: relative to the repository root, '/'-separated."""
    path = path.resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def discover(paths: Sequence[Path], config: CiConfig, root: Path,
             problems: list[Problem] | None = None) -> list[tuple[str, Path]]:
    """(relative path, file) of every document to check, sorted; evidence folders are never checked.

    A file named in `paths` whose type cannot be checked is an error in `problems` (a folder's other
    files are not: a repository holds many)."""
    skip = [e.resolve() for e in config.evidence]
    found: dict[str, Path] = {}

    def left_out(f: Path) -> bool:
        """In an evidence folder, or matched by an exclude glob: never checked, named or not."""
        resolved = f.resolve()
        return (any(resolved == s or resolved.is_relative_to(s) for s in skip)
                or glob_match(relative_path(resolved, root), config.exclude))

    def consider(f: Path) -> None:
        if f.suffix.lower() in ARTICLE_SUFFIXES and not left_out(f):
            rel = relative_path(f.resolve(), root)
            if glob_match(rel, config.include):
                found[rel] = f.resolve()

    for p in paths:
        p = Path(p)
        if p.is_file() and p.suffix.lower() not in ARTICLE_SUFFIXES:
            # A named file the configuration leaves out (excluded, or evidence) is skipped as a named
            # .md there would be; only one the run was meant to check is an input error.
            if problems is not None and not left_out(p):
                problems.append(Problem(path=relative_path(p, root), message=(
                    f"unsupported file type '{p.suffix}'; not checked (verify ci checks {', '.join(sorted(ARTICLE_SUFFIXES))})")))
        elif p.is_file():
            consider(p)
        elif p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
                for name in sorted(filenames):
                    if not name.startswith("."):
                        consider(Path(dirpath) / name)
        else:
            raise CiError(f"{p}: no such file or folder")
    return sorted(found.items())


def repo_root(start: Path) -> Path:
    """The git work tree holding `start`, else `start` itself."""
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return start.resolve()
    return Path(out.stdout.strip()).resolve() if out.returncode == 0 and out.stdout.strip() else start.resolve()


def git_changed(rev: str, cwd: Path) -> set[Path]:
    """Files changed since `rev` (committed or not) and untracked files, as absolute paths."""

    def git(*args: str, where: Path) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            raise CiError("--changed-only needs git, and git is not installed") from None
        except subprocess.TimeoutExpired:
            raise CiError(f"git {' '.join(args)} took longer than 120 s") from None

    top = git("rev-parse", "--show-toplevel", where=cwd)
    if top.returncode != 0:
        raise CiError(f"--changed-only: {cwd} is not inside a git repository")
    root = Path(top.stdout.strip())
    check = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", where=root)
    if check.returncode != 0:
        raise CiError(f"--changed-only: '{rev}' is not a known git revision (fetch it first, e.g. "
                      "actions/checkout with fetch-depth: 0)")
    diff = git("diff", "--name-only", "-z", rev, "--", where=root)
    if diff.returncode != 0:
        raise CiError(f"--changed-only: git diff failed: {diff.stderr.strip()}")
    untracked = git("ls-files", "--others", "--exclude-standard", "-z", where=root)
    names = [n for n in (diff.stdout + "\0" + untracked.stdout).split("\0") if n]
    return {(root / n).resolve() for n in names}


# --------------------------------------------------------------------------- baseline


@dataclass(frozen=True)
class Baseline:
    entries: frozenset[tuple[str, str]]  # (finding id, label)
    path: str

    def suppresses(self, finding: Finding) -> bool:
        return (finding.id, finding.label.value) in self.entries


def read_baseline(path: Path) -> Baseline:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CiError(f"{path}: no such baseline file (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CiError(f"{path}: not a readable baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT or not isinstance(data.get("findings"), list):
        raise CiError(f"{path}: not a verify baseline (expected format '{BASELINE_FORMAT}')")
    try:
        entries = frozenset((str(f["id"]), str(f["label"])) for f in data["findings"])
    except (KeyError, TypeError):
        raise CiError(f"{path}: every baseline finding needs 'id' and 'label'") from None
    return Baseline(entries, str(path))


def baseline_text(result: CiResult) -> str:
    """Every contradicted or unknown (check-worthy) finding, so a later run fails only on new ones."""
    findings = [
        {"id": f.id, "label": f.label.value, "file": f.file, "line": f.line, "claim": f.claim}
        for f in result.findings
        if f.level != Level.NONE
    ]
    findings.sort(key=lambda f: (f["file"], f["line"], f["id"]))
    data = {"format": BASELINE_FORMAT, "tool_version": result.tool_version, "findings": findings}
    return json.dumps(data, indent=2) + "\n"  # ASCII escapes keep any claim text writable


# --------------------------------------------------------------------------- the cache


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text).hexdigest()


def tool_version() -> str:
    import verify

    version = getattr(verify, "__version__", None)
    if version:
        return version
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("verify")
    except PackageNotFoundError:
        return "0+unknown"


def code_version() -> str:
    """Hash of the package version and of the code that decides verdicts (`verify.identity.VERDICT_PARTS`)."""
    from verify.identity import code_digest

    return hashlib.sha256(f"{tool_version()}\0{code_digest()}".encode()).hexdigest()[:16]


def resolved_judges(settings: Settings) -> tuple[str, ...]:
    from verify.judging.registry import default_names

    return default_names(settings)


def judge_keys(settings: Settings, judges: Sequence[str]) -> dict[str, str]:
    """Each judge's identity under `settings` (its model, backend, focus), from the judge registry."""
    from verify.judging.registry import identity

    return {name: identity(name, settings) for name in judges}


def judge_identity(judge: Any, key: str = "") -> str:
    """What a judge's output depends on besides the (claim, passage) pair."""
    parts = [f"{type(judge).__module__}.{type(judge).__qualname__}", str(judge.name),
             str(getattr(judge, "version", ""))]
    orgs = getattr(judge, "organisations", None)
    if orgs is not None:
        parts.append(_sha("\n".join(sorted(orgs)))[:16])
    folder = getattr(judge, "folder", None)
    if folder is not None:
        parts.append(key or folder_fingerprint(Path(folder)))
    parts.append(code_version())
    return "|".join(parts)


class ResultCache:
    """JSON files under <cache>/ci: one per (document, run identity), and one judgement table per judge."""

    def __init__(self, folder: Path | None = None, enabled: bool = True):
        self.folder = Path(folder) if folder else cache_dir() / "ci"
        self.enabled = enabled
        self.invalid = 0

    def _doc_path(self, key: str) -> Path:
        return self.folder / "documents" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if not self.enabled:
            return None
        path = self._doc_path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, ValueError):
            self.invalid += 1
            return None
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("key") != key:
            self.invalid += 1
            return None
        return data

    def put(self, key: str, data: dict) -> None:
        if not self.enabled:
            return
        from verify.locking import atomic_write_text

        try:
            atomic_write_text(self._doc_path(key), json.dumps({"format": CACHE_FORMAT, "key": key, **data}))
        except OSError:
            pass  # a cache that cannot be written only costs time

    def judgements(self, identity: str) -> JudgementTable:
        return JudgementTable(self.folder / "judgements" / f"{_sha(identity)[:24]}.json", self.enabled)


class JudgementTable:
    """(claim, passage) -> judgement for one judge identity; loaded on first use, saved once at the end."""

    def __init__(self, path: Path, enabled: bool):
        self.path = path
        self.enabled = enabled
        self._rows: dict[str, dict] | None = None
        self.dirty = False

    @property
    def rows(self) -> dict[str, dict]:
        if self._rows is None:
            self._rows = {}
            if self.enabled:
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    if isinstance(data, dict) and data.get("format") == CACHE_FORMAT:
                        self._rows = data.get("rows", {})
                except (OSError, UnicodeDecodeError, ValueError):
                    pass
        return self._rows

    def save(self) -> None:
        if not (self.enabled and self.dirty):
            return
        from verify.locking import atomic_write_text

        try:
            atomic_write_text(self.path, json.dumps({"format": CACHE_FORMAT, "rows": self.rows}))
        except OSError:
            pass
        self.dirty = False


def pair_key(claim: Claim, passage: Passage) -> str:
    return _sha("\0".join((claim.text, claim.language, claim.kind.value, passage.title, passage.language,
                           passage.text)))[:32]


class CachedJudge:
    """A judge behind a judgement table (Judge protocol): only pairs not seen before reach the inner judge."""

    def __init__(self, inner: Any, table: JudgementTable, stats: CacheStats):
        from verify.judging.registry import kind_of

        self.inner = inner
        self.name = inner.name
        self.kind = kind_of(inner)
        self.table = table
        self.stats = stats

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        keys = [pair_key(c, p) for c, p in pairs]
        rows = self.table.rows
        fresh: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in rows:
                fresh.setdefault(k, i)
        if fresh:
            done = self.inner.judge([pairs[i] for i in fresh.values()])
            for k, j in zip(fresh, done, strict=True):
                rows[k] = j.model_dump(mode="json", exclude={"passage_id"})
            self.table.dirty = True
        self.stats.judgements_computed += len(fresh)
        self.stats.judgements_reused += len(pairs) - len(fresh)
        return [Judgement.model_validate({**rows[k], "passage_id": p.id})
                for k, (_, p) in zip(keys, pairs, strict=True)]


# --------------------------------------------------------------------------- the engine


@dataclass
class PipelineHandle:
    """What a CI run needs from the pipeline: the identity its verdicts depend on, and a Verifier on demand."""

    identity: dict[str, Any]
    make_verifier: Callable[[], Any]
    problems: list[Problem] = field(default_factory=list)  # evidence corpus problems
    encoder: str = ""
    judges: list[str] = field(default_factory=list)
    judge_keys: dict[str, str] = field(default_factory=dict)  # judge name -> what its judgements depend on
    _verifier: Any = None

    def verifier(self) -> Any:
        if self._verifier is None:
            self._verifier = self.make_verifier()
        return self._verifier


def _identity(corpus_hash: str, encoder_id: str, encoder_version: str, judges: Sequence[str],
              keys: dict[str, str], thresholds: Any, top_k: int, window: Sequence[int]) -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "code": code_version(),
        "corpus": corpus_hash,
        "encoder": [encoder_id, encoder_version],
        "judges": list(judges),
        "judge_keys": {n: keys.get(n, "") for n in judges},
        "thresholds": thresholds.model_dump(mode="json"),
        "top_k": top_k,
        "window": list(window),
    }


def pipeline_from_settings(settings: Settings) -> PipelineHandle:
    """An engine for the real pipeline. When the index on disk is current for the evidence files, nothing
    is loaded: a run whose documents are all cached never loads a model."""
    from verify.pipeline import Verifier
    from verify.retrieval.build import evidence_files, evidence_fingerprint, index_folder, manifest_is_current
    from verify.retrieval.encoders import make_encoder
    from verify.retrieval.store import IndexStore

    judges = resolved_judges(settings)
    keys = judge_keys(settings, judges)
    window = (settings.passage_sentences, settings.passage_overlap, settings.nli_focus)  # what the judges read
    encoder = make_encoder(settings.encoder, batch_size=settings.batch_size)
    manifest = IndexStore.read_manifest(index_folder(settings, encoder))
    if manifest is not None and manifest_is_current(manifest, encoder, evidence_fingerprint(
            evidence_files(settings.evidence))):
        info = manifest["info"]
        identity = _identity(info["corpus_hash"], info["encoder_id"], info["encoder_version"], judges, keys,
                             settings.thresholds, settings.top_k, window)
        problems = [Problem.model_validate(p) for p in manifest.get("problems", [])]
        return PipelineHandle(identity=identity, make_verifier=lambda: Verifier.from_settings(settings),
                      problems=problems, encoder=encoder.id, judges=list(judges), judge_keys=keys)
    verifier = Verifier.from_settings(settings)  # builds (or repairs) the index
    info = verifier.index_info
    identity = _identity(info.corpus_hash, info.encoder_id, info.encoder_version, judges, keys,
                         settings.thresholds, settings.top_k, window)
    return PipelineHandle(identity=identity, make_verifier=lambda: verifier, problems=list(verifier.corpus_problems),
                  encoder=encoder.id, judges=list(judges), judge_keys=keys, _verifier=verifier)


def settings_for(config: CiConfig) -> Settings:
    """The pipeline Settings a configuration asks for."""
    extra = {}
    if config.thresholds is not None:
        from verify.config import ThresholdsError, load_thresholds

        try:
            extra["thresholds"] = load_thresholds(config.thresholds)
        except ThresholdsError as exc:
            raise CiError(f"thresholds: {exc}") from None
    return Settings(evidence=config.evidence, encoder=config.encoder, judges=config.judges, top_k=config.top_k,
                    nli_model=config.nli_model, nli_backend=config.nli_backend, **extra)


# --------------------------------------------------------------------------- the run


def classify(verdict: Verdict, fail_on: FailOn, min_confidence: float) -> Level:
    if verdict.label == Label.SUPPORTED or verdict.unknown_reason == UnknownReason.NOT_CHECKWORTHY:
        return Level.NONE
    fails = verdict.label == Label.CONTRADICTED or fail_on == FailOn.UNKNOWN
    return Level.ERROR if fails and verdict.confidence >= min_confidence else Level.WARNING


def locate_in_source(source: str, sentence: str) -> tuple[int, int] | None:
    """(line, column) of a sentence in a file's source (HTML): its first words, whitespace-tolerant."""
    words = sentence.split()
    for n in (8, 5, 3):
        if len(words) < n:
            continue
        m = re.search(r"\s+".join(re.escape(w) for w in words[:n]), source)
        if m:
            line = source.count("\n", 0, m.start()) + 1
            return line, m.start() - (source.rfind("\n", 0, m.start()) + 1) + 1
    return None


def _record(verdict: Verdict, article: Any, html_source: str | None = None) -> dict:
    data = verdict.model_dump(mode="json")
    if html_source is not None:
        # Claims of an HTML page sit in its extracted text; point at the page's own line where we can.
        where = locate_in_source(html_source, verdict.claim.sentence)
        if where:
            data["claim"]["line"], data["claim"]["column"] = where
        return {"verdict": data, "end": [None, None]}
    end_line, end_col = article.line_col(verdict.claim.end)
    return {"verdict": data, "end": [end_line, end_col]}


def _cached_verifier(verifier: Any, cache: ResultCache, stats: CacheStats, keys: dict[str, str]
                     ) -> tuple[Any, list]:
    """A shallow copy of the verifier whose judges read and fill the judgement tables."""
    tables = [cache.judgements(judge_identity(j, keys.get(j.name, ""))) for j in verifier.judges]
    clone = copy.copy(verifier)
    clone.judges = [CachedJudge(j, t, stats) for j, t in zip(verifier.judges, tables, strict=True)]
    if hasattr(verifier, "memo"):
        from verify.pipeline import JudgementMemo

        # The persistent judgement tables are the cache here; the in-process memo would hide their hits.
        clone.memo = JudgementMemo()
    return clone, tables


def _verify_batch(verifier: Any, batch: list[tuple[str, Path, str]], cache: ResultCache,
                  problems: list[Problem]) -> dict[str, dict]:
    """Check a batch of documents together (one retrieval and one judge pass); returns rel -> entry."""
    from verify.sources.files import InputError, read_article

    claims_of: dict[str, tuple[Any, list[Claim], list[Problem]]] = {}
    for rel, path, _key in batch:
        try:
            article = read_article(path)
        except InputError as exc:
            problems.append(Problem(path=rel, line=exc.line, message=exc.message))
            continue
        doc_problems = [p.model_copy(update={"path": rel}) for p in article.problems]
        claims = verifier.extract(article.text, source=rel, article=article)
        claims_of[rel] = (article, claims, doc_problems)
    all_claims = [c for _, cs, _ in claims_of.values() for c in cs]
    verdicts = iter(verifier.verify_claims(all_claims) if all_claims else [])
    out = {}
    for rel, path, key in batch:
        if rel not in claims_of:
            continue
        article, claims, doc_problems = claims_of[rel]
        html_source = None
        if path.suffix.lower() in (".html", ".htm"):
            html_source = path.read_bytes().decode("utf-8", "replace")
        entry = {
            "path": rel,
            "records": [_record(next(verdicts), article, html_source) for _ in claims],
            "problems": [p.model_dump(mode="json") for p in doc_problems],
        }
        cache.put(key, entry)
        out[rel] = entry
    return out


def _parse_entry(entry: dict) -> tuple[list[tuple[Verdict, tuple[int | None, int | None]]], list[Problem]] | None:
    """(verdicts with their end positions, document problems) of a cache entry; None if it is not valid."""
    try:
        records = []
        for rec in entry["records"]:
            end = rec.get("end") or [None, None]
            records.append((Verdict.model_validate(rec["verdict"]), (end[0], end[1])))
        return records, [Problem.model_validate(p) for p in entry.get("problems", [])]
    except (KeyError, TypeError, IndexError, ValueError):  # pydantic's ValidationError is a ValueError
        return None


def run_ci(
    config: CiConfig,
    engine: PipelineHandle | Callable[[], PipelineHandle],
    *,
    root: Path,
    paths: Sequence[Path] | None = None,
    baseline: Baseline | None = None,
    changed_only: str | None = None,
    cache: ResultCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> CiResult:
    """Check every document under `paths` (default: the configured ones); cached documents are not re-read
    by the pipeline, and a run with every document cached loads no model. `engine` may be a factory,
    called only when there is a document to check."""
    t0 = time.perf_counter()
    root = root.resolve()
    cache = cache or ResultCache()
    unsupported: list[Problem] = []  # named files that cannot be checked: documents that could not be read
    docs = discover(list(paths) if paths else list(config.paths), config, root, unsupported)
    if changed_only is not None:
        changed = git_changed(changed_only, root)
        docs = [(rel, p) for rel, p in docs if p in changed]

    stats = CacheStats(documents=len(docs), enabled=cache.enabled)
    if not isinstance(engine, PipelineHandle):
        engine = engine() if docs else PipelineHandle(identity={}, make_verifier=lambda: None)
    identity = json.dumps(engine.identity, sort_keys=True)
    problems: list[Problem] = list(unsupported)
    entries: dict[str, dict] = {}
    misses: list[tuple[str, Path, str]] = []
    for rel, path in docs:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(path=rel, message=f"cannot read file ({exc.strerror}); skipped"))
            continue
        key = _sha(f"{identity}\0{rel}\0{_sha(data)}")
        entry = cache.get(key)
        parsed = _parse_entry(entry) if entry is not None else None
        if parsed is not None:
            entries[rel] = parsed
        else:
            if entry is not None:
                cache.invalid += 1  # readable JSON, but not a valid entry
            misses.append((rel, path, key))
    stats.hits = len(entries)
    stats.misses = len(misses)

    if misses:
        verifier, tables = _cached_verifier(engine.verifier(), cache, stats, engine.judge_keys)
        for i in range(0, len(misses), BATCH_DOCUMENTS):
            fresh = _verify_batch(verifier, misses[i : i + BATCH_DOCUMENTS], cache, problems)
            entries.update({rel: _parse_entry(entry) for rel, entry in fresh.items()})
            if progress:
                progress("checking documents", min(i + BATCH_DOCUMENTS, len(misses)), len(misses))
        for table in tables:
            table.save()
    stats.invalid = cache.invalid

    findings: list[Finding] = []
    for rel, _path in docs:
        entry = entries.get(rel)
        if entry is None:
            continue
        records, doc_problems = entry
        problems.extend(doc_problems)
        seen: Counter[str] = Counter()
        for v, (end_line, end_col) in records:
            seen[normalise_claim(v.text)] += 1
            f = Finding(
                id=finding_id(rel, v.text, seen[normalise_claim(v.text)]),
                file=rel,
                line=v.claim.line,
                column=v.claim.column,
                end_line=end_line,
                end_column=end_col,
                claim=v.text,
                sentence=v.claim.sentence,
                label=v.label,
                confidence=v.confidence,
                reason=v.reason,
                unknown_reason=v.unknown_reason,
                citations=v.citations,
                language=v.claim.language,
                level=classify(v, config.fail_on, config.min_confidence),
            )
            if baseline is not None and f.level != Level.NONE and baseline.suppresses(f):
                f = f.model_copy(update={"suppressed": True})
            findings.append(f)

    return CiResult(
        tool_version=tool_version(),
        fail_on=config.fail_on,
        min_confidence=config.min_confidence,
        findings=findings,
        documents=sorted([rel for rel, _ in docs] + [p.path for p in unsupported]),
        problems=[*(_relative_problem(p, root) for p in engine.problems), *problems],
        cache=stats,
        baseline=baseline.path if baseline else None,
        changed_only=changed_only,
        encoder=engine.encoder,
        judges=engine.judges,
        seconds=round(time.perf_counter() - t0, 3),
    )


def _relative_problem(problem: Problem, root: Path) -> Problem:
    path = Path(problem.path)
    if path.is_absolute():
        return problem.model_copy(update={"path": relative_path(path, root)})
    return problem


def exit_code(result: CiResult) -> int:
    """0 clean, 1 findings at or above the fail-on level, 2 a document could not be read."""
    if result.input_errors:
        return 2
    return 1 if result.failing else 0
