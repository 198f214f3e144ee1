"""Bulk ingest: batched extraction on worker processes stores exactly what one process does."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.extraction.parallel import ExtractorPool, extract_each
from app.extraction.pipeline import Extractor
from app.extraction.records import Extraction
from app.ingest.service import ingest_files
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.storage.models import Article, EntityMention, Quote, Speaker
from tests.factories import SEED_ARTICLE, ByText

PEOPLE = ["Eva Lind", "Per Holm", "Sara Ek", "Karl Dahl"]


class Crashing:
    """The real extractor, except that a text with KRASCH in it raises."""

    def __init__(self, inner: Extractor) -> None:
        self.inner = inner

    def extract(self, text: str, language: str | None = None) -> Extraction:
        if "KRASCH" in text:
            raise RuntimeError("the parser fell over")
        return self.inner.extract(text, language)

    def extract_many(self, texts: Iterable[str]) -> Iterator[Extraction]:
        texts = list(texts)
        if any("KRASCH" in t for t in texts):
            raise RuntimeError("the parser fell over")
        return self.inner.extract_many(texts)


def _files(folder: Path) -> list[Path]:
    """Twelve articles, a copy of one, an unreadable file and one the extractor fails on."""
    paths = []
    for i in range(12):
        who, other = PEOPLE[i % 4], PEOPLE[(i + 1) % 4]
        text = (f"Kommunen nr {i} har fattat beslut.\n\n"
                f"”Vi bygger {i} broar i år”, säger {who}.\n\n"
                f"{other} sade att förslaget kostar {i} miljoner.")
        p = folder / f"a{i:02d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    (folder / "copy.txt").write_text(paths[3].read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\x00\x01binary")
    (folder / "crash.txt").write_text("”KRASCH”, säger Eva Lind.", encoding="utf-8")
    (folder / "seed.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    return sorted(folder.glob("*.txt"))


def _state(engine: Engine) -> dict[str, Any]:
    with Session(engine) as s:
        return {
            "articles": sorted((a.content_hash, a.status, a.language, a.error is not None)
                               for a in s.exec(select(Article))),
            "quotes": sorted((q.public_id, q.start, q.end, q.type, q.speaker_mention)
                             for q in s.exec(select(Quote))),
            "speakers": sorted(sp.name for sp in s.exec(select(Speaker))),
            "mentions": len(s.exec(select(EntityMention)).all()),
        }


def test_two_processes_store_what_one_does(tmp_path: Path, extractor: Extractor,
                                           db_url: str) -> None:
    files = _files(tmp_path)
    results = []
    for jobs in (1, 2):
        url = db_url if jobs == 1 else f"sqlite:///{tmp_path / 'two.db'}"
        upgrade(url)
        engine = make_engine(url)
        summary = ingest_files(lambda e=engine: Session(e), Crashing(extractor), files,
                               1_000_000, jobs=jobs, window=5)
        assert (summary.new, summary.duplicate) == (13, 1)  # 12 + the seed; the copy
        assert set(summary.failed) == {str(tmp_path / "bad.txt"), str(tmp_path / "crash.txt")}
        assert "fell over" in summary.failed[str(tmp_path / "crash.txt")]
        state = _state(engine)
        assert len(state["articles"]) == 14  # the crashing one is kept, as failed
        assert sum(1 for a in state["articles"] if a[1] == "failed" and a[3]) == 1
        assert {"Eva Lind", "Per Holm", "Sara Ek", "Karl Dahl", "Donald Trump"} <= set(
            state["speakers"])
        results.append(state)
        engine.dispose()
    assert results[0] == results[1]
    assert len(results[0]["quotes"]) >= 24 + 12


def test_the_pool_keeps_order_and_reports_a_failing_text(extractor: Extractor) -> None:
    texts = [f"”Vi bygger {i} broar”, säger Eva Lind." for i in range(7)]
    texts.insert(3, "”KRASCH”, säger Per Holm.")
    with ExtractorPool(Crashing(extractor), 2, chunk=2) as pool:
        out = list(pool.extract_many(texts))
    alone = extract_each(Crashing(extractor), texts)
    assert len(out) == len(texts) == len(alone)
    assert isinstance(out[3], str) and "fell over" in out[3]
    for i, (got, want) in enumerate(zip(out, alone, strict=True)):
        if i == 3:
            continue
        assert isinstance(got, Extraction) and got == want
        assert [q.text for q in got.quotes] == [f"Vi bygger {i if i < 3 else i - 1} broar"]


def test_a_new_article_gets_search_rows_and_an_earlier_split(tmp_path: Path, extractor: Extractor,
                                                             db_url: str) -> None:
    """The batched path writes a new article without reading or deleting its (absent) rows:
    its quotes are still found by search, and a mention an editor split off before lands on
    the speaker it was split to."""
    from app.services.accounts import create_user
    from app.storage.browse import QuoteFilters, search
    from app.storage.corrections import split_alias
    from app.storage.models import SpeakerAlias

    upgrade(db_url)
    engine = make_engine(db_url)
    first = tmp_path / "first.txt"
    first.write_text("Ekonomen Eva Lind talade i riksdagen.\n\n"
                     "”Vi bygger broar i år”, säger Lind.", encoding="utf-8")
    ingest_files(lambda: Session(engine), extractor, [first], 1_000_000, window=1)
    with Session(engine) as s:
        eva = s.exec(select(Speaker).where(Speaker.name == "Eva Lind")).one()
        assert "Lind" in {a.text for a in s.exec(
            select(SpeakerAlias).where(SpeakerAlias.speaker_id == eva.id))}
        user = create_user(s, "redaktor", "ett långt lösenord")
        split_alias(s, user, eva.slug, "Lind")
        s.commit()
    second = tmp_path / "second.txt"
    second.write_text("Ekonomen Eva Lind besökte Malmö.\n\n"
                      "”Tunnlarna blir dyrare än väntat”, säger Lind.", encoding="utf-8")
    summary = ingest_files(lambda: Session(engine), extractor, [second], 1_000_000, window=1)
    assert (summary.new, summary.failed) == (1, {})
    with Session(engine) as s:
        quote = s.exec(select(Quote).where(Quote.text == "Tunnlarna blir dyrare än väntat")).one()
        assert quote.speaker_mention == "Lind"
        lind = s.get(Speaker, quote.speaker_id)
        assert lind is not None and lind.name == "Lind"
        page = search(s, QuoteFilters(q="tunnlarna"))
        assert [r.quote.id for r in page.items] == [quote.id]
        assert s.exec(select(EntityMention).where(
            EntityMention.article_id == quote.article_id)).all()
    engine.dispose()


def test_a_second_run_skips_stored_texts_and_retries_failed_ones(
        tmp_path: Path, extractor: Extractor, db_url: str) -> None:
    """The window's stored texts are looked up in one query: done ones are reported as
    already stored (with their quote counts), a failed one is extracted again."""
    files = _files(tmp_path)
    upgrade(db_url)
    engine = make_engine(db_url)
    first = ingest_files(lambda: Session(engine), Crashing(extractor), files, 1_000_000,
                         window=5)
    assert first.new == 13
    seen: dict[str, tuple[int, int]] = {}
    second = ingest_files(
        lambda: Session(engine), extractor, files, 1_000_000, window=5,
        on_done=lambda p, r, e: seen.__setitem__(p.name, (r.article_id, r.quotes)) if r else None)
    assert (second.new, set(second.failed)) == (0, {str(tmp_path / "bad.txt")})
    assert second.duplicate == 15  # 13 stored + the copy + the one that failed before
    with Session(engine) as s:
        crash = s.exec(select(Article).where(Article.text.contains("KRASCH"))).one()
        assert crash.status == "done" and seen["crash.txt"][0] == crash.id
        for name in ("a00.txt", "seed.txt"):
            aid, quotes = seen[name]
            assert quotes == len(s.exec(select(Quote).where(Quote.article_id == aid)).all()) > 0
    engine.dispose()


def test_corrections_made_before_win_over_a_new_articles_quotes(
        tmp_path: Path, extractor: Extractor, db_url: str) -> None:
    """A new article's quotes are inserted as rows without ORM objects; when editors had
    corrected quotes of the same text (an article deleted and ingested again), the rows are
    read and every correction is applied again."""
    from app.services.accounts import create_user
    from app.storage.browse import QuoteFilters, search
    from app.storage.corrections import set_not_a_quote, set_quote_kind
    from app.storage.search import unindex_quotes

    upgrade(db_url)
    engine = make_engine(db_url)
    path = tmp_path / "a.txt"
    path.write_text("”Vi bygger broar i år”, säger Eva Lind.\n\n"
                    "”Tunnlarna blir dyrare än väntat”, säger Per Holm.", encoding="utf-8")
    ingest_files(lambda: Session(engine), extractor, [path], 1_000_000, window=1)
    with Session(engine) as s:
        by_text = {q.text: q for q in s.exec(select(Quote))}
        bridges = by_text["Vi bygger broar i år"]
        tunnels = by_text["Tunnlarna blir dyrare än väntat"]
        assert (bridges.type, tunnels.type) == ("direct", "direct")
        hidden_id, kind_id = bridges.public_id, tunnels.public_id
        user = create_user(s, "redaktor", "ett långt lösenord")
        set_not_a_quote(s, user, hidden_id)
        set_quote_kind(s, user, kind_id, "partial")
        s.commit()
        unindex_quotes(s, [q.id for q in by_text.values() if q.id is not None])
        s.delete(s.exec(select(Article)).one())  # its quotes go with it (ON DELETE CASCADE)
        s.commit()
        assert not s.exec(select(Quote)).all()
    summary = ingest_files(lambda: Session(engine), extractor, [path], 1_000_000, window=1)
    assert (summary.new, summary.failed) == (1, {})
    with Session(engine) as s:
        again = {q.public_id: q for q in s.exec(select(Quote))}
        assert set(again) == {hidden_id, kind_id}  # the same permalinks
        assert again[hidden_id].hidden and again[hidden_id].reviewed
        assert again[kind_id].type == "partial" and again[kind_id].reviewed
        assert search(s, QuoteFilters(q="broar")).total == 0  # hidden: out of the index
        assert [r.quote.public_id for r in search(s, QuoteFilters(q="tunnlarna")).items] == [
            kind_id]
    engine.dispose()


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row with its id (timestamps left out: they differ by the clock; a quote's
    article_date is its undated article's created_at)."""
    from sqlalchemy import inspect, text

    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as con:
        for table in ("article", "speaker", "speakeralias", "quote", "entity",
                      "entitymention"):
            cols = [c["name"] for c in inspect(con).get_columns(table)
                    if c["name"] not in ("created_at", "processed_at", "article_date")]
            names = ", ".join(f'"{c}"' for c in cols)
            out[table] = [tuple(r) for r in con.execute(
                text(f'SELECT {names} FROM "{table}" ORDER BY id'))]
    return out


