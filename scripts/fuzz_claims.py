"""Fuzz claim extraction: generated German/English/junk articles through extract_claims; no exception allowed."""

from __future__ import annotations

import random
import sys
import time

from verify.claims.extract import claims_from_lines, extract_claims

WORDS = ("Anthropic Fluidstack das Unternehmen the company erklärte said dass that und and , ; : „ “ \" "
         "50-Milliarden-Dollar $50 billion 1.234,5 Mrd. im Februar 2017 in Texas britischen New York "
         "bemerkenswert remarkable ein eine a an wurde was gegründet founded ? ! . … \n \t ( ) Für For").split(" ")
JUNK = "\x00\x1b\u200b\ufeff\ud7ff\U0001f600ÄÖÜß<>&'"


def article(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 60)):
        r = rng.random()
        if r < 0.8:
            parts.append(rng.choice(WORDS))
        elif r < 0.9:
            parts.append("".join(rng.choice(JUNK) for _ in range(rng.randint(1, 4))))
        else:
            parts.append(str(rng.randint(0, 10**6)))
    return rng.choice([" ", "", "  "]).join(parts)


def main(n: int = 100_000, seed: int = 0) -> int:
    rng = random.Random(seed)
    orgs = ["Anthropic", "Fluidstack", "Google"]
    failures = 0
    t0 = time.perf_counter()
    for i in range(n):
        text = article(rng)
        try:
            for c in extract_claims(text, organisations=orgs):
                assert 0 <= c.start <= c.end <= len(text)
            for c in claims_from_lines(text):
                assert text[c.start : c.end] == c.text
        except Exception as exc:  # report every failure, keep going
            failures += 1
            if failures <= 5:
                print(f"input {i}: {type(exc).__name__}: {exc!r}\n  {text!r}", file=sys.stderr)
    print(f"fuzz_claims: {n} inputs, {failures} failures, {time.perf_counter() - t0:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
