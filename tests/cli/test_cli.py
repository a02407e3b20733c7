"""`verify check` and `verify audit` through typer's CliRunner: exit codes and one-line errors, no tracebacks."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from verify.cli.main import app
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


def test_audit_exits_2_for_an_unreadable_article_and_not_for_evidence_problems(tmp_path, monkeypatch):
    from verify.cli import main as cli

    from ..ci.test_ci import make_verifier

    verifier = make_verifier(tmp_path)
    assert any(p.severity == "error" for p in verifier.corpus_problems)  # the fixture's malformed JSONL line
    monkeypatch.setattr(cli, "make_verifier", lambda settings: verifier)
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "a.txt").write_text("Acme Robotics was founded in 2015 in Berlin.\n", encoding="utf-8")
    (arts / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (arts / "empty.txt").write_text("", encoding="utf-8")
    r = CliRunner().invoke(app, ["audit", str(arts), "--format", "json"])
    assert r.exit_code == 2, r.output
    assert json.loads(r.stdout)["counts"]["supported"] == 1  # the rest is still reported
    assert "1 article(s) could not be read" in r.stderr
    # Evidence problems are listed, but an audit that read every article ran: 0, with or without verdicts.
    for target in (arts / "a.txt", arts / "empty.txt"):
        r = CliRunner().invoke(app, ["audit", str(target), "--format", "json"])
        assert r.exit_code == 0, r.output


def test_audit_of_a_tree_holding_its_evidence_folder_does_not_count_evidence_problems(tmp_path, monkeypatch):
    """A repository audited whole holds evidence/ too: the evidence reader's errors (a malformed JSONL
    line) are listed, but they are not articles the audit failed to read, so the exit code stays 0."""
    import shutil

    from verify.cli import main as cli

    from ..ci.test_ci import FIXTURES, make_verifier

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "evidence", repo / "evidence")
    (repo / "a.txt").write_text("Acme Robotics was founded in 2015 in Berlin.\n", encoding="utf-8")
    verifier = make_verifier(tmp_path, evidence=repo / "evidence")
    errors = [p for p in verifier.corpus_problems if p.severity == "error"]
    assert errors and all(p.path.startswith(str(repo / "evidence")) for p in errors)
    monkeypatch.setattr(cli, "make_verifier", lambda settings: verifier)
    r = CliRunner().invoke(app, ["audit", str(repo), "--format", "json"])
    assert r.exit_code == 0, r.output
    problems = json.loads(r.stdout)["problems"]
    assert any(p["path"] == e.path and p["severity"] == "error" for e in errors for p in problems)  # still listed
    # The same tree with an article that cannot be read: that one counts, once.
    (repo / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    r = CliRunner().invoke(app, ["audit", str(repo), "--format", "json"])
    assert r.exit_code == 2 and "1 article(s) could not be read" in r.stderr, r.output


def test_eval_output_to_a_folder_exits_2_before_running(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    r = CliRunner().invoke(app, ["eval", "climate-fever", "--limit", "1", "-o", str(folder)])
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)
    assert f"cannot write output: {folder}: is a folder" in r.output


def test_version():
    from verify import __version__

    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"verify {__version__}"


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
def test_empty_input_is_refused_before_any_model_loads(tmp_path, monkeypatch, text):
    from verify.cli import main as cli

    def no_models(settings):
        raise AssertionError("a model was loaded for empty input")

    monkeypatch.setattr(cli, "make_verifier", no_models)
    article = tmp_path / "empty.txt"
    article.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(article)])
    assert r.exit_code == 2, r.output
    assert f"{article}: no text to check" in r.stderr
    r = CliRunner().invoke(app, ["check", "-"], input=text)
    assert r.exit_code == 2 and "no text to check" in r.stderr


def test_fail_on_exits_1_after_writing_the_report(tmp_path, monkeypatch):
    from verify.cli import main as cli

    from ..ci.test_ci import make_verifier

    verifier = make_verifier(tmp_path)
    monkeypatch.setattr(cli, "make_verifier", lambda settings: verifier)
    article = tmp_path / "a.txt"
    article.write_text("Acme Robotics was founded in 2015 in Berlin. Acme Robotics was founded in 2011 in Berlin.\n",
                       encoding="utf-8")
    plain = CliRunner().invoke(app, ["check", str(article), "--format", "json"])
    assert plain.exit_code == 0, plain.output
    labels = [v["label"] for v in json.loads(plain.stdout)["verdicts"]]
    assert "contradicted" in labels
    for command in ("check", "audit"):
        r = CliRunner().invoke(app, [command, str(article), "--format", "json", "--fail-on", "contradicted"])
        assert r.exit_code == 1, r.output
        assert json.loads(r.stdout)["verdicts"]  # the report comes first
        assert "--fail-on contradicted" in r.stderr
    supported_only = tmp_path / "b.txt"
    supported_only.write_text("Acme Robotics was founded in 2015 in Berlin.\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(supported_only), "--fail-on", "contradicted"])
    assert r.exit_code == 0, r.output
    bad = CliRunner().invoke(app, ["check", str(supported_only), "--fail-on", "maybe"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("command", [[], ["check"], ["audit"], ["ci"], ["eval"], ["index"], ["serve"], ["train-judge"],
                                     ["schema"]])
def test_help_shows_no_python_type_names(command):
    # typer labels an option without a metavar by its Python type ("<bool>", "<list[Path]>", "{file}"):
    # every option declares a readable metavar, and flags (click's own --help included) show none.
    r = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for python_name in ("<bool>", "<str>", "<int", "<float", "<path>", "<list", "{file}", "{paths}", "<Path"):
        assert python_name not in r.output, (command, python_name)
