"""`verify serve`: the HTTP API and web page, with the models and index loaded once at start-up."""

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    from verify.cli.options import (
        EXIT_INDEX,
        EXIT_INPUT,
        EncoderOpt,
        EvidenceOpt,
        IndexDirOpt,
        JudgeOpt,
        NliOpt,
        ThresholdsOpt,
        TopKOpt,
        fail,
        make_verifier,
        settings_from,
    )

    @app.command()
    def serve(
        host: Annotated[str, typer.Option("--host", metavar="HOST", help="Interface to bind (default: this machine only).")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, metavar="PORT", help="TCP port.")] = 8000,
        evidence: EvidenceOpt = None,
        top_k: TopKOpt = None,
        encoder: EncoderOpt = None,
        judge: JudgeOpt = None,
        nli_model: NliOpt = None,
        index_dir: IndexDirOpt = None,
        thresholds: ThresholdsOpt = None,
        max_bytes: Annotated[
            int, typer.Option("--max-bytes", min=1, metavar="BYTES", help="Largest request body in bytes; larger ones get 413.")
        ] = 1_048_576,
        log_level: Annotated[str, typer.Option("--log-level", metavar="LEVEL", help="uvicorn log level.")] = "info",
    ) -> None:
        """Serve the web page at / and the API at /v1 (verify, claims, health; schema at /openapi.json)."""
        try:
            import uvicorn

            from verify.server.app import create_app
        except ImportError as exc:  # fastapi / uvicorn are dependencies, but say so plainly if missing
            raise fail(EXIT_INDEX, f"verify serve needs fastapi and uvicorn ({exc})") from exc
        if evidence:
            for p in evidence:
                if not Path(p).exists():
                    raise fail(EXIT_INPUT, f"{p}: no such file or folder")
        verifier = make_verifier(settings_from(evidence, top_k, encoder, judge, nli_model, index_dir, thresholds=thresholds))
        typer.echo("verify: warming up the models…", err=True)
        try:
            verifier.verify_text("Fluidstack wurde 2017 gegründet.", source="warm-up")
        except Exception as exc:  # a model that loads lazily and fails should fail now, not on a request
            raise fail(EXIT_INDEX, f"model warm-up failed: {exc}") from exc
        info = verifier.index_info
        corpus = f"{info.documents} documents, {info.passages} passages" if info else "no index"
        typer.echo(f"verify: encoder {verifier.encoder_id}, judges {', '.join(j.name for j in verifier.judges)}, "
                   f"{corpus}; serving on http://{host}:{port}/", err=True)
        # A longer keep-alive than uvicorn's 5 s: on a busy CPU the event loop can stall for seconds, and a
        # keep-alive timer that fires just as a client reuses the connection drops that request.
        uvicorn.run(create_app(verifier, max_bytes=max_bytes), host=host, port=port, log_level=log_level,
                    access_log=log_level == "debug", timeout_keep_alive=75)
