"""The HTTP API and the HTML report, through the ASGI test client with the fake encoder and judge."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.claims.names import corpus_names
from verify.config import Settings
from verify.models import Citation, Claim, Label, Report, Verdict
from verify.pipeline import Verifier
from verify.render import RENDERERS
from verify.render.html import claim_segments, render_html
from verify.retrieval.build import ensure_index
from verify.retrieval.store import HybridRetriever
from verify.server.app import WEB_DIR, create_app

from ..conftest import FIXTURES, FakeEncoder, FakeJudge, fake_thresholds

ARTICLE = (
    "Acme Robotics was founded in 2015 in Berlin. The company builds warehouse robots.\n\n"
    "Hooli opened a data center in Oregon in 2022. Globex Corporation reported revenue of 2.5 billion euros."
)
HOSTILE = "<script>window.pwned=1</script><img src=x onerror=alert(1)>"


def make_verifier(tmp: Path, evidence: Path = FIXTURES / "evidence", judge=None) -> Verifier:
    encoder = FakeEncoder()
    store, problems, _ = ensure_index(Settings(evidence=(evidence,), index_dir=tmp / "index", encoder="unused"),
                                      encoder)
    orgs = sorted(corpus_names(store.passages))
    return Verifier(HybridRetriever(store, encoder), [judge or FakeJudge()], fake_thresholds(),
                    organisations=orgs, encoder_id=encoder.id, index_info=store.info, corpus_problems=problems)


@pytest.fixture(scope="module")
def verifier(tmp_path_factory) -> Verifier:
    return make_verifier(tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="module")
def client(verifier):
    with TestClient(create_app(verifier, max_bytes=4096)) as c:
        yield c


# --------------------------------------------------------------------------- endpoints


def test_health_reports_models_index_and_corpus(client, verifier):
    r = client.get("/v1/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["encoder"] == "fake-bow" and h["encoder_version"] == "1"
    assert [j["name"] for j in h["judges"]] == ["nli"]
    assert h["corpus_documents"] == verifier.index_info.documents > 0
    assert h["corpus_passages"] == verifier.index_info.passages > 0
    assert h["index"]["encoder_id"] == "fake-bow" and h["index"]["corpus_hash"]
    assert h["max_bytes"] == 4096 and h["schema_version"] == "1.0"
    assert h["queued"] == 0 and h["batched_requests"] >= h["batches"] >= 0


def test_verify_returns_the_cli_report_model(client, verifier):
    r = client.post("/v1/verify", json={"text": ARTICLE})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    report = Report.model_validate(r.json())
    direct = verifier.verify_text(ARTICLE, source="api")
    assert report.model_dump(exclude={"seconds"}) == direct.model_dump(exclude={"seconds"})
    assert report.encoder == "fake-bow" and report.index == verifier.index_info
    assert report.counts == direct.counts and sum(report.counts.values()) == len(report.verdicts) >= 3
    for v in report.verdicts:
        assert 0 <= v.claim.start < v.claim.end <= len(ARTICLE)
        assert ARTICLE[v.claim.start : v.claim.end] in v.claim.sentence
    assert any(v.label is Label.SUPPORTED and v.citations for v in report.verdicts)


def test_verify_options_language_top_k_lines(client):
    r = client.post("/v1/verify", json={"text": "Hooli opened a data center in Oregon.\nHooli has 5,000 employees.",
                                        "language": "en", "top_k": 1, "lines": True})
    assert r.status_code == 200
    report = r.json()
    assert [v["text"] for v in report["verdicts"]] == ["Hooli opened a data center in Oregon.",
                                                       "Hooli has 5,000 employees."]
    assert all(len(v["citations"]) <= 1 for v in report["verdicts"])
    assert report["language"] == "en"


def test_claims_is_extraction_only(client, verifier):
    r = client.post("/v1/claims", json={"text": ARTICLE, "language": "en"})
    assert r.status_code == 200
    claims = [Claim.model_validate(c) for c in r.json()]
    assert claims == verifier.extract(ARTICLE, source="api", language="en")
    assert claims and "label" not in r.json()[0]


def test_empty_text_gives_an_empty_report(client):
    r = client.post("/v1/verify", json={"text": ""})
    assert r.status_code == 200 and r.json()["verdicts"] == []


def test_lone_surrogate_is_replaced_not_a_server_error(client):
    body = '{"text": "Acme Robotics was founded in 2015 \\ud800 in Berlin."}'
    r = client.post("/v1/verify", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200
    for v in r.json()["verdicts"]:
        assert v["claim"]["end"] <= len("Acme Robotics was founded in 2015 ? in Berlin.")


@pytest.mark.parametrize("body", [
    {},
    {"text": 5},
    {"text": "x", "top_k": 0},
    {"text": "x", "top_k": 51},
    {"text": "x", "language": "fr"},
    {"text": "x", "unexpected": 1},
    [],
])
def test_validation_errors_are_422_with_details(client, body):
    r = client.post("/v1/verify", json=body)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], list)


def test_malformed_json_is_422_and_wrong_method_405(client):
    r = client.post("/v1/verify", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert client.get("/v1/verify").status_code == 405


# --------------------------------------------------------------------------- size limit


def test_body_over_limit_is_413_with_a_clear_message(client):
    r = client.post("/v1/verify", json={"text": "a" * 5000})
    assert r.status_code == 413
    detail = r.json()["detail"]
    assert "too large" in detail and "limit is 4096 bytes" in detail and "--max-bytes" in detail


def test_chunked_body_over_limit_is_413_too(client):
    def chunks():
        yield b'{"text": "'
        for _ in range(10):
            yield b"a" * 1000
        yield b'"}'

    r = client.post("/v1/verify", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "at least" in r.json()["detail"]


def test_body_at_the_limit_is_accepted(client):
    body = json.dumps({"text": "Hooli has 5,000 employees. "})
    body = body[:-2] + " " * (4096 - len(body)) + body[-2:]
    assert len(body.encode()) == 4096
    r = client.post("/v1/verify", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200


def test_render_accepts_a_report_larger_than_the_article_limit(client):
    report = client.post("/v1/verify", json={"text": ARTICLE}).json()
    payload = {"report": report, "format": "markdown", "text": ARTICLE}
    assert len(json.dumps(payload)) > 4096
    r = client.post("/v1/render", json=payload)
    assert r.status_code == 200 and r.text.startswith("# verify report")


# --------------------------------------------------------------------------- concurrency


class SlowExclusiveJudge(FakeJudge):
    """Records whether two model calls ever overlap; slow enough that unserialised calls would."""

    def __init__(self, delay: float = 0.02):
        self.delay = delay
        self.active = 0
        self.max_active = 0
        self.calls = 0
        self._lock = threading.Lock()

    def judge(self, pairs):
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        time.sleep(self.delay)
        try:
            return super().judge(pairs)
        finally:
            with self._lock:
                self.active -= 1
                self.calls += 1


def test_concurrent_requests_are_serialised_batched_and_each_answered_alone(tmp_path):
    judge = SlowExclusiveJudge()
    verifier = make_verifier(tmp_path, judge=judge)
    app = create_app(verifier)
    texts = [f"Hooli has {n},000 employees. Acme Robotics was founded in {2000 + n}." for n in range(24)]

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(*(c.post("/v1/verify", json={"text": t, "top_k": 1 + n % 3})
                                          for n, t in enumerate(texts)),
                                        *(c.post("/v1/claims", json={"text": t}) for t in texts))

    responses = asyncio.run(main())
    assert [r.status_code for r in responses] == [200] * 48
    assert judge.max_active == 1  # never two model calls at once
    assert app.state.worker.batches < 24  # waiting requests went through the models together
    for n, (t, r) in enumerate(zip(texts, responses[:24])):
        alone = verifier.verify_text(t, source="api", top_k=1 + n % 3)
        assert Report.model_validate(r.json()).model_dump(exclude={"seconds"}) == alone.model_dump(exclude={"seconds"})
    for t, r in zip(texts, responses[24:]):
        assert [Claim.model_validate(c) for c in r.json()] == verifier.extract(t, source="api")


class ExplodingJudge(FakeJudge):
    def judge(self, pairs):
        if any("boom" in c.text for c, _ in pairs):
            raise RuntimeError("judge exploded")
        return super().judge(pairs)


def test_a_failing_request_in_a_batch_fails_alone(tmp_path):
    app = create_app(make_verifier(tmp_path, judge=ExplodingJudge()))
    texts = ["Hooli has 5,000 employees.", "Hooli boom has 5,000 employees.", "Acme Robotics was founded in 2015."]

    async def main():
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(*(c.post("/v1/verify", json={"text": t}) for t in texts * 4))

    responses = asyncio.run(main())
    for t, r in zip(texts * 4, responses):
        if "boom" in t:
            assert r.status_code == 500 and "judge exploded" in r.json()["detail"]
        else:
            assert r.status_code == 200 and r.json()["verdicts"]


def test_health_answers_while_a_model_call_runs(tmp_path):
    judge = SlowExclusiveJudge(delay=1.0)
    app = create_app(make_verifier(tmp_path, judge=judge))

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            slow = asyncio.create_task(c.post("/v1/verify", json={"text": "Hooli has 5,000 employees."}))
            await asyncio.sleep(0.2)
            t0 = time.perf_counter()
            health = await c.get("/v1/health")
            waited = time.perf_counter() - t0
            return health, waited, await slow

    health, waited, slow = asyncio.run(main())
    assert health.status_code == 200 and slow.status_code == 200
    assert waited < 0.5  # not queued behind the model call


def test_queue_overflow_is_503_with_retry_after(tmp_path):
    app = create_app(make_verifier(tmp_path, judge=SlowExclusiveJudge(delay=0.3)), max_pending=1)

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await asyncio.gather(*(c.post("/v1/verify", json={"text": "Hooli has 5,000 employees."})
                                          for _ in range(3)))

    codes = sorted(r.status_code for r in asyncio.run(main()))
    assert codes[0] == 200 and 503 in codes
    busy = next(r for r in asyncio.run(main()) if r.status_code == 503)
    assert busy.headers["retry-after"] == "1" and "busy" in busy.json()["detail"]


# --------------------------------------------------------------------------- schema, page, files


def test_openapi_schema_is_served_and_documents_the_limit(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert {"/v1/verify", "/v1/claims", "/v1/health", "/v1/render", "/v1/article"} <= set(schema["paths"])
    assert "4096 bytes" in schema["info"]["description"]
    verify_op = schema["paths"]["/v1/verify"]["post"]
    assert "413" in verify_op["responses"] and "422" in verify_op["responses"]
    assert "Report" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def test_page_and_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        if ref.startswith("#"):
            continue
        assert ref.startswith("/static/"), ref
        assert client.get(ref).status_code == 200
    for f in ("index.html", "app.js", "app.css"):
        text = (WEB_DIR / f).read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//|@import|url\(\s*[\"']?(?:https?:)?//", text)


def test_page_script_never_puts_data_into_inner_html():
    js = (WEB_DIR / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "document.write" not in js and "eval(" not in js


def test_article_endpoint_reads_files_like_the_cli(client):
    md = client.post("/v1/article", json={"name": "a.md", "content": "---\ntitle: T\n---\nHooli has 5,000 employees.\n"})
    assert md.status_code == 200 and md.json()["text"] == "Hooli has 5,000 employees.\n" and md.json()["title"] == "T"
    page = client.post("/v1/article", json={"name": "a.html", "content": "<title>P</title><script>x()</script>"
                                                                          "<p>Hooli opened a data center.</p>"})
    assert page.json() == {"text": "Hooli opened a data center.", "title": "P", "problems": []}
    assert client.post("/v1/article", json={"name": "a.pdf", "content": "x"}).status_code == 415


# --------------------------------------------------------------------------- escaping


def hostile_report() -> tuple[Report, str]:
    text = f"Acme {HOSTILE} was founded in 2015."
    claim = Claim(id="x", text=f"Acme {HOSTILE} was founded in 2015.", sentence=text, start=0, end=len(text))
    cit = Citation(doc_id="d<b>", title=f"T {HOSTILE}", url="javascript:alert(1)", publisher=HOSTILE,
                   published="2024", passage=f"Passage {HOSTILE} \" ' &amp;", start=0, end=10)
    cit2 = cit.model_copy(update={"url": 'https://ok.example/"><script>alert(1)</script>'})
    verdict = Verdict(claim=claim, label=Label.CONTRADICTED, confidence=0.9, reason=f"because {HOSTILE}",
                      citations=[cit, cit2])
    return Report(source=HOSTILE, verdicts=[verdict]), text


@pytest.mark.parametrize("with_text", [True, False])
def test_html_report_escapes_every_text(with_text):
    report, text = hostile_report()
    out = render_html(report, text if with_text else None)
    assert "<script>window.pwned" not in out and "<img src=x" not in out
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in out
    assert "javascript:" not in out and 'href="https://ok.example/' not in out
    assert len(re.findall(r"<script>", out)) == 1  # only the report's own inline script
    assert "Content-Security-Policy" in out and "sha256-" in out
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", out.replace('href="https://', ""))


def test_render_endpoint_escapes_hostile_evidence(client):
    report, text = hostile_report()
    r = client.post("/v1/render", json={"report": report.model_dump(mode="json"), "format": "html", "text": text})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script>window.pwned" not in r.text and "&lt;script&gt;" in r.text
    assert "script-src 'sha256-" in r.headers["content-security-policy"]  # its own inline script only
    md = client.post("/v1/render", json={"report": report.model_dump(mode="json"), "format": "markdown"})
    assert "<script>" not in md.text


def test_html_report_highlights_each_claim_with_label_icon_and_citation(client):
    report = Report.model_validate(client.post("/v1/verify", json={"text": ARTICLE}).json())
    out = render_html(report, ARTICLE)
    for i, v in enumerate(report.verdicts):
        assert f'data-claim="{i}"' in out and f'id="claim-{i}"' in out
        assert f'class="claim {v.label.value}"' in out
    assert 'href="https://example.org/acme-founding"' in out
    assert RENDERERS["html"] is render_html
    fallback = render_html(report)  # no article text: sentences with their claims
    assert all(f'data-claim="{i}"' in fallback for i in range(len(report.verdicts)))


def test_json_api_is_not_sniffed_as_html(client):
    r = client.post("/v1/verify", json={"text": HOSTILE + " Hooli has 5,000 employees."})
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), max_size=8), st.integers(0, 50))
def test_segments_tile_the_text_and_cover_every_span(spans, length):
    segs = claim_segments(length, spans)
    assert [a for a, _, _ in segs] == [0, *(b for _, b, _ in segs[:-1])] if segs else length == 0
    if segs:
        assert segs[-1][1] == length
    for a, b, owner in segs:
        covering = [i for i, (s, e) in enumerate(spans) if max(0, min(s, length)) <= a and b <= min(e, length)
                    and max(0, min(s, length)) < max(0, min(e, length))]
        assert (owner is None) == (not covering)
        assert owner is None or owner in covering


json_scalars = st.none() | st.booleans() | st.integers(-100, 100) | st.text(max_size=20)
request_bodies = st.fixed_dictionaries(
    {},
    optional={
        "text": st.text(max_size=300) | st.sampled_from([ARTICLE, "Hooli has 5,000 employees.", "\ud800x"])
                | json_scalars,
        "language": st.sampled_from(["de", "en", "fr", "", None]) | json_scalars,
        "top_k": st.integers(-3, 60) | st.none() | json_scalars,
        "lines": st.booleans() | json_scalars,
        "extra": json_scalars,
    },
) | json_scalars | st.lists(json_scalars, max_size=3)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=request_bodies, path=st.sampled_from(["/v1/verify", "/v1/claims"]))
def test_any_json_body_gives_a_report_or_a_422_never_a_500(client, body, path):
    raw = json.dumps(body).encode()
    r = client.post(path, content=raw, headers={"content-type": "application/json"})
    if len(raw) > 4096:
        assert r.status_code == 413
        return
    assert r.status_code in (200, 422), (r.status_code, r.text)
    if r.status_code == 422:
        assert r.json()["detail"]
        return
    text = body["text"].encode("utf-8", "replace").decode("utf-8")
    items = r.json()["verdicts"] if path == "/v1/verify" else [{"claim": c} for c in r.json()]
    if path == "/v1/verify":
        report = Report.model_validate(r.json())
        assert sum(report.counts.values()) == len(report.verdicts)
    for item in items:
        claim = Claim.model_validate(item["claim"])
        assert 0 <= claim.start <= claim.end <= len(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_crash_the_server(client, raw):
    r = client.post("/v1/verify", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 422), r.text  # 400: not UTF-8


def test_serve_command_is_registered_with_its_options():
    from typer.testing import CliRunner

    from verify.cli.main import app

    r = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for option in ("--host", "--port", "--evidence", "--encoder", "--judge", "--nli-model", "--max-bytes"):
        assert option in r.output
    assert "127.0.0.1" in r.output and "8000" in r.output


def test_one_request_cannot_hold_the_model_thread(verifier):
    """A per-request work limit: a long 'sentence' is refused before any model runs, so is an article of
    more claims than the limit; a normal request is served right after."""
    from verify.server.app import MAX_CLAIMS, MAX_SENTENCE_CHARS

    client = TestClient(create_app(verifier, max_bytes=1 << 20))
    r = client.post("/v1/verify", json={"text": "word " * (MAX_SENTENCE_CHARS // 4)})
    assert r.status_code == 422 and "limit" in r.json()["detail"]
    many = "\n".join(f"Hooli has {i} employees." for i in range(MAX_CLAIMS + 1))
    r = client.post("/v1/verify", json={"text": many, "lines": True})
    assert r.status_code == 413 and str(MAX_CLAIMS) in r.json()["detail"]
    r = client.post("/v1/verify", json={"text": "Hooli opened a data center in Oregon."})
    assert r.status_code == 200


def test_a_long_article_is_checked_in_shares_with_the_same_verdicts(verifier):
    """A long article's claims are judged in shares of SHARE_CLAIMS, each a job of its own, so the model thread
    takes other requests between them; the report is the one the CLI gives."""
    from verify.server.app import LONG_TEXT, SHARE_CLAIMS

    long_text = "\n\n".join([ARTICLE] * (LONG_TEXT // len(ARTICLE) + 8))
    assert len(long_text) >= LONG_TEXT
    app = create_app(verifier, max_bytes=1 << 20)
    with TestClient(app) as client:
        before = client.get("/v1/health").json()["batches"]
        r = client.post("/v1/verify", json={"text": long_text})
        assert r.status_code == 200
        report = Report.model_validate(r.json())
        after = client.get("/v1/health").json()["batches"]
    direct = verifier.verify_text(long_text, source="api")
    assert report.model_dump(exclude={"seconds"}) == direct.model_dump(exclude={"seconds"})
    shares = -(-len(report.verdicts) // SHARE_CLAIMS)
    assert len(report.verdicts) > SHARE_CLAIMS and after - before == 1 + shares  # extraction, then each share


def test_clients_dropping_mid_body_leave_no_traceback_and_the_server_serves_on(verifier, caplog):
    """A real uvicorn server: five clients send half a body and hang up; nothing is logged as an error
    (no "No response returned"), and the next request is answered."""
    import socket
    import threading
    import time
    import urllib.request

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(verifier), host="127.0.0.1", port=port, log_level="info"))
    import logging

    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's loggers do not propagate to the root
        logging.getLogger(name).addHandler(caplog.handler)
    thread = threading.Thread(target=server.run, daemon=True)
    with caplog.at_level("INFO"):
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 5000\r\n\r\n{\"text\": \"Acme")
                time.sleep(0.05)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=10) as r:
            assert r.status == 200
        server.should_exit = True
        thread.join(timeout=10)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).removeHandler(caplog.handler)
    assert "Application startup complete" in caplog.text  # the server's own log is what is read here
    assert "Traceback" not in caplog.text and "No response returned" not in caplog.text
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


@pytest.mark.e2e
def test_a_long_article_in_shares_with_the_real_models():
    """The server's long-article path with the shipped models and corpus: the same report as the CLI's."""
    from verify.config import Settings
    from verify.pipeline import Verifier
    from verify.server.app import LONG_TEXT

    from ..conftest import ROOT

    real = Verifier.from_settings(Settings(evidence=(ROOT / "evidence",)))
    article = next(iter(sorted((ROOT / "seeds").glob("*.txt")))).read_text(encoding="utf-8")
    assert len(article) >= LONG_TEXT
    with TestClient(create_app(real, max_bytes=1 << 20)) as client:
        r = client.post("/v1/verify", json={"text": article})
    assert r.status_code == 200
    report = Report.model_validate(r.json())
    direct = real.verify_text(article, source="api")
    assert report.model_dump(exclude={"seconds"}) == direct.model_dump(exclude={"seconds"})
    assert len(report.verdicts) >= 12
