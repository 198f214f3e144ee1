"""Verify a quote: compare a pasted quote with the archive and say what was really said.

Pure text work (``words``, ``claim``, ``align``, ``pairs``) and the service that asks storage
for candidates and stores the answer (``service``). No web, no spaCy.
"""
