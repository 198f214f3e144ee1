"""Templates compiled once per interface language, with their fixed words and links inlined.

A page called the translation function ~30 times (each call through Jinja's runtime and a
``Markup`` formatting) and built ~20 fixed links (``url_for('search').path``) per request, the
same strings for every reader of a language. Here every template is compiled once per
(language, root path) with those resolved at compile time, so the page chrome (header, nav,
footer) and the fixed labels of a page are literal text in the compiled template:

- ``_("text")`` becomes the translation as markup (exactly what the ``newstyle`` gettext of
  ``jinja2.ext.i18n`` returns: the catalog's text is trusted, formatted with no values);
  ``_("text %(x)s", x=value)`` becomes that markup ``%`` a dict of the values, so every value
  is escaped as before. A call with anything but a string literal first is left as it is (the
  runtime gettext is still installed).
- ``url_for('name', param='literal').path`` (literal arguments only) becomes the path.
- ``current_locale()`` becomes the language.

The environments are overlays of the app's one environment: the same filters, globals and
loader. Their bytecode is cached under a name that includes a digest of the catalog, the route
table and the root path, so an edited catalog or a changed route is never served stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup
from starlette.templating import _TemplateResponse

from app.web import i18n
from app.web.urls import Paths, route_table

#: Bumped when the rewriting changes (it is part of the bytecode's name).
REWRITE_VERSION = "2"  # 2: compiled by app.web.templatecode
_OPEN = {"lparen", "lbracket", "lbrace"}
_CLOSE = {"rparen", "rbracket", "rbrace"}


def request_root(request: Request) -> str:
    """The path the app is mounted at (as ``request.base_url`` gives it), without "/"."""
    scope = request.scope
    return str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")


class InlineLocale(Extension):
    """Rewrites the token stream of a template for one language and root (see the module)."""

    def filter_stream(self, stream: Any) -> Iterable[Token]:
        tokens = list(stream)
        return _Rewriter(tokens, self.environment).run()


class _Rewriter:
    def __init__(self, tokens: list[Token], env: jinja2.Environment) -> None:
        self.t = tokens
        self.locale: str = env.citat_locale  # type: ignore[attr-defined]
        self.root: str = env.citat_root  # type: ignore[attr-defined]
        self.paths: Paths = env.citat_paths  # type: ignore[attr-defined]
        self.gettext = i18n.translations(self.locale).gettext

    def kind(self, i: int) -> str:
        return self.t[i].type if i < len(self.t) else ""

    def value(self, i: int) -> Any:
        return self.t[i].value if i < len(self.t) else None

    def run(self) -> Iterator[Token]:
        t, i, n = self.t, 0, len(self.t)
        while i < n:
            tok = t[i]
            if tok.type == "name" and tok.value == "_" and self.kind(i + 1) == "lparen" \
                    and self.kind(i + 2) == "string":
                done = yield from self._gettext(i)
                if done:
                    i = done
                    continue
            elif tok.type == "name" and tok.value == "url_for" and self.kind(i + 1) == "lparen":
                end = self._url_for(i)
                if end:
                    yield Token(tok.lineno, "string", end[1])
                    i = end[0]
                    continue
            elif tok.type == "name" and tok.value == "current_locale" \
                    and self.kind(i + 1) == "lparen" and self.kind(i + 2) == "rparen":
                yield Token(tok.lineno, "string", self.locale)
                i += 3
                continue
            yield tok
            i += 1

    def _gettext(self, i: int) -> Generator[Token, None, int]:
        """``_("…")`` or ``_("…", k=v, …)`` at ``i``: yields the rewrite and returns the index
        after it, or yields nothing and returns 0 when it is not one of those."""
        line = self.t[i].lineno
        text = Markup(self.gettext(self.value(i + 2)))  # noqa: S704 (the catalog, as gettext)
        if self.kind(i + 3) == "rparen":
            try:  # formatted with no values, as the runtime gettext does ("%%" -> "%")
                done = text % {}
            except (ValueError, TypeError, KeyError):
                return 0  # fails at render time, as before
            yield from _safe(line, done)
            return i + 4
        if self.kind(i + 3) != "comma":
            return 0
        # Keyword arguments: name=expr at depth 0, up to the matching ")".
        j, depth, out = i + 4, 0, []
        expect_key = True
        while j < len(self.t):
            tok = self.t[j]
            if depth == 0 and expect_key:
                if tok.type != "name" or self.kind(j + 1) != "assign":
                    return 0
                out += [Token(tok.lineno, "string", tok.value), Token(tok.lineno, "colon", ":")]
                j += 2
                expect_key = False
                continue
            if tok.type in _OPEN:
                depth += 1
            elif tok.type in _CLOSE:
                if depth == 0:
                    break
                depth -= 1
            elif tok.type == "comma" and depth == 0:
                expect_key = True
            out.append(tok)
            j += 1
        else:
            return 0
        if expect_key and out:  # a trailing comma
            out.pop()
        yield from [Token(line, "lparen", "("), *_safe(line, text), Token(line, "mod", "%"),
                    Token(line, "lbrace", "{"), *out, Token(line, "rbrace", "}"),
                    Token(line, "rparen", ")")]
        return j + 1

    def _url_for(self, i: int) -> tuple[int, str] | None:
        """``url_for('name'[, k='v' …]).path`` at ``i`` with literal arguments only: the index
        after it and the path."""
        if self.kind(i + 2) != "string":
            return None
        name, params, j = self.value(i + 2), {}, i + 3
        while self.kind(j) == "comma":
            if not (self.kind(j + 1) == "name" and self.kind(j + 2) == "assign"
                    and self.kind(j + 3) == "string"):
                return None
            params[self.value(j + 1)] = self.value(j + 3)
            j += 4
        if not (self.kind(j) == "rparen" and self.kind(j + 1) == "dot"
                and self.kind(j + 2) == "name" and self.value(j + 2) == "path"):
            return None
        try:
            path = self.paths(name, **params)
        except Exception:
            return None
        return j + 3, self.root + path


def _safe(line: int, text: Markup) -> list[Token]:
    """``("text"|safe)``: folded by Jinja's optimizer into a markup constant."""
    return [Token(line, "lparen", "("), Token(line, "string", str(text)),
            Token(line, "pipe", "|"), Token(line, "name", "safe"), Token(line, "rparen", ")")]


