"""Storage: migrations, writes, stable permalinks, search."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.extraction.records import ExtractedEntity, ExtractedQuote, ExtractedSpeaker, Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.storage import browse, profiles, queries
from app.storage.browse import QuoteFilters
from app.storage.migrate import check, upgrade
from app.storage.models import Article, Entity, EntityMention, Quote, Speaker, SpeakerAlias
from app.storage.search import fts5_match, highlight_spans, index_body, parse_query
from app.storage.writes import quote_public_id, save_extraction
from tests.factories import EXTRACTION, Q1, Q2, Q3, TEXT, FixedExtractor, span, text_quote


def test_migrations_reach_head_with_no_drift(db_url: str) -> None:
    upgrade(db_url)  # idempotent at head
    check(db_url)  # raises on any difference between models and migrations


def test_engine_settings_per_dialect(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    else:
        index = session.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_quote_search_body'")).scalar()
        assert index is not None and "USING gin (body)" in index


def test_ingest_stores_quotes_speakers_entities(session: Session) -> None:
    result = ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT, title="T"))
    assert result.created and result.quotes == 3
    quotes = session.exec(select(Quote).order_by(Quote.start)).all()
    assert [(q.start, q.end, q.type) for q in quotes] == [
        (*Q1, "partial"), (*Q2, "direct"), (*Q3, "indirect")
    ]
    assert all(TEXT[q.start:q.end] == q.text for q in quotes)
    berg = session.exec(select(Speaker).where(Speaker.name == "Anna Berg")).one()
    assert berg.slug == "anna-berg" and berg.kind == "PER"
    aliases = {(a.kind, a.text) for a in session.exec(
        select(SpeakerAlias).where(SpeakerAlias.speaker_id == berg.id))}
    assert aliases == {("mention", "Anna Berg"), ("mention", "Berg"),
                       ("mention", "Statsministern Anna Berg"), ("role", "Statsministern")}
    polisen = session.exec(select(Speaker).where(Speaker.name == "Polisen")).one()
    assert polisen.kind == "ORG"
    assert {(e.name, e.label) for e in session.exec(select(Entity))} == {
        ("Anna Berg", "PER"), ("Göteborg", "LOC")}
    assert len(session.exec(select(EntityMention)).all()) == 2


def test_ingest_is_idempotent_by_content(session: Session) -> None:
    ex = FixedExtractor(EXTRACTION)
    first = ingest(session, ex, ArticleIn(text=TEXT))
    ids = [q.public_id for q in session.exec(select(Quote).order_by(Quote.start))]
    # Same text with other white space is the same article: nothing new is extracted or stored.
    again = ingest(session, ex, ArticleIn(text=TEXT.replace(" ", "  ")))
    assert again.article_id == first.article_id and not again.created
    assert ex.calls == 1
    assert [q.public_id for q in session.exec(select(Quote).order_by(Quote.start))] == ids


def test_public_id_is_derived_from_text_and_span(session: Session) -> None:
    ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    q = session.exec(select(Quote).order_by(Quote.start)).first()
    assert q is not None
    assert q.public_id == quote_public_id(ArticleIn(text=TEXT).content_hash, *Q1)
    assert len(q.public_id) == 12 and q.public_id.isalnum()


def test_reextraction_keeps_permalinks_of_unchanged_spans(session: Session) -> None:
    result = ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    before = {(q.start, q.end): (q.id, q.public_id) for q in session.exec(select(Quote))}
    # A changed extractor: Q1 gone, Q2 unchanged but re-attributed, a new quote added.
    new_span = span(TEXT, "Vi har inga allianser")
    changed = Extraction(
        language="sv",
        quotes=(text_quote(*Q2, speaker="Anna Berg"), text_quote(*new_span),
                text_quote(*Q3, kind="indirect", speaker="Polisen")),
        speakers=EXTRACTION.speakers,
    )
    with pytest.raises(IntegrityError):
        # Overlapping spans are the extractor's business, but the span key stays unique.
        save_extraction(session, session.get_one(type(queries.get_article(
            session, result.article_id).article), result.article_id),
            Extraction(language="sv", quotes=(text_quote(*Q2), text_quote(*Q2))))
    session.rollback()
    again = ingest(session, FixedExtractor(changed), ArticleIn(text=TEXT), refresh=True)
    assert again.article_id == result.article_id and not again.created
    after = {(q.start, q.end): (q.id, q.public_id) for q in session.exec(select(Quote))}
    assert after[Q2] == before[Q2] and after[Q3] == before[Q3]
    assert Q1 not in after and new_span in after
    hits = browse.search(session, QuoteFilters(q="hjälpa"))
    assert hits.total == 0  # the removed quote left the search index too


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hjälpa", {Q1}),
        ("hjälp", {Q1}),  # stems: hjälpa -> hjälp
        ("allianserna", {Q2}),  # allianserna -> allians
        ("allians", {Q2}),
        ('"inga allianser"', {Q2}),
        ("allia", {Q2}),  # last bare word is a prefix (type-ahead)
        ("skadades göteborg", {Q3}),
        ("göteborg hjälpa", set()),
    ],
)
def test_search_stems_and_ranks(
    session: Session, query: str, expected: set[tuple[int, int]]
) -> None:
    ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    page = browse.search(session, QuoteFilters(q=query))
    assert {(r.quote.start, r.quote.end) for r in page.items} == expected
    assert page.total == len(expected)


def test_a_ranked_page_reads_its_rows_in_one_query(session: Session) -> None:
    """Top ids and total from the index, then one query for the rows, in rank order, without
    the article text (no result list shows it) and without hidden quotes."""
    from sqlalchemy import event

    ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    ids = [q.id for q in session.exec(select(Quote).order_by(Quote.start)).all()]
    hidden = session.get(Quote, ids[1])
    assert hidden is not None
    hidden.hidden = True
    session.add(hidden)
    session.commit()
    session.expunge_all()
    rows = queries.visible_rows(session, [ids[2], ids[1], ids[0], 999_999])
    assert [r.quote.id for r in rows] == [ids[2], ids[0]]  # asked order; hidden, unknown gone
    assert [r.speaker.name if r.speaker else None for r in rows] == ["Polisen", "Anna Berg"]
    assert rows[0].article.title is None and rows[0].article.source is None
    with pytest.raises(Exception, match="text"):
        _ = rows[0].article.text  # deferred: never loaded row by row behind a list's back
    statements: list[str] = []
    listen = lambda *a: statements.append(a[2])  # noqa: E731
    engine = session.get_bind()
    # A process's first search on PostgreSQL also reads the search table's statistics (kept
    # for minutes, app.storage.pgwindows): counted here is a page's own work.
    browse.search(session, QuoteFilters(q="göteborg"))
    event.listen(engine, "before_cursor_execute", listen)
    try:
        session.expunge_all()
        page = browse.search(session, QuoteFilters(q="göteborg"))
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert [(r.quote.start, r.quote.end) for r in page.items] == [Q3] and page.total == 1
    assert len(statements) == 2  # the ranked ids (the whole set: no count), then the rows
    assert "article.text" not in statements[1]


def test_search_does_not_fold_swedish_letters(session: Session) -> None:
    text_ = "”Det var ett bra år”, sade Berg.\n”Vi tar en ar till”, sade Berg."
    one, two = "Det var ett bra år", "Vi tar en ar till"
    a, b = text_.index(one), text_.index(two)
    ex = Extraction(language="sv", quotes=(
        ExtractedQuote(one, a, a + len(one), "direct", None),
        ExtractedQuote(two, b, b + len(two), "direct", None),
    ))
    ingest(session, FixedExtractor(ex), ArticleIn(text=text_))
    assert [r.quote.text for r in browse.search(session, QuoteFilters(q="år ")).items] == [
        "Det var ett bra år"]
    assert [r.quote.text for r in browse.search(session, QuoteFilters(q="ar ")).items] == [
        "Vi tar en ar till"]


HOSTILE = ['"', "-nej", "AND", "(", "*", "'", "NEAR(", 'a"b', "OR OR", "NOT", ")", "^", ":",
           "col:val", "{", "hjälp*", "''; DROP TABLE quote; --", "\x00", "a" * 600, "   ", "+",
           "🙂", "NEAR(a b, 3)", '"unbalanced phrase']


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(session: Session, query: str) -> None:
    ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    page = browse.search(session, QuoteFilters(q=query))
    assert page.total >= 0
    assert session.exec(select(Quote)).first() is not None  # nothing was dropped


def test_query_building_quotes_every_term() -> None:
    # FTS5 operators and punctuation become plain quoted words; the phrase stays a phrase; the
    # last bare word is a prefix as typed, or its stem as a whole word; -word is left out
    # (read by parse_query, never passed through). A word being typed that is 6 letters or
    # more is a whole word too: its stem matches anywhere, else only the quote's own words.
    assert fts5_match(parse_query('AND -nej "ta hand" hjälpen')) == (
        '("and" AND "ta hand" AND ("hjälpen"* OR "hjälp")) NOT ("nej")'
    )
    m = fts5_match(parse_query("-nej AND"))
    assert m == '("and"*) NOT ("nej")'
    assert fts5_match(parse_query("huse")) == '("huse"* OR body : "hus")'
    assert fts5_match(parse_query("-nej")) == ""  # nothing positive: no search
    assert fts5_match(parse_query('"ta hand om"')) == '"ta hand om"'
    assert fts5_match(parse_query("")) == ""


def test_type_ahead_matches_what_was_typed_not_every_word_of_its_stem(session: Session
                                                                      ) -> None:
    """The word being typed finds the words that start with it and, once it is a whole
    inflected word, the words of its stem; not every word that starts with its stem."""
    lines = ["Huset brann ner i natt.", "Ett hus till salu.", "Husdjuren klarade sig.",
             "Försvaret behöver mer pengar.", "Förslaget kom i tid."]
    text_ = "\n".join(f"”{line}”, sade Berg." for line in lines)
    quotes = tuple(ExtractedQuote(line, text_.index(line), text_.index(line) + len(line),
                                  "direct", None) for line in lines)
    ingest(session, FixedExtractor(Extraction(language="sv", quotes=quotes)),
           ArticleIn(text=text_))

    def found(q: str) -> set[str]:
        page = browse.search(session, QuoteFilters(q=q))
        assert page.total == len(page.items)
        return {r.quote.text.split()[0] for r in page.items}

    assert found("huset") == {"Huset", "Ett"}  # "huset" -> hus, whole: not Husdjuren
    assert found("hus") == {"Huset", "Ett", "Husdjuren"}  # a prefix: every hus-word
    assert found("huse") == {"Huset", "Ett"}  # being typed: its stem, whole
    assert found("försv") == {"Försvaret"}
    assert found("husdjuren") == {"Husdjuren"}
    # A finished word: its stem, which is also a part of the compound husdjur (issue 21: the
    # parts of a compound are indexed, ranked below the quote's own words).
    assert found("huset ") == {"Huset", "Ett", "Husdjuren"}
    # Fewer than three letters typed: a word of its own ("i"), not every word that starts
    # with it ("i"* would be Ingen, in, i, …); three letters expand again (hus above).
    assert found("i") == {"Huset", "Förslaget"}
    assert found("hu") == set()
    assert fts5_match(parse_query("ti")) == '"ti"'


def test_index_body_and_highlight() -> None:
    assert index_body("Hjälpen kommer!", "sv") == "hjälp komm"
    t = "Britterna behöver inte mycket hjälp."
    assert [t[s:e] for s, e in highlight_spans(t, "hjälpen")] == ["hjälp"]
    assert [t[s:e] for s, e in highlight_spans(t, "brit")] == ["Britterna"]
    t = "Huset och husdjuren."
    assert [t[s:e] for s, e in highlight_spans(t, "huset")] == ["Huset"]  # as matched


def _speaker_article(text_: str, name: str, mention: str, roles: tuple[str, ...] = ()
                     ) -> tuple[str, Extraction]:
    quoted = "Vi fortsätter"
    start = text_.index(quoted)
    ex = Extraction(
        language="sv",
        quotes=(ExtractedQuote(quoted, start, start + len(quoted), "direct", name, mention),),
        speakers=(ExtractedSpeaker(name, "PER", (mention,), roles),),
    )
    return text_, ex


@pytest.mark.parametrize(
    ("first", "second", "merged"),
    [
        # Full name written differently: same first and last name.
        (("Donald Trump", ()), ("Donald J. Trump", ()), True),
        # A bare surname merges only with a role seen for the person.
        (("Donald Trump", ("USA:s president",)), ("Trump", ("USA:s president",)), True),
        (("Donald Trump", ("USA:s president",)), ("Trump", ()), False),
        # Two people who share a surname never merge.
        (("Anna Lind", ()), ("Eva Lind", ()), False),
        (("Anna Lind", ("minister",)), ("Eva Lind", ("minister",)), False),
        # Surnames outside ASCII (SQLite's lower() folds A-Z only): found all the same.
        (("Åsa Öberg", ()), ("Åsa K. Öberg", ()), True),
        (("Åsa Öberg", ("landshövding",)), ("ÖBERG", ("Landshövding",)), True),
        (("Åsa Öberg", ()), ("Åke Öberg", ()), False),
        # The first name ends at a hyphen too.
        (("Anna-Lena Berg", ()), ("Anna-Lena K. Berg", ()), True),
    ],
)
def test_speakers_merge_across_articles_only_on_evidence(
    session: Session, first: tuple[str, tuple[str, ...]], second: tuple[str, tuple[str, ...]],
    merged: bool,
) -> None:
    t1, e1 = _speaker_article("”Vi fortsätter”, sade hon. Ett.", first[0], first[0], first[1])
    t2, e2 = _speaker_article("”Vi fortsätter”, sade hon. Två.", second[0], second[0],
                              second[1])
    ingest(session, FixedExtractor(e1), ArticleIn(text=t1))
    ingest(session, FixedExtractor(e2), ArticleIn(text=t2))
    speakers = session.exec(select(Speaker)).all()
    assert len(speakers) == (1 if merged else 2)
    if merged:
        mentions = {a.text for a in session.exec(select(SpeakerAlias))
                    if a.kind == "mention"}
        assert {first[0], second[0]} <= mentions


def test_speaker_surname_follows_the_name(session: Session) -> None:
    """The indexed name keys are set on insert and kept in step when the name changes."""
    speaker = Speaker(name="Anna-Lena B. Åkesson", slug="anna-lena-b-akesson")
    session.add(speaker)
    session.commit()
    assert session.exec(select(Speaker.surname).where(Speaker.id == speaker.id)).one() == (
        "åkesson")
    speaker.name = "Anna-Lena Berg"
    session.add(speaker)
    session.commit()
    assert session.exec(select(Speaker.surname).where(Speaker.id == speaker.id)).one() == "berg"
    assert session.exec(select(Speaker.name_key).where(Speaker.id == speaker.id)).one() == (
        "anna-lena berg")
    solo = Speaker(name="Polisen", slug="polisen", kind="ORG")
    session.add(solo)
    session.commit()
    assert solo.surname == "polisen"


def test_entity_page_finds_its_speaker_whatever_the_letters(session: Session) -> None:
    """A PER entity links to the speaker of that name; Å and Ö fold on SQLite too."""
    text_ = "”Vi fortsätter”, sade Åsa Öberg. Öberg är landshövding."
    start = text_.index("Vi fortsätter")
    ex = Extraction(
        language="sv",
        quotes=(ExtractedQuote("Vi fortsätter", start, start + 13, "direct", "Åsa Öberg",
                               "Åsa Öberg"),),
        speakers=(ExtractedSpeaker("Åsa Öberg", "PER", ("Åsa Öberg",), ()),),
        entities=(ExtractedEntity("ÅSA ÖBERG", "PER", text_.index("Åsa"),
                                  text_.index("Åsa") + 9),),
    )
    ingest(session, FixedExtractor(ex), ArticleIn(text=text_))
    entity = session.exec(select(Entity)).one()
    view = profiles.get_entity(session, entity.slug)
    assert view.speaker is not None and view.speaker.name == "Åsa Öberg"
    # The article that mentions it, as its list shows it: id and title.
    article = session.exec(select(Article)).one()
    assert view.articles == [queries.ArticleTitle(article.id, article.title)]


def test_the_speaker_an_entity_name_was_merged_into_is_found_on_an_index(
        engine: Engine) -> None:
    indexes = {ix["name"]: ix["column_names"]
               for ix in inspect(engine).get_indexes("speakeralias")}
    assert indexes["ix_speakeralias_kind_text_key"] == ["kind", "text_key"]
    if engine.dialect.name == "sqlite":
        compiled = profiles._SPEAKER_OF_ENTITY.compile(
            engine, compile_kwargs={"render_postcompile": True})
        values = {**compiled.params, "key": "åsa öberg"}
        assert compiled.positiontup is not None
        with engine.connect() as conn:
            plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled),
                tuple(values[k] for k in compiled.positiontup)))
        # The same name and the merged names each on their index: neither table scanned.
        assert "ix_speakeralias_kind_text_key" in plan and "SCAN speakeralias" not in plan
        assert "ix_speaker_name_key" in plan and "SCAN speaker " not in plan + " "


def test_name_matches_fold_every_capital(session: Session) -> None:
    """The search page's name box: "åsa", "ÖBERG" and a role or place written with other
    capitals find the stored names on every engine (SQLite's lower() folds A-Z only); LIKE's
    own characters in the text are plain characters."""
    text_ = "”Vi fortsätter”, sade Åsa Öberg, överbefälhavare, i Ärlinghem."
    start = text_.index("Vi fortsätter")
    ex = Extraction(
        language="sv",
        quotes=(ExtractedQuote("Vi fortsätter", start, start + 13, "direct", "Åsa Öberg",
                               "Åsa Öberg"),),
        speakers=(ExtractedSpeaker("Åsa Öberg", "PER", ("Åsa Öberg",), ("Överbefälhavare",)),),
        entities=(ExtractedEntity("Ärlinghem", "LOC", text_.index("Ärl"),
                                  text_.index("Ärl") + 9),),
    )
    ingest(session, FixedExtractor(ex), ArticleIn(text=text_))
    session.add(Speaker(name="Ulla 100%_Berg", slug="ulla", kind="PER"))
    session.commit()

    def names(q: str) -> tuple[list[str], list[str]]:
        speakers, entities = queries.find_by_name(session, q)
        return [s.name for s in speakers], [e.name for e in entities]

    for q in ("åsa", "Åsa", "ÅSA ÖBERG", "öberg", "överbefäl"):
        assert names(q) == (["Åsa Öberg"], []), q
    assert names("ärlinghem") == ([], ["Ärlinghem"])
    found, _ = names("berg")  # (in the engine's collation: Å sorts after U, or before)
    assert sorted(found) == ["Ulla 100%_Berg", "Åsa Öberg"]
    assert names("0%_b") == (["Ulla 100%_Berg"], [])
    assert names("0%b") == ([], [])  # % and _ match themselves only
    assert names("a_a") == ([], [])
    stored = session.exec(select(SpeakerAlias.kind, SpeakerAlias.text_key)).all()
    assert ("role", "överbefälhavare") in stored
    assert session.exec(select(Entity.name_key)).one() == "ärlinghem"


def test_speakers_of_one_article_match_each_other_before_they_are_stored(
    session: Session,
) -> None:
    """Saving resolves an article's people in a few queries and flushes its new ones at once;
    names later in the article still find the people created earlier in it (same first and
    last name; a bare surname with a role the article gave), and two people who share a
    surname still stay apart."""
    from app.storage.identity import find_speaker

    text_ = "”Ja”, sade Donald Trump. ”Nej”, sade Anna Lind. ”Kanske”, sade Eva Lind."
    quotes = tuple(
        ExtractedQuote(word, text_.index(word), text_.index(word) + len(word), "direct",
                       who, who)
        for word, who in (("Ja", "Donald J. Trump"), ("Nej", "Anna Lind"),
                          ("Kanske", "Lind")))
    speakers = (
        ExtractedSpeaker("Donald Trump", "PER", ("Donald Trump",), ("USA:s president",)),
        ExtractedSpeaker("Donald J. Trump", "PER", ("Donald J. Trump",), ()),
        ExtractedSpeaker("Trump", "PER", ("Trump",), ("usa:s President",)),
        ExtractedSpeaker("Anna Lind", "PER", ("Anna Lind",), ("minister",)),
        ExtractedSpeaker("Eva Lind", "PER", ("Eva Lind",), ("minister",)),
        ExtractedSpeaker("Lind", "PER", ("Lind",), ("minister",)),
    )
    ex = Extraction(language="sv", quotes=quotes, speakers=speakers)
    ingest(session, FixedExtractor(ex), ArticleIn(text=text_))
    stored = {sp.name: sp for sp in session.exec(select(Speaker)).all()}
    assert sorted(stored) == ["Anna Lind", "Donald Trump", "Eva Lind", "Lind"]
    trump = stored["Donald Trump"]
    mentions = {a.text for a in session.exec(select(SpeakerAlias).where(
        SpeakerAlias.speaker_id == trump.id, SpeakerAlias.kind == "mention"))}
    assert mentions == {"Donald Trump", "Donald J. Trump", "Trump"}
    by_quote = {q.text: q.speaker_id for q in session.exec(select(Quote))}
    assert by_quote == {"Ja": trump.id, "Nej": stored["Anna Lind"].id,
                        "Kanske": stored["Lind"].id}
    # The same answers one query at a time (no lookup read in advance).
    assert find_speaker(session, "Donald J. Trump") is trump
    assert find_speaker(session, "Trump", ("USA:S PRESIDENT",)) is trump
    assert find_speaker(session, "Anna K. Lind") is stored["Anna Lind"]
    assert find_speaker(session, "Lind", ("minister",)) is stored["Lind"]
    assert find_speaker(session, "Berg", ("minister",)) is None


def test_many_new_names_in_one_article_still_find_a_stored_person(session: Session) -> None:
    """The people sharing a surname are read for an article's names 50 at a time; a stored
    person that matches names of two such batches still counts once (and merges)."""
    first = Extraction("sv", speakers=(ExtractedSpeaker("Anna Lind", "PER", (), ()),))
    ingest(session, FixedExtractor(first), ArticleIn(text="Artikel ett om Anna Lind."))
    names = ["Anna K. Lind", *(f"B{i:02d} Lind" for i in range(49)), "C01 Lind",
             "Anna Lundgren"]
    many = Extraction("sv", speakers=tuple(ExtractedSpeaker(n, "PER", (), ()) for n in names))
    ingest(session, FixedExtractor(many), ArticleIn(text="Artikel två med många namn."))
    stored = session.exec(select(Speaker.name)).all()
    assert len(stored) == 1 + len(names) - 1 and "Anna K. Lind" not in stored
    anna = session.exec(select(Speaker).where(Speaker.name == "Anna Lind")).one()
    assert "Anna K. Lind" in {a.text for a in session.exec(select(SpeakerAlias).where(
        SpeakerAlias.speaker_id == anna.id))}


def test_a_role_given_by_a_repeated_speaker_entry_counts(session: Session) -> None:
    """Extractions from other callers may name a person twice; the roles of every entry
    count for a bare surname after them."""
    ex = Extraction("sv", speakers=(ExtractedSpeaker("Anna Lind", "PER", (), ()),
                                    ExtractedSpeaker("Anna Lind", "PER", (), ("minister",)),
                                    ExtractedSpeaker("Lind", "PER", (), ("minister",))))
    ingest(session, FixedExtractor(ex), ArticleIn(text="En artikel."))
    assert session.exec(select(Speaker.name)).all() == ["Anna Lind"]


def test_stemming_is_safe_from_many_threads() -> None:
    """The web server stems on a thread pool; a Snowball stemmer object keeps the word it is
    working on inside itself, so one shared by threads mixes their words up (IndexError under
    load, seen in bench/scaleout.py). Every thread must get exactly the serial stems."""
    from concurrent.futures import ThreadPoolExecutor

    from app.storage.search import stem

    raw = stem.__wrapped__  # the stemmer itself, past the result cache
    words = [f"{a}{b}ningarnas" for a in ("skol", "vård", "hamn", "skog", "kultur")
             for b in ("reform", "budget", "fråg", "plan", "strategi")] * 40
    serial = [raw(w, "sv") for w in words]

    def run(shift: int) -> list[str]:
        order = words[shift:] + words[:shift]
        return [raw(w, "sv") for w in order]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(0, 80, 10)))
    for shift, got in zip(range(0, 80, 10), results, strict=True):
        assert got == serial[shift:] + serial[:shift]


def test_a_permalink_reads_its_quote_speaker_and_article_in_one_query(session: Session
                                                                       ) -> None:
    from sqlalchemy import event

    ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    quote = session.exec(select(Quote).where(Quote.start == Q1[0])).one()
    public_id = quote.public_id
    session.expunge_all()
    statements: list[str] = []
    listen = lambda *a: statements.append(a[2])  # noqa: E731
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listen)
    try:
        row = queries.get_quote(session, public_id)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(statements) == 1
    assert (row.quote.start, row.quote.end) == Q1
    assert row.speaker is not None and row.speaker.name == "Anna Berg"
    assert row.article.text == TEXT
    with pytest.raises(queries.NotFound):
        queries.get_quote(session, "nosuchquote")


def test_the_newest_quotes_are_read_off_an_index_of_articles_newest_first(
        engine: Engine, session: Session) -> None:
    """The home page's newest quotes (undated articles last) walk an index of the articles in
    that order on both engines, never read and sort every article (PostgreSQL keeps NULL
    highest: migration 0022's index in the page's own order)."""
    seen: list[tuple[str, object]] = []

    def keep(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        seen.append((statement, params))

    ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT))
    session.commit()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        latest = queries.latest_quotes(session, 10)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert [r.quote.text for r in latest] == sorted(
        (q.text for q in session.exec(select(Quote))), key=TEXT.index)
    sql, params = next((s, p) for s, p in seen if "ORDER BY" in s and "article" in s)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
            plan = [str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
            assert any("ix_article_published_at" in p for p in plan), plan
            assert not any("TEMP B-TREE" in p or p == "SCAN article" for p in plan), plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")  # as on a large archive
            plan = [str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + sql, params)]
            assert any("pgsort_article_newest" in p for p in plan), plan
            # At most the quotes of the first articles sorted by their place (an incremental
            # sort), never the articles themselves.
            assert not any(p.strip().removeprefix("->").strip().startswith("Sort  (")
                           for p in plan), plan


def test_entity_page_prefers_the_speaker_of_its_name_to_one_it_was_merged_into(
        session: Session) -> None:
    """A person entity's page is the speaker of the same name (whatever the letters) if
    there is one, else the speaker an editor merged that name into, else none; a speaker
    found both ways is that one speaker."""
    from app.storage.models import fold_key

    merged_into = Speaker(name="Vilma Strandqvist", slug="vilma-strandqvist", kind="PER")
    session.add(merged_into)
    session.commit()  # the lower id: the order by id alone would pick it
    same_name = Speaker(name="Vilma Strand", slug="vilma-strand", kind="PER")
    entity = Entity(name="VILMA STRAND", label="PER", slug="vilma-strand-e",
                    name_key=fold_key("VILMA STRAND"))
    place = Entity(name="Vilma Strand", label="LOC", slug="vilma-strand-loc",
                   name_key=fold_key("Vilma Strand"))
    session.add_all([same_name, entity, place])
    session.commit()
    assert merged_into.id is not None and same_name.id is not None
    session.add(SpeakerAlias(speaker_id=merged_into.id, kind="merged", text="Vilma Strand",
                             text_key=fold_key("Vilma Strand")))
    session.commit()
    found = profiles.get_entity(session, "vilma-strand-e").speaker
    assert found is not None and (found.id, found.slug) == (same_name.id, "vilma-strand")
    assert profiles.get_entity(session, "vilma-strand-loc").speaker is None  # a place

    same_name.name = "Vilma Strand-Ek"  # no speaker of that name any more: the merge counts
    session.add(same_name)
    session.commit()
    found = profiles.get_entity(session, "vilma-strand-e").speaker
    assert found is not None and (found.id, found.name) == (merged_into.id, "Vilma Strandqvist")

    # The speaker of the name is also the one an alias was merged into: found once, itself.
    session.add(SpeakerAlias(speaker_id=same_name.id, kind="merged", text="Vilma Strand",
                             text_key=fold_key("Vilma Strand")))
    same_name.name = "Vilma Strand"
    session.add(same_name)
    session.commit()
    found = profiles.get_entity(session, "vilma-strand-e").speaker
    assert found is not None and found.id == same_name.id

    session.delete(same_name)
    session.delete(merged_into)
    session.commit()
    assert profiles.get_entity(session, "vilma-strand-e").speaker is None
