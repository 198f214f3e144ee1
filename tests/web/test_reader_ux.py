"""Issue 24: every page in the reader's language, the paste limit that keeps the form, quote
typography per language and kind, corrections that fully show, index pages, small frictions."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, Settings
from app.extraction.records import (
    ExtractedEntity,
    ExtractedQuote,
    ExtractedSpeaker,
    Extraction,
)
from app.main import create_app
from app.web import i18n
from app.web.i18n import CATALOG_DIR
from app.web.messages import localise
from tests.factories import (
    EN,
    PASSWORD,
    SV,
    add_editor,
    app_with_article,
    csrf_token,
    login,
    soup,
    span,
)

# An English article of our own: a direct quote whose span ends with the comma that joins it
# to its attribution, a partial quote and a reported (indirect) one.
EN_TEXT = (
    "Harbour master Lena Ortiz opened the new pier on Saturday.\n"
    "\u201cWe build slowly, but we build to last,\u201d Ortiz said.\n"
    "She called the old pier \u201ca danger to every boat\u201d.\n"
    "Ortiz said that the ferry timetable would change in spring."
)


def _q(start: int, end: int, kind: str, mention: str) -> ExtractedQuote:
    return ExtractedQuote(text=EN_TEXT[start:end], start=start, end=end, type=kind,  # type: ignore[arg-type]
                          speaker="Lena Ortiz", speaker_mention=mention, cue="said",
                          confidence=0.9, speaker_confidence=0.8, language="en")


EN_EXTRACTION = Extraction(
    language="en",
    quotes=(
        _q(*span(EN_TEXT, "We build slowly, but we build to last,"), "direct", "Ortiz"),
        _q(*span(EN_TEXT, "a danger to every boat"), "partial", "She"),
        _q(*span(EN_TEXT, "the ferry timetable would change in spring"), "indirect", "Ortiz"),
    ),
    entities=(ExtractedEntity("Lena Ortiz", "PER", *span(EN_TEXT, "Lena Ortiz")),),
    speakers=(ExtractedSpeaker("Lena Ortiz", "PER", ("Lena Ortiz", "Ortiz"),
                               ("Harbour master",)),),
)


@pytest.fixture
def harbour(settings: Settings) -> Iterator[TestClient]:
    """An app with the English article above and one editor account."""
    add_editor(settings.database_url)
    s = settings.model_copy(update={"max_upload_bytes": 4096})
    with app_with_article(s, EN_EXTRACTION, text=EN_TEXT, title="A new pier",
                          source="Harbour News", published_at="2025-03-14") as client:
        yield client


def _ids(client: TestClient) -> dict[str, str]:
    items = client.get("/api/quotes", params={"limit": 50}).json()["items"]
    return {q["type"]: q["id"] for q in items}


# 1. Mixed languages -------------------------------------------------------------------------


def _detail(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, str, str]:
    r = client.get(url, headers=headers)
    page = soup(r.text)
    detail = page.select_one(".error-detail")
    return r.status_code, page.html["lang"], detail.get_text() if detail else ""


@pytest.mark.parametrize(("url", "status", "sv", "en"), [
    ("/search?q=" + "a" * 501, 400, "Sökorden får ha högst 500 tecken.",
     "The search words may be at most 500 characters long."),
    ("/search?page=two", 400, "Sidnumret måste vara ett heltal.",
     "The page number must be a whole number."),
    ("/search?q=%00", 400, "NUL-tecken är inte tillåtna i adresser.",
     "NUL characters are not allowed in addresses."),
    ("/search?from=2025-02-30", 400, "2025-02-30 är inget datum (skriv ÅÅÅÅ-MM-DD).",
     "2025-02-30 is not a date (use YYYY-MM-DD)."),
    ("/q/nosuchquote", 404, "Det finns inget citat med den här adressen.",
     "There is no quote with this address."),
    ("/no/such/page", 404, "Det finns ingen sida på den här adressen.",
     "There is no page at this address."),
    ("/dates/2025/13", 400, "Månaden får vara högst 12.", "The month must be at most 12."),
])
def test_error_pages_in_the_readers_language(client: TestClient, url: str, status: int,
                                             sv: str, en: str) -> None:
    assert _detail(client, url, SV) == (status, "sv", sv)
    assert _detail(client, url, EN) == (status, "en", en)


def _upload(client: TestClient, headers: dict[str, str], files: dict[str, tuple[str, bytes]]
            | None = None, **data: str) -> tuple[int, str]:
    token = csrf_token(client, "/upload")
    r = client.post("/upload", data={"csrf_token": token, **data}, files=files or {},
                    headers=headers)
    error = soup(r.text).select_one("#form-error")
    return r.status_code, error.get_text() if error else ""


def test_upload_refusals_in_both_languages(client: TestClient) -> None:
    assert _upload(client, SV, text="  ") == (
        400, "Artikeltexten är tom: klistra in text eller välj en fil.")
    assert _upload(client, EN, text="  ") == (
        400, "The article text is empty: paste text or choose a file.")
    pdf = {"file": ("report.pdf", b"%PDF-1.4 not an article")}
    assert _upload(client, SV, files=pdf) == (400, "Filer av typen '.pdf' kan inte läsas: ladda "
                                                   "upp .txt, .md, .html eller en .zip med sådana.")
    binary = {"file": ("notes.txt", b"abc\x00\x01\x02def")}
    assert _upload(client, SV, files=binary)[1] == (
        "Filen ser binär ut (den innehåller NUL-byte), inte som text.")
    status, message = _upload(client, SV, url="http://127.0.0.1:9/article")
    assert status == 400 and message == ("127.0.0.1 hämtas inte: det är en loopback-adress, "
                                         "inte en offentlig webbplats.")


def test_file_too_large_speaks_in_sizes_of_the_locale(settings: Settings, extractor: object
                                                     ) -> None:
    app = create_app(settings.model_copy(update={"max_upload_bytes": 2 * 1024 * 1024}),
                     extractor=extractor)  # type: ignore[arg-type]
    big = {"file": ("big.txt", b"ord " * (600 * 1024))}
    with TestClient(app) as c:
        assert _upload(c, SV, files=big)[1] == "big.txt är större än gränsen på 2,0 MB."
        assert _upload(c, EN, files=big)[1] == "big.txt is larger than the limit of 2.0 MB."
        hint = soup(c.get("/upload", headers=SV).text).select_one("label[for=file]")
        assert hint is not None and "högst 2,0 MB per fil" in hint.get_text()


def test_login_error_in_swedish(harbour: TestClient) -> None:
    r = harbour.post("/login", data={"csrf_token": csrf_token(harbour, "/login"),
                                     "username": "redaktor", "password": "fel lösenord"},
                     headers=SV)
    assert r.status_code == 401
    assert soup(r.text).select_one("#form-error").get_text() == "Fel användarnamn eller lösenord."


def test_unknown_speaker_and_filter_chips_are_words(seeded_client: TestClient) -> None:
    page = soup(seeded_client.get("/search?speaker=donald-trump&kind=partial&month=2025-02",
                                  headers=EN).text)
    chips = {c["data-filter"]: c.get_text(" ", strip=True) for c in page.select(".chip")}
    assert chips == {"speaker": "Speaker: Donald Trump ✕", "kind": "Kind: partial ✕",
                     "month": "Month: February 2025 ✕"}
    page = soup(seeded_client.get("/search?speaker=donald-trump&kind=partial&month=2025-02",
                                  headers=SV).text)
    chips = {c["data-filter"]: c.get_text(" ", strip=True) for c in page.select(".chip")}
    assert chips == {"speaker": "Talare: Donald Trump ✕", "kind": "Typ: delcitat ✕",
                     "month": "Månad: februari 2025 ✕"}


def test_audit_log_in_words(harbour: TestClient) -> None:
    ids = _ids(harbour)
    assert login(harbour) == 303
    page = f"/q/{ids['direct']}"
    harbour.post(f"/q/{ids['direct']}/correct", data={
        "csrf_token": csrf_token(harbour, page), "action": "speaker", "value": "Tom Whitaker"})
    row = soup(harbour.get("/editor", headers=SV).text).select_one("tr.correction")
    assert row is not None
    assert row.select_one(".what").get_text(" ", strip=True).startswith("Bytte talare")
    assert row.select_one(".before").get_text() == "Lena Ortiz"
    assert row.select_one(".after").get_text() == "Tom Whitaker"
    assert "{" not in row.get_text() and "quote_speaker" not in row.get_text()


def test_every_visible_message_is_in_the_swedish_catalog() -> None:
    """Extract (Babel) every msgid of the templates and the web layer: each has a translation."""
    found = {m[2] if isinstance(m[2], str) else m[2][0] for m in extract_from_dir(
        str(PROJECT_ROOT / "templates"), method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}})}
    found |= {m[2] if isinstance(m[2], str) else m[2][0] for m in extract_from_dir(
        str(PROJECT_ROOT / "app" / "web"), method_map=[("**.py", "python")],
        keywords={"_": None, "N_": None, "gettext_": None, "ngettext_": (1, 2)})}
    with (CATALOG_DIR / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and (
        m.string if isinstance(m.string, str) else all(m.string))}
    assert len(found) > 300 and found <= translated, sorted(found - translated)


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((PROJECT_ROOT / "app").rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def refusal_types() -> set[str]:
    """The names of every refusal type defined under app/: ``Refusal`` (app/refusals.py) and
    its kinds (IngestError, AccountError, EditError, FormError, RequestRefused, …), found by
    their bases, and storage's ``CorrectionError``."""
    names = {"Refusal", "CorrectionError"}
    classes = [(node.name, {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases})
               for _, tree in _trees() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef)]
    while True:
        more = {name for name, bases in classes if bases & names} - names
        if not more:
            return names
        names |= more