def _digest(locale: str, root: str, paths: Paths) -> str:
    po = i18n.CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    h = hashlib.sha256(f"{REWRITE_VERSION}\0{locale}\0{root}\0".encode())
    h.update(po.read_bytes() if po.exists() else b"")
    h.update(repr(route_table(paths.app)).encode())
    return h.hexdigest()[:20]


class LocalizedTemplates(Jinja2Templates):
    """``Jinja2Templates`` whose ``TemplateResponse`` renders the template compiled for the
    request's language and root path (``env`` stays the shared, unrewritten environment)."""

    def __init__(self, env: jinja2.Environment, paths: Paths) -> None:
        super().__init__(env=env)
        self.paths = paths
        self._envs: dict[tuple[str, str], jinja2.Environment] = {}

    def localized(self, locale: str, root: str = "") -> jinja2.Environment:
        """The environment of ``locale`` and ``root`` (made the first time it is asked)."""
        key = (locale, root)
        env = self._envs.get(key)
        if env is None:
            env = self.env.overlay(
                extensions=[InlineLocale],
                bytecode_cache=jinja2.FileSystemBytecodeCache(
                    pattern=f"__citat_{_digest(locale, root, self.paths)}_%s.cache"))
            env.citat_locale = locale  # type: ignore[attr-defined]
            env.citat_root = root  # type: ignore[attr-defined]
            env.citat_paths = self.paths  # type: ignore[attr-defined]
            self._envs[key] = env
        return env

    def compile_all(self) -> None:
        """Compile every template for every language now, not on a reader's request."""
        for locale in i18n.LOCALES:
            env = self.localized(locale)
            for name in env.list_templates(extensions=["html"]):
                env.get_template(name)

    def TemplateResponse(self, request: Request, name: str,  # type: ignore[override]
                         context: dict[str, Any] | None = None, **kwargs: Any
                         ) -> _TemplateResponse:
        """Render ``name`` as Starlette does, from the request's language's compilation."""
        context = context or {}
        context.setdefault("request", request)
        template = self.localized(i18n.current_locale.get(), request_root(request)) \
            .get_template(name)
        return _TemplateResponse(template, context, **kwargs)
