"""verify: an offline, multilingual claim verifier (claims -> FAISS evidence -> labels with citations)."""

__version__ = "0.1.0"