def _refusals() -> Iterator[tuple[str, list[str]]]:
    """Every English refusal raised under app/ (any refusal type), with sample values in place
    of its placeholders (a number, a size, a quoted name, a host)."""
    samples = ["7", "2,097,152", "'x.zip'", "example.org"]
    types = refusal_types()
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in types and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield f"{path.name}:{node.lineno}", [arg.value]
            elif isinstance(arg, ast.JoinedStr):
                if len(arg.values) == 1 or (
                        isinstance(arg.values[-1], ast.FormattedValue)
                        and len(arg.values) == 2):
                    continue  # a message made elsewhere, passed on (translated where made)
                yield f"{path.name}:{node.lineno}", [
                    "".join(str(v.value) if isinstance(v, ast.Constant) else sample
                            for v in arg.values) for sample in samples]


def test_the_walk_knows_every_kind_of_refusal() -> None:
    """Each layer's own refusal type is walked (a new kind is found by its base class)."""
    assert refusal_types() >= {"Refusal", "IngestError", "AccountError", "EditError",
                               "FormError", "RequestRefused", "CorrectionError"}
    raised = {where.split(":")[0] for where, _ in _refusals()}
    assert {"auth.py", "editor.py", "api.py", "pages.py", "accounts.py", "editing.py",
            "corrections.py", "readers.py", "fetch.py", "archive.py"} <= raised


