"""One test per error class of attribution on unseen news (issue 20), with invented texts.

Each case runs the shipped pipelines with the learned speaker chooser (the extractor users
get) and checks the exact quote spans, their types and their speakers.
"""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

Expected = list[tuple[str, str, str | None]]

CASES: list[tuple[str, str, Expected]] = [
    # -- a place, a dateline or a headline fragment is no speaker ---------------------------
    (
        "en-dateline",
        "LONDON — The mayor announced new bus lanes on Monday. "
        "“Traffic is choking the city,” said Mayor Ruth Ansel.",
        [("Traffic is choking the city,", "direct", "Ruth Ansel")],
    ),
    (
        "sv-dateline-with-agency",
        "STOCKHOLM (TT) – Regeringen vill skärpa straffen för vapenbrott.\n"
        "– Vi kommer att agera snabbt, säger justitieminister Karin Holm till TT.",
        [("Vi kommer att agera snabbt", "direct", "Karin Holm")],
    ),
    (
        "sv-sentence-opening-capitals",
        "Ryska Nato-utspelet väckte kritik i Bryssel. ”Det är oacceptabelt”, säger "
        "generalsekreteraren Jens Lind.",
        [("Det är oacceptabelt", "direct", "Jens Lind")],
    ),
    (
        "sv-fronted-place-is-no-subject",
        "Inbrotten ökar i länet. I Sjöstad säger polisen att inbrotten har ökat kraftigt i år.",
        [("inbrotten har ökat kraftigt i år", "indirect", "polisen")],
    ),
    (
        "sv-place-inside-the-subject-phrase",
        "Rättegången fortsatte i går. Den i Norrby uppvuxne 52-åringen förnekar allt och "
        "hävdar att han var hemma hela kvällen.",
        [("han var hemma hela kvällen", "indirect", "52-åringen")],
    ),
    # -- an agency or outlet credited instead of the person quoted --------------------------
    (
        "sv-person-named-after-an-agency-report",
        "Färjelinjen läggs ned i vår, uppger nyhetsbyrån TT. Beslutet möts av kritik från öns "
        "politiker, bland andra kommunalrådet Eva Lind, som företräder Öpartiet.\n\n"
        "– Det här drabbar hela ön.\n\n"
        "Hon kallar beslutet ett svek och menar att ingen har frågat de boende.",
        [
            ("Det här drabbar hela ön.", "direct", "Eva Lind"),
            ("ingen har frågat de boende", "indirect", "Eva Lind"),
        ],
    ),
    (
        "en-told-agency",
        "Fire crews were called to the mill at dawn. “The roof came down within minutes,” "
        "fire chief Omar Reyes told Reuters.",
        [("The roof came down within minutes,", "direct", "Omar Reyes")],
    ),
    (
        "sv-till-outlet",
        "Polisen vill inte kommentera uppgifterna. ”Vi har inget att säga i nuläget”, säger "
        "presstalespersonen Lena Ek till Sveriges Radio.",
        [("Vi har inget att säga i nuläget", "direct", "Lena Ek")],
    ),
    # -- the speaker the text established earlier --------------------------------------------
    (
        "en-continuation-paragraph",
        "Mayor Ruth Ansel defended the plan. “It is the right thing to do,” she said.\n"
        "“We cannot wait another decade.”",
        [
            ("It is the right thing to do,", "direct", "Ruth Ansel"),
            ("We cannot wait another decade.", "direct", "Ruth Ansel"),
        ],
    ),
    (
        "en-colon-introduces-statement",
        "Grace Okafor, the director of the harbour trust, said:\n"
        "“The pier will reopen in spring.”",
        [("The pier will reopen in spring.", "direct", "Grace Okafor")],
    ),
    (
        "en-participle-cue-takes-the-main-verbs-subject",
        "Harbour master Tom Berg posted a message on the port's website on Monday, saying "
        "that “no ship will leave before the storm has passed.”",
        [("no ship will leave before the storm has passed.", "partial", "Tom Berg")],
    ),
    (
        "en-participle-cue-without-that",
        "The union leader Lena Ek defended the strike, saying “we had no other choice.”",
        [("we had no other choice.", "partial", "Lena Ek")],
    ),
    (
        "sv-continuation-after-the-speaker-is-named-again",
        "Sjöstad föll mot Norrby\n\nSjöstad förlorade hemma mot Norrby med 2–5.\n\n"
        "– Vi släppte in för lätta mål i början, säger tränaren Eva Lind.\n\n"
        "Norrby tog ledningen redan efter fyra minuter. Målet kom på en kontring.\n\n"
        "Sjöstad kvitterade i andra perioden genom Olle Berg.\n\n"
        "Men sedan tog gästerna över helt. Två mål i powerplay avgjorde.\n\n"
        "Norrbys målvakt räddade 34 skott under kvällen.\n\n"
        "Publiken var 2 300 personer, säsongens högsta.\n\n"
        "Men Eva Lind var ändå hoppfull efter matchen.\n\n"
        "– Vi spelade bra i andra perioden och skapade mycket. Det tar vi med oss.",
        [
            ("Vi släppte in för lätta mål i början", "direct", "Eva Lind"),
            ("Vi spelade bra i andra perioden och skapade mycket. Det tar vi med oss.",
             "direct", "Eva Lind"),
        ],
    ),
    # -- a headline quote whose speaker the text names later ---------------------------------
    (
        "sv-headline-title-colon",
        "Rektorn: ”Skolan öppnar igen i januari”\n\n"
        "Skolan i Sjöstad har varit stängd sedan branden i oktober. Nu är lokalerna sanerade.\n\n"
        "Enligt rektor Eva Lind kan eleverna komma tillbaka efter jullovet.\n\n"
        "– Vi har längtat efter det här, säger Eva Lind.",
        [
            ("Skolan öppnar igen i januari", "direct", "Eva Lind"),
            ("kan eleverna komma tillbaka efter jullovet", "indirect", "Eva Lind"),
            ("Vi har längtat efter det här", "direct", "Eva Lind"),
        ],
    ),
    (
        "sv-headline-title-and-topic-colon-signature-after",
        "Förbundskaptenen om laget: ”Vi är väl förberedda”\n\n"
        "Landslaget samlas på måndag inför kvalet. Tre nya spelare är uttagna.\n\n"
        "Karin Ek, förbundskapten",
        [("Vi är väl förberedda", "direct", "Karin Ek")],
    ),
    (
        "sv-headline-quote-of-the-only-person-reported",
        "”Vi bygger för framtiden”\n\n"
        "Den nya bron över ån invigdes på lördagen inför hundratals åskådare.\n\n"
        "Kommunalrådet Per Holm sade i sitt tal att bron blir klar ett år före tidsplanen.",
        [
            ("Vi bygger för framtiden", "direct", "Per Holm"),
            ("bron blir klar ett år före tidsplanen", "indirect", "Per Holm"),
        ],
    ),
    # -- dash quotes: after a dateline, going on after the attribution, a hyphen as dash -----
    (
        "sv-dateline-sentence-then-dash-quote",
        "”Ett välkommet besked”\n\n"
        "NORRBY. – Äntligen får vi en ny vårdcentral i byn, säger Karin Berg, ordförande i "
        "byalaget.\n\nBeslutet togs av regionen i förra veckan.",
        [
            ("Ett välkommet besked", "direct", "Karin Berg"),
            ("Äntligen får vi en ny vårdcentral i byn", "direct", "Karin Berg"),
        ],
    ),
    (
        "sv-dash-quote-goes-on-after-its-attribution",
        "Pollensäsongen har börjat.\n– Det blir ett tufft år för allergiker, säger läkaren "
        "Anna Holm – men det finns bra mediciner att få.",
        [
            ("Det blir ett tufft år för allergiker", "direct", "Anna Holm"),
            ("men det finns bra mediciner att få.", "direct", "Anna Holm"),
        ],
    ),
    (
        "sv-hyphen-dash-quote-with-a-role-between-dashes",
        "Sjöstad vann igen\n\n- Vi hade kontroll hela vägen, börjar Olle Falk - "
        "föreningens sportchef - sin sammanfattning.\n\n- Målvakten var lysande.",
        [
            ("Vi hade kontroll hela vägen", "direct", "Olle Falk"),
            ("Målvakten var lysande.", "direct", "Olle Falk"),
        ],
    ),
    (
        "sv-person-named-by-age",
        "Åklagaren kräver fängelse. 30-åringen nekar till brott.\n\n"
        "– Jag har inte gjort något, säger han.",
        [("Jag har inte gjort något", "direct", "30-åringen")],
    ),
    (
        "sv-subject-then-a-prepositional-phrase-then-the-verb",
        "Försvaret hävdar att 25-åringen i sina brev berättar om ”ett vanligt jobb”.\n\n"
        "”Jag kör bara bilen”, skriver han.",
        [("ett vanligt jobb", "partial", "25-åringen"), ("Jag kör bara bilen", "direct",
                                                        "25-åringen")],
    ),
    # -- statements without marks, a credit line, things in marks that nobody says ----------
    (
        "sv-first-person-paragraph-before-fortsätter",
        "– Vi har ett bra år bakom oss, säger ordföranden Per Holm.\n\n"
        "Vi ska fortsätta att satsa på ungdomarna och vi har redan anställt två nya tränare, "
        "fortsätter Per Holm.",
        [
            ("Vi har ett bra år bakom oss", "direct", "Per Holm"),
            ("Vi ska fortsätta att satsa på ungdomarna och vi har redan anställt två nya "
             "tränare", "direct", "Per Holm"),
        ],
    ),
    (
        "sv-statement-after-följande-colon",
        "I ett uttalande på tisdagen skriver förbundets ordförande Karin Berg följande: Vi står "
        "bakom beslutet och vi kommer att följa upp det noga.",
        [("Vi står bakom beslutet och vi kommer att följa upp det noga", "direct",
          "Karin Berg")],
    ),
    (
        "sv-block-quote-with-a-credit-line",
        "Den nya simhallen öppnade i går.\n\n”Det här är en dag vi har väntat på i tio år.”"
        "\n\nOlle Falk, kommunalråd\n\nSimhallen har kostat 200 miljoner kronor.",
        [("Det här är en dag vi har väntat på i tio år.", "direct", "Olle Falk")],
    ),
    (
        "sv-list-items-after-dashes-are-no-quotes",
        "Styrelsen tar upp följande frågor på mötet:\n\n-    Budget för nästa år\n\n"
        "-    Ny ordning för valberedningen\n\n"
        "– Vi räknar med ett långt möte, säger ordföranden Eva Lind.",
        [("Vi räknar med ett långt möte", "direct", "Eva Lind")],
    ),
    (
        "sv-acronym-in-marks-is-no-quote",
        "Kommunen driver sedan i höstas projektet Grön Hamn, ”GH”, tillsammans med rederiet.",
        [],
    ),
    # -- a new person introduced without a cue verb speaks next ------------------------------
    (
        "sv-person-named-between-two-quotes",
        "Sjöstad har fått en ny tränare.\n\n”Jag ser fram emot att börja”, säger Karin Berg."
        "\n\n”Det här är ett lyft för hela klubben”. Olle Falk, klubbens ordförande, är nöjd. "
        "”Hon har precis den erfarenhet vi saknade.”",
        [
            ("Jag ser fram emot att börja", "direct", "Karin Berg"),
            ("Det här är ett lyft för hela klubben", "direct", "Olle Falk"),
            ("Hon har precis den erfarenhet vi saknade.", "direct", "Olle Falk"),
        ],
    ),
    (
        "sv-first-quote-after-the-only-person-named",
        "Avgång i kulturnämnden\n\nNämndens ordförande Eva Lind.\n\nBeskedet kom oväntat på "
        "fredagen.\n\n”Jag lämnar mitt uppdrag med omedelbar verkan.”",
        [("Jag lämnar mitt uppdrag med omedelbar verkan.", "direct", "Eva Lind")],
    ),
    (
        "en-new-person-without-cue",
        "Ruth Ansel praised the deal. “It is a fair result,” Ansel said.\n"
        "Local councillor Tom Whitlow was less diplomatic. “It is a disaster for the town.”",
        [
            ("It is a fair result,", "direct", "Ruth Ansel"),
            ("It is a disaster for the town.", "direct", "Tom Whitlow"),
        ],
    ),
    # -- entity boundaries -------------------------------------------------------------------
    (
        "en-adjective-before-name",
        "Struggling Donald Trump spoke in Ohio. “We will win,” Trump said.",
        [("We will win,", "direct", "Donald Trump")],
    ),
    (
        "en-title-of-place-before-name",
        "Secretary of State Hillary Clinton arrived in Oslo. “We are here to listen,” "
        "Clinton said.",
        [("We are here to listen,", "direct", "Hillary Clinton")],
    ),
    (
        "en-military-rank",
        "Retired Lt. Gen. Mark Hollis told reporters: “The army was not ready.”",
        [("The army was not ready.", "direct", "Mark Hollis")],
    ),
    # -- a hard line break inside one quote, and a nested quote ------------------------------
    (
        "en-line-break-inside-quote",
        "“We will rebuild the school\nbefore the winter,” said headteacher Alan Price.",
        [("We will rebuild the school\nbefore the winter,", "direct", "Alan Price")],
    ),
    (
        "sv-line-break-inside-quote",
        "”Vi bygger om skolan\ninnan vintern”, säger rektor Lena Ek.",
        [("Vi bygger om skolan\ninnan vintern", "direct", "Lena Ek")],
    ),
    (
        "en-nested-quote",
        "Anna Berg said: “My father told me ‘never give up’ and I never did.”",
        [("My father told me ‘never give up’ and I never did.", "direct", "Anna Berg")],
    ),
    # -- words run into a name are no part of it (English) ------------------------------------
    (
        "en-place-run-into-name",
        "Senator from Oregon Corey Brickley said on Monday, “We will not give up.”",
        [("We will not give up.", "direct", "Corey Brickley")],
    ),
    (
        "en-country-run-into-name",
        "The bill passed. The president of Peru Alberto Quispe said the law was “a victory "
        "for families.”",
        [("a victory for families.", "partial", "Alberto Quispe")],
    ),
    (
        "en-object-of-title-run-into-name",
        "Ohio Secretary of State Dana Whitfield said the count was “accurate and complete.”",
        [("accurate and complete.", "partial", "Dana Whitfield")],
    ),
    (
        "en-title-stays-with-a-one-word-name",
        'During the summit, Pope Gregory said the victims had a right to "concrete measures". '
        'The Pope later met bishops. Gregory said: "We will act."',
        [("concrete measures", "partial", "Pope Gregory"),
         ("We will act.", "direct", "Pope Gregory")],
    ),
    (
        "en-post-nominal",
        "Judge Harriet Lowe QC said the defendants had shown “no remorse at all.”",
        [("no remorse at all.", "partial", "Harriet Lowe")],
    ),
    (
        "en-role-opens-sentence",
        "The trial ended on Friday. Epidemiologist Kristian Holloway said, “The strain "
        "spreads faster than we thought.”",
        [("The strain spreads faster than we thought.", "direct", "Kristian Holloway")],
    ),
    (
        "en-hyphenated-role-opens-sentence",
        "The vote was close. Co-author Jing Wei said the result was “a surprise to everyone.”",
        [("a surprise to everyone.", "partial", "Jing Wei")],
    ),
    # -- the person a speaker phrase is about, not the organisation in it (English) ---------
    (
        "en-person-of-an-organisation",
        'Peter Inglis of worldwide victim group Ending Abuse Now said, "The church should '
        'report the abuse."',
        [("The church should report the abuse.", "direct", "Peter Inglis")],
    ),
    (
        "en-person-then-role-between-commas",
        "Professor Jean-Paul Mbeki, Director General of the Congo Institut National de "
        'Recherche that monitored the trial, said, "We can cure it now."',
        [("We can cure it now.", "direct", "Jean-Paul Mbeki")],
    ),
    (
        "en-organisation-role-person-after-the-verb",
        '"This is the first planet with water," said Eastbay University astronomer Angela '
        'Toomey. "It is the best candidate."',
        [
            ("This is the first planet with water,", "direct", "Angela Toomey"),
            ("It is the best candidate.", "direct", "Angela Toomey"),
        ],
    ),
    # -- an unnamed spokesperson speaks for the organisation the text names (English) --------
    (
        "en-organisation-spokesperson-before",
        'A school bus hit a bridge. A Hampshire Police spokesman said "We were called at '
        '8.10am today."',
        [("We were called at 8.10am today.", "direct", "Hampshire Police")],
    ),
    (
        "en-organisation-spokesperson-after",
        '"Political cases are not our business," an Interpol spokesperson stated.',
        [("Political cases are not our business,", "direct", "Interpol")],
    ),
    (
        "en-spokesperson-for-an-organisation",
        '"The roads are closed," said a spokesman for the Eastbay Fire Service.',
        [("The roads are closed,", "direct", "Eastbay Fire Service")],
    ),
    # -- "US" in capitals is the country, not "us" ------------------------------------------
    (
        "en-us-is-no-pronoun",
        "Oil plants burned on Saturday. US Secretary of State Mark Pomfret posted a message on "
        'Twitter blaming Iran, saying there was "no evidence the attacks came from Yemen."',
        [("no evidence the attacks came from Yemen.", "partial", "Mark Pomfret")],
    ),
    (
        "en-age-compound-run-into-name",
        "The bus hit a bridge. Fourteen-year-old Zoe, on the top deck, said the roof fell in "
        'and "everyone started screaming".',
        [("the roof fell in", "indirect", "Zoe"), ("everyone started screaming", "partial", "Zoe")],
    ),
    # -- a document speaks for who issued it (English) --------------------------------------
    (
        "en-press-release-of-an-organisation",
        '"He was respected in every way," reads an Acme Wrestling press release.',
        [("He was respected in every way,", "direct", "Acme Wrestling")],
    ),
    (
        "en-opinion-of-a-court",
        "The opinion of the Court, released on Wednesday, read in part, \"The oath is "
        'unconstitutional."',
        [("The oath is unconstitutional.", "direct", "the Court")],
    ),
    # -- a label someone used: "X described Y as "…"" (English) ------------------------------
    (
        "en-label-of-the-subject",
        'The call was made in July. Tom Hale characterized the call as "perfectly fine and '
        'routine."',
        [("perfectly fine and routine.", "partial", "Tom Hale")],
    ),
    (
        "en-label-of-the-agent",
        'Mary Stone has been described by the Eastbay Herald as a "squirrel whisperer".',
        [("squirrel whisperer", "partial", "Eastbay Herald")],
    ),
    (
        "en-label-in-a-relative-clause",
        "Kim Lee, a spokeswoman, sharply criticized the decision, which Ross has referred to "
        'as "gamesmanship" and a "stunt".',
        [("gamesmanship", "partial", "Ross"), ("stunt", "partial", "Ross")],
    ),
    (
        "en-name-after-known-as-is-no-label",
        'Tom Hale, often referred to as "The Bridge Man", died on Tuesday.',
        [],
    ),
    # -- reported speech without marks (English) -------------------------------------------
    (
        "en-according-to-a-person-of-an-organisation",
        "The boat sank in the storm. According to engineer Tom Berg of the city council, the "
        "bridge will open in May.",
        [("the bridge will open in May", "indirect", "Tom Berg")],
    ),
    (
        "en-fronted-time-phrase-is-no-report",
        "The vote was lost. A few days later, on July 2, Mary Stone announced she would leave "
        "the party.",
        [("she would leave the party", "indirect", "Mary Stone")],
    ),
    # -- an organisation's name goes on over "of"/"for"/"and" and capitalised words ---------
    (
        "en-organisation-over-for",
        "Rents in the capital climbed again in March. \"Rents rose faster than wages in every "
        "borough,\" the Office for National Statistics said.",
        [("Rents rose faster than wages in every borough,", "direct",
          "Office for National Statistics")],
    ),
    (
        "en-organisation-over-for-and",
        "Flu cases doubled in a week. \"The season will be long for many families,\" said the "
        "Centers for Disease Control and Prevention.",
        [("The season will be long for many families,", "direct",
          "Centers for Disease Control and Prevention")],
    ),
    (
        "en-lowercase-institution-of-a-place",
        "The airport stayed closed on Sunday. \"No flights will leave before Tuesday,\" the "
        "government of Lesotho said in a statement.",
        [("No flights will leave before Tuesday,", "direct", "government of Lesotho")],
    ),
    (
        "en-organisation-stops-at-a-title",
        "Rates were left unchanged. \"We will not move rates this year,\" said University of "
        "Utah Professor Jane Roe.",
        [("We will not move rates this year,", "direct", "Jane Roe")],
    ),
    # -- "she" is the subject known to be a woman, not a later subject of unknown gender ------
    (
        "en-pronoun-skips-a-subject-of-unknown-gender",
        "The voice actor Maria Colton had long wanted the part of the sea witch. She was asked "
        "to read for it years later, when Brightwave dubbed the series into English. When she "
        'got it, "I could not stop laughing," she told fans at the festival.',
        [("I could not stop laughing,", "direct", "Maria Colton")],
    ),
    (
        "en-pronoun-skips-a-company-in-a-when-clause",
        "Carla Denning runs the bakery on Elm Street. She took it over in 2019, when Northmill "
        'sold the building to the town. "We nearly closed twice," she said.',
        [("We nearly closed twice,", "direct", "Carla Denning")],
    ),
    # -- "X issued the following statement:" introduces X's words, not the last speaker's -----
    (
        "en-colon-after-a-statement-without-a-speech-verb",
        'The river rose overnight. "We moved the cattle at dawn," farmer Tom Hale said.\n\n'
        'The Harlow Water Board issued the following statement on Friday: "All reservoirs are '
        'full."',
        [("We moved the cattle at dawn,", "direct", "Tom Hale"),
         ("All reservoirs are full.", "direct", "Harlow Water Board")],
    ),
    (
        "sv-headline-colon-is-a-teaser-not-its-subjects-words",
        "Miljöpartiet vill stoppa den nya motorvägen: \"Vi har inte råd med den\"\n\n"
        "Kostnaderna har redan fördubblats, säger kommunalrådet Lena Borg.\n\n"
        "Hon menar att pengarna behövs till skolorna.",
        [("Vi har inte råd med den", "direct", "Lena Borg"),
         ("Kostnaderna har redan fördubblats", "indirect", "Lena Borg"),
         ("pengarna behövs till skolorna", "indirect", "Lena Borg")],
    ),
    # -- a short quote before a long speaker phrase is kept, and the body speaks -------------
    (
        "en-short-quote-before-a-spokesman-for-a-body",
        "The ferry did not sail on Sunday. \"Safety comes first,\" a spokeswoman for the "
        "Tarrow Ferry Company said.",
        [("Safety comes first,", "direct", "Tarrow Ferry Company")],
    ),
    (
        "en-officials-from-a-body-are-the-body",
        "The bridge stays shut until spring. \"Repairs will take months,\" officials from the "
        "Eastmoor Highways Agency said on Friday.",
        [("Repairs will take months,", "direct", "Eastmoor Highways Agency")],
    ),
    # -- a middle initial is no acronym: the person is not split from their surname ----------
    (
        "en-middle-initial-keeps-a-person-whole",
        "Governor Ellen R. Whitfield toured the flooded towns on Sunday with her deputy Mark "
        "Olsen.\nGovernor Ellen R. Whitfield spoke first at the shelter. \"Nobody will be left "
        'behind," she said. Whitfield later thanked Olsen.',
        [("Nobody will be left behind,", "direct", "Ellen R. Whitfield")],
    ),
    (
        "en-middle-initial-not-the-other-person",
        "Coach Daniel J. Ferro met the press with his captain Luis Abad after the final.\n"
        'Daniel J. Ferro praised the defence. "They never gave up," he said. Ferro and Abad '
        "then left.",
        [("They never gave up,", "direct", "Daniel J. Ferro")],
    ),
    # -- an unnamed speaker stays unnamed, even with a named person nearby --------------------
    (
        "en-unnamed-speaker",
        "Judge Ann Reid opened the hearing.\nThe head of the inquiry told the court "
        '"Nothing was done." She also said "We were far too late."',
        [("Nothing was done.", "direct", None), ("We were far too late.", "direct", None)],
    ),
]


