"""One identity of the code and models behind a result, for the eval and CI caches to key on."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# The parts whose code turns a claim and a passage into judgements. A saved judgement is reused only while
# every file under these folders (and these modules) is byte-identical.
JUDGEMENT_PARTS = ("models.py", "config.py", "text.py", "sources", "claims", "facts", "retrieval", "judging", "weights")
# The parts that turn judgements into a verdict as well: the CI result cache keys on these.
VERDICT_PARTS = (*JUDGEMENT_PARTS, "verdicts", "pipeline.py")


def _files(parts: Iterable[str], root: Path) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        path = root / part
        if path.is_dir():
            out += sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        elif path.is_file():
            out.append(path)
        else:  # a part that moved or was deleted must not hash as "nothing changed"
            raise FileNotFoundError(f"code identity: {path} does not exist")
    return out


def code_digest(parts: Iterable[str] = VERDICT_PARTS, root: Path = PACKAGE) -> str:
    """sha256 over the relative paths and bytes of every Python file of `parts` (folders or modules)."""
    h = hashlib.sha256()
    for p in _files(parts, root):
        h.update(str(p.relative_to(root)).encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def folder_fingerprint(folder: Path) -> str:
    """Identity of a model folder: file names and sizes, and the content of its small files."""
    h = hashlib.sha256()
    folder = Path(folder)
    if not folder.is_dir():
        return f"missing:{folder}"
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(folder).as_posix()}\0{st.st_size}\n".encode())
            if st.st_size < 1 << 20:
                h.update(f.read_bytes())
    return h.hexdigest()[:16]
