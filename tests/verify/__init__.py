"""app/verify: checking a pasted quote against the archive."""