#: Cases the shipped chooser gets wrong, each with why: strict xfail, so a chooser that gets one
#: right again fails here until the entry is removed (a regression stays visible, not deleted).
KNOWN_WRONG = {
    "en-opinion-of-a-court": (
        "the chooser retrained on the dev split with the second round's documents (2026-12-05) "
        "takes nobody for this document-noun subject with an aside ('The opinion of the Court, "
        "released on Wednesday, read …'); the rules still name the Court, and the same sentence "
        "without the aside, or 'The ruling of the Supreme Court read', keeps it (issue 20)"),
}


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_error_class(extractor: Extractor, name: str, text: str, expected: Expected,
                     request: pytest.FixtureRequest) -> None:
    if name in KNOWN_WRONG:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[name]))
    result = extractor.extract(text)
    got = [(q.text, q.type, q.speaker) for q in result.quotes]
    assert got == expected
    for q, (quote, _, speaker) in zip(result.quotes, expected, strict=True):
        assert text[q.start : q.end] == quote
        if speaker is None:
            assert q.speaker_confidence == 0.0
        else:
            assert 0.0 < q.speaker_confidence <= 1.0


def test_unquoted_report_is_indirect_never_direct(extractor: Extractor) -> None:
    """"…, meddelade kommunen" without marks is reported speech, stored as indirect."""
    text = "Badhuset stänger i sommar på grund av renoveringen, meddelade kommunen på måndagen."
    kinds = {q.type for q in extractor.extract(text).quotes}
    assert "direct" not in kinds and "partial" not in kinds


