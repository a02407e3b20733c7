"""Finding evidence: encoders, the embedding cache, the FAISS store, BM25 and score fusion."""
