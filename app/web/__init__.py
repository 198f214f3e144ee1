"""HTTP and templates only: no SQL, no spaCy calls."""
