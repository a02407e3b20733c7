"""The distribution as a user installs it: a wheel and an sdist that build, and a wheel that works in a fresh
virtual environment (the command, the seed audit, and the README's Python example)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_e2e import README_API_EXAMPLE

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    out = subprocess.run([sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(dist), str(ROOT)],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    wheels = list(dist.glob("verify_claims-*.whl"))
    assert wheels and list(dist.glob("verify_claims-*.tar.gz"))
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    pip = subprocess.run([str(env_dir / "bin" / "pip"), "install", "-q", str(wheels[0])], capture_output=True,
                         text=True, timeout=1800)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(env_dir / "bin" / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True,
                          env={**env, "HF_HUB_OFFLINE": "1"}, timeout=900)


def test_the_wheel_installs_and_runs_in_a_fresh_environment(installed, tmp_path):
    from verify import __version__

    out = _run(installed, "verify", "--version", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"verify {__version__}", out.stderr
    # outside the repository: the installed package, the shipped seed and evidence named by path
    out = _run(installed, "verify", "audit", str(ROOT / "seeds"), "--evidence", str(ROOT / "evidence"),
               "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    assert len(report["verdicts"]) >= 12 and all(v["citations"] for v in report["verdicts"])
    (tmp_path / "evidence").symlink_to(ROOT / "evidence")
    out = _run(installed, "python", "-c", README_API_EXAMPLE, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[0] == "contradicted"
    where = _run(installed, "python", "-c", "import verify; print(verify.__file__)", cwd=tmp_path).stdout
    assert str(installed) in where  # the wheel's copy, not the checkout
