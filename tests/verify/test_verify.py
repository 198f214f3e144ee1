"""Verify a quote: parsing the paste, word alignment, translation pairs, the verdicts on the
seed article, the /verify pages, the share card and the JSON API, and bad input."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.storage.models import Quote, QuoteTranslation, Verification
from app.verify.align import align, context_word
from app.verify.claim import BadPaste, parse
from app.verify.pairs import shared_evidence
from app.verify.words import tokens
from tests.factories import soup

TWEET = ("The British have been incredible soldiers, incredible military, and they can take "
         "care of themselves. But if they need help, I’ll always be with the British.")
HELP = ("Om de behöver hjälp kommer jag alltid att vara med britterna, okej? Jag kommer alltid "
        "att vara med dem – men de behöver inte hjälp.")


@pytest.mark.parametrize(("paste", "speaker", "text", "claimed"), [
    ("Trump: britterna kan ta hand om sig själva", None,
     "britterna kan ta hand om sig själva", "Trump"),
    ("”Vi är redo” — Keir Starmer", None, "Vi är redo", "Keir Starmer"),
    ("\"We are ready\" - Keir Starmer", None, "We are ready", "Keir Starmer"),
    ("«Tja…»", None, "Tja…", None),
    ("USA:s president har sagt nej", None, "USA:s president har sagt nej", None),
    ("Trump: de behöver hjälp", "Keir Starmer", "de behöver hjälp", "Keir Starmer"),
    ("  många   mellanslag\n här  ", None, "många mellanslag här", None),
])
def test_the_paste_names_its_speaker(paste: str, speaker: str | None, text: str,
                                     claimed: str | None) -> None:
    claim = parse(paste, speaker)
    assert (claim.text, claim.speaker) == (text, claimed)


@pytest.mark.parametrize(("paste", "status", "start"), [
    ("", 400, "Paste a quote"),
    ("   \n ", 400, "Paste a quote"),
    ("x" * 1_000_000, 413, "The paste is too long (1,000,000 characters)"),
    ("!!! ??? … —", 400, "The paste holds no words"),
    ("<script>alert(1)</script>", 400, "The paste holds HTML tags"),
    ("a\x00b", 400, "The text holds a NUL"),
])
def test_bad_pastes_are_refused_with_a_reason(paste: str, status: int, start: str) -> None:
    with pytest.raises(BadPaste) as info:
        parse(paste)
    assert info.value.status == status
    assert str(info.value).startswith(start)


def test_alignment_finds_the_fragment_and_the_condition_before_it() -> None:
    paste = tokens("Jag kommer alltid att vara med britterna")
    a = align(paste, tokens(HELP), HELP)
    quote = tokens(HELP)
    assert [t.text for t in quote[a.start:a.end]] == [
        "kommer", "jag", "alltid", "att", "vara", "med", "britterna"]
    assert a.reordered and not a.exact
    before, after = HELP[:quote[a.start].start], HELP[quote[a.end - 1].end:]
    assert context_word(before, after, paste) == "Om"


def test_alignment_diff_and_dropped_negation() -> None:
    a = align(tokens("men de behöver hjälp"), tokens(HELP), HELP)
    assert a.dropped == ("inte",)
    changes = [(d.op, d.pasted, d.original) for d in a.ops if d.op != "equal"]
    assert changes == [("insert", "", "inte")]
    exact = align(tokens("de behöver inte hjälp"), tokens(HELP), HELP)
    assert exact.exact and exact.score == 1.0 and exact.share == 1.0


def test_unrelated_words_do_not_align() -> None:
    a = align(tokens("Skatten på bensin ska sänkas"), tokens(HELP), HELP)
    assert a.score < 0.3


def test_translation_evidence_without_a_model() -> None:
    sv = ("De kan ta hand om sig själva väldigt bra… britterna har varit otroliga soldater, "
          "otroliga militärer")
    assert shared_evidence(sv, TWEET)[0] >= 3
    assert shared_evidence("Skulle ni kunna ta er an Ryssland på egen hand?", TWEET)[0] == 0


def _verify(client: TestClient, text: str, speaker: str | None = None) -> dict[str, object]:
    r = client.post("/api/verify", json={"text": text, "speaker": speaker})
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


@pytest.mark.parametrize(("paste", "verdict", "quote_start"), [
    ("”De kan ta hand om sig själva väldigt bra” — Donald Trump", "verbatim",
     "De kan ta hand om sig själva väldigt bra…"),
    ("Trump: britterna kan ta hand om sig själva", "reworded", "kan ta hand om sig själva"),
    ("Starmer: De kan ta hand om sig själva väldigt bra", "other_speaker",
     "De kan ta hand om sig själva väldigt bra…"),
    ("Lavrov: Moskva har inte konsulterats i frågan", "reported",
     "Moskva inte hade konsulterats i frågan"),
    ("Trump: Jag kommer alltid att vara med britterna", "out_of_context", "Om de behöver"),
    ("Trump: britterna behöver mycket hjälp", "out_of_context", "inte behöver mycket hjälp"),
    ("Vi ska sänka skatten på bensin och diesel", "not_found", None),
])
def test_verdicts_on_the_seed_article(seeded_client: TestClient, paste: str, verdict: str,
                                      quote_start: str | None) -> None:
    body = _verify(seeded_client, paste)
    assert body["verdict"] == verdict
    matches = body["matches"]
    assert isinstance(matches, list)
    if quote_start is None:
        assert matches == []
        return
    first = matches[0]
    assert first["verdict"] == verdict
    assert first["quote"]["text"].startswith(quote_start)
    assert first["quote"]["url"] == f"/q/{first['quote']['id']}"
    assert re.fullmatch(r"/articles/\d+#p\d+", first["article"]["url"])
    assert 0 < first["quote"]["confidence"] <= 1


@pytest.mark.parametrize(("paste", "speaker", "verdict", "loose"), [
    ("De kan ta hand om sig själva väldigt bra", None, "verbatim", False),
    ("De kan ta hand om sig själva väldigt bra", "Donald Trump", "verbatim", False),
    ("De kan ta hand om sig själva väldigt bra", "Keir Starmer", "other_speaker", True),
    ("britterna kan ta hand om sig själva", None, "reworded", True),
    ("De kan ta hand om sig själva väldigt zebrabra", None, "reworded", True),
])
def test_the_loose_ask_only_when_the_first_does_not_settle_it(
        seeded_client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch,
        paste: str, speaker: str | None, verdict: str, loose: bool) -> None:
    from app.storage import verifications as store
    from app.verify.service import verify

    asked: list[str] = []
    for name in ("count_words", "loose_ids"):
        real = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *a, _r=real, _n=name, **k: (
            asked.append(_n), _r(*a, **k))[1])
    assert verify(session, parse(paste, speaker))["verdict"] == verdict
    assert asked == (["count_words", "loose_ids"] if loose else [])


def test_not_found_lists_the_nearest_misses(seeded_client: TestClient) -> None:
    body = _verify(seeded_client, "Ryssland kommer att ta hand om freden i Europa")
    assert body["verdict"] == "not_found"
    nearest = body["nearest"]
    assert isinstance(nearest, list) and 1 <= len(nearest) <= 3
    assert all(m["score"] < 0.62 for m in nearest)


def test_the_seed_tweet_is_linked_to_its_swedish_rendering(seeded_client: TestClient,
                                                           session: Session) -> None:
    tweet = session.exec(select(Quote).where(col(Quote.text).startswith("The British"))).one()
    linked = session.exec(select(Quote.text).join(
        QuoteTranslation, col(QuoteTranslation.other_id) == Quote.id)
        .where(QuoteTranslation.quote_id == tweet.id).order_by(col(Quote.start))).all()
    assert [t[:20] for t in linked] == ["De kan ta hand om si", "Om de behöver hjälp "]
    body = _verify(seeded_client, "The British can take care of themselves")
    assert body["verdict"] == "reworded"
    first = body["matches"][0]  # type: ignore[index]
    assert first["quote"]["id"] == tweet.public_id
    assert {t["language"] for t in first["translations"]} == {"sv"}
    assert len(first["translations"]) == 2


def test_the_form_verifies_stores_and_shows_the_permalink(seeded_client: TestClient,
                                                          session: Session) -> None:
    page = soup(seeded_client.get("/verify").text)
    assert page.select_one("nav a.nav-verify")["href"] == "/verify"
    token = page.select_one("form.verify input[name=csrf_token]")["value"]
    r = seeded_client.post("/verify", data={"text": "Trump: de behöver inte hjälp",
                                             "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    public_id = r.headers["location"].rsplit("/", 1)[1]
    stored = session.exec(select(Verification).where(Verification.public_id == public_id)
                          ).one()
    assert (stored.text, stored.claimed_speaker, stored.verdict) == (
        "de behöver inte hjälp", "Trump", "verbatim")
    html = soup(seeded_client.get(r.headers["location"], headers={"accept-language": "sv"}
                                  ).text)
    assert html.select_one("h1.verdict").get_text() == "Ordagrant funnet"
    assert html.select_one("article.verification")["data-verdict"] == "verbatim"
    assert html.select_one(".pasted-text").get_text() == "”de behöver inte hjälp”"
    match = html.select_one("li.match")
    assert match["data-verdict"] == "verbatim"
    assert match.select_one(".speaker").get_text() == "Donald Trump"
    assert match.select_one(".paragraph-link")["href"].startswith("/articles/")
    assert match.select_one(".confidence")["data-confidence"] == "0.9"
    canonical = f"http://testserver/verify/{public_id}"
    assert html.select_one("meta[property='og:url']")["content"] == canonical
    assert html.select_one("meta[property='og:image']")["content"] == canonical + "/card.png"
    assert html.select_one("meta[property='og:title']")["content"].startswith(
        "Ordagrant funnet: ”de behöver")
    card = seeded_client.get(f"/verify/{public_id}/card.png")
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(card.content)).size == (1200, 630)
    again = seeded_client.get(f"/verify/{public_id}/card.png",
                              headers={"if-none-match": card.headers["etag"]})
    assert again.status_code == 304


def test_api_answers_the_same_as_the_stored_result(seeded_client: TestClient) -> None:
    body = _verify(seeded_client, "de behöver hjälp", "Donald Trump")
    got = seeded_client.get(f"/api/verify/{body['id']}")
    assert got.status_code == 200 and got.json() == body
    assert body["url"] == f"/verify/{body['id']}"
    assert body["claimed_speaker"] == "Donald Trump"
    assert seeded_client.get("/api/verify/nosuchid").status_code == 404
    assert seeded_client.get("/verify/nosuchid").status_code == 404
    assert seeded_client.get("/verify/NOT-VALID!").status_code in (400, 404, 422)


@pytest.mark.parametrize(("paste", "status", "sv", "en"), [
    ("", 400, "Klistra in ett citat att verifiera.", "Paste a quote to verify."),
    ("x" * 1_000_000, 413, "Texten är för lång", "The paste is too long"),
    ("… !!! ???", 400, "Texten innehåller inga ord", "The paste holds no words"),
    ("<script>alert('x')</script>", 400, "Texten innehåller HTML-taggar",
     "The paste holds HTML tags"),
])
def test_bad_input_gets_a_clear_message_in_both_languages(
        client: TestClient, paste: str, status: int, sv: str, en: str) -> None:
    for lang, expected in (("sv", sv), ("en", en)):
        r = client.post("/api/verify", json={"text": paste}, headers={"accept-language": lang})
        assert r.status_code == status and r.json()["detail"].startswith(expected)
        token = soup(client.get("/verify").text).select_one("input[name=csrf_token]")["value"]
        page = client.post("/verify", data={"text": paste, "csrf_token": token},
                           headers={"accept-language": lang})
        assert page.status_code == status
        error = soup(page.text).select_one("#form-error").get_text()
        assert error.startswith(expected.replace("Texten är för lång", "Formuläret är för")
                                .replace("The paste is too long", "The form is too large")
                                if len(paste) > 64 * 1024 else expected)
        kept = soup(page.text).select_one("textarea[name=text]").get_text()
        assert kept == (paste if len(paste) <= 64 * 1024 else "")


def test_the_form_needs_its_csrf_token_and_output_is_escaped(client: TestClient) -> None:
    refused = client.post("/verify", data={"text": "hej"})
    assert refused.status_code == 403
    token = soup(client.get("/verify").text).select_one("input[name=csrf_token]")["value"]
    sneaky = 'a " onmouseover="alert(1) & b'
    r = client.post("/verify", data={"text": sneaky, "csrf_token": token})
    assert r.status_code == 200  # followed the redirect
    html = soup(r.text)
    assert html.select_one(".pasted-text").get_text() == f"”{sneaky}”"
    assert "onmouseover" not in "".join(str(t.attrs) for t in html.find_all(True)
                                        if t.name != "meta")
    assert 'content="Not found: ”a &#34; onmouseover=&#34;alert(1) &amp; b”"' in r.text or (
        "&#34; onmouseover" in r.text)


def test_verifications_are_rate_limited(settings: object, extractor: object) -> None:
    from app.config import Settings
    from app.main import create_app

    assert isinstance(settings, Settings)
    app = create_app(settings.model_copy(update={"ratelimit_verify": "2/minute"}),
                     extractor=extractor)  # type: ignore[arg-type]
    with TestClient(app) as c:
        codes = [c.post("/api/verify", json={"text": "hej hopp"}).status_code
                 for _ in range(3)]
        assert codes == [201, 201, 429]
        token = soup(c.get("/verify").text).select_one("input[name=csrf_token]")["value"]
        r = c.post("/verify", data={"text": "hej", "csrf_token": token})
        assert r.status_code == 429
        assert soup(r.text).select_one("#form-error").get_text().startswith("För många")
