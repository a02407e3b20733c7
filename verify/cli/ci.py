"""`verify ci`: check a folder of documents in CI; SARIF / JUnit / Markdown / JSON; exit 0, 1 or 2."""

from __future__ import annotations

import sys
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from verify.cli.options import EXIT_INDEX, EXIT_INPUT, EXIT_OK, FailOn, fail


class CiFormat(str, Enum):
    text = "text"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"
    json = "json"


def _renderer(fmt: str):
    from verify.render.ci_markdown import render_ci_markdown
    from verify.render.findings import render_ci_json, render_ci_text
    from verify.render.junit import render_junit
    from verify.render.sarif import render_sarif

    return {"text": render_ci_text, "sarif": render_sarif, "junit": render_junit,
            "markdown": render_ci_markdown, "json": render_ci_json}[fmt]


def ci(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATHS", help="Documents or folders to check (default: `paths` from the configuration, else '.').")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", metavar="FILE", help="verify.toml, or pyproject.toml with a tool.verify table; default: the nearest, from '.' up.")] = None,
    evidence: Annotated[list[Path] | None, typer.Option(
        "--evidence", "-e", metavar="PATH", help="Evidence folder (repeatable); overrides the configuration.")] = None,
    fmt: Annotated[CiFormat, typer.Option("--format", "-f", help="What to print on standard output.")] = CiFormat.text,
    sarif: Annotated[Path | None, typer.Option("--sarif", metavar="FILE", help="Also write SARIF 2.1.0 to FILE.")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", metavar="FILE", help="Also write JUnit XML to FILE.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", metavar="FILE", help="Also write a PR-comment summary to FILE.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", metavar="FILE", help="Also write the JSON result to FILE.")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Fail on contradicted claims, or on contradicted and unknown ones.")] = None,
    min_confidence: Annotated[float | None, typer.Option(
        "--min-confidence", min=0.0, max=1.0, metavar="P", help="Findings below this confidence warn but do not fail.")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", metavar="FILE", help="Fail only on findings not recorded in this baseline file.")] = None,
    write_baseline: Annotated[Path | None, typer.Option(
        "--write-baseline", metavar="FILE", help="Record the current findings in FILE and exit 0.")] = None,
    changed_only: Annotated[str | None, typer.Option(
        "--changed-only", metavar="REV", help="Check only documents changed since the git revision REV.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", metavar="", help="Neither read nor write the result cache.")] = False,
    judge: Annotated[list[str] | None, typer.Option(
        "--judge", metavar="NAME", help="Judges (repeatable): rules, nli. Default: from the configuration, else the pipeline's.")] = None,
    encoder: Annotated[str | None, typer.Option("--encoder", metavar="NAME", help="Encoder (default: from the configuration).")] = None,
    nli_model: Annotated[str | None, typer.Option("--nli-model", metavar="FOLDER", help="A CrossEncoder folder with NLI labels.")] = None,
    nli_backend: Annotated[str | None, typer.Option("--nli-backend", metavar="onnx|torch", help="onnx (float32 export, default) | torch.")] = None,
    thresholds: Annotated[Path | None, typer.Option(
        "--thresholds", metavar="FILE", help="Verdict thresholds JSON; overrides the configuration (default: the shipped ones).")] = None,
) -> None:
    """Check documents in CI: exit 0 clean, 1 findings at or above --fail-on, 2 usage or input error."""
    from verify.ci import (
        CiError,
        ResultCache,
        baseline_text,
        exit_code,
        load_config,
        read_baseline,
        repo_root,
        run_ci,
        settings_for,
    )
    from verify.ci import pipeline as ci_pipeline
    from verify.ci.outputs import write_outputs
    from verify.locking import PublishError
    from verify.render.findings import FailOn

    try:
        cfg, _source = load_config(config)
        updates: dict = {}
        if evidence:
            updates["evidence"] = tuple(evidence)
        if fail_on is not None:
            updates["fail_on"] = FailOn(fail_on.value)
        if min_confidence is not None:
            updates["min_confidence"] = min_confidence
        if judge:
            updates["judges"] = tuple(judge)
        if encoder:
            updates["encoder"] = encoder
        if nli_model:
            updates["nli_model"] = nli_model
        if nli_backend:
            updates["nli_backend"] = nli_backend
        if thresholds:
            updates["thresholds"] = thresholds
        cfg = cfg.model_copy(update=updates)
        if write_baseline and changed_only:
            raise CiError("--write-baseline records every finding; it cannot be combined with --changed-only")
        for e in cfg.evidence:
            if not e.exists():
                raise CiError(f"{e}: evidence folder not found (set `evidence` in the configuration or --evidence)")
        base_file = baseline or (cfg.baseline if not write_baseline else None)
        base = read_baseline(base_file) if base_file and (baseline or base_file.exists()) else None
    except CiError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc

    from verify.retrieval.store import IndexStoreError
    from verify.sources.files import InputError

    try:
        settings = settings_for(cfg)
        result = run_ci(cfg, lambda: ci_pipeline.pipeline_from_settings(settings), root=repo_root(Path.cwd()), paths=paths, baseline=base,
                        changed_only=changed_only, cache=ResultCache(enabled=not no_cache))
    except (CiError, InputError) as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    except (IndexStoreError, ValueError, RuntimeError) as exc:
        raise fail(EXIT_INDEX, str(exc)) from exc

    # One set: every file is rendered before any is written, and a failed write leaves all the old ones,
    # so a later CI step never reads a new SARIF beside a stale JUnit.
    outputs = [(target, partial(_renderer(name), result)) for name, target in (
        ("sarif", sarif), ("junit", junit), ("markdown", markdown), ("json", json_out)) if target]
    if write_baseline:
        outputs.append((write_baseline, partial(baseline_text, result)))
    printed = _renderer(fmt.value)(result)
    try:
        write_outputs(outputs)
    except PublishError as exc:
        raise fail(EXIT_INPUT, f"cannot write output: {exc}") from exc
    sys.stdout.write(printed)
    if write_baseline:
        recorded = sum(1 for f in result.findings if f.level.value != "none")
        typer.echo(f"baseline: {recorded} findings recorded in {write_baseline}", err=True)
        raise typer.Exit(EXIT_INPUT if result.input_errors else EXIT_OK)
    raise typer.Exit(exit_code(result))


def register(app: typer.Typer) -> None:
    app.command("ci")(ci)
