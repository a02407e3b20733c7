"""Baselines: findings recorded once, so that CI fails only on new ones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from verify.ci.config import BASELINE_FORMAT, CiError
from verify.render.findings import CiResult, Finding, Level


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
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CiError(f"{path}: not a readable baseline ({type(exc).__name__}: {str(exc)[:200]})") from None
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
