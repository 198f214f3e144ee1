"""List views: search with facets, speakers, a speaker, an entity, and their exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlmodel import Session

from app.storage import (
    browse,
    exports,
    indexes,
    keyset,
    name_index,
    profiles,
    queries,
)
from app.storage import search as fulltext
from app.storage.browse import QuoteFilters
from app.storage.search import highlight_spans, split_fields
from app.web import i18n
from app.web.deps import SessionDep, SettingsDep, TemplatesDep, templates_of
from app.web.exports import CHUNK_ROWS, atom_feed, csv_chunks, json_chunks
from app.web.filters import FiltersDep
from app.web.i18n import gettext_ as _
from app.web.localized import LocalizedTemplates
from app.web.messages import N_
from app.web.pagecache import cache_page
from app.web.render import highlight, timeline_svg
from app.web.urls import absolute_url, export_links

router = APIRouter(default_response_class=HTMLResponse)

PAGE_SIZE = 20
FEED_SIZE = 50
PageNo = Annotated[int, Query(ge=1, le=100_000)]
FACET_NAMES = ("speaker", "entity", "source", "language", "kind", "month")


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _qs(params: dict[str, str]) -> str:
    return urlencode(params)


def _facet_links(f: QuoteFilters, facets: dict[str, list[browse.FacetValue]]) -> dict[str, Any]:
    """For each facet value: its count, whether it is selected, and the URL that toggles it
    (the other filters' parameters encoded once a page, not once a value)."""
    base = f.as_params()
    encoded = {k: _qs({k: v}) for k, v in base.items()}
    out: dict[str, Any] = {}
    for name in FACET_NAMES:
        items = []
        others = "&".join(e for k, e in encoded.items() if k != name)
        for v in facets.get(name, []):
            selected = base.get(name) == v.value
            query = others if selected else "&".join(
                filter(None, (others, _qs({name: v.value}))))
            items.append({"value": v.value, "label": v.label, "count": v.count,
                          "selected": selected, "href": "?" + query})
        out[name] = items
    return out


#: What each filter is called on a chip (msgids, translated when shown).
FILTER_NAMES = {
    "speaker": N_("Speaker"), "entity": N_("Mentions"), "source": N_("Source"),
    "language": N_("Language"), "kind": N_("Kind"), "month": N_("Month"),
    "article": N_("Article"), "from": N_("From"), "to": N_("To"),
}
VALUE_NAMES = {"direct": N_("direct"), "partial": N_("partial"), "indirect": N_("indirect"),
               "sv": N_("Swedish"), "en": N_("English")}


def _active(f: QuoteFilters, facets: dict[str, list[browse.FacetValue]]
            ) -> list[dict[str, str]]:
    """The filters in force, each with a readable label and the URL that removes it."""
    params = f.as_params()
    out = []
    for k, v in params.items():
        if k in ("q", "sort"):
            continue
        label = next((x.label for x in facets.get(k, []) if x.value == v), v)
        if k in ("kind", "language"):
            label = _(VALUE_NAMES.get(v, v))
        elif k == "month":
            label = i18n.format_month(v)
        elif k in ("from", "to"):
            label = i18n.format_iso_day(date.fromisoformat(v))
        out.append({"name": k, "title": _(FILTER_NAMES.get(k, k)), "value": v, "label": label,
                    "href": "?" + _qs({a: b for a, b in params.items() if a != k})})
    return out


@router.get("/search", name="search")
def search(request: Request, f: FiltersDep, page: PageNo = 1) -> Response:
    """Quotes matching words and filters, ranked by relevance; facets with counts."""
    clean = _clean_url(request)
    htmx = bool(request.headers.get("hx-request"))
    if not htmx and clean != request.url.path + (
            f"?{request.url.query}" if request.url.query else ""):
        # Before any work: the form sends every field (the page is searched once, there).
        return RedirectResponse(clean, status_code=303)
    cache_page(request)
    # The session and the templates taken here, not through FastAPI's dependencies (an
    # async generator and an exit stack a request, and a thread-pool hop to close it).
    with Session(request.app.state.reader) as session:
        return _search_page(request, session, templates_of(request), f, page, htmx, clean)


def _search_page(request: Request, session: Session, templates: LocalizedTemplates, f: QuoteFilters,
                 page: int, htmx: bool, clean: str) -> Response:
    result = browse.search(session, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    hits = [(row, highlight(row.quote.text, highlight_spans(row.quote.text, f.q)))
            for row in result.items]
    cache = request.app.state.cache
    # Every name in memory while the process keeps counts (not re-read for each new search;
    # refreshed by a thread of its own, not on a reader's request).
    names = cache.kept("name-index", lambda: _load_names(
        request.app.state.reader, cache.held("name-index"))) if (
        f.q and cache.seconds > 0) else None
    named_speakers, named_entities = cache.get(
        ("names", f.q), lambda: queries.find_by_name(session, f.q, names=names)
    ) if f.q else ([], [])
    # The speaker the words name (also misspelt): their quotes first, as a block above the
    # word matches with a link that filters to them (issue 21).
    words_only = split_fields(f.q)[0].strip()
    by_speaker = cache.get(("named", words_only), lambda: queries.named_speakers(
        session, words_only, names=names)) if words_only and not f.speaker else []
    speaker_blocks = [
        {"named": n, "href": "?" + _qs({**{k: v for k, v in f.as_params().items() if k != "q"},
                                       "speaker": n.speaker.slug}),
         "hits": [(row, highlight(row.quote.text, [])) for row in keyset.page(
             session, "speaker", n.speaker.id or 0, n.quotes, 3).items]}
        for n in by_speaker[:1]]
    did_you_mean = [n.speaker for n in by_speaker if n.fuzzy]
    facet_counts = cache.get(("facets", f), lambda: browse.facets_of(session, f, result.newest))
    context = {
        "f": f, "q": f.q, "page": page, "result": result, "hits": hits,
        "pages": _pages(result.total), "pages_estimated": result.estimated,
        "counted": fulltext.rank_window(session),
        "facets": _facet_links(f, facet_counts.values), "facets_sampled": facet_counts.sampled,
        "active": _active(f, facet_counts.values), "pager_query": _qs(f.as_params()) + "&",
        "exports": export_links(request, f), "named_speakers": named_speakers,
        "named_entities": named_entities, "speaker_blocks": speaker_blocks,
        "did_you_mean": did_you_mean,
        "sort_links": {s: "?" + _qs({**f.as_params(), "sort": s})
                       for s in ("relevance", "newest")},
    }
    if htmx:
        response: Response = templates.TemplateResponse(request, "_results.html", context)
        # The address bar gets the same clean URL a plain request is redirected to.
        response.headers["HX-Push-Url"] = clean
        return response
    return templates.TemplateResponse(request, "search.html", context)


def _load_names(engine: Any, held: object = None) -> name_index.NameIndex:
    """Every name in memory, read on a session of its own (the refresh runs off the request,
    so it cannot use the request's session); the names ``held`` when none changed."""
    with Session(engine) as session:
        return name_index.load(session, held if isinstance(held, name_index.NameIndex)
                               else None)


def _clean_url(request: Request) -> str:
    """The request's URL without empty parameters and defaults (a form sends every field:
    ``&from=&to=&sort=relevance``)."""
    kept = [(k, v) for k, v in request.query_params.multi_items()
            if v != "" and (k, v) not in (("sort", "relevance"), ("page", "1"))]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


@router.get("/speakers", name="speakers")
def speakers(
    request: Request, session: SessionDep, templates: TemplatesDep, page: PageNo = 1,
    initial: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """Quoted speakers, most quoted first, or by initial (A–Ö)."""
    cache_page(request)
    per_page = PAGE_SIZE * 5
    initial = initial.upper()
    if initial:
        # People are filed by surname (Donald Trump under T), the count is the letter's own.
        rows = indexes.speakers_by_surname(session, initial)
        total = len(rows)
    else:
        total = queries.count_speakers(session)
        rows = queries.top_speakers(session, per_page, (page - 1) * per_page)
    return templates.TemplateResponse(request, "speakers.html", {
        "speakers": rows, "page": page, "pages": 1 if initial else max(1, -(-total // per_page)),
        "total": total, "alphabet": indexes.LETTERS, "initial": initial, "pager_query": "",
    })


#: A cursor in a list page's URL (``?after=`` / ``?before=``, see ``app.storage.keyset``).
CursorParam = Annotated[str, Query(max_length=64)]


def _keyset_pager(request: Request, result: keyset.KeysetPage, page: int) -> dict[str, Any]:
    """Links to the pages after and before a keyset page; ``page`` only labels it (the
    cursor in the link says where the page starts)."""
    page = page if result.before is not None else 1
    base = request.url.path
    prev = None
    if result.before is not None:
        prev = base if page <= 2 else base + "?" + _qs(
            {"before": result.before.encode(), "page": str(page - 1)})
    nxt = base + "?" + _qs({"after": result.after.encode(), "page": str(page + 1)}
                           ) if result.after is not None else None
    return {"prev": prev, "next": nxt, "page": page, "pages": _pages(result.total)}


def _keyset_page(session: Session, kind: str, key: int, total: int, page: int, after: str,
                 before: str) -> keyset.KeysetPage:
    """A page of a speaker's or an entity's quotes by its cursor, else (an old address) by its
    number."""
    start, end = keyset.Cursor.decode(after), keyset.Cursor.decode(before)
    if start is not None or end is not None:
        return keyset.page(session, kind, key, total, PAGE_SIZE, after=start, before=end)
    return keyset.page(session, kind, key, total, PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)


@router.get("/speakers/{slug}", name="speaker")
def speaker(
    request: Request, slug: str, q: Annotated[str, Query(max_length=500)] = "",
    page: PageNo = 1, after: CursorParam = "", before: CursorParam = "",
) -> Response:
    """A speaker: names, roles, numbers, a timeline, neighbours and their quotes (filterable;
    newest first a page at a time by cursor, see ``app.storage.keyset``)."""
    cache_page(request)
    with Session(request.app.state.reader) as session:
        return _speaker_page(request, session, templates_of(request), slug, q, page,
                             after, before)


def _speaker_page(request: Request, session: Session, templates: LocalizedTemplates,
                  slug: str, q: str, page: int, after: str, before: str) -> Response:
    # The speaker, their names, numbers and neighbours in one statement (read for each page:
    # it costs less than the keyed cache's look-up would save, and shows a rename at once).
    profile = profiles.speaker_profile(session, slug, request.app.state.settings.speaker_sure)
    view, stats, uncertain = profile.view, profile.stats, profile.uncertain
    sid = view.speaker.id
    assert sid is not None
    f = QuoteFilters(q=q, speaker=slug, sort="newest" if not q else "relevance")
    context: dict[str, Any] = {}
    if q:
        quotes: queries.Page | keyset.KeysetPage = browse.search(
            session, f, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        context.update(page=page, pages=_pages(quotes.total), pager_query=_qs({"q": q}) + "&")
    else:
        quotes = _keyset_page(session, "speaker", sid, stats.quotes, page, after, before)
        context["pager"] = _keyset_pager(request, quotes, page)
    hits = [(row, highlight(row.quote.text, highlight_spans(row.quote.text, q)))
            for row in quotes.items]
    return templates.TemplateResponse(request, "speaker.html", {
        **context, "view": view, "stats": stats, "uncertain": uncertain, "quotes": quotes,
        "hits": hits, "speaker_q": q, "timeline": timeline_svg(stats.timeline),
        "exports": export_links(request, f),
    })


ENTITY_REDIRECT_SECONDS = 3600


@router.get("/entities/{slug}", name="entity")
def entity(
    request: Request, slug: str, page: PageNo = 1, after: CursorParam = "",
    before: CursorParam = "",
) -> Response:
    """An entity: the quotes that mention it, who mentions it most. A person or organisation
    that also speaks has one page, the speaker's (which links the quotes that mention them)."""
    with Session(request.app.state.reader) as session:
        return _entity_page(request, session, templates_of(request), slug, page, after,
                            before)


def _entity_page(request: Request, session: Session, templates: LocalizedTemplates,
                 slug: str, page: int, after: str, before: str) -> Response:
    # The entity, its articles and who mentions it read on the session's connection (no ORM
    # execution); its quotes through the session (``keyset.page``).
    connection = session.connection()
    view = profiles.get_entity(connection, slug)
    if view.speaker is not None:
        target = str(request.app.url_path_for("speaker", slug=view.speaker.slug))
        if "lang" in request.query_params:
            target += "?" + urlencode({"lang": request.query_params["lang"]})
        # Permanent, but cached an hour at most: an editor's merge or split may move it.
        return RedirectResponse(target, status_code=308,
                                headers={"Cache-Control": f"max-age={ENTITY_REDIRECT_SECONDS}"})
    cache_page(request)
    f = QuoteFilters(entity=slug, sort="newest")
    eid = view.entity.id
    assert eid is not None
    quotes = _keyset_page(session, "entity", eid, view.quotes, page, after, before)
    return templates.TemplateResponse(request, "entity.html", {
        "view": view, "quotes": quotes, "pager": _keyset_pager(request, quotes, page),
        "mentioned_by": profiles.entity_speakers(connection, view.entity),
        "exports": export_links(request, f),
    })


def _permalink(request: Request, base_url: str | None) -> Any:
    def make(public_id: str) -> str:
        return absolute_url(request, base_url,
                            str(request.app.url_path_for("quote", public_id=public_id)))
    return make


def _permalink_base(request: Request, base_url: str | None) -> str:
    """The absolute permalink of a quote is this + its id (built once, not per row)."""
    marker = "0" * 16
    url = absolute_url(request, base_url,
                       str(request.app.url_path_for("quote", public_id=marker)))
    return url[: url.rindex(marker)]


def _stream(request: Request, f: QuoteFilters, settings: Any, chunks: Any, *,
            for_csv: bool) -> Any:
    """The chunks of an export of every quote matching ``f``, read with a cursor."""
    engine = request.app.state.engine
    base = _permalink_base(request, settings.base_url)

    def generate() -> Any:
        with Session(engine) as session:
            yield from chunks(exports.export_rows(
                session, f, permalink_base=base, sure=settings.speaker_sure, for_csv=for_csv,
                batch=CHUNK_ROWS))

    return generate()


@router.get("/export/quotes.csv", name="export_csv", response_class=StreamingResponse)
def export_csv(request: Request, f: FiltersDep, settings: SettingsDep) -> StreamingResponse:
    """Every quote matching the filters as CSV, streamed."""
    return StreamingResponse(_stream(request, f, settings, csv_chunks, for_csv=True),
                             media_type="text/csv; charset=utf-8", headers={
                                 "Content-Disposition": 'attachment; filename="citat-quotes.csv"'})


@router.get("/export/quotes.json", name="export_json", response_class=StreamingResponse)
def export_json(request: Request, f: FiltersDep, settings: SettingsDep) -> StreamingResponse:
    """Every quote matching the filters as one JSON array (the CSV's columns), streamed."""
    return StreamingResponse(_stream(request, f, settings, json_chunks, for_csv=False),
                             media_type="application/json", headers={
                                 "Content-Disposition":
                                     'attachment; filename="citat-quotes.json"'})


@router.get("/export/quotes.atom", name="export_atom", response_class=Response)
def export_atom(
    request: Request, f: FiltersDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The newest quotes matching the filters as an Atom feed."""
    rows = browse.search(session, QuoteFilters(**{**f.__dict__, "sort": "newest"}),
                         FEED_SIZE, 0).items
    qs = _qs(f.as_params())
    self_url = absolute_url(request, settings.base_url,
                            str(request.app.url_path_for("export_atom")) + "?" + qs)
    html_url = absolute_url(request, settings.base_url,
                            str(request.app.url_path_for("search")) + "?" + qs)
    title = "Citat: " + (", ".join(f"{k}={v}" for k, v in f.as_params().items()) or "quotes")
    body = atom_feed(rows, title=title, self_url=self_url, alternate_url=html_url,
                     permalink=_permalink(request, settings.base_url))
    return Response(body, media_type="application/atom+xml; charset=utf-8")
