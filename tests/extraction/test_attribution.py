"""Quote kinds and speakers on short invented sentences (the whole Extractor, any pipeline)."""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

Expected = list[tuple[str, str, str | None]]  # (quote text, type, speaker)

CASES: list[tuple[str, str, Expected]] = [
    (
        "sv-inverted",
        "”Vi har inte bestämt oss”, säger Lena Ek, ordförande i föreningen.",
        [("Vi har inte bestämt oss", "direct", "Lena Ek")],
    ),
    (
        "sv-colon-name",
        "Anna Lind: ”Vi är redo.”",
        [("Vi är redo.", "direct", "Anna Lind")],
    ),
    (
        "sv-partial-cue-before",
        "Näringsminister Karl Holm sade att regeringen ”inte tänker backa” i frågan.",
        [("inte tänker backa", "partial", "Karl Holm")],
    ),
    (
        "sv-dash-with-continuation",
        "Polisen har gripit en man.\n– Vi utreder händelsen, säger Eva Strand vid polisen. "
        "Mer kan vi inte säga nu.",
        [
            ("Vi utreder händelsen", "direct", "Eva Strand"),
            ("Mer kan vi inte säga nu.", "direct", "Eva Strand"),
        ],
    ),
    (
        "sv-dash-continuation-paragraph",
        "– Det är svårt, säger Per Holm.\n– Men vi ska klara det.",
        [
            ("Det är svårt", "direct", "Per Holm"),
            ("Men vi ska klara det.", "direct", "Per Holm"),
        ],
    ),
    (
        "sv-pronoun",
        "Sara Berg leder projektet sedan i våras.\n”Det går bättre än väntat”, säger hon.",
        [("Det går bättre än väntat", "direct", "Sara Berg")],
    ),
    (
        "sv-title-resolves-to-name",
        "Finlands president Olli Rask besökte Stockholm i går.\n"
        "”Vi är goda grannar”, sade presidenten till pressen.",
        [("Vi är goda grannar", "direct", "Olli Rask")],
    ),
    (
        "sv-surname-resolves-to-full-name",
        "Forskaren Maja Lund har studerat frågan länge.\n”Resultaten är tydliga”, säger Lund.",
        [("Resultaten är tydliga", "direct", "Maja Lund")],
    ),
    (
        "sv-organisation",
        "”Vi följer läget noga”, skriver Polisen i ett pressmeddelande.",
        [("Vi följer läget noga", "direct", "Polisen")],
    ),
    (
        "sv-first-person-is-nobody",
        "”Kom hit nu”, sa jag till honom.",
        [("Kom hit nu", "direct", None)],
    ),
    (
        "sv-indirect-att",
        "Lena Ek uppger att beslutet redan är fattat.",
        [("beslutet redan är fattat", "indirect", "Lena Ek")],
    ),
    (
        "sv-indirect-enligt",
        "Enligt Per Holm kommer tåget att vara försenat hela veckan.",
        [("kommer tåget att vara försenat hela veckan", "indirect", "Per Holm")],
    ),
    (
        "sv-partial-inside-report-is-not-indirect",
        "Eva Strand sade att planen är ”helt orimlig” och att hon vill ha en ny.",
        [
            ("helt orimlig", "partial", "Eva Strand"),
            ("hon vill ha en ny", "indirect", "Eva Strand"),
        ],
    ),
    (
        "sv-scare-quotes",
        "Det blev en så kallad ”pudel” från ledningen. Orkestern spelade ”Sommarpsalm” i kyrkan.",
        [],
    ),
    (
        "en-inverted-with-apposition",
        '"We will appeal the ruling," said John Smith, the lawyer.',
        [("We will appeal the ruling,", "direct", "John Smith")],
    ),
    (
        "en-partial",
        'Mary Jones said the plan was "a total failure" and left.',
        [("a total failure", "partial", "Mary Jones")],
    ),
    (
        "en-split-by-attribution",
        'Tom Baker spoke to reporters.\n"I know," Baker said, "that it is late."',
        [("I know,", "direct", "Tom Baker"), ("that it is late.", "direct", "Tom Baker")],
    ),
    (
        "sv-lead-without-marks",
        "Skolan får nya lokaler\n\nVi har väntat länge på det här och nu är alla glada, "
        "säger rektor Maja Lund.",
        [("Vi har väntat länge på det här och nu är alla glada", "direct", "Maja Lund")],
    ),
    (
        "sv-det-sager",
        "Kön till vården har blivit kortare. Det säger Olle Dahl på regionen.",
        [("Kön till vården har blivit kortare", "indirect", "Olle Dahl")],
    ),
    (
        "sv-belief-verb-is-indirect",
        "Eva Strand leder arbetet.\nKommunen har gjort för lite, tycker hon.",
        [("Kommunen har gjort för lite", "indirect", "Eva Strand")],
    ),
    (
        "sv-negated-report-is-none",
        "Per Holm tror inte att tåget kommer i tid.",
        [],
    ),
    (
        "sv-dash-no-comma-full-name",
        "- Det var en bra dag för oss alla ansåg Karin Ek efter matchen.",
        [("Det var en bra dag för oss alla", "direct", "Karin Ek")],
    ),
    (
        "sv-dash-role-before-name",
        "– Vi öppnar igen på måndag, säger bibliotekets chef Lisa Sjö.",
        [("Vi öppnar igen på måndag", "direct", "Lisa Sjö")],
    ),
    (
        "sv-interview-answer",
        "Lars Falk är ny vd sedan i våras.\n– Det är roligt, säger Lars Falk.\n"
        "Han har jobbat i bolaget länge och kommer från Umeå där han växte upp.\n"
        "Bolaget har vuxit snabbt de senaste åren.\nMånga har sökt sig hit.\n"
        "Konkurrensen har ökat.\nHur ser framtiden ut?\n– Ljus, tror jag.",
        [
            ("Det är roligt", "direct", "Lars Falk"),
            ("Ljus, tror jag.", "direct", "Lars Falk"),
        ],
    ),
    (
        "sv-group-de",
        "De tre som röstade nej skrev en gemensam reservation.\n"
        "”Förslaget är illa genomtänkt”, skriver de.",
        [("Förslaget är illa genomtänkt", "direct", "De tre")],
    ),
    (
        "sv-headline-sole-speaker",
        "Ny bro invigd: ”En dag att minnas”\n"
        "Bron invigdes i går.\n– Det här är en dag att minnas, säger Anna Lind.",
        [
            ("En dag att minnas", "direct", "Anna Lind"),
            ("Det här är en dag att minnas", "direct", "Anna Lind"),
        ],
    ),
    (
        "en-according-to",
        "The bridge will close for a month, according to Tom Baker.",
        [("The bridge will close for a month", "indirect", "Tom Baker")],
    ),
    (
        "en-subject-after-quote",
        '"We are ready for the vote." Senator Jane Miller said on Monday.',
        [("We are ready for the vote.", "direct", "Jane Miller")],
    ),
    (
        "sv-party-in-brackets",
        "Kommunalrådet Eva Berg (C) kallade beslutet ”ett svek mot väljarna”.",
        [("ett svek mot väljarna", "partial", "Eva Berg")],
    ),
    (
        "sv-generic-group-speaks-unnamed",
        "Fabriken stänger i vår.\nDet här är ett hårt besked för hela orten, "
        "säger de anställda vid fabriken.",
        [("Det här är ett hårt besked för hela orten", "indirect", None)],
    ),
    (
        "sv-a-reason-with-its-own-report-is-cut-off",
        "Grannarna har yrkat att bygget stoppas eftersom de anser att bullret stör.",
        [("bygget stoppas", "indirect", None), ("bullret stör", "indirect", None)],
    ),
    (
        "sv-och-att-after-a-partial",
        "Per Holm menade att de hade agerat på ett ”alldeles för snabbt sätt” "
        "och att hela beslutet måste göras om.",
        [
            ("alldeles för snabbt sätt", "partial", "Per Holm"),
            ("hela beslutet måste göras om", "indirect", "Per Holm"),
        ],
    ),
    (
        "sv-och-att-without-a-first-att",
        "Eva Ek menade de gjort ett ”ärligt misstag” och att de nu vill gå vidare.",
        [
            ("ärligt misstag", "partial", "Eva Ek"),
            ("de nu vill gå vidare", "indirect", "Eva Ek"),
        ],
    ),
    (
        "sv-enligt-then-source-after",
        "En man har gripits.\nEnligt polisen ska mannen ha hotat en granne. "
        "Han nekar till brott, uppger hans advokat Eva Nord.",
        [
            ("ska mannen ha hotat en granne", "indirect", "polisen"),
            ("Han nekar till brott", "indirect", "Eva Nord"),
        ],
    ),
    (
        "sv-speech-act-verb-before-partial",
        "Oppositionsledaren Sara Lind var kritisk. Hon anklagade regeringen för att "
        "”svika vanliga löntagare”.",
        [("svika vanliga löntagare", "partial", "Sara Lind")],
    ),
    (
        "en-bare-report",
        "The mayor, Linda Cole, said on Monday the bridge would reopen in May.",
        [("the bridge would reopen in May", "indirect", "Linda Cole")],
    ),
    (
        "en-told-object-then-clause",
        "Police chief Adam Reed told reporters the suspect had been released.",
        [("the suspect had been released", "indirect", "Adam Reed")],
    ),
    (
        "en-report-holding-a-partial-is-left-to-the-partial",
        'Sam Price said the offer was "far too low" for the workers.',
        [("far too low", "partial", "Sam Price")],
    ),
    (
        "en-pronoun-gender",
        "Mary Hall met John Ward at the station.\nShe told the board she would resign.",
        [("she would resign", "indirect", "Mary Hall")],
    ),
    (
        "en-multi-paragraph",
        "Rita Moss spoke first.\n“We waited for years.\n“Now it is done,” she said.",
        [
            ("We waited for years.", "direct", "Rita Moss"),
            ("Now it is done,", "direct", "Rita Moss"),
        ],
    ),
    (
        "en-unnamed-speaker-stays-unnamed",
        'Judge Ann Reid opened the hearing.\nThe head of the inquiry told the court '
        '"Nothing was done." She also said "We were far too late."',
        [("Nothing was done.", "direct", None), ("We were far too late.", "direct", None)],
    ),
    (
        "en-so-called",
        'The so-called "deal" collapsed on Monday.',
        [],
    ),
]


