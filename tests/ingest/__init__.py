"""app/ingest: readers, HTML, zips, URL fetches, the ingest service in bulk, the job queue."""
