"""End to end in headless Chromium: `verify serve` with the real models, the seed article pasted into the page.

Needs Debian's chromium at /usr/bin/chromium (`.ci/run` installs it) and Playwright's Python package;
Playwright's own browser download is never used. VERIFY_SCREENSHOT=PATH saves a screenshot of the page."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from verify.models import Label, Report
from verify.render.html import render_html

from ..conftest import ROOT

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CONTRADICTED_LINE = "Fluidstack wurde 2019 gegründet."  # the evidence says 2017: the rule judge contradicts it
HOSTILE_LINE = 'Ein Test <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>.'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not CHROMIUM.exists():
        pytest.skip("headless browser test needs Debian's chromium at /usr/bin/chromium "
                    "(apt-get install chromium chromium-driver)")
    pytest.importorskip("playwright.sync_api", reason="the browser test needs the playwright Python package")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"verify-serve-{port}.log", "w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "verify", "serve", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    try:
        deadline = time.monotonic() + 900  # first start may build the index and load the models
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"verify serve exited with {proc.returncode}:\n{log.read()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{base}/v1/health", timeout=5) as r:
                    health = json.loads(r.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("verify serve did not answer /v1/health within 900 s")
                time.sleep(1)
        yield base, health
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_seed_article_contradicted_claim_highlighted_with_citation(server, browser, tmp_path):
    base, health = server
    article = next(iter(sorted((ROOT / "seeds").glob("*.txt")))).read_text(encoding="utf-8").strip()
    text = f"{article}\n\n{CONTRADICTED_LINE}\n{HOSTILE_LINE}\n"

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(base + "/")
    page.wait_for_function("() => document.getElementById('health').textContent.includes('encoder')")
    assert health["encoder"] in page.text_content("#health")

    # a dropped/chosen .html file is read as the CLI reads it: visible text only, scripts dropped
    dropped = tmp_path / "artikel.html"
    dropped.write_text(f"<html><head><title>Seed</title><script>window.__xss=3</script></head>"
                       f"<body><p>{article}</p></body></html>", encoding="utf-8")
    page.set_input_files("#file-input", str(dropped))
    page.wait_for_function("() => document.getElementById('article-input').value.length > 100")
    assert page.input_value("#article-input").startswith(article[:60])
    assert "window.__xss" not in page.input_value("#article-input")

    page.fill("#article-input", text)
    page.click("#verify-button")
    page.wait_for_selector("#article-view mark.claim.contradicted", timeout=600_000)

    # the summary bar counts every label
    summary = page.text_content("#summary")
    assert "contradicted" in summary and "supported" in summary and "unknown" in summary
    n_contradicted = int(page.text_content('#summary li[data-label="contradicted"]').split()[1])
    assert n_contradicted >= 1

    # the contradicted claim is highlighted with an icon and a text label, not colour alone
    mark = page.locator("#article-view mark.claim.contradicted", has_text="2019").first
    assert mark.get_attribute("aria-label").startswith("contradicted claim:")
    assert "✘" in mark.text_content()

    # keyboard: Tab-reachable claims, Enter selects
    first = page.locator("#article-view mark.claim[tabindex='0']").first
    first.focus()
    page.keyboard.press("Enter")
    assert first.get_attribute("aria-pressed") == "true"

    # click the contradicted claim: the side panel shows its verdict, reason and citation link
    mark.click()
    page.wait_for_selector("#details a.citation-link")
    assert page.text_content("#details .label").strip().endswith("contradicted")
    assert "2019" in page.text_content("#details")
    link = page.locator("#details a.citation-link").first
    assert link.get_attribute("href").startswith("http")
    assert link.text_content().strip()

    # escaping: the hostile line is shown as text and never runs
    assert page.evaluate("window.__xss") is None
    assert "<script>window.__xss=2</script>" in page.text_content("#article-view")

    # exports
    with page.expect_download() as dl:
        page.click('button[data-export="json"]')
    exported = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert exported["counts"]["contradicted"] == n_contradicted
    with page.expect_download() as dl:
        page.click('button[data-export="html"]')
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "verify report" in html and "<script>window.__xss" not in html

    shot = os.environ.get("VERIFY_SCREENSHOT")
    if shot:  # for docs/screenshot.png: the seed article and the contradicted line only
        page.fill("#article-input", f"{article}\n\n{CONTRADICTED_LINE}\n")
        page.click("#verify-button")
        page.wait_for_function("() => document.getElementById('status').textContent.includes('claims checked')"
                               " && !document.getElementById('verify-button').disabled", timeout=600_000)
        page.locator("#article-view mark.claim.contradicted", has_text="2019").first.click()
        page.evaluate("document.getElementById('results').scrollIntoView()")
        page.screenshot(path=shot)

    # nothing was loaded from outside the server; no script errors (CSP violations would show here)
    assert all(u.startswith(base) or u.startswith("blob:") for u in requests), requests
    assert not errors, errors
    context.close()



def _print_report() -> tuple[Report, str]:
    """tests/render's sample report with a distinct citation title per claim, and an article for its spans."""
    from ..render.test_render import sample_report

    report = sample_report()
    supported, contradicted, unknown = report.verdicts
    cit = supported.citations[0]
    second = cit.model_copy(update={"doc_id": "acme-registry", "title": "Handelsregister: Acme Robotics GmbH",
                                    "url": "", "publisher": ""})
    verdicts = [supported.model_copy(update={"citations": [cit, second]}),
                contradicted.model_copy(update={"citations": [cit.model_copy(update={
                    "title": "Acme's founding year, revisited", "stance": Label.CONTRADICTED})]}),
                unknown]
    article = supported.text + "\n" + contradicted.text + "\n"
    return report.model_copy(update={"verdicts": verdicts}), article


@pytest.mark.parametrize("with_article", [True, False], ids=["article", "by-sentence"])
def test_print_view_shows_every_claim_with_its_citations(tmp_path, with_article):
    """The HTML report printed to PDF by Chromium: on screen its script shows one claim's details at a time,
    the print stylesheet must show every claim's details with all its citations."""
    if not CHROMIUM.exists():
        pytest.skip("the print test needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    if shutil.which("pdftotext") is None:
        pytest.skip("the print test needs pdftotext (apt-get install poppler-utils)")
    report, article = _print_report()
    page = tmp_path / "report.html"
    page.write_text(render_html(report, article if with_article else None), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run([str(CHROMIUM), *ARGS, f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True,
                                   timeout=60).stdout.split())

    anchors = [text.find(f"Claim: {v.text}") for v in report.verdicts]
    assert -1 not in anchors, (anchors, text)
    assert anchors == sorted(anchors)
    for i, v in enumerate(report.verdicts):
        section = text[anchors[i]:anchors[i + 1] if i + 1 < len(anchors) else None]
        assert v.reason in section
        if not v.citations:
            assert "No citations." in section
        assert f"Citations ({len(v.citations)})" in section or not v.citations
        for cit in v.citations:
            assert cit.title in section, (v.text, cit.title, section)
            assert cit.passage in section
            if cit.url:
                assert cit.url in section  # the print stylesheet writes each link's address after it
