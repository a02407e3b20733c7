"""Shared fixtures: a deterministic fake encoder and judge registered like the real parts."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from verify.models import Claim, Judgement, Passage

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


class FakeEncoder:
    """Hashed bag of lower-cased words: deterministic, fast, and good enough to rank shared words."""

    id = "fake-bow"
    version = "1"
    dimension = 64

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return out / norms

    def encode_queries(self, texts):
        return self._encode(texts)

    def encode_passages(self, texts):
        return self._encode(texts)


class FakeJudge:
    """Entails when every claim word occurs in the passage; contradicts when the claim says 'not'."""

    name = "nli"

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]:
        out = []
        for claim, passage in pairs:
            words = set(re.findall(r"\w+", claim.text.lower()))
            have = set(re.findall(r"\w+", passage.text.lower()))
            if "not" in words and words - {"not"} <= have:
                out.append(Judgement(passage_id=passage.id, judge=self.name, entailment=0.05, neutral=0.05,
                                     contradiction=0.9))
            elif words <= have:
                out.append(Judgement(passage_id=passage.id, judge=self.name, entailment=0.9, neutral=0.05,
                                     contradiction=0.05))
            else:
                out.append(Judgement(passage_id=passage.id, judge=self.name))
        return out


@pytest.fixture
def fake_encoder():
    return FakeEncoder()


@pytest.fixture
def fake_judge():
    return FakeJudge()


def pytest_collection_modifyitems(config, items):
    if os.environ.get("VERIFY_SKIP_E2E") == "1":
        skip = pytest.mark.skip(reason="VERIFY_SKIP_E2E=1")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


def fake_thresholds(**update):
    """The shipped thresholds with the relevance floor (0.3) that the fake encoder's fixtures were written
    for: the shipped floor is tuned on a real encoder's rescaled scores (0.55 for e5-small), and a test
    of the pipeline's logic with FakeEncoder must not change meaning when the shipped thresholds are
    re-tuned. The learned verdict is left out: it is fitted to the real judge's probabilities, not the fake's."""
    from verify.config import shipped_thresholds

    return shipped_thresholds().model_copy(update={"min_retrieval": 0.3, "verdict_model": None, **update})
