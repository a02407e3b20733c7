"""`verify ci`'s report files as one set: all rendered, all staged beside their targets, then all renamed in."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from verify.locking import atomic_write_bytes


class OutputError(Exception):
    """An output of the set could not be written; `path` names it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_outputs(outputs: Sequence[tuple[Path, Callable[[], str]]]) -> None:
    """Render every output to memory, then publish them together; a renderer that raises writes nothing."""
    publish([(path, render().encode("utf-8")) for path, render in outputs])


def publish(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write `files` as one set: on any failure every target keeps its old contents (or stays absent).

    Each file is first staged as a hidden temporary sibling of its target (written and fsynced), so a full
    disk or a folder that cannot be written fails before any target changes. Only then is each renamed over
    its target; should a rename fail, the targets already replaced are put back from hard links to their
    old contents (taken while staging; a filesystem without hard links leaves those as the new ones). On
    any error the temporary files are removed and OutputError names the target that failed."""
    seen: dict[Path, Path] = {}
    for path, _ in files:
        key = path.resolve()
        if key in seen:
            raise OutputError(path, f"named for two outputs (also {seen[key]})")
        seen[key] = path
        if path.is_dir():
            raise OutputError(path, "is a folder")

    staged: list[Path] = []
    backups: dict[Path, Path | None] = {}  # a target that existed -> a link to its old contents, if one was made
    replaced: list[Path] = []
    try:
        for path, data in files:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
                os.close(fd)
                tmp = Path(name)
                staged.append(tmp)
                # The one atomic writer: fsync and a mode others can read, onto the name reserved above.
                atomic_write_bytes(tmp, data)
                if path.exists():
                    backups[path] = None
                    with contextlib.suppress(OSError):
                        os.link(path, tmp.with_name(tmp.name + ".old"), follow_symlinks=False)
                        backups[path] = tmp.with_name(tmp.name + ".old")
            except OSError as exc:
                raise OutputError(path, _reason(exc)) from exc

        for (path, _), tmp in zip(files, staged, strict=True):
            try:
                os.replace(tmp, path)
            except OSError as exc:
                lost = _roll_back(replaced, backups)
                note = f"; could not restore {', '.join(map(str, lost))}" if lost else ""
                raise OutputError(path, _reason(exc) + note) from exc
            replaced.append(path)
        for folder in {p.parent for p in replaced}:
            try:
                _fsync_dir(folder)
            except OSError as exc:
                raise OutputError(folder, f"written, but the folder could not be synced: {_reason(exc)}") from exc
    finally:
        for tmp in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # already renamed away on success
        for backup in backups.values():
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.unlink(backup)


def _roll_back(replaced: list[Path], backups: dict[Path, Path | None]) -> list[Path]:
    """Put back the targets already replaced; returns those that could not be."""
    lost = []
    for path in reversed(replaced):
        try:
            if path not in backups:
                os.unlink(path)  # it was not there before the set
            elif (backup := backups[path]) is not None:
                os.replace(backup, path)
            else:
                lost.append(path)
        except OSError:
            lost.append(path)
    return lost


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
