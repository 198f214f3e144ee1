"""Across the layers: bad input, crashes, races and slow sites through the form, the API, the
CLI and the workers (the reliability findings)."""
