"""Where the benchmarks live and their fixed dev/test split by claim group."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

DEV_FRACTION = 0.3


def benchmarks_dir() -> Path:
    """$VERIFY_BENCHMARKS, else ../shared/benchmarks next to the repository."""
    env = os.environ.get("VERIFY_BENCHMARKS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


def split_of(group: str, dev_fraction: float = DEV_FRACTION, salt: str = "verify-bench-split-1") -> str:
    """Deterministic dev/test assignment of a claim group (claim id, source URL...): the pipeline and the
    judge-alone evaluation hold out the same claims."""
    h = int(hashlib.sha256(f"{salt}:{group}".encode()).hexdigest()[:12], 16)
    return "dev" if (h % 10_000) < dev_fraction * 10_000 else "test"
