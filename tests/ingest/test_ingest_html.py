"""app.ingest.html: main text and metadata of a news page, without boilerplate or network."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from app.ingest.html import HtmlArticle, extract_html
from app.ingest.readers import IngestError

PAGE = """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>Kristersson om elpriset | Nyheter Idag</title>
<meta property="og:title" content="Kristersson: ”Vi måste sänka elpriset”">
<meta property="article:published_time" content="2025-03-14T08:30:00+01:00">
<meta name="author" content="Åsa Öberg">
<link rel="canonical" href="https://nyheter.example.se/artikel/kristersson-elpriset">
<style>body { color: red; } .x::after { content: "STYLETEXT"; }</style>
<script>var tracking = "SCRIPTTEXT"; document.write("INJECTED");</script>
</head>
<body>
<nav><ul><li><a href="/">Hem</a></li><li><a href="/inrikes">Inrikes NAVTEXT</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<header><div class="logo">Nyheter Idag</div></header>
<main>
<article>
<h1>Kristersson: ”Vi måste sänka elpriset”</h1>
<p>Statsminister Ulf Kristersson (M) lovade på fredagen att regeringen ska agera snabbt mot de
höga elpriserna i södra Sverige.</p>
<p>– Det här är inte hållbart för hushållen, sa Kristersson vid en presskonferens i Rosenbad.</p>
<p>”Vi måste sänka elpriset, och vi kommer att göra det före sommaren”, sade han.</p>
<p onclick="alert('ONCLICKTEXT')">Oppositionsledaren Magdalena Andersson (S) var skeptisk.
”Regeringen har haft tre år på sig”, säger hon till Nyheter Idag.</p>
<p>Energiminister Ebba Busch (KD) menar att kärnkraften är lösningen på längre sikt, men att
åtgärder behövs även på kort sikt för de drabbade familjerna i elområde fyra.</p>
<script>console.log("INLINESCRIPT");</script>
</article>
</main>
<aside><h2>Mest läst</h2><ul><li><a href="/a">Annan nyhet ASIDETEXT</a></li></ul></aside>
<footer><p>© 2025 Nyheter Idag FOOTERTEXT. Alla rättigheter förbehållna.</p></footer>
</body>
</html>
"""

PARAGRAPHS = [
    "Statsminister Ulf Kristersson (M) lovade på fredagen att regeringen ska agera snabbt mot "
    "de höga elpriserna i södra Sverige.",
    "– Det här är inte hållbart för hushållen, sa Kristersson vid en presskonferens i Rosenbad.",
    "”Vi måste sänka elpriset, och vi kommer att göra det före sommaren”, sade han.",
    "Oppositionsledaren Magdalena Andersson (S) var skeptisk. ”Regeringen har haft tre år på "
    "sig”, säger hon till Nyheter Idag.",
]

NEVER_IN_TEXT = ["STYLETEXT", "SCRIPTTEXT", "INJECTED", "INLINESCRIPT", "ONCLICKTEXT", "alert",
                 "onclick", "NAVTEXT", "FOOTERTEXT", "<", ">"]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to resolve or connect is recorded and fails."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def article(no_network: list[Any]) -> HtmlArticle:
    result = extract_html(PAGE, url="https://nyheter.example.se/x?utm_source=feed")
    assert no_network == []
    return result


def test_main_text_paragraphs_one_per_line(article: HtmlArticle) -> None:
    lines = article.text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    # Order kept, each paragraph on its own line.
    positions = [lines.index(p) for p in PARAGRAPHS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("marker", NEVER_IN_TEXT)
def test_scripts_styles_handlers_and_boilerplate_dropped(article: HtmlArticle,
                                                         marker: str) -> None:
    assert marker not in article.text


def test_quotation_marks_and_swedish_letters_intact(article: HtmlArticle) -> None:
    assert "”Regeringen har haft tre år på sig”" in article.text
    assert "– Det här" in article.text
    assert article.text.count("”") >= 6
    assert "&" not in article.text  # no leftover entities


def test_metadata(article: HtmlArticle) -> None:
    assert article.title == "Kristersson: ”Vi måste sänka elpriset”"
    assert article.author == "Åsa Öberg"
    assert article.published_at == "2025-03-14"
    assert article.canonical_url == "https://nyheter.example.se/artikel/kristersson-elpriset"


def test_result_is_frozen(article: HtmlArticle) -> None:
    with pytest.raises(AttributeError):
        article.text = "x"  # type: ignore[misc]


def test_canonical_falls_back_to_given_url() -> None:
    page = PAGE.replace('<link rel="canonical" href="https://nyheter.example.se/artikel/'
                        'kristersson-elpriset">', "")
    assert extract_html(page, url="https://nyheter.example.se/a/1").canonical_url == (
        "https://nyheter.example.se/a/1")
    assert extract_html(page).canonical_url is None


def test_non_http_canonical_is_not_returned() -> None:
    page = PAGE.replace("https://nyheter.example.se/artikel/kristersson-elpriset",
                        "javascript:alert(1)")
    assert extract_html(page).canonical_url is None


def test_copyright_year_is_not_a_publication_date() -> None:
    page = PAGE.replace('<meta property="article:published_time" '
                        'content="2025-03-14T08:30:00+01:00">', "")
    assert extract_html(page).published_at is None


def test_unparseable_date_is_dropped() -> None:
    page = PAGE.replace("2025-03-14T08:30:00+01:00", "igår på eftermiddagen")
    assert extract_html(page).published_at is None


def test_short_fragment_falls_back_to_plain_reader(no_network: list[Any]) -> None:
    html = ('<div onclick="steal()">»Kort«, sa hon. ”Mycket kort”, sa han.</div>'
            "<script>evil('SCRIPTTEXT')</script><style>p{color:red}</style>")
    result = extract_html(html)
    assert result.text == "»Kort«, sa hon. ”Mycket kort”, sa han."
    assert result.title is None
    assert no_network == []


def test_short_page_keeps_title_and_text() -> None:
    html = ("<html><head><title>Kort notis</title><script>x='SCRIPTTEXT'</script></head>"
            "<body><p>”Hej”, sa Åsa.</p></body></html>")
    result = extract_html(html)
    assert result.text == "”Hej”, sa Åsa."
    assert result.title == "Kort notis"


def test_short_page_drops_navigation() -> None:
    html = ("<html><head><title>Notis</title></head><body><nav><a href='/'>Hem</a> "
            "<a href='/s'>Sport NAVTEXT</a></nav><div><p>”Hej”, sa Åsa till TT.</p></div>"
            "<script>x('SCRIPTTEXT')</script></body></html>")
    assert extract_html(html).text == "”Hej”, sa Åsa till TT."


def test_short_article_keeps_one_block_per_line() -> None:
    # trafilatura's rescue stage would run these blocks together on one line.
    html = ("<html><body><article><h1>Rubrik</h1><p>Ingress om politik.</p>"
            "<blockquote>”Ett citat i blockquote”</blockquote><p>Han sa<br>på två rader.</p>"
            "</article></body></html>")
    assert extract_html(html).text.split("\n") == [
        "Rubrik", "Ingress om politik.", "”Ett citat i blockquote”", "Han sa", "på två rader."]


def test_a_url_as_input_is_text_not_a_download(no_network: list[Any]) -> None:
    result = extract_html("http://example.com/artikel", url="http://example.com/artikel")
    assert result.text == "http://example.com/artikel"
    assert no_network == []


def test_control_characters_do_not_break_parsing() -> None:
    html = "<html><body><p>”Citat\x00 med\x07 åäö”, sa hon.</p></body></html>"
    assert extract_html(html).text == "”Citat med åäö”, sa hon."


def test_xml_declaration_with_encoding_is_accepted() -> None:
    html = ("<?xml version='1.0' encoding='utf-8'?><html><body><p>”Hej”, sa Örjan.</p>"
            "</body></html>")
    assert extract_html(html).text == "”Hej”, sa Örjan."


@pytest.mark.parametrize(
    ("html", "url", "field"),
    [
        ("", None, "file"),
        ("   \n ", None, "file"),
        ("<html><head><script>only()</script></head><body></body></html>", None, "file"),
        ("<html><head><style>p{}</style></head><body><script>x()</script><!-- c -->"
         "</body></html>", "https://example.se/", "url"),
    ],
)
def test_no_text_is_refused(html: str, url: str | None, field: str) -> None:
    with pytest.raises(IngestError) as info:
        extract_html(html, url=url)
    assert info.value.field == field
    assert info.value.message.startswith("The page")
