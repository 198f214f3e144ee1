"""Absolute URLs (OpenGraph, feeds, exports) from one place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from starlette.convertors import IntegerConvertor, StringConvertor
from starlette.datastructures import URL
from starlette.routing import NoMatchFound, Route

from app.storage.browse import QuoteFilters


def absolute_url(request: Request, base_url: str | None, path: str) -> str:
    """An absolute URL for ``path``: the configured public base, or this request's origin."""
    base = (base_url or str(request.base_url)).rstrip("/")
    return base + path


def export_links(request: Request, f: QuoteFilters) -> dict[str, str]:
    """CSV, JSON (the whole list, as the CSV), Atom and JSON API URLs of the quote list
    described by ``f``."""
    qs = urlencode(f.as_params())
    path: Paths = request.app.state.paths
    return {"json": path("export_json") + "?" + qs, "api": path("api_quotes") + "?" + qs,
            "csv": path("export_csv") + "?" + qs, "atom": path("export_atom") + "?" + qs}


class Link(str):
    """An absolute URL (the string) with its ``path``, as the templates' ``url_for`` gives
    them (Starlette's gives a ``URL``; the templates only read its ``path``)."""

    path: str


def _candidates(app: FastAPI) -> Iterator[Any]:
    """Every route that can build a URL, included routers' routes one by one (a plain
    Starlette route of an included router as itself: FastAPI's context around it has no
    name or path)."""
    for route in app.routes:
        inner = getattr(route, "effective_route_contexts", None)
        for candidate in (inner() if inner is not None else (route,)):
            plain = getattr(candidate, "starlette_route", None)
            yield plain if type(plain) is Route else candidate


def route_table(app: FastAPI) -> list[tuple[str, str, str]]:
    """Every route's prefix, name and path (what the paths built from them depend on), read
    off the routers as they were included (building FastAPI's effective routes, as
    ``_candidates`` does, costs ~0.3 s an app)."""
    out: list[tuple[str, str, str]] = []

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                context = getattr(route, "include_context", None)
                walk(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))
            else:
                out.append((prefix, str(getattr(route, "name", "")),
                            str(getattr(route, "path", ""))))

    walk(app.routes, "")
    return out


def _fast(route: Any, name: str, other: Callable[..., str]) -> Callable[..., str] | None:
    """A builder of ``route``'s path from its parameters that does what Starlette's
    ``url_path_for`` does (each value through its convertor, put in the path as it is) without
    asking the route to match the name and the parameters first (other parameters: asked of
    ``other``); None for other routes."""
    path_format = getattr(route, "path_format", None)
    convertors = getattr(route, "param_convertors", None)
    if getattr(route, "name", None) != name or path_format is None or convertors is None:
        return None
    if not all(isinstance(c, (StringConvertor, IntegerConvertor)) for c in convertors.values()):
        return None
    pieces = re.split(r"\{([^}:]+)\}", path_format)
    literals, keys = pieces[0::2], pieces[1::2]
    if sorted(keys) != sorted(convertors) or len(set(keys)) != len(keys):
        return None
    wanted = set(keys)
    to_string = [convertors[k].to_string for k in keys]

    def build(**params: Any) -> str:
        if params.keys() != wanted:
            return other(**params)
        out = [literals[0]]
        for key, convert, after in zip(keys, to_string, literals[1:], strict=True):
            out.append(convert(params[key]))
            out.append(after)
        return "".join(out)

    return build


class Paths:
    """The path of a named route, as ``app.url_path_for`` gives it, at a fraction of its cost:
    Starlette tries the routes one by one on every call, each refusal an exception (15-30 µs
    a URL, and a page of results or an article builds dozens, most of them new). The route of
    each name is found once and then asked directly. ``app.state.paths``."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.routes: dict[str, Any] = {}
        self.builders: dict[str, Callable[..., str]] = {}
        #: The names whose builder fills in the path template (plain routes).
        self.plain: set[str] = set()

    def builder(self, name: str) -> Callable[..., str]:
        """A function giving route ``name``'s path from its parameters (``self(name, …)``):
        for a plain route (string and integer parameters) its path template filled in, without
        the route's matching of the name and parameters (~1 µs a path instead of ~10); for
        any other, the route asked each time. The one path builder: ``self(name, …)``,
        ``single`` and the templates' ``url_for`` all build through it."""
        found = self.builders.get(name)
        if found is None:
            slow = partial(self._slow, name)
            route = self.routes.get(name) or self._find(name)
            if route is None:  # not (yet) a route: asked each time, not remembered
                return slow
            fast = _fast(route, name, slow)
            if fast is not None:
                self.plain.add(name)
            found = fast or slow
            self.builders[name] = found
        return found

    def single(self, name: str) -> Callable[[Any], str]:
        """``builder(name)`` for a route that takes one parameter, given its value; for a
        plain route ending in its parameter (``/q/{public_id}``) the fixed start and the
        value through its convertor (a row's links: no keyword arguments per link)."""
        route = self.routes.get(name) or self._find(name)
        convertors = getattr(route, "param_convertors", None) or {}
        path_format = str(getattr(route, "path_format", ""))
        if len(convertors) != 1:
            raise NoMatchFound(name, {})
        (key, convertor), = convertors.items()
        start = path_format.removesuffix("{" + key + "}")
        build = self.builder(name)
        if start != path_format and "{" not in start and name in self.plain:
            to_string = convertor.to_string
            return lambda value: start + to_string(value)
        return lambda value: build(**{key: value})

    def _find(self, name: str) -> Any:
        for candidate in _candidates(self.app):
            if getattr(candidate, "name", None) == name:
                return candidate
        return None

    def __call__(self, name: str, /, **params: Any) -> str:
        """The path of route ``name`` with these path parameters (NoMatchFound if none)."""
        return self.builder(name)(**params)

    def _slow(self, name: str, /, **params: Any) -> str:
        """The path as Starlette builds it: each route asked in turn (the one found is
        remembered)."""
        route = self.routes.get(name)
        if route is not None:
            try:
                return str(route.url_path_for(name, **params))
            except NoMatchFound:
                pass
        for candidate in _candidates(self.app):
            try:
                path = str(candidate.url_path_for(name, **params))
            except NoMatchFound:
                continue
            self.routes[name] = candidate
            return path
        return str(self.app.url_path_for(name, **params))  # raises NoMatchFound


def cached_url_for(paths: Paths, size: int = 20_000) -> Any:
    """The templates' ``url_for`` (an absolute URL of a named route): built by ``paths``,
    and a URL built once is remembered."""

    @lru_cache(maxsize=64)
    def origin(base: str) -> tuple[str, str]:
        url = URL(base)
        return f"{url.scheme}://{url.netloc}", url.path.rstrip("/")

    @lru_cache(maxsize=size)
    def lookup(name: str, params: tuple[tuple[str, Any], ...], base: str) -> Link:
        start, root = origin(base)
        path = root + paths(name, **dict(params))
        link = Link(start + path)
        link.path = path
        return link

    @jinja2.pass_context
    def url_for(context: Any, name: str, /, **path_params: Any) -> Link:
        request: Request = context["request"]
        return lookup(name, tuple(sorted(path_params.items())), str(request.base_url))

    url_for.cache_info = lookup.cache_info  # type: ignore[attr-defined]
    return url_for
