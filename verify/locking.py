"""Inter-process file locks and atomic file writes (temp file, fsync, rename), alone or as one set."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive inter-process lock on `path` (created if missing) for the block (filelock: flock on
    POSIX, msvcrt on Windows; released by the OS when a holder dies)."""
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path), mode=0o644):
        yield


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` so that readers see either the old file or the complete new one."""
    if path.is_dir():  # else os.replace fails naming the temporary file, not the path the user gave
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _write_temp(path: Path, data: bytes) -> Path:
    """`data` in a new hidden sibling of `path`, synced to disk and readable as the target would be; removed
    again if writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would make a report others cannot read
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_record(path: Path) -> dict:
    """What a folder manifest stores per file: sha256, size and whole-second mtime."""
    st = path.stat()
    return {"sha256": sha256_file(path), "size": st.st_size, "mtime": int(st.st_mtime)}


def files_match(folder: Path, files: dict) -> bool:
    """Every file recorded by `file_record` is present and unchanged.

    Hashing hundreds of MB on every load costs seconds; size + mtime catch truncation cheaply,
    and the full hash runs only when the mtime disagrees with the manifest."""
    for rel, info in files.items():
        path = folder / rel
        try:
            st = path.stat()
        except OSError:
            return False
        if st.st_size != info["size"]:
            return False
        if int(st.st_mtime) != info["mtime"] and sha256_file(path) != info["sha256"]:
            return False
    return True


def publish_folder(tmp: Path, folder: Path) -> None:
    """Make the finished folder `tmp` (a sibling of `folder`) appear as `folder` in one rename: its files
    are synced first, a previous `folder` is replaced, and the parent directory entry is synced, so a
    reader sees the old folder or the complete new one, never a half-written one."""
    import shutil

    for path in tmp.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache may be shared
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    _fsync_dir(folder.parent)


class PublishError(Exception):
    """A file of a set could not be written; `path` names it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def publish_files(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write `files` as one set: on a failure every target keeps its old contents (or stays absent).

    Each file is first staged as a hidden temporary sibling of its target (written and fsynced), so a full
    disk or a folder that cannot be written fails before any target changes. Only then is each renamed over
    its target; should a rename fail or the process be interrupted (Ctrl-C) between renames, the targets
    already replaced are put back from hard links to their old contents (taken while staging; a filesystem
    without hard links leaves those as the new ones). The renames are one after another: a reader in that
    instant, or a power cut, can still see a mixed set. On any error the temporary files are removed and
    PublishError names the target that failed."""
    seen: dict[Path, Path] = {}
    for path, _ in files:
        key = path.resolve()
        if key in seen:
            raise PublishError(path, f"named twice in the set (also {seen[key]})")
        seen[key] = path
        if path.is_dir():
            raise PublishError(path, "is a folder")

    staged: list[Path] = []
    backups: dict[Path, Path | None] = {}  # a target that existed -> a link to its old contents, if one was made
    replaced: list[Path] = []
    try:
        for path, data in files:
            try:
                staged.append(_write_temp(path, data))
                tmp = staged[-1]
                if path.exists():
                    backups[path] = None
                    with contextlib.suppress(OSError):
                        os.link(path, tmp.with_name(tmp.name + ".old"), follow_symlinks=False)
                        backups[path] = tmp.with_name(tmp.name + ".old")
            except OSError as exc:
                raise PublishError(path, _reason(exc)) from exc

        for (path, _), tmp in zip(files, staged, strict=True):
            try:
                os.replace(tmp, path)
            except OSError as exc:
                lost = _roll_back(replaced, backups)
                note = f"; could not restore {', '.join(map(str, lost))}" if lost else ""
                raise PublishError(path, _reason(exc) + note) from exc
            except BaseException:  # KeyboardInterrupt, SystemExit: put the old set back, then go on stopping
                _roll_back(replaced, backups)
                raise
            replaced.append(path)
        for folder in {p.parent for p in replaced}:
            try:
                _fsync_dir(folder)
            except OSError as exc:
                raise PublishError(folder, f"written, but the folder could not be synced: {_reason(exc)}") from exc
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