@pytest.fixture(scope="module")
def blank_extractor() -> Extractor:
    """The rules alone, on blank pipelines (no tagger, parser or NER)."""
    return Extractor.blank()


@pytest.mark.parametrize("pipelines", ["default", "blank"])
@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_quotes_and_speakers(
    request: pytest.FixtureRequest, pipelines: str, name: str, text: str, expected: Expected
) -> None:
    fixture = "extractor" if pipelines == "default" else "blank_extractor"
    extractor: Extractor = request.getfixturevalue(fixture)
    result = extractor.extract(text)
    got = [(q.text, q.type, q.speaker) for q in result.quotes]
    assert got == expected
    for q, (quote, _, _) in zip(result.quotes, expected, strict=True):
        assert q.start == text.index(quote)
        assert text[q.start : q.end] == quote


def test_english_tweet_inside_swedish_article_uses_english(extractor: Extractor) -> None:
    text = (
        "Statsministern Eva Lund höll ett tal i riksdagen på tisdagen och fick mycket kritik.\n"
        'Lund: ”We will stand with our friends in the north, whatever happens next week.”\n'
        "Oppositionen var inte nöjd med talet och krävde en debatt i kammaren under veckan."
    )
    result = extractor.extract(text)
    assert result.language == "sv"
    (q,) = result.quotes
    assert q.language == "en"
    assert q.speaker == "Eva Lund"


def test_confidences_are_probabilities(extractor: Extractor) -> None:
    result = extractor.extract("”Vi ses i morgon”, säger Lena Ek.")
    (q,) = result.quotes
    assert 0.0 < q.confidence <= 1.0
    assert 0.0 < q.speaker_confidence <= 1.0
