"""Benchmarks: a synthetic corpus generator and an index/retrieval/answer benchmark."""
