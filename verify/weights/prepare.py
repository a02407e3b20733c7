"""The one-time preparation of a model folder, said once to the user, with library warnings kept out."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def preparing(what: str) -> Iterator[None]:
    """Tell the user (on standard error) what is being prepared once and how long it took; torch's tracer
    warnings and the transformers logger say nothing a user can act on, so they are silenced meanwhile.
    VERIFY_QUIET=1 silences the two lines too."""
    quiet = bool(os.environ.get("VERIFY_QUIET"))
    if not quiet:
        print(f"verify: preparing {what} (once; kept in the cache)...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    loggers = [logging.getLogger(n) for n in ("transformers", "torch", "sentence_transformers")]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
    if not quiet:
        print(f"verify: {what} ready ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
