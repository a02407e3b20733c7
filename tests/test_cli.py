"""`verify check` and `verify audit` through typer's CliRunner: exit codes and one-line errors, no tracebacks."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from verify.cli import app
from verify.locking import atomic_write_text


@pytest.mark.parametrize("command", ["check", "audit"])
def test_output_to_a_folder_exits_2_naming_it(tmp_path, monkeypatch, command):
    monkeypatch.setenv("VERIFY_CACHE", str(tmp_path / "cache"))
    (tmp_path / "evidence").mkdir()
    article = tmp_path / "a.txt"
    article.write_text("Fluidstack was founded in 2017.\n", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    r = CliRunner().invoke(app, [command, str(article), "--evidence", str(tmp_path / "evidence"), "--judge", "rules",
                                  "-o", str(folder)])
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)  # a one-line error, not a traceback
    assert f"cannot write output: {folder}" in r.output


def test_atomic_write_to_a_folder_names_the_folder_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError) as exc:
        atomic_write_text(tmp_path / "out", "x")
    assert exc.value.filename == str(tmp_path / "out") and exc.value.filename2 is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
