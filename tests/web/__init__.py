"""app/web: pages and the JSON API on parsed HTML, the page cache, the upload form, the real
browser (Playwright), the OpenAPI fuzz."""
