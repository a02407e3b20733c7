"""`verify train-judge`: train the project's NLI judge from scratch on the CPU (staged) and install it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from verify.cli.options import EXIT_INDEX, EXIT_INPUT, fail


def _finished(stage: Path) -> bool:
    """A stage of an earlier run finished: its artifact's checksum holds and its data manifest is there."""
    from verify.weights.judge import JudgeArtifactError, check_artifact

    try:
        check_artifact(stage / "artifact")
    except (JudgeArtifactError, OSError, ValueError):
        return False
    return (stage / "data_manifest.json").is_file()


def register(app: typer.Typer) -> None:
    @app.command("train-judge")
    def train_judge(
        minutes: Annotated[float, typer.Option(metavar="MIN", help="Wall-time budget of stage 1 (from the e5 base).")] = 106.0,
        continue_minutes: Annotated[float, typer.Option(
            metavar="MIN", help="Wall-time budget of stage 2 (continues from stage 1 with the v2 mix); 0 skips it.")] = 90.0,
        stage3_minutes: Annotated[float, typer.Option(
            metavar="MIN", help="Wall-time budget of stage 3 (continues from stage 2 with the v4 mix; needs stage 2); 0 skips it.")] = 80.0,
        stage4_minutes: Annotated[float, typer.Option(
            metavar="MIN", help="Wall-time budget of stage 4 (continues from stage 3 with the v6 mix: v4 plus retrieved near "
                 "neutrals; needs stage 3); 0 skips it.")] = 70.0,
        stage5_minutes: Annotated[float, typer.Option(
            metavar="MIN", help="Wall-time budget of stage 5 (continues from stage 4 with the v7 mix: the real claim-evidence "
                 "pairs of ../shared/fv-data plus as many v6 pairs; needs stage 4); 0 skips it.")] = 62.0,
        run: Annotated[Path | None, typer.Option(metavar="DIR", help="Run folder for logs and checkpoints.")] = None,
        resume: Annotated[bool, typer.Option(
            "--resume", metavar="", help="Keep the stages of --run that finished earlier (artifact checksum holds) and train from the "
                 "first that did not.")] = False,
        seed: Annotated[int, typer.Option(metavar="N", help="Random seed (data order, generated swaps, init).")] = 0,
        dev_pairs: Annotated[int, typer.Option(
            min=1, metavar="N", help="XNLI-dev pairs each stage monitors its accuracy on (monitoring only; a quick trial run "
                        "can take a few).")] = 400,
        install: Annotated[bool, typer.Option(metavar="", help="Copy the exported artifact into the install folder.")] = True,
        install_to: Annotated[Path | None, typer.Option(
            metavar="DIR", help="Install folder (created if missing); default: verify/weights/judge_artifact/, the judge "
                 "the package ships.")] = None,
    ) -> None:
        """Train the NLI judge (multilingual-e5-small cross-encoder) and export its small artifact.

        Logs go to RUN/train.log (loss, periodic XNLI-dev accuracy); the data manifest with each
        source file's sha256 to RUN/data_manifest.json. See docs/judge-model-card.md."""
        import datetime as dt

        if resume and run is None:
            raise fail(EXIT_INPUT, "--resume needs --run: the folder of the run to go on with")
        run = run or Path("runs") / f"judge-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
        stages = [(run / "stage1", ["--minutes", str(minutes), "--mix", "v1", "--lr", "5e-5", "--seed", str(seed)])]
        if continue_minutes > 0:
            stages.append((run / "stage2", ["--minutes", str(continue_minutes), "--mix", "v2", "--lr", "3e-5",
                                            "--warmup-frac", "0.03", "--seed", str(seed + 1), "--eval-every-min", "10",
                                            "--init-artifact", str(run / "stage1" / "artifact")]))
        if continue_minutes > 0 and stage3_minutes > 0:
            stages.append((run / "stage3", ["--minutes", str(stage3_minutes), "--mix", "v4", "--lr", "2e-5",
                                            "--warmup-frac", "0.1", "--seed", str(seed + 4), "--eval-every-min", "10",
                                            "--init-artifact", str(run / "stage2" / "artifact")]))
        if continue_minutes > 0 and stage3_minutes > 0 and stage4_minutes > 0:
            stages.append((run / "stage4", ["--minutes", str(stage4_minutes), "--mix", "v6", "--lr", "2e-5",
                                            "--warmup-frac", "0.1", "--seed", str(seed + 11), "--eval-every-min", "10",
                                            "--init-artifact", str(run / "stage3" / "artifact")]))
        if continue_minutes > 0 and stage3_minutes > 0 and stage4_minutes > 0 and stage5_minutes > 0:
            stages.append((run / "stage5", ["--minutes", str(stage5_minutes), "--mix", "v7", "--lr", "2e-5",
                                            "--warmup-frac", "0.1", "--seed", str(seed + 21), "--eval-every-min", "15",
                                            "--maxlen", "192",
                                            "--init-artifact", str(run / "stage4" / "artifact")]))
        trained = False  # once a stage trains, every later one must: it continues from that stage's artifact
        for folder, args in stages:
            if resume and not trained and _finished(folder):
                typer.echo(f"{folder}: finished earlier; kept (--resume)", err=True)
                continue
            trained = True
            folder.mkdir(parents=True, exist_ok=True)
            # a stage's own --maxlen (after these defaults) wins: argparse keeps the last value
            cmd = [sys.executable, "-m", "verify.training.train", "--run", str(folder), "--freeze-layers", "2",
                   "--bs", "16", "--maxlen", "128", "--dev-pairs", str(dev_pairs), *args]
            typer.echo(" ".join(cmd), err=True)
            result = subprocess.run(cmd, check=False)
            if result.returncode != 0:
                typer.echo(f"verify: error: training failed (exit {result.returncode}); see {folder}/train.log",
                           err=True)
                raise typer.Exit(EXIT_INDEX)
        run = stages[-1][0]
        artifact = run / "artifact"
        if run.name == "stage5":
            # The shipped judge is the average of stages 4 and 5: stage 5 alone reads real claims better but
            # loses German XNLI under its floor (docs/judge-model-card.md, "The choice").
            from verify.training.average import average

            artifact = average([run.parent / "stage4" / "artifact", artifact], run.parent / "average" / "artifact").parent
        if install:
            from verify.locking import PublishError, publish_files
            from verify.weights.judge import artifact_dir

            target = install_to or artifact_dir()
            try:
                if run.name == "stage5":  # the average learnt from both stages' data
                    manifest = json.dumps({"average_of": {s: json.loads((run.parent / s / "data_manifest.json").read_text(
                        encoding="utf-8")) for s in ("stage4", "stage5")}}, indent=1, ensure_ascii=False).encode()
                else:
                    manifest = (run / "data_manifest.json").read_bytes()
                files = [(target / "judge.safetensors", (artifact / "judge.safetensors").read_bytes()),
                         (target / "judge.json", (artifact / "judge.json").read_bytes()),
                         (target / "data_manifest.json", manifest)]
            except (OSError, ValueError) as exc:
                raise fail(EXIT_INDEX, f"cannot read the trained judge: {exc}") from exc
            # One set: a failed or interrupted install leaves the previous judge's three files together.
            try:
                publish_files(files)
            except PublishError as exc:
                raise fail(EXIT_INPUT, f"cannot install the judge: {exc}") from exc
            typer.echo(f"installed the judge artifact in {target}")
