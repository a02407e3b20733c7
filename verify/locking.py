"""Inter-process file locks and atomic file writes (temp file, fsync, rename)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would make a report others cannot read
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


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
    dir_fd = os.open(folder.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