def test_according_to_an_organisation_with_its_acronym(extractor: Extractor) -> None:
    text = ("According to the Eastbay Health Office (EHO), vaccination covered only a third "
            "of the children last year.")
    (q,) = extractor.extract(text).quotes
    assert (q.text, q.type, q.speaker) == (
        "vaccination covered only a third of the children last year", "indirect",
        "Eastbay Health Office")


@pytest.mark.xfail(strict=True, reason=(
    "the report's speaker: the chooser retrained with the second round's documents "
    "(2026-12-05) puts TT just under the speaker threshold (confidence 0.5, as before it), so "
    "the report shows no speaker; the quote's speaker and both types are still right (issue 20)"))
def test_agency_is_never_a_person_pronouns_refer_to(extractor: Extractor) -> None:
    """An outlet named between a person and "han" is not his antecedent; the outlet is the
    source of what it reports itself (reported speech, not a direct quote)."""
    text = (
        "Försvarsministern Per Strand besökte basen i går, rapporterar TT.\n"
        "– Vi måste öka beredskapen, sade han."
    )
    report, quote = extractor.extract(text).quotes
    assert (report.type, report.speaker) == ("indirect", "TT")
    assert (quote.text, quote.type, quote.speaker) == (
        "Vi måste öka beredskapen", "direct", "Per Strand")


