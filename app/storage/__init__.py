"""Storage: SQLModel tables, engine, named reads, search and the write helpers. No spaCy."""
