"""Load test for `verify serve`: N concurrent clients, a bounded number of requests and a time limit.

By default it starts its own server (real models) on a free 127.0.0.1 port and stops it afterwards:

    .venv/bin/python scripts/load_test.py                       # 50 clients, 2,000 requests
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8000 --requests 500

The request mix (--mix) is weighted over: `verify` (one claim from tests/fixtures/*_de.txt per request),
`article` (the seed article through /v1/verify), `claims` (the seed article through /v1/claims), `health`,
`big` (the largest article the server takes: 285 claims) and `disconnect` (a client that leaves after 50 ms). It prints p50/p95/p99 latency, requests/s and errors, overall and per kind, as JSON; the exit
status is 1 when any request failed or the run stopped before all requests were sent."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(extra: list[str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "verify", "serve", "--port", str(port), "--log-level", "warning",
                             *extra], cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"verify serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/v1/health", timeout=5):
                return proc, url
        except OSError:
            time.sleep(1)
    proc.kill()
    raise SystemExit("verify serve did not start within 900 s")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarise(latencies: list[float]) -> dict:
    return {
        "n": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }


_NUMBER = re.compile(r"\d+")


def fresh(claim: str, rng: random.Random) -> str:
    """The claim with its first number replaced by a random one: a claim the server has not judged yet
    (the server memoises judgements, so repeating 14 fixture claims would mostly measure the memo)."""
    return _NUMBER.sub(lambda m: str(rng.randint(1900, 2100)), claim, count=1) if _NUMBER.search(claim) else \
        f"{claim} ({rng.randint(1, 10**6)})"


def requests_for(kind: str, claims: list[str], article: str, vary: random.Random | None = None
                 ) -> tuple[str, str, dict | None]:
    if kind == "verify":
        claim = random.choice(claims)
        return "POST", "/v1/verify", {"text": fresh(claim, vary) if vary else claim}
    if kind == "article":
        return "POST", "/v1/verify", {"text": article}
    if kind == "claims":
        return "POST", "/v1/claims", {"text": article}
    if kind == "big":  # the largest article the server takes (just under its claim limit)
        return "POST", "/v1/verify", {"text": "\n".join([article] * BIG_REPEAT)}
    if kind == "disconnect":  # a client that gives up after 50 ms, mid-request
        return "POST", "/v1/verify", {"text": fresh(random.choice(claims), vary or random.Random())}
    return "GET", "/v1/health", None


BIG_REPEAT = 19  # the seed article has 15 claims: 285, under the server's limit of 300


async def run(url: str, clients: int, total: int, max_seconds: float, mix: dict[str, float],
              timeout: float, vary: bool = False) -> dict:
    claims = [line.strip() for f in ("original_de.txt", "altered_de.txt")
              for line in (ROOT / "tests" / "fixtures" / f).read_text(encoding="utf-8").splitlines() if line.strip()]
    article = next(iter(sorted((ROOT / "seeds").glob("*.txt")))).read_text(encoding="utf-8")
    kinds, weights = zip(*mix.items())
    plan = random.Random(0).choices(kinds, weights=weights, k=total)
    rng = random.Random(1) if vary else None
    next_index = 0
    results: list[tuple[str, float, str]] = []  # (kind, seconds, outcome: "ok" or the error)
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:

        async def client() -> None:
            nonlocal next_index
            while next_index < total and time.monotonic() < deadline:
                kind = plan[next_index]
                next_index += 1
                method, path, body = requests_for(kind, claims, article, rng)
                t0 = time.perf_counter()
                try:
                    r = await http.request(method, path, json=body, timeout=0.05 if kind == "disconnect" else timeout)
                    outcome = "ok" if r.status_code == 200 else f"HTTP {r.status_code}"
                    if outcome == "ok" and path == "/v1/verify" and "verdicts" not in r.json():
                        outcome = "bad body"
                except httpx.TimeoutException as exc:
                    outcome = "ok" if kind == "disconnect" else type(exc).__name__  # leaving is its whole job
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                results.append((kind, time.perf_counter() - t0, outcome))

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - t0

    ok = [s for _, s, o in results if o == "ok"]
    errors = Counter(o for _, _, o in results if o != "ok")
    return {
        "url": url,
        "clients": clients,
        "fresh_claims": vary,
        "requested": total,
        "sent": len(results),
        "stopped_by_time_limit": len(results) < total,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(results) / elapsed, 2) if elapsed else None,
        "latency": summarise(ok),
        "by_kind": {k: summarise([s for kk, s, o in results if kk == k and o == "ok"]) for k in kinds},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server; default: start `verify serve` on a free local port")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--max-seconds", type=float, default=900, help="stop sending after this long")
    parser.add_argument("--timeout", type=float, default=120, help="per-request timeout (s)")
    parser.add_argument("--mix", default="verify=0.6,claims=0.2,health=0.18,article=0.02",
                        help="weights per request kind: verify, article, claims, health")
    parser.add_argument("--json-out", type=Path, help="also write the figures here")
    parser.add_argument("--fresh-claims", action="store_true",
                        help="vary a number in each one-claim request, so that none is served from the judgement memo")
    parser.add_argument("serve_args", nargs="*", help="extra `verify serve` options (after --)")
    args = parser.parse_args()
    mix = {k: float(v) for k, v in (item.split("=") for item in args.mix.split(","))}
    unknown = set(mix) - {"verify", "article", "claims", "health", "big", "disconnect"}
    if unknown:
        parser.error(f"unknown request kinds in --mix: {sorted(unknown)}")

    # SIGTERM (e.g. from `timeout`) must still stop the server this script started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    proc = None
    url = args.url
    if not url:
        proc, url = start_server(args.serve_args)
    try:
        with urllib.request.urlopen(f"{url}/v1/health", timeout=10) as r:
            health = json.loads(r.read())
        figures = asyncio.run(run(url, args.clients, args.requests, args.max_seconds, mix, args.timeout,
                                  args.fresh_claims))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    figures["server"] = {k: health.get(k) for k in ("encoder", "judges", "corpus_documents", "corpus_passages")}
    figures["cpus"] = os.cpu_count()
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n", encoding="utf-8")
    lat = figures["latency"]
    print(f"\n{figures['sent']} requests, {figures['errors']} errors, {figures['requests_per_s']} req/s, "
          f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms ({args.clients} clients, {figures['seconds']} s)",
          file=sys.stderr)
    sys.exit(1 if figures["errors"] or figures["stopped_by_time_limit"] else 0)


if __name__ == "__main__":
    main()