def test_unnamed_source_at_the_end_is_still_a_report(extractor: Extractor) -> None:
    """"…, according to firefighters." reports the sentence; firefighters are nobody we
    can name (the guidelines' generic plural)."""
    text = "The storm passed at night. The fire started in the kitchen, according to firefighters."
    (q,) = extractor.extract(text).quotes
    assert (q.text, q.type, q.speaker) == ("The fire started in the kitchen", "indirect", None)


def test_report_cut_in_two_by_its_attribution(extractor: Extractor) -> None:
    """"A, officials said, B." and "A, according to X, B." are two reported spans."""
    text = ("The tanker ran aground at dawn. Around fifty tonnes of oil, officials said, spilled "
            "into the bay. The clean-up, according to the harbour board, will take months.")
    got = [(q.text, q.type) for q in extractor.extract(text).quotes]
    assert got == [
        ("Around fifty tonnes of oil", "indirect"), ("spilled into the bay", "indirect"),
        ("The clean-up", "indirect"), ("will take months", "indirect"),
    ]


@pytest.mark.parametrize(("text", "clause"), [
    # the tagger takes "involved" for an adjective; the parser still hangs the clause off "said"
    ("The plane came down at night. Fars News said the crash involved pilot error.",
     "the crash involved pilot error"),
    ("The quake struck at dawn. Local officials said on Saturday, about 20 buildings collapsed.",
     "about 20 buildings collapsed"),
    ("The plane came down at night. Saudi officials later said 5.7 million barrels had been lost.",
     "5.7 million barrels had been lost"),
])
def test_bare_report_found_through_the_parse(extractor: Extractor, text: str, clause: str) -> None:
    """"X said <clause>" without "that" is reported speech (the guidelines' bare report)."""
    got = [(q.text, q.type) for q in extractor.extract(text).quotes]
    assert got == [(clause, "indirect")]


