"""Commands that change the archive: every write and its transaction lives here or in
``app.ingest.service``; the web calls these and storage's named read queries only."""
