"""The command line (app/cli.py): extract, ingest, migrate, users."""