# Messages only the command line shows (it speaks English, like the logs).
CLI_ONLY = ("cli.py", "accounts.py", "service.py")


def test_no_refusal_is_left_in_english() -> None:
    token = i18n.current_locale.set("sv")
    try:
        found = list(_refusals())
        left = [(where, ms[0]) for where, ms in found
                if where.split(":")[0] not in CLI_ONLY and all(localise(m) == m for m in ms)]
    finally:
        i18n.current_locale.reset(token)
    assert len(found) > 60 and left == []


# 2. The paste limit keeps the form ----------------------------------------------------------


def test_pasting_over_the_limit_keeps_the_form(harbour: TestClient) -> None:
    text = "Första stycket är här. " * 400  # 10,000 bytes against a 4,096-byte limit
    token = csrf_token(harbour, "/upload")
    r = harbour.post("/upload", data={"csrf_token": token, "text": text, "title": "Min rubrik",
                                      "source": "Min källa"}, headers=SV,
                     files={"file": ("", b"")})  # multipart, as the browser sends the form
    assert r.status_code == 413
    page = soup(r.text)
    assert page.select_one("input[name=title]")["value"] == "Min rubrik"
    assert page.select_one("input[name=source]")["value"] == "Min källa"
    kept = page.select_one("textarea[name=text]").get_text()
    assert kept == text.encode()[:4096].decode()
    assert page.select_one("#form-error").get_text() == (
        "Texten är 6 kB över gränsen på 4 kB. De första 4 kB finns kvar nedan: korta texten, "
        "eller ladda upp den som fil i delar.")


