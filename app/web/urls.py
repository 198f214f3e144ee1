"""Absolute URLs (OpenGraph, feeds, exports) from one place."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request

from app.storage.browse import QuoteFilters


def absolute_url(request: Request, base_url: str | None, path: str) -> str:
    """An absolute URL for ``path``: the configured public base, or this request's origin."""
    base = (base_url or str(request.base_url)).rstrip("/")
    return base + path


def export_links(request: Request, f: QuoteFilters) -> dict[str, str]:
    """JSON, CSV and Atom URLs of the quote list described by ``f``."""
    qs = urlencode(f.as_params())
    return {
        "json": str(request.app.url_path_for("api_quotes")) + "?" + qs,
        "csv": str(request.app.url_path_for("export_csv")) + "?" + qs,
        "atom": str(request.app.url_path_for("export_atom")) + "?" + qs,
    }
