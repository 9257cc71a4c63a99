"""Ingestion: corpus documents to chunks with original line spans."""