def test_api_paste_over_the_limit_is_413_json(harbour: TestClient) -> None:
    r = harbour.post("/api/articles", json={"text": "ord " * 2000})
    assert r.status_code == 413
    assert r.json() == {"detail": "The text is longer than the limit of 4,096 bytes.",
                        "field": "text", "limit": 4096, "size": 8000}


# 3. Quote typography ------------------------------------------------------------------------


def test_quotes_in_their_own_languages_marks_and_reported_speech_unquoted(
        harbour: TestClient) -> None:
    ids = _ids(harbour)
    direct = soup(harbour.get(f"/q/{ids['direct']}", headers=SV).text)
    assert direct.select_one(".the-quote").get_text() == (
        "\u201cWe build slowly, but we build to last\u201d")
    partial = soup(harbour.get(f"/q/{ids['partial']}").text).select_one(".the-quote")
    assert partial.get_text() == "\u201ca danger to every boat\u201d"
    reported = soup(harbour.get(f"/q/{ids['indirect']}", headers=EN).text)
    quote = reported.select_one(".the-quote")
    assert quote.select_one(".reported-label").get_text() == "Reported speech:"
    assert quote.select_one(".reported").get_text() == (
        "the ferry timetable would change in spring")
    assert not re.search("[\u201c\u201d\u201e\"]", quote.get_text())
    rows = soup(harbour.get("/search?q=ferry", headers=SV).text).select(".quote-item blockquote")
    assert [r.get_text(" ", strip=True) for r in rows] == [
        "Refererat tal: the ferry timetable would change in spring"]


def test_swedish_quotes_keep_swedish_marks(seeded_client: TestClient) -> None:
    rows = soup(seeded_client.get("/search?q=hj%C3%A4lp&kind=partial").text).select(
        ".quote-item blockquote .qm")
    assert rows and {r.get_text() for r in rows} == {"\u201d"}


# 4. Corrections that fully show -------------------------------------------------------------


def test_corrected_speaker_shows_alone_and_the_card_gets_a_new_url(harbour: TestClient) -> None:
    qid = _ids(harbour)["partial"]  # machine mention "She"
    before = soup(harbour.get(f"/q/{qid}").text)
    card_before = before.select_one("meta[property='og:image']")["content"]
    assert before.select_one(".attribution .mention") is not None
    cached = harbour.get(card_before)
    assert "max-age=86400" in cached.headers["cache-control"]
    assert login(harbour) == 303
    harbour.post(f"/q/{qid}/correct", data={"csrf_token": csrf_token(harbour, f"/q/{qid}"),
                                            "action": "speaker", "value": "Tom Whitaker"})
    after = soup(harbour.get(f"/q/{qid}").text)
    assert after.select_one(".attribution").get_text(" ", strip=True) == "— Tom Whitaker"
    card_after = after.select_one("meta[property='og:image']")["content"]
    assert card_after != card_before and card_after.split("?")[0] == card_before.split("?")[0]
    fresh = harbour.get(card_after)
    assert fresh.headers["etag"] != cached.headers["etag"]
    # The old URL is no longer kept for a day: it is revalidated and gets the new card.
    old = harbour.get(card_before, headers={"If-None-Match": cached.headers["etag"]})
    assert old.status_code == 200 and "no-cache" in old.headers["cache-control"]
    assert old.content == fresh.content


