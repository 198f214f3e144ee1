"""Ingest: the only package that knows both extraction and storage."""
