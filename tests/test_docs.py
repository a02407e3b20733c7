"""The README stays true: its two commands, every CLI command documented, CI runs the test command."""

from __future__ import annotations

import re

from typer.main import get_command

from verify.cli import app

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