# 6. Index pages -----------------------------------------------------------------------------


def test_articles_entities_and_date_pages(harbour: TestClient) -> None:
    articles = soup(harbour.get("/articles", headers=EN).text)
    rows = articles.select(".article-row")
    assert [r.select_one(".title").get_text() for r in rows] == ["A new pier"]
    assert rows[0].select_one(".count")["data-n"] == "3"
    assert [a["data-value"] for a in articles.select(".facet-source a[data-value]")] == [
        "Harbour News"]
    assert soup(harbour.get("/articles?source=Nobody").text).select_one(
        ".summary")["data-total"] == "0"
    entities = soup(harbour.get("/entities", headers=SV).text)
    group = entities.select_one(".entity-group[data-label=PER]")
    assert group.select_one("h2").get_text(" ", strip=True) == "Personer 1"
    assert group.select_one("li").get_text(" ", strip=True) == "Lena Ortiz 1 artikel"
    month = soup(harbour.get("/dates/2025/03", headers=SV).text)
    assert month.select_one("h1").get_text() == "mars 2025"
    assert [a["href"] for a in month.select(".calendar a")] == ["/dates/2025-03-14"]
    day = soup(harbour.get("/dates/2025-03-14", headers=EN).text)
    assert day.select_one("h1").get_text() == "Mar 14, 2025"
    assert [r.select_one(".title").get_text() for r in day.select(".article-row")] == [
        "A new pier"]
    empty = soup(harbour.get("/dates/2025-03-15").text)
    assert empty.select_one(".summary")["data-total"] == "0"
    # Every date shown links to its day.
    quote = soup(harbour.get(f"/q/{_ids(harbour)['direct']}").text)
    assert quote.select_one(".facts a.date-link")["href"] == "/dates/2025-03-14"


def test_speaker_index_by_surname_with_the_letters_count(seeded_client: TestClient) -> None:
    t = soup(seeded_client.get("/speakers?initial=T").text)
    names = [a.get_text() for a in t.select("ol.speakers li a")]
    assert "Donald Trump" in names
    assert t.select_one("p.speaker-count")["data-total"] == str(len(names))
    d = soup(seeded_client.get("/speakers?initial=D").text)
    assert "Donald Trump" not in [a.get_text() for a in d.select("ol.speakers li a")]


# 7. Small frictions -------------------------------------------------------------------------


