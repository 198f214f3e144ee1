"""app/storage: migrations, saving, names, aggregates, search, exports (on either engine)."""