def _recurring_people(folder: Path) -> list[Path]:
    """Articles whose people recur: a full name, then a bare surname with the same role, a
    first and last name with a middle initial, an organisation and places whose slugs
    collide across labels."""
    texts = [
        "Statsministern Anna Berg besökte Göteborg i går.\n\n"
        "”Vi ska bygga fler bostäder”, säger Anna Berg.",
        "”Det här är en bra dag för Göteborg”, sade statsministern Berg på tisdagen.",
        "Anna K. Berg kommenterade saken.\n\n”Vi står fast vid beslutet”, säger Anna K. Berg.",
        "Volvo meddelade nyheten i Göteborg.\n\n”Vi anställer 500 personer”, säger Per Holm "
        "på Volvo.",
        "”Det är en viktig signal”, säger Per Holm.\n\nHolm, som är vd, tror på framtiden.",
        "”Vi följer utvecklingen”, säger Sara Ek, chef på Göteborg Energi.",
    ]
    paths = []
    for i, t in enumerate(texts):
        p = folder / f"p{i}.txt"
        p.write_text(t, encoding="utf-8")
        paths.append(p)
    return paths


def test_articles_stored_together_are_stored_as_one_by_one(
        tmp_path: Path, extractor: Extractor, db_url: str) -> None:
    """A window's new articles go in one transaction with a few statements for all of them,
    and the rows (ids included) are those that storing each in its own transaction gives."""
    from sqlalchemy import event

    from tests.factories import drop_database, new_database_url

    files = _recurring_people(tmp_path)
    states = []
    reads = []
    second = new_database_url(tmp_path)  # on the engine under test
    for window in (1, 10):  # window=1: one article a transaction, the path used before
        url = db_url if window == 1 else second
        upgrade(url)
        engine = make_engine(url)
        statements: list[str] = []
        listen = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        summary = ingest_files(lambda e=engine: Session(e), extractor, files, 1_000_000,
                               window=window)
        event.remove(engine, "before_cursor_execute", listen)
        assert (summary.new, summary.failed) == (len(files), {})
        states.append(_rows(engine))
        reads.append(sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")))
        engine.dispose()
    drop_database(second)
    one_by_one, together = states
    assert together == one_by_one
    assert reads[1] * 3 < reads[0]  # each kind of row is read once for the whole window
    speakers = {row[1] for row in together["speaker"]}
    assert {"Anna Berg", "Per Holm"} <= speakers and "Berg" not in speakers


def test_a_refused_article_in_a_window_fails_alone(tmp_path: Path, db_url: str) -> None:
    """When the database refuses one article's rows (here: two quotes with the same span),
    the window is stored one article at a time: that one is reported, the rest land."""
    from app.extraction.records import ExtractedQuote

    upgrade(db_url)
    engine = make_engine(db_url)
    by_text: dict[str, Extraction] = {}
    files = []
    for i in range(4):
        text = f"”Vi bygger {i} broar”, säger Eva Lind."
        quote = ExtractedQuote(f"Vi bygger {i} broar", 1, 1 + len(f"Vi bygger {i} broar"),
                               "direct", None)
        by_text[text] = Extraction(language="sv",
                                   quotes=(quote, quote) if i == 2 else (quote,))
        path = tmp_path / f"b{i}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    summary = ingest_files(lambda: Session(engine), ByText(by_text), files, 1_000_000,
                           window=10)
    assert summary.new == 3 and list(summary.failed) == [str(files[2])]
    with Session(engine) as s:
        stored = sorted(q.text for q in s.exec(select(Quote)))
        assert stored == ["Vi bygger 0 broar", "Vi bygger 1 broar", "Vi bygger 3 broar"]
        assert len(s.exec(select(Article)).all()) == 3  # nothing half-written of the refused
    engine.dispose()