@pytest.mark.parametrize("text", [
    "Yesterday, Tom Hale, the mayor of Eastbay, announced a budget.",
    "The plane came down at night. Reuters, citing anonymous sources, reported both output and "
    "exports had been disrupted.",
])
def test_no_report_before_a_verb_whose_object_follows(extractor: Extractor, text: str) -> None:
    """", X, announced a budget." and ", reported <clause>" put no report before the comma."""
    quotes = extractor.extract(text).quotes
    assert all(not q.text.startswith(("Yesterday", "Reuters")) for q in quotes)
    assert all(q.type == "indirect" for q in quotes)


def test_capitalised_plural_title_is_a_generic_group() -> None:
    """"A number of Senators condemned …": a group nobody can name, not a person "Senators"
    (the guidelines' generic plural)."""
    from app.extraction.attribute.mentions import find_mentions
    from tests.extraction.handbuilt import view

    v = view("The vote was delayed. A number of Senators condemned the move.", lang="en")
    (m,) = [m for m in find_mentions(v) if m.text == "Senators"]
    assert m.kind == "generic"


def test_bare_surname_is_the_first_person_introduced_with_it(extractor: Extractor) -> None:
    """A relative named later in a list does not take over the bare surname."""
    text = ("President Donald Hale spoke on Monday. His daughter Ivy Hale and his son-in-law "
            "Jared Kent joined him. Hale later wrote on Twitter, \"We will get through this "
            "together!\"")
    (q,) = extractor.extract(text).quotes
    assert (q.text, q.speaker) == ("We will get through this together!", "Donald Hale")


