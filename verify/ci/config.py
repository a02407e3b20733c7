"""`verify ci` configuration: verify.toml or [tool.verify], found upward from the working directory."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from verify import DEFAULT_ENCODER
from verify.render.findings import FailOn
from verify.sources.files import ARTICLE_SUFFIXES

CACHE_FORMAT = "ci-1"  # bump when a cache entry's layout or meaning changes

BASELINE_FORMAT = "verify-baseline/1"

DEFAULT_INCLUDE = tuple(f"**/*{s}" for s in sorted(ARTICLE_SUFFIXES))

BATCH_DOCUMENTS = 16  # documents whose claims go through retrieval and the judges together

class CiError(Exception):
    """A usage or input error of `verify ci` (bad configuration, missing path, not a git repository)."""


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
    unknown = sorted(set(data) - set(CiConfig.model_fields))
    if unknown:
        import difflib

        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(CiConfig.model_fields), n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise CiError(f"{where}: unknown setting {', '.join(hints)}; known: {', '.join(sorted(CiConfig.model_fields))}")
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
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        # tomllib reports bad UTF-8 as UnicodeDecodeError; both are the user's file, so exit 2, not 1
        raise CiError(f"{path}: invalid TOML ({type(exc).__name__}: {str(exc)[:200]})") from None


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
