"""The swappable parts of the pipeline: Encoder, Judge and Retriever protocols."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from verify.models import Claim, Hit, Judgement, Passage


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    @property
    def id(self) -> str: ...  # stable identity, written to the index manifest

    @property
    def version(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class Judge(Protocol):
    """Reads (passage, claim) pairs and scores entailment / neutral / contradiction.

    A judge may also say its `kind` (`verify.models.JudgeKind`): VALUES for named value comparisons, READING
    for a model's probabilities (the default). Judges are registered in `verify.judging.registry`."""

    @property
    def name(self) -> str: ...

    def judge(self, pairs: Sequence[tuple[Claim, Passage]]) -> list[Judgement]: ...


@runtime_checkable
class Retriever(Protocol):
    """Finds the top-k evidence passages for each claim."""

    def search(self, claims: Sequence[Claim], top_k: int) -> list[list[Hit]]: ...
