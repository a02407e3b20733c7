"""`verify train-judge`: train the project's NLI judge from scratch on the CPU and install its artifact."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("train-judge")
    def train_judge(
        minutes: Annotated[float, typer.Option(help="Wall-time budget of the training loop.")] = 115.0,
        run: Annotated[Path | None, typer.Option(help="Run folder for logs and checkpoints.")] = None,
        seed: Annotated[int, typer.Option(help="Random seed (data order, generated swaps, init).")] = 0,
        install: Annotated[bool, typer.Option(help="Copy the exported artifact into verify/judge_artifact/.")] = True,
    ) -> None:
        """Train the NLI judge (multilingual-e5-small cross-encoder) and export its small artifact.

        Logs go to RUN/train.log (loss, periodic XNLI-dev accuracy); the data manifest with each
        source file's sha256 to RUN/data_manifest.json. See docs/judge-model-card.md."""
        import datetime as dt

        run = run or Path("runs") / f"judge-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
        run.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "verify.judge_training.train", "--run", str(run), "--minutes", str(minutes),
               "--freeze-layers", "2", "--bs", "16", "--lr", "5e-5", "--maxlen", "128", "--seed", str(seed)]
        typer.echo(" ".join(cmd), err=True)
        result = subprocess.run(cmd, check=False)
        if result.returncode != 0:
            typer.echo(f"verify: error: training failed (exit {result.returncode}); see {run}/train.log", err=True)
            raise typer.Exit(3)
        if install:
            from verify.nli_model import artifact_dir

            target = artifact_dir()
            for name in ("judge.safetensors", "judge.json"):
                shutil.copy2(run / "artifact" / name, target / name)
            shutil.copy2(run / "data_manifest.json", target / "data_manifest.json")
            typer.echo(f"installed the judge artifact in {target}")
