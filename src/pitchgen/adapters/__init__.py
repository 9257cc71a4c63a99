"""Adapters: the only modules that import fugashi, sentence-transformers, faiss and llama-index."""
