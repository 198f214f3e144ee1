"""Absolute URLs (OpenGraph, feeds, exports) from one place."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from starlette.datastructures import URL

from app.storage.browse import QuoteFilters


def absolute_url(request: Request, base_url: str | None, path: str) -> str:
    """An absolute URL for ``path``: the configured public base, or this request's origin."""
    base = (base_url or str(request.base_url)).rstrip("/")
    return base + path


def export_links(request: Request, f: QuoteFilters) -> dict[str, str]:
    """CSV, JSON (the whole list, as the CSV), Atom and JSON API URLs of the quote list
    described by ``f``."""
    qs = urlencode(f.as_params())
    return {
        "json": str(request.app.url_path_for("export_json")) + "?" + qs,
        "api": str(request.app.url_path_for("api_quotes")) + "?" + qs,
        "csv": str(request.app.url_path_for("export_csv")) + "?" + qs,
        "atom": str(request.app.url_path_for("export_atom")) + "?" + qs,
    }


def cached_url_for(app: FastAPI, size: int = 20_000) -> Any:
    """The templates' ``url_for`` (Starlette's: an absolute URL of a named route) with the
    route lookup remembered: Starlette tries the routes one by one on every call, and a page
    of results builds some sixty links (its quotes, their speakers and articles)."""

    @lru_cache(maxsize=size)
    def lookup(name: str, params: tuple[tuple[str, Any], ...], base: str) -> URL:
        return app.url_path_for(name, **dict(params)).make_absolute_url(base_url=base)

    @jinja2.pass_context
    def url_for(context: Any, name: str, /, **path_params: Any) -> URL:
        request: Request = context["request"]
        return lookup(name, tuple(sorted(path_params.items())), str(request.base_url))

    url_for.cache_info = lookup.cache_info  # type: ignore[attr-defined]
    return url_for