@pytest.mark.parametrize("text", [
    'He learnt to move people out of danger, a process called "extraction." He then left.',
    'The band played songs such as "Night Harbour", "Uncle Fred\'s Boat", and "Rolling Home" '
    "in the sixties.",
    'A fire broke out in the "Drop & Go" section of the car park on Tuesday.',
    'A farmer known only as "P Willis" was arrested on Friday.',
])
def test_names_and_titles_in_marks_are_no_quotes(extractor: Extractor, text: str) -> None:
    """Terms, titles in a list, a name inside a noun phrase: nobody is quoted (scare quotes
    in the guidelines)."""
    assert [q.text for q in extractor.extract(text).quotes if q.type != "indirect"] == []


def test_a_label_someone_used_stays_a_quote(extractor: Extractor) -> None:
    """"which the Herald called "…"": the Herald is reported as using the words."""
    text = 'The plan was met with what the Eastbay Herald called "fury" from local traders.'
    (q,) = extractor.extract(text).quotes
    assert (q.text, q.type, q.speaker) == ("fury", "partial", "Eastbay Herald")


def test_according_to_a_role_and_name_before_a_quote(extractor: Extractor) -> None:
    """"According to eyewitness X, "…"": the rules themselves name X (the tagger takes
    "eyewitness" for a verb), so the chooser has the right candidate to confirm."""
    text = ('The truck hit the bus. According to eyewitness Tom Devlin, "It exploded within '
            'seconds." Devlin was not hurt.')
    seen: list[object] = []
    extractor.set_recorder(lambda art, lang: seen.append(art))
    try:
        (q,) = extractor.extract(text).quotes
    finally:
        extractor.set_recorder(None)
    assert (q.text, q.type, q.speaker) == ("It exploded within seconds.", "direct", "Tom Devlin")
    (cand,) = seen[-1].candidates  # type: ignore[attr-defined]
    assert cand.how == "according" and cand.mention.text == "Tom Devlin"


