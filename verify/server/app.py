"""The HTTP API and the web page over one loaded Verifier (FastAPI); model calls batched on one thread."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator

from verify import __version__ as VERSION
from verify.models import Claim, IndexInfo, Problem, Report, Verdict
from verify.pipeline import Verifier

DEFAULT_MAX_BYTES = 1_048_576  # 1 MiB of request body: a long article is ~50 KB
RENDER_FACTOR = 16  # /v1/render carries a whole report (citations repeat passages), so it may be larger
# One request's work is bounded, so it cannot hold the model thread for minutes while others wait: at most
# MAX_CLAIMS claims (413), no "sentence" longer than MAX_SENTENCE_CHARS (422; splitting and the judges cost grows
# with it, and a megabyte without a full stop is no article).
MAX_CLAIMS = 300
MAX_SENTENCE_CHARS = 5_000
_SENTENCE_BREAK = re.compile(r"[.!?。\n]")


def check_work(text: str) -> None:
    """Refuse, before any model runs, text whose longest unbroken run would cost more than a sentence should."""
    longest = max((len(part) for part in _SENTENCE_BREAK.split(text)), default=0)
    if longest > MAX_SENTENCE_CHARS:
        raise HTTPException(422, f"a sentence of {longest:,} characters; the limit is {MAX_SENTENCE_CHARS:,} "
                                 "(split the text into sentences)")
DEFAULT_MAX_PENDING = 256  # model jobs waiting for the worker before new ones get 503
WEB_DIR = Path(__file__).parent / "web"  # package data; read in place (no zip installs)

# The page and its assets come from this server only; nothing is fetched from elsewhere.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")




def _clean(text: str) -> str:
    """Lone surrogates (valid JSON escapes, invalid Unicode) become '?': same length, so offsets hold."""
    return text.encode("utf-8", "replace").decode("utf-8") if re.search("[\ud800-\udfff]", text) else text


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The article (plain text). Claim spans in the report index into it, "
                                  "counted in Unicode code points.")
    language: Literal["de", "en"] | None = Field(None, description="de or en; detected when absent.")
    top_k: int | None = Field(None, ge=1, le=50, description="Evidence passages per claim (default: server's).")
    lines: bool = Field(False, description="Each non-empty line is one claim, taken as written.")

    @field_validator("text")
    @classmethod
    def _clean_text(cls, v: str) -> str:
        return _clean(v)


class ClaimsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    language: Literal["de", "en"] | None = None
    lines: bool = False

    @field_validator("text")
    @classmethod
    def _clean_text(cls, v: str) -> str:
        return _clean(v)


class ArticleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="File name; its suffix (.txt, .md, .markdown, .html, .htm) picks the reader.")
    content: str = Field(description="The file's text.")


class ArticleText(BaseModel):
    text: str = Field(description="The text the CLI would check for this file (front matter or markup removed).")
    title: str = ""
    problems: list[Problem] = Field(default_factory=list)


class RenderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: Report
    format: Literal["json", "markdown", "html"] = "html"
    text: str | None = Field(None, description="The article, so the HTML report can highlight claims in place.")


class JudgeInfo(BaseModel):
    name: str
    version: str = ""


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str = Field(description="verify package version")
    schema_version: str = Field(description="Report schema version")
    encoder: str
    encoder_version: str = ""
    judges: list[JudgeInfo]
    thresholds_version: str = ""
    index: IndexInfo | None = None
    corpus_documents: int = 0
    corpus_passages: int = 0
    max_bytes: int
    concurrency: str
    queued: int = Field(0, description="requests waiting for the model thread now")
    batches: int = Field(0, description="model passes run since start")
    batched_requests: int = Field(0, description="requests answered by those passes")


class ErrorBody(BaseModel):
    detail: str


class _SecurityHeaders:
    """ASGI middleware: CSP, nosniff and no-referrer on every response that has not set them. A plain ASGI
    wrapper of `send`, not Starlette's BaseHTTPMiddleware, which raises "No response returned" when a client
    hangs up mid-body and nothing answers."""

    HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"no-referrer"))

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyLimit:
    """ASGI middleware: a POST body over the limit gets 413 before any handler (or model) sees it.

    It checks Content-Length up front and counts streamed bytes too (chunked bodies have no length)."""

    def __init__(self, app, limit_for: Callable[[str], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                n = int(declared)
            except ValueError:
                await _send_json(send, 400, {"detail": "invalid Content-Length header"})
                return
            if n > limit:
                await _too_large(send, n, limit)
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(send, size, limit, at_least=True)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        data = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _send_json(send, status: int, payload: dict, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send, size: int, limit: int, at_least: bool = False) -> None:
    got = f"at least {size}" if at_least else str(size)
    await _send_json(send, 413, {
        "detail": f"request body too large: {got} bytes; the limit is {limit} bytes "
                  "(the server's --max-bytes). Split the article, or raise the limit."
    })


@dataclass(frozen=True)
class _Job:
    kind: Literal["verify", "claims", "verdicts"]
    text: str
    language: str | None = None
    top_k: int | None = None
    lines: bool = False
    claims: tuple[Claim, ...] = ()  # "verdicts": claims already extracted, one share of a long article


# A long article is checked in shares of this many claims, each a job of its own: the model thread then takes
# other requests between them instead of holding them for the whole article.
SHARE_CLAIMS = 16
LONG_TEXT = 2_000  # characters from which an article is extracted first and checked in shares


def run_batch(verifier: Verifier, jobs: Sequence[_Job]
              ) -> list[Report | list[Claim] | list[Verdict] | Exception]:
    """Answer several requests with one pass through the models: the claims of every `verify` job (per
    top_k) go through retrieval and the judges together, so the encoder sees one batch, not N.

    Each claim is judged on its own, so a request's verdicts do not depend on what it was batched with
    (up to float rounding inside batched encoders). A failing batch is retried job by job, so one bad
    request gets its own error and does not fail the others. Runs on the model thread only."""
    t0 = time.perf_counter()
    out: list[Report | list[Claim] | Exception | None] = [None] * len(jobs)
    claims_of: dict[int, list[Claim]] = {}
    for i, job in enumerate(jobs):
        if job.kind == "verdicts":
            claims_of[i] = list(job.claims)
            continue
        try:
            claims_of[i] = verifier.extract(job.text, source="api", lines=job.lines, language=job.language)
        except Exception as exc:  # reported to that request only
            out[i] = exc
            continue
        if job.kind == "verify" and len(claims_of[i]) > MAX_CLAIMS:
            out[i] = HTTPException(413, f"{len(claims_of[i])} claims in one request; the limit is {MAX_CLAIMS} "
                                        "(send the article in parts)")
            del claims_of[i]
    groups: dict[int, list[int]] = defaultdict(list)
    for i, job in enumerate(jobs):
        if i not in claims_of:
            continue
        if job.kind == "claims":
            out[i] = claims_of[i]
        else:
            groups[job.top_k or verifier.top_k].append(i)
    verdicts_of: dict[int, list[Verdict]] = {}
    for k, members in groups.items():
        try:
            flat = verifier.verify_claims([c for i in members for c in claims_of[i]], k)
            pos = 0
            for i in members:
                verdicts_of[i] = flat[pos : pos + len(claims_of[i])]
                pos += len(claims_of[i])
        except Exception:  # isolate the culprit
            for i in members:
                try:
                    verdicts_of[i] = verifier.verify_claims(claims_of[i], k)
                except Exception as exc:
                    out[i] = exc
    seconds = round(time.perf_counter() - t0, 3)
    for i, verdicts in verdicts_of.items():
        if jobs[i].kind == "verdicts":
            out[i] = verdicts  # type: ignore[assignment]  # a share: the endpoint assembles the report
            continue
        claims = claims_of[i]
        # Verifier.report, as verify_text fills it, so the API answers exactly what the CLI prints.
        out[i] = verifier.report("api", verdicts, [], seconds,
                                 jobs[i].language or (claims[0].language if claims else ""))
    return [r if r is not None else RuntimeError("request was not processed") for r in out]


class _ModelWorker:
    """Every model call (encoder, FAISS, BM25, judges, language detection) runs on ONE thread.

    The backends are not all thread-safe (numpy/torch encoders, lazily loaded models), and on a CPU box a
    second thread only splits the same cores. Requests queue on the event loop; whenever the thread is
    free it takes everything waiting (up to `max_batch` requests / `max_batch_chars` characters) as one
    batch (`run_batch`). The event loop stays free for /v1/health and the page; more than `max_pending`
    waiting requests get 503."""

    def __init__(self, verifier: Verifier, max_pending: int, max_batch: int = 32, max_batch_chars: int = 200_000):
        self.verifier = verifier
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-model")
        self.max_pending = max_pending
        self.max_batch = max_batch
        self.max_batch_chars = max_batch_chars
        self.pending = 0
        self.batches = 0  # model passes run, and requests they answered (reported by /v1/health)
        self.batched_requests = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None

    def _ensure_consumer(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._consume(self._queue))
        assert self._queue is not None  # set with the running task
        return self._queue

    async def submit(self, job: _Job):
        if self.pending >= self.max_pending:
            raise HTTPException(503, f"server busy: {self.pending} requests queued; retry shortly",
                                headers={"Retry-After": "1"})
        queue = self._ensure_consumer()
        future = asyncio.get_running_loop().create_future()
        self.pending += 1
        try:
            queue.put_nowait((job, future))
            result = await future
        finally:
            self.pending -= 1
        if isinstance(result, Exception):
            raise result
        return result

    async def _consume(self, queue: asyncio.Queue) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            chars = len(batch[0][0].text)
            while not queue.empty() and len(batch) < self.max_batch and chars < self.max_batch_chars:
                batch.append(queue.get_nowait())
                chars += len(batch[-1][0].text)
            live = [(job, fut) for job, fut in batch if not fut.done()]  # the client may have gone
            if not live:
                continue
            try:
                results = await loop.run_in_executor(self.executor, run_batch, self.verifier,
                                                     [job for job, _ in live])
            except Exception as exc:  # e.g. the executor shut down
                results = [exc] * len(live)
            self.batches += 1
            self.batched_requests += len(live)
            for (_, fut), result in zip(live, results):
                if not fut.done():
                    fut.set_result(result)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _judge_info(judge: Any) -> JudgeInfo:
    version = str(getattr(judge, "version", "") or "")
    folder = getattr(judge, "folder", None)
    if not version and folder is not None:
        version = Path(folder).name
    return JudgeInfo(name=str(judge.name), version=version)


def health_of(verifier: Verifier, max_bytes: int, worker: _ModelWorker | None = None) -> Health:
    info = verifier.index_info
    return Health(
        version=VERSION,
        schema_version=Report.model_fields["schema_version"].default,
        encoder=verifier.encoder_id or (info.encoder_id if info else ""),
        encoder_version=info.encoder_version if info else "",
        judges=[_judge_info(j) for j in verifier.judges],
        thresholds_version=str(getattr(verifier.thresholds, "version", "")),
        index=info,
        corpus_documents=info.documents if info else 0,
        corpus_passages=info.passages if info else 0,
        max_bytes=max_bytes,
        concurrency="model calls serialised on one worker thread; waiting requests batched",
        queued=worker.pending if worker else 0,
        batches=worker.batches if worker else 0,
        batched_requests=worker.batched_requests if worker else 0,
    )


def article_text(name: str, content: str) -> ArticleText:
    """The text `verify check FILE` would read from this file: front matter stripped, HTML to text."""
    from verify.sources.files import html_to_text, split_front_matter

    problems: list[Problem] = []
    suffix = Path(name).suffix.lower()
    content = _clean(content.removeprefix("\ufeff"))
    if suffix in (".md", ".markdown"):
        meta, body, _ = split_front_matter(Path(name), content, problems)
        return ArticleText(text=body, title=str(meta.get("title") or ""), problems=problems)
    if suffix in (".html", ".htm"):
        title, body = html_to_text(content)
        return ArticleText(text=body, title=title, problems=problems)
    if suffix not in ("", ".txt", ".text"):
        raise HTTPException(415, f"unsupported file type '{suffix}': use .txt, .md or .html")
    return ArticleText(text=content)


def create_app(
    verifier: Verifier,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pending: int = DEFAULT_MAX_PENDING,
) -> FastAPI:
    """The app over an already loaded Verifier (inject fakes in tests). Bodies over `max_bytes` get 413."""
    worker = _ModelWorker(verifier, max_pending)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        worker.close()

    app = FastAPI(
        title="verify",
        version=VERSION,
        description=(
            "Offline German/English claim verification. `POST /v1/verify` returns the same Report the CLI "
            f"prints with `--format json`. Request bodies are limited to {max_bytes} bytes "
            f"({max_bytes * RENDER_FACTOR} for `/v1/render`); larger ones get 413. Model calls are "
            "serialised on one worker thread; concurrent requests queue and are batched together."
        ),
        docs_url=None,  # Swagger UI / ReDoc load scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.verifier = verifier
    app.state.worker = worker
    app.state.max_bytes = max_bytes

    def limit_for(path: str) -> int:
        return max_bytes * RENDER_FACTOR if path == "/v1/render" else max_bytes

    app.add_middleware(_BodyLimit, limit_for=limit_for)

    app.add_middleware(_SecurityHeaders)

    errors: dict[int | str, dict[str, Any]] = {
        413: {"model": ErrorBody, "description": f"body over {max_bytes} bytes, or over {MAX_CLAIMS} claims"},
        422: {"model": ErrorBody, "description": f"a sentence over {MAX_SENTENCE_CHARS} characters"},
        503: {"model": ErrorBody, "description": "too many requests queued"},
    }

    @app.post("/v1/verify", response_model=Report, responses=errors, summary="Verify an article")
    async def verify_article(body: VerifyRequest) -> Response:
        check_work(body.text)
        if len(body.text) < LONG_TEXT:
            report = await worker.submit(_Job("verify", body.text, body.language, body.top_k, body.lines))
            return Response(report.model_dump_json(), media_type="application/json")
        # A long article: its claims first, then its verdicts in shares, so short requests are served between
        # them (the verdicts are the same: each claim is judged on its own).
        t0 = time.perf_counter()
        claims = await worker.submit(_Job("claims", body.text, body.language, None, body.lines))
        if len(claims) > MAX_CLAIMS:
            raise HTTPException(413, f"{len(claims)} claims in one request; the limit is {MAX_CLAIMS} "
                                     "(send the article in parts)")
        verdicts: list[Verdict] = []
        for start in range(0, len(claims), SHARE_CLAIMS):
            share = tuple(claims[start:start + SHARE_CLAIMS])
            verdicts += await worker.submit(_Job("verdicts", "", body.language, body.top_k, claims=share))
        report = verifier.report("api", verdicts, [], time.perf_counter() - t0,
                                 body.language or (claims[0].language if claims else ""))
        return Response(report.model_dump_json(), media_type="application/json")

    @app.post("/v1/claims", response_model=list[Claim], responses=errors, summary="Extract claims only")
    async def extract_claims(body: ClaimsRequest) -> Response:
        check_work(body.text)
        claims = await worker.submit(_Job("claims", body.text, body.language, None, body.lines))
        return Response("[" + ",".join(c.model_dump_json() for c in claims) + "]", media_type="application/json")

    @app.get("/v1/health", response_model=Health, summary="Model, judge and index versions; corpus size")
    async def health() -> Health:
        return health_of(verifier, max_bytes, worker)

    @app.post("/v1/article", response_model=ArticleText,
              responses={**errors, 415: {"model": ErrorBody, "description": "not a .txt, .md or .html file"}},
              summary="The text the CLI would check in a .txt/.md/.html file")
    def read_article_text(body: ArticleRequest) -> ArticleText:
        return article_text(body.name, body.content)

    @app.post("/v1/render", responses=errors, summary="Render a report as JSON, Markdown or self-contained HTML",
              response_class=Response)
    def render(body: RenderRequest) -> Response:
        from verify.render import render_json, render_markdown
        from verify.render.html import REPORT_CSP, render_html

        if body.format == "html":
            return Response(render_html(body.report, body.text), media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": REPORT_CSP})
        if body.format == "markdown":
            return Response(render_markdown(body.report), media_type="text/markdown; charset=utf-8")
        return Response(render_json(body.report), media_type="application/json")

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    return app
