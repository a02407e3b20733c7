"""`verify ci`'s report files as one set (verify.locking.publish_files): a failure leaves every old file, no temp file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from verify import locking
from verify.ci.outputs import write_outputs
from verify.locking import PublishError, publish_files


@pytest.fixture
def targets(tmp_path) -> list[Path]:
    """Three targets in two folders; the first two hold an earlier run's reports, the third is new."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [tmp_path / "a" / "out.sarif", tmp_path / "b" / "out.xml", tmp_path / "b" / "out.json"]
    paths[0].write_text("old sarif", encoding="utf-8")
    paths[1].write_text("old junit", encoding="utf-8")
    return paths


def state(tmp_path: Path) -> dict[str, str]:
    """Every file under tmp_path (temp files included) with its text."""
    return {str(p.relative_to(tmp_path)): p.read_text(encoding="utf-8") for p in sorted(tmp_path.rglob("*"))
            if p.is_file()}


OLD = {"a/out.sarif": "old sarif", "b/out.xml": "old junit"}


def renderers(paths: list[Path]) -> list:
    return [(p, lambda p=p: f"new {p.name}") for p in paths]


def test_all_targets_are_written(tmp_path, targets):
    write_outputs(renderers(targets))
    assert state(tmp_path) == {"a/out.sarif": "new out.sarif", "b/out.xml": "new out.xml",
                               "b/out.json": "new out.json"}


def test_a_target_in_a_missing_folder_is_written(tmp_path):
    write_outputs([(tmp_path / "new" / "deep" / "r.md", lambda: "x")])
    assert state(tmp_path) == {"new/deep/r.md": "x"}


def test_a_rendering_failure_of_the_second_target_writes_none(tmp_path, targets):
    def broken() -> str:
        raise RuntimeError("renderer bug")

    with pytest.raises(RuntimeError, match="renderer bug"):
        write_outputs([(targets[0], lambda: "new"), (targets[1], broken), (targets[2], lambda: "new")])
    assert state(tmp_path) == OLD


def test_a_staging_failure_leaves_every_old_target_and_no_temp_file(tmp_path, targets, monkeypatch):
    real = locking._write_temp

    def full_disk(path: Path, data: bytes) -> Path:
        if path.parent == targets[1].parent:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(locking, "_write_temp", full_disk)
    with pytest.raises(PublishError) as err:
        write_outputs(renderers(targets))
    assert err.value.path == targets[1]
    assert str(err.value) == f"{targets[1]}: {os.strerror(errno.ENOSPC)}"
    assert state(tmp_path) == OLD


def test_a_failed_rename_puts_back_the_targets_already_replaced(tmp_path, targets, monkeypatch):
    real = os.replace

    def refuse(src, dst):
        if Path(dst) == targets[2]:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src), None, str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PublishError) as err:
        write_outputs(renderers(targets))
    assert err.value.path == targets[2] and "could not restore" not in str(err.value)
    assert state(tmp_path) == OLD  # the first two were replaced and put back; the third was never there


def test_without_hard_links_a_failed_rename_names_what_it_could_not_restore(tmp_path, targets, monkeypatch):
    real = os.replace

    def no_links(*args, **kw):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    def refuse(src, dst):
        if Path(dst) == targets[2]:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        real(src, dst)

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PublishError, match="could not restore") as err:
        write_outputs(renderers(targets))
    assert str(targets[0]) in str(err.value) and str(targets[1]) in str(err.value)
    assert set(state(tmp_path)) == set(OLD)  # no temp file left, whatever the contents


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions, and not root")
def test_a_read_only_folder_fails_before_any_target_changes(tmp_path, targets):
    targets[1].parent.chmod(0o555)
    try:
        with pytest.raises(PublishError) as err:
            write_outputs(renderers(targets))
    finally:
        targets[1].parent.chmod(0o755)
    assert err.value.path == targets[1]
    assert state(tmp_path) == OLD


def test_a_folder_or_a_path_named_twice_is_refused_before_writing(tmp_path, targets):
    with pytest.raises(PublishError, match="is a folder"):
        publish_files([(targets[0], b"new"), (tmp_path / "b", b"new")])
    with pytest.raises(PublishError, match="named twice in the set"):
        publish_files([(targets[0], b"new"), (tmp_path / "a" / ".." / "a" / "out.sarif", b"other")])
    assert state(tmp_path) == OLD


def test_an_interrupt_between_renames_puts_back_the_old_set(tmp_path, targets, monkeypatch):
    real = os.replace

    def interrupted(src, dst):
        if Path(dst) == targets[2]:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(renderers(targets))
    assert state(tmp_path) == OLD