#: Swedish reported speech without marks (issue 20: indirect recall), invented texts:
#: (text, [(reported clause, speaker)]).
SV_REPORTS: list[tuple[str, str, list[tuple[str, str | None]]]] = [
    (
        "adverb-before-att",
        "Den nya idrottshallen i Sjöstad invigdes i går. Fritidschefen Eva Lind poängterade "
        "sedan att hallen ska vara öppen för alla föreningar.",
        [("hallen ska vara öppen för alla föreningar", "Eva Lind")],
    ),
    (
        "nämna",
        "Nämndens ordförande Per Holm nämnde också att lokalerna har renoverats för fyra "
        "miljoner kronor.",
        [("lokalerna har renoverats för fyra miljoner kronor", "Per Holm")],
    ),
    (
        "lyfta",
        "Kommunalrådet Karin Berg lyfte att bussarna nu går varje kvart.",
        [("bussarna nu går varje kvart", "Karin Berg")],
    ),
    (
        "prata-om",
        "Rektorn Anna Ek pratade om att skolan behöver fler lärare.",
        [("skolan behöver fler lärare", "Anna Ek")],
    ),
    (
        "party-in-brackets-before-att",
        "Vid mötet berättade nämndens ordförande Olle Falk (S) att bygget av simhallen blir två "
        "år försenat.",
        [("bygget av simhallen blir två år försenat", "Olle Falk")],
    ),
    (
        "a-decision-with-a-clause",
        "Regionstyrelsen beslutade på måndagen att vårdcentralen i Norrby ska stänga.",
        [("vårdcentralen i Norrby ska stänga", "Regionstyrelsen")],
    ),
    ("a-decision-to-act-reports-nothing",
     "Regionstyrelsen beslutade i går att bygga en ny vårdcentral.", []),
    (
        "a-second-report-in-the-sentence",
        "Han menar att hyrorna är för höga och han anser att bostadsbolaget borde sänka dem.",
        [("hyrorna är för höga", None), ("bostadsbolaget borde sänka dem", None)],
    ),
    (
        "a-question-reports-nothing",
        "Många menar att ni har svikit byn?",
        [],
    ),
    (
        "the-outlet-credited-after-a-report",
        "Rederiets vd Eva Lind uppger att turerna ställs in hela veckan. Det skriver rederiet "
        "på sin webbplats.",
        [("turerna ställs in hela veckan", "Eva Lind")],
    ),
    (
        "according-to-a-source-with-a-relative-clause",
        "Publiken jublade länge efter finalen, enligt Kurirens medarbetare som följde matchen.",
        [("Publiken jublade länge efter finalen", "Kurirens medarbetare")],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), SV_REPORTS, ids=[c[0] for c in SV_REPORTS])
