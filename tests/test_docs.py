"""The README stays true: its two commands, every CLI command documented, CI runs the test command."""

from __future__ import annotations

import re

from typer.main import get_command

from verify.cli.main import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented_with_an_example():
    for name in get_command(app).commands:
        assert f"verify {name}" in README, f"`verify {name}` missing from README"


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.DOTALL)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci


def test_readme_main_command_audits_seeds():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.DOTALL)
    assert any(b.strip().endswith("verify audit") and "pip install -e ." in b for b in blocks)


def _readme_invocations() -> list[list[str]]:
    """Every `verify ...` command line in the README's bash blocks, split into argv (pipes, redirects,
    `&&` chains and comments cut off)."""
    import shlex

    out = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].split(" # ", 1)[0]
            for part in re.split(r"\|\||&&|\|", line):
                part = part.strip()
                part = re.sub(r"^\.venv/bin/", "", part)
                if not part.startswith("verify "):
                    continue
                argv = shlex.split(part)[1:]
                cut = next((i for i, a in enumerate(argv) if a in (">", ">>", "<")), len(argv))
                out.append(argv[:cut])
    return out


def test_readme_examples_parse_against_the_cli():
    """Each documented example names a real command and only options it has (parsed, not run)."""
    root = get_command(app)
    seen = _readme_invocations()
    assert len(seen) > 20
    for argv in seen:
        name, rest = argv[0], argv[1:]
        if name.startswith("-"):  # a root option: verify --version, verify --no-color ...
            root.make_context("verify", list(argv), resilient_parsing=True)
            continue
        parent = root.context_class(root, info_name="verify")
        cmd = root.get_command(parent, name)
        assert cmd is not None, f"README example `verify {' '.join(argv)}`: no command {name!r}"
        try:
            cmd.make_context(name, list(rest), parent=parent)
        except Exception as exc:  # typer vendors click: match its usage errors by what they are
            if type(exc).__name__ == "Exit":
                continue
            raise AssertionError(f"README example `verify {' '.join(argv)}`: {exc}") from exc


def test_the_example_check_catches_an_unknown_option(monkeypatch):
    import pytest

    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "_readme_invocations",
                        lambda: [["audit", "--no-such-option"]] * 21)
    with pytest.raises(AssertionError, match="no-such-option"):
        test_readme_examples_parse_against_the_cli()
