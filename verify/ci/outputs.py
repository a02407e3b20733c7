"""`verify ci`'s report files as one set: all rendered, then published together (verify.locking.publish_files)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from verify.locking import publish_files


def write_outputs(outputs: Sequence[tuple[Path, Callable[[], str]]]) -> None:
    """Render every output to memory, then publish them together; a renderer that raises writes nothing."""
    publish_files([(path, render().encode("utf-8")) for path, render in outputs])