def test_search_urls_carry_no_empty_parameters(seeded_client: TestClient) -> None:
    r = seeded_client.get("/search?q=hj%C3%A4lp&from=&to=&sort=relevance",
                          follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/search?q=hj%C3%A4lp"
    live = seeded_client.get("/search?q=hj%C3%A4lp&from=&to=&sort=newest",
                             headers={"HX-Request": "true"})
    assert live.headers["hx-push-url"] == "/search?q=hj%C3%A4lp&sort=newest"


def test_article_page_does_not_repeat_its_title(harbour: TestClient) -> None:
    href = soup(harbour.get("/articles").text).select_one(".article-row .title")["href"]
    page = soup(harbour.get(href).text)
    assert len(page.select(".article-quotes .quote-item")) == 3
    assert page.select(".article-quotes .quote-item .article") == []


def test_docs_group_the_json_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert all(p.startswith("/api/") for p in schema["paths"])
    tags = {op["tags"][0] for path in schema["paths"].values() for op in path.values()}
    assert tags == {"quotes", "speakers", "entities", "articles", "verification"}


def test_serve_says_what_it_loaded(settings: Settings, extractor: object,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(settings.model_copy(update={"load_seeds": True}),
                     extractor=extractor)  # type: ignore[arg-type]
    with TestClient(app):
        pass
    assert re.search(r"Loaded 1 seed and demo articles \(0 failed\): \d+ quotes\.",
                     capsys.readouterr().out)


def test_locale_formatting_helpers() -> None:
    from app.web.messages import format_size

    token = i18n.current_locale.set("sv")
    try:
        assert format_size(2 * 1024 * 1024).replace("\xa0", " ") == "2,0 MB"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        assert format_size(2 * 1024 * 1024) == "2.0 MB"
    finally:
        i18n.current_locale.reset(token)
    assert Path(CATALOG_DIR).is_dir()


def test_users_list_remove_and_passwd(monkeypatch: pytest.MonkeyPatch, db_url: str,
                                      settings: Settings, extractor: object) -> None:
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    runner = CliRunner()
    monkeypatch.setenv("CITAT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        add = runner.invoke(cli, ["users", "add", "redaktor", "--password-stdin"],
                            input=PASSWORD + "\n")
        assert add.exit_code == 0, add.output
        listed = runner.invoke(cli, ["users", "list"])
        assert listed.output.split("\t")[:3] == ["redaktor", "editor", "active"]
        app = create_app(settings, extractor=extractor)  # type: ignore[arg-type]
        with TestClient(app) as c:
            assert login(c, PASSWORD) == 303
            assert c.get("/editor", follow_redirects=False).status_code == 200
            new = "ett annat långt lösenord"
            assert runner.invoke(cli, ["users", "passwd", "redaktor", "--password-stdin"],
                                 input=new + "\n").exit_code == 0
            # The old session ends with the old password; the new one logs in.
            assert c.get("/editor", follow_redirects=False).status_code == 303
            assert login(c, PASSWORD) == 401 and login(c, new) == 303
            removed = runner.invoke(cli, ["users", "remove", "redaktor"])
            assert removed.exit_code == 0 and "can no longer log in" in removed.output
            assert c.get("/editor", follow_redirects=False).status_code == 303
            assert login(c, new) == 401
        assert runner.invoke(cli, ["users", "list"]).output.split("\t")[2] == "removed"
        missing = runner.invoke(cli, ["users", "remove", "nobody"])
        assert missing.exit_code == 1 and "There is no user nobody." in missing.output
    finally:
        get_settings.cache_clear()


def test_ingest_refresh_says_what_was_extracted_again(monkeypatch: pytest.MonkeyPatch,
                                                       db_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    article = tmp_path / "bro.txt"
    article.write_text("”Vi bygger en bro”, säger Eva Lind.", encoding="utf-8")
    runner = CliRunner()
    monkeypatch.setenv("CITAT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        assert runner.invoke(cli, ["ingest", "--jobs", "1", str(article)]).exit_code == 0
        again = runner.invoke(cli, ["ingest", "--jobs", "1", "--refresh", str(article)])
        assert again.exit_code == 0, again.output
        assert ("0 new, 1 already stored and extracted again (1 quotes; permalinks of unchanged "
                "quotes and every correction kept), 0 failed, 0 new quotes.") in again.output
    finally:
        get_settings.cache_clear()


def test_unknown_speaker_in_the_readers_language(harbour: TestClient) -> None:
    qid = _ids(harbour)["direct"]
    assert login(harbour) == 303
    harbour.post(f"/q/{qid}/correct", data={"csrf_token": csrf_token(harbour, f"/q/{qid}"),
                                            "action": "speaker", "value": ""})
    harbour.cookies.delete("citat_session")
    for headers, said, name in ((EN, "speaker unknown", "Speaker unknown"),
                                (SV, "okänd talare", "Okänd talare")):
        page = soup(harbour.get(f"/q/{qid}", headers=headers).text)
        assert page.select_one(".attribution .speaker.unknown").get_text() == said
        assert page.select_one("meta[property='og:title']")["content"] == (
            f"{name}: \u201cWe build slowly, but we build to last\u201d")
        citation = page.select_one("button.copy-citation")["data-copy"]
        assert citation.startswith(f"{name}: \u201cWe build slowly, but we build to last\u201d, "
                                   "Harbour News, 2025-03-14, http://testserver/q/")