def test_swedish_reported_speech(
    extractor: Extractor, name: str, text: str, expected: list[tuple[str, str | None]]
) -> None:
    quotes = extractor.extract(text).quotes
    assert [(q.text, q.speaker) for q in quotes] == expected
    assert all(q.type == "indirect" and text[q.start : q.end] == q.text for q in quotes)


@pytest.mark.parametrize(("text", "names"), [
    # the organisation goes on over "for"/"of" (and an optional "the") and one "and"
    ("Figures from the Office for National Statistics came out late.",
     [("Office for National Statistics", "org")]),
    ("Staff of the Department of the Interior walked out.",
     [("Department of the Interior", "org")]),
    ("The Centers for Disease Control and Prevention spoke first.",
     [("Centers for Disease Control and Prevention", "org")]),
    # two bodies joined by "and" stay two; a title or a given name ends the organisation
    ("The Ministry of Health and the Ministry of Defence disagreed.",
     [("Ministry of Health", "org"), ("Ministry of Defence", "org")]),
    ("Yesterday Bank of England Governor Jane Roe stayed silent.",
     [("Bank of England", "org"), ("Jane Roe", "name")]),
    ("Yesterday the University of Utah and Jane Roe stayed silent.",
     [("University of Utah", "org"), ("Jane Roe", "name")]),
    # a lowercase institution named by its place
    ("Later the government of Lesotho closed the border.",
     [("government of Lesotho", "org")]),
])
def test_organisation_names_go_on_over_links(text: str, names: list[tuple[str, str]]) -> None:
    """"the Office for National Statistics" is one organisation, not "Office" and "National
    Statistics" (the candidate the chooser needs was never proposed)."""
    from app.extraction.attribute.mentions import find_mentions
    from tests.extraction.handbuilt import view

    got = [(m.text, m.kind) for m in find_mentions(view(text, lang="en"))
           if m.kind in ("org", "name")]
    assert got == names
