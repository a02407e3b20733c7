"""The `verify` command line: thin typer commands over the library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from verify.cli.options import (
    EXIT_INDEX,
    EXIT_INPUT,
    ActorsOpt,
    BackendOpt,
    EncoderOpt,
    EngineKind,
    EngineOpt,
    EvidenceOpt,
    FailOnOpt,
    Format,
    FormatOpt,
    Group,
    IndexDirOpt,
    JudgeOpt,
    NliOpt,
    OutputOpt,
    RayAddressOpt,
    ThresholdsOpt,
    TopKOpt,
    check_output,
    emit,
    exit_for,
    fail,
    make_verifier,
    progress,
    ray_engine,
    settings_from,
)

app = typer.Typer(
    name="verify",
    cls=Group,
    help="Offline, multilingual (German/English) fact-checking: claims -> evidence -> supported/contradicted/unknown.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _version(value: bool) -> None:
    if value:
        from verify import __version__

        typer.echo(f"verify {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", metavar="", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", metavar="", help="No colour in terminal output (as NO_COLOR=1).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", metavar="", help="No progress display and no model-preparation "
                                                               "messages (errors and warnings still show).")] = False,
) -> None:
    """Offline, multilingual (German/English) fact-checking: claims -> evidence -> supported/contradicted/unknown."""
    import os

    if no_color:
        os.environ["NO_COLOR"] = "1"
    if quiet:
        os.environ["VERIFY_QUIET"] = "1"


@app.command()
def check(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Article file (.txt, .md, .html) or '-' for standard input.")],
    lines: Annotated[bool, typer.Option("--lines", metavar="", help="Each input line is one claim.")] = False,
    evidence: EvidenceOpt = None,
    fmt: FormatOpt = Format.table,
    top_k: TopKOpt = None,
    encoder: EncoderOpt = None,
    judge: JudgeOpt = None,
    nli_model: NliOpt = None,
    nli_backend: BackendOpt = None,
    index_dir: IndexDirOpt = None,
    language: Annotated[str | None, typer.Option("--language", metavar="de|en", help="de or en (default: detected).")] = None,
    output: OutputOpt = None,
    thresholds: ThresholdsOpt = None,
    fail_on: FailOnOpt = None,
) -> None:
    """Check one article: every claim labelled supported / contradicted / unknown, with citations."""
    from verify.sources.files import InputError, read_article

    check_output(output)
    try:
        article = read_article(file)
    except InputError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    if not article.text.strip():  # before any model loads
        raise fail(EXIT_INPUT, f"{article.path or file}: no text to check (the input is empty)")
    verifier = make_verifier(settings_from(evidence, top_k, encoder, judge, nli_model, index_dir, nli_backend, thresholds))
    report = verifier.verify_text(article.text, source=article.path, lines=lines, language=language,
                                  top_k=top_k, article=article)
    emit(report, fmt, output, article.text)
    exit_for(report, fail_on)


@app.command()
def audit(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATHS",
                                                       help="Files or folders of articles. Default: seeds/")] = None,
    evidence: EvidenceOpt = None,
    fmt: FormatOpt = Format.table,
    top_k: TopKOpt = None,
    encoder: EncoderOpt = None,
    judge: JudgeOpt = None,
    nli_model: NliOpt = None,
    nli_backend: BackendOpt = None,
    index_dir: IndexDirOpt = None,
    output: OutputOpt = None,
    engine: EngineOpt = EngineKind.local,
    ray_address: RayAddressOpt = None,
    actors: ActorsOpt = None,
    thresholds: ThresholdsOpt = None,
    fail_on: FailOnOpt = None,
) -> None:
    """Audit the claims of every article under PATHS (default: seeds/) against the evidence corpus."""
    from verify.sources.files import InputError

    check_output(output)
    targets = paths or [Path("seeds")]
    for t in targets:
        if not t.exists():
            raise fail(EXIT_INPUT, f"{t}: no such file or folder")
    settings = settings_from(evidence, top_k, encoder, judge, nli_model, index_dir, nli_backend, thresholds)
    try:
        if engine is EngineKind.ray:
            from verify.retrieval.store import IndexStoreError

            try:
                report, corpus_problems = ray_engine(ray_address).audit(settings, targets, top_k=top_k,
                                                                         actors=actors)
            except (IndexStoreError, ValueError) as exc:
                raise fail(EXIT_INDEX, str(exc)) from exc
        else:
            verifier = make_verifier(settings)
            bar, update = progress()
            if bar:  # on a terminal: articles checked so far (silent when piped)
                with bar:
                    report = verifier.audit(targets, top_k=top_k, progress=update)
            else:
                report = verifier.audit(targets, top_k=top_k)
            corpus_problems = verifier.corpus_problems
    except InputError as exc:
        raise fail(EXIT_INPUT, str(exc)) from exc
    emit(report, fmt, output)
    from verify.pipeline import unreadable_articles

    # The report covers the rest, but the audit is incomplete; evidence problems only list what was skipped.
    unread = unreadable_articles(report, targets, corpus_problems)
    if unread:
        raise fail(EXIT_INPUT, f"{len(unread)} article(s) could not be read; see the report's problems")
    exit_for(report, fail_on)


@app.command()
def index(
    evidence: EvidenceOpt = None,
    encoder: EncoderOpt = None,
    index_dir: IndexDirOpt = None,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Rebuild even if the index is current.")] = False,
    index_type: Annotated[
        str | None, typer.Option("--index-type", metavar="TYPE", help="flat-ip | hnsw | ivf-pq (default: chosen by corpus size).")
    ] = None,
    engine: EngineOpt = EngineKind.local,
    ray_address: RayAddressOpt = None,
    actors: ActorsOpt = None,
) -> None:
    """Build (or check) the evidence index; it is also built automatically on first use."""
    import time

    from verify.models import Problem
    from verify.retrieval.build import ensure_index, index_folder, make_cached_encoder
    from verify.retrieval.store import IndexStore, IndexStoreError
    from verify.sources.files import InputError

    settings = settings_from(evidence, encoder=encoder, index_dir=index_dir)
    try:
        enc = make_cached_encoder(settings)
        t0 = time.perf_counter()
        bar, update = progress()
        if engine is EngineKind.ray:
            ray = ray_engine(ray_address)
            # build_index keeps a current index as it is, like ensure_index: "rebuilt" is whether it embedded.
            before = IndexStore.read_manifest(index_folder(settings, enc))
            store = ray.build_index(settings, index_type=index_type, actors=actors, force=force)
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
        raise fail(EXIT_INPUT, str(exc)) from exc
    except (IndexStoreError, ValueError, RuntimeError) as exc:
        raise fail(EXIT_INDEX, str(exc)) from exc
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


def _register_commands() -> None:
    """The commands that live in modules of their own; each module keeps its heavy imports inside the command."""
    from verify.cli import ci, eval, serve, train

    for module in (eval, ci, serve, train):
        module.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
