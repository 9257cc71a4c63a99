"""Retrieval: BM25 over Japanese lemmas, dense vectors, and rank fusion."""
