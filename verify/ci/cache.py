"""The CI result cache: verdicts per document and judgements per judge, keyed by what they depend on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verify.ci.config import CACHE_FORMAT
from verify.config import Settings, cache_dir
from verify.identity import folder_fingerprint
from verify.models import Claim, Judgement, Passage
from verify.render.findings import CacheStats


def sha_text(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text).hexdigest()


def tool_version() -> str:
    import verify

    return verify.__version__


# Libraries whose data or code decide verdicts: CLDR names (babel), stems (PyStemmer), number words, BM25.
_VERDICT_LIBRARIES = ("babel", "PyStemmer", "text2num", "bm25s")


def code_version() -> str:
    """Hash of the package version, of the code that decides verdicts (`verify.identity.VERDICT_PARTS`) and of
    the versions of the libraries that do."""
    from importlib.metadata import PackageNotFoundError, version

    from verify.identity import code_digest

    libs = []
    for name in _VERDICT_LIBRARIES:
        try:
            libs.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            libs.append(f"{name}=-")
    return hashlib.sha256(f"{tool_version()}\0{code_digest()}\0{','.join(libs)}".encode()).hexdigest()[:16]


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
        parts.append(sha_text("\n".join(sorted(orgs)))[:16])
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
        return JudgementTable(self.folder / "judgements" / f"{sha_text(identity)[:24]}.json", self.enabled)


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
    return sha_text("\0".join((claim.text, claim.language, claim.kind.value, passage.title, passage.language,
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
