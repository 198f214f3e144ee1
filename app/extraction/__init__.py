"""Pure NLP: text in, plain records out (see records.py). Imports spaCy and the stdlib only."""
