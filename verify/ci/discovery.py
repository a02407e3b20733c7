"""Which documents `verify ci` checks: paths, include and exclude globs, git's changed files."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from verify.ci.config import CiConfig, CiError
from verify.models import Problem
from verify.sources.files import ARTICLE_SUFFIXES, shown


@lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]):
    from pathspec import PathSpec

    return PathSpec.from_lines("gitignore", patterns)


def glob_match(rel: str, patterns: Iterable[str]) -> bool:
    """Whether the repository path `rel` matches the patterns, read as .gitignore lines (pathspec): '**'
    crosses folders, '*' and '?' do not, a pattern without '/' matches at any depth, a folder matches what is
    under it, and '!' re-includes."""
    return _spec(tuple(patterns)).match_file(rel)


def relative_path(path: Path, root: Path) -> str:
    """The path as findings name it: relative to the repository root, '/'-separated."""
    path = path.resolve()
    try:
        return shown(path.relative_to(root).as_posix())
    except ValueError:
        return shown(Path(os.path.relpath(path, root)).as_posix())


def discover(paths: Sequence[Path], config: CiConfig, root: Path,
             problems: list[Problem] | None = None) -> list[tuple[str, Path]]:
    """(relative path, file) of every document to check, sorted; evidence folders are never checked.

    A file named in `paths` whose type cannot be checked is an error in `problems` (a folder's other
    files are not: a repository holds many)."""
    skip = [e.resolve() for e in config.evidence]
    found: dict[str, Path] = {}

    def left_out(f: Path) -> bool:
        """In an evidence folder, or matched by an exclude glob: never checked, named or not."""
        resolved = f.resolve()
        return (any(resolved == s or resolved.is_relative_to(s) for s in skip)
                or glob_match(relative_path(resolved, root), config.exclude))

    def consider(f: Path) -> None:
        if f.suffix.lower() in ARTICLE_SUFFIXES and not left_out(f):
            rel = relative_path(f.resolve(), root)
            if glob_match(rel, config.include):
                found[rel] = f.resolve()

    for p in paths:
        p = Path(p)
        if p.is_file() and p.suffix.lower() not in ARTICLE_SUFFIXES:
            # A named file the configuration leaves out (excluded, or evidence) is skipped as a named
            # .md there would be; only one the run was meant to check is an input error.
            if problems is not None and not left_out(p):
                problems.append(Problem(path=relative_path(p, root), message=(
                    f"unsupported file type '{p.suffix}'; not checked (verify ci checks {', '.join(sorted(ARTICLE_SUFFIXES))})")))
        elif p.is_file():
            consider(p)
        elif p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
                for name in sorted(filenames):
                    if not name.startswith("."):
                        consider(Path(dirpath) / name)
        else:
            raise CiError(f"{p}: no such file or folder")
    return sorted(found.items())


def repo_root(start: Path) -> Path:
    """The git work tree holding `start`, else `start` itself."""
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return start.resolve()
    return Path(out.stdout.strip()).resolve() if out.returncode == 0 and out.stdout.strip() else start.resolve()


def git_changed(rev: str, cwd: Path) -> set[Path]:
    """Files changed since `rev` (committed or not) and untracked files, as absolute paths."""

    def git(*args: str, where: Path) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            raise CiError("--changed-only needs git, and git is not installed") from None
        except subprocess.TimeoutExpired:
            raise CiError(f"git {' '.join(args)} took longer than 120 s") from None

    top = git("rev-parse", "--show-toplevel", where=cwd)
    if top.returncode != 0:
        raise CiError(f"--changed-only: {cwd} is not inside a git repository")
    root = Path(top.stdout.strip())
    check = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", where=root)
    if check.returncode != 0:
        raise CiError(f"--changed-only: '{rev}' is not a known git revision (fetch it first, e.g. "
                      "actions/checkout with fetch-depth: 0)")
    diff = git("diff", "--name-only", "-z", rev, "--", where=root)
    if diff.returncode != 0:
        raise CiError(f"--changed-only: git diff failed: {diff.stderr.strip()}")
    untracked = git("ls-files", "--others", "--exclude-standard", "-z", where=root)
    names = [n for n in (diff.stdout + "\0" + untracked.stdout).split("\0") if n]
    return {(root / n).resolve() for n in names}
