"""Scare quotes, titles, names and terms in quotation marks are no quotes (issue 20: scare
quotes taken ≤ 10 %), while quoted words someone is reported as saying stay quotes.

Invented sentences, run through the shipped pipelines (the extractor users get).
"""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

#: Marks around a name, a title or a term: no direct or partial quote may come out.
NOT_QUOTES: list[tuple[str, str]] = [
    # -- English: a noun says what the marks name ---------------------------------------
    ("en-novel", 'Her debut novel "The Salt Orchard" sold two million copies.'),
    ("en-film", 'The film "Northern Lights Over Harlow" won the audience prize on Saturday.'),
    ("en-musical", 'Tickets for the musical "Ferry Tales" went on sale on Monday.'),
    ("en-album", 'The album "Quiet Fields" reached number three in the charts.'),
    ("en-charity", 'She works for the charity "Open Doors Now" in Leeds.'),
    ("en-episode", 'On his blog he reviewed the episode "The Long Night" in detail.'),
    ("en-single-cue", 'The hit single "I Will Not Wait" topped the charts, the label said.'),
    ("en-podcast", 'The podcast "Small Town Secrets" has a million listeners.'),
    ("en-newspaper-with-cue", 'The newspaper "Harbour Daily" reported that the mill would close.'),
    # -- an appositive between commas, no speech verb -----------------------------------
    ("en-nickname-appositive", 'Her nickname, "Iron Annie", stuck for the rest of her career.'),
    ("en-book-appositive-comma-inside",
     'Her second book, "When the River Rose," is due out in June.'),
    ("en-slogan-appositive",
     'The campaign slogan, "Build the Bridge Now!", appeared on every bus.'),
    ("en-painting-appositive", 'The painting, "Girl with a Kite", sold for $2 million.'),
    ("en-census-question",
     'The council wants to add the question, "Do you own a boat?", to its next survey.'),
    # -- naming phrases --------------------------------------------------------------------
    ("en-calling-itself", 'A group calling itself "Friends of the Marsh" organised the protest.'),
    ("en-call-themselves", 'Fans of the series, who call themselves "Lanterns", gathered outside.'),
    ("en-call-themselves-the",
     'The rebels, who call themselves the "Army of the Dawn", said they had captured the town.'),
    ("sv-känd-som-den", "Mannen, känd som den ”Gröne riddaren”, greps i går."),
    # -- a label on a thing, a code or a handle, even with a speech verb (2026-12-05) -----
    ("en-marked-appositive",
     'Officials said the documents, marked "confidential", had been left on a train.'),
    ("en-stamped-reduced-relative",
     'Customs officers found a crate stamped "machine parts" full of rifles, police said.'),
    ("sv-märkta-appositive", "Polisen uppger att lådorna, märkta ”ömtåligt”, stals i natt."),
    ("en-username", 'The user, whose username was "harbourfan99", posted the video on Monday, '
     'police said.'),
    ("en-hashtag-with-cue", 'Organisers said "#SaveThePier" trended all weekend.'),
    ("en-code-with-cue", 'The army said the "B-52" had landed safely.'),
    ("sv-kod", "Polisen säger att insatsen ”Rx-9” avslutades i morse."),
    # -- a word talked about as a word: a defining verb right after the marks -----------
    ("en-refers-to-with-according",
     'According to the agency, "gig work" refers to short jobs booked through an app.'),
    ("en-means-with-said", 'The guide said "hygge" means a cosy evening at home.'),
    ("sv-betyder", "”Fika” betyder kaffepaus med bulle, enligt guiden."),
    # -- a short name in marks as the subject of a reported clause (2026-12-05) -----------
    ("sv-namn-som-subjekt-i-att-sats",
     "Kommunen säger att ”Trygg på torget” har minskat brotten med en tredjedel."),
    ("en-name-as-subject-after-that",
     'The council said that "Safe Streets" has cut crime by a third.'),
    # -- words named as options (2026-12-05) ---------------------------------------------
    ("en-between-yes-and-no",
     'He said voters faced a simple choice between "yes" and "no" in the referendum.'),
    ("en-yes-or-no", 'Ana Ruiz said the ballot only offered "yes" or "no" as answers.'),
    ("sv-ja-eller-nej", "Väljarna fick svara ”ja” eller ”nej”, säger valledaren Eva Berg."),
    ("en-starred-as", 'He starred as "the Captain" in the long-running series.'),
    ("en-known-with-gap",
     'The twins, known across the valley as "the Weather Girls", ran the station for years.'),
    ("en-so-called", 'The so-called "ghost nets" are pulled out by divers.'),
    ("en-codenamed", 'The operation, codenamed "Silver Birch", began at dawn.'),
    ("en-nickname-in-name", 'Tom "The Hammer" Briggs won the title in 1989.'),
    # -- a title in title case inside a reported clause, which goes on after it ------------
    ("en-title-then-a-verb", 'He said "Hell Week" was the hardest part of the training.'),
    ("en-title-after-that", 'The ministry announced that "Operation Lantern" had ended.'),
    ("en-title-as-an-object", 'Lund said he had bought "The Salt Orchard" twice.'),
    ("en-title-before-its-noun",
     'The museum said its "Faces of the Sea" exhibition drew 40,000 visitors.'),
    ("en-title-in-a-statement",
     'In a statement, the band said "Rise Again" would be their last album.'),
    # -- words written on a thing; a name in apposition to a noun, a speech verb about ----
    ("en-sign-that-read", 'Protesters held a sign that read "No More Cuts".'),
    ("en-motion-appositive",
     'The motion, "That the council rebuild the pier", passed by 30 votes.'),
    ("en-product-appositive-with-cue",
     'The company said its new product, "PierPass", would launch in May.'),
    ("en-game-appositive-with-cue", 'Lund said the game, "Pier Panic", sold a million copies.'),
    ("en-called-himself", 'The suspect, who called himself "the Ferryman", was arrested.'),
    ("sv-skylt-där-det-stod",
     "Demonstranterna höll upp en skylt där det stod ”Inga fler nedskärningar”."),
    # -- Swedish -------------------------------------------------------------------------
    ("sv-bok-appositive", "Hennes andra bok, ”När ån steg”, kommer ut i juni."),
    ("sv-smeknamn-appositive", "Hennes smeknamn, ”Järn-Annie”, levde kvar hela karriären."),
    ("sv-slogan-appositive", "Kampanjens slogan, ”Bygg bron nu!”, syntes på alla bussar."),
    ("sv-kallar-sig", "En grupp som kallar sig ”Myrens vänner” ordnade protesten."),
    ("sv-kallar-sig-gemener", "Seriens fans, som kallar sig ”lyktor”, samlades utanför."),
    ("sv-känd-som-med-ord-emellan", "Tvillingarna, kända i hela dalen som ”Vädertjejerna”, "
     "skötte stationen i många år."),
    ("sv-podden", "Podden ”Småstadens hemligheter” har en miljon lyssnare."),
    ("sv-singeln", "Singeln ”Jag väntar inte” låg etta på listan i sex veckor."),
    ("sv-målningen", "Målningen ”Flicka med drake” såldes för två miljoner kronor."),
    ("sv-utställning-med-namnet",
     "Museet öppnade en utställning med namnet ”Havets ansikten”."),
    ("sv-broschyr-med-rubriken",
     "Invånarna fick en broschyr med rubriken ”Så gör du vid översvämning”."),
    ("sv-tidningen-med-verb", "Tidningen ”Kustbladet” skriver att bruket ska stänga."),
    ("sv-så-kallade", "De så kallade ”spökgarnen” fiskas upp av dykare."),
    ("sv-döptes-till", "Båten döptes till ”Havsörnen” år 1962."),
    ("sv-smeknamn-i-namnet", "Karl ”Kalle” Berg tog guld i stafetten."),
    # -- a naming participle in an apposition between commas, a speech verb in the sentence
    ("en-app-called-appositive",
     'Ann Kerr said the ferry app, called "HarbourHop", had 3,000 users.'),
    ("en-scheme-dubbed-appositive",
     'The council\'s new scheme, dubbed "Green Lanes", will cost $4m, Tom Lund said.'),
    ("en-bridge-named-appositive",
     'Tom Lund told reporters the bridge, named "Silver Arch" by locals, would reopen.'),
    # -- a nickname inside a name, even with a speech verb (issue 20, helper quotes) -------
    ("en-nickname-in-name-with-cue", 'Police said Ole "The Hammer" Brandt had been arrested.'),
    ("sv-smeknamn-i-namn", "Polisen uppger att Karl ”Kalle” Strand har gripits."),
    # -- a name, then a comma and a noun phrase saying what it names ----------------------
    ("en-name-then-apposition",
     'She spoke about "Harbour Light", a new sculpture by the pier, on Monday.'),
    ("en-name-then-apposition-with-cue",
     'The mayor said she was proud of "Harbour Light", an installation by local artists.'),
    ("sv-namn-sedan-apposition", "Hon berättade om ”Ljusgården”, en konstinstallation i parken."),
    # -- a long title in title case between commas after a work noun, with a speech verb --
    ("en-long-title-appositive-with-cue",
     'Kerr said her new album, "Songs for the Long Dark Winter Nights", will be out in May.'),
    # -- a title-case name right after a preposition --------------------------------------
    ("en-interview-with-title",
     'In an interview with "Harbour Weekly", Berg said she would run again.'),
    ("en-author-of-title", 'Berg, author of "The Salt Road", said the plan had failed.'),
    ("sv-intervju-med-titel",
     "I en intervju med ”Hamnbladet” säger Eva Berg att hon ställer upp igen."),
    # -- levels named as a range: from "…" to "…" -----------------------------------------
    ("sv-nivåer-från-till",
     "Myndigheten höjde risknivån från ”måttlig” till ”hög”, säger en talesperson."),
    ("en-levels-from-to",
     'The agency raised the rating from "moderate" to "high" on Monday, officials said.'),
    # -- a title-case name as the hearer of "told" -----------------------------------------
    ("en-told-a-paper", 'Berg told "The Harbour Times" she would run again.'),
    # -- a word in marks inside Wikinews's original-language gloss after "((xx))" ----------
    ("en-word-in-a-gloss", "The minister spoke in Budapest. ((hu))Hungarian language: \u200da "
     "hadsereg „vas” nélkül gyenge.\n\nThe talks went on."),
]


@pytest.mark.parametrize(("name", "text"), NOT_QUOTES, ids=[c[0] for c in NOT_QUOTES])
def test_names_titles_and_terms_in_marks_are_no_quotes(
    extractor: Extractor, name: str, text: str
) -> None:
    """Nothing in marks here was said by anyone: no direct or partial quote comes out."""
    quotes = [(q.text, q.type) for q in extractor.extract(text).quotes if q.type != "indirect"]
    assert quotes == []


#: Quoted words someone says, next to the same kinds of nouns: they stay quotes.
#: (text, quoted span, type, speaker)
STILL_QUOTES: list[tuple[str, str, str, str, str | None]] = [
    ("en-label-used-by-a-name",
     "The mayor called the decision \"a betrayal of every fisherman in this town\".",
     "a betrayal of every fisherman in this town", "partial", None),
    ("en-described-as", 'Police described the attack as "senseless".', "senseless", "partial",
     None),
    ("en-book-then-a-quote-with-a-verb",
     'Ann Kerr wrote a new book. "It took me ten years," Kerr said.',
     "It took me ten years,", "direct", "Ann Kerr"),
    ("en-question-asked",
     'At the meeting Ann Kerr asked the question "Who will pay for it?" twice.',
     "Who will pay for it?", "direct", "Ann Kerr"),
    ("en-referred-to-by-a-subject",
     'Ann Kerr criticised the plan, which Tom Lund has referred to as "a fair deal".',
     "a fair deal", "partial", "Tom Lund"),
    ("en-label-after-a-parenthetical",
     'Mayor Tom Lund, replying on Twitter, attacked the inquiry as "Total Hoax nonsense."',
     "Total Hoax nonsense.", "partial", "Tom Lund"),
    ("en-long-quote-after-a-gloss",
     "He spoke in Spanish. ((es))Spanish language: \u200dvamos, Ana Ruiz said, "
     '"We will go on with the talks."',
     "We will go on with the talks.", "direct", "Ana Ruiz"),
    ("en-title-case-label-someone-used",
     'President Tom Hale called the inquiry a "Witch Hunt" and left.', "Witch Hunt", "direct",
     "Tom Hale"),
    ("en-title-case-words-written",
     'Tom Hale wrote "Stop The Steal" on his page.', "Stop The Steal", "direct", "Tom Hale"),
    ("en-label-after-a-comma-and-a-name",
     'Ann Kerr, called "a traitor" by her rivals, said she would stay.', "a traitor",
     "partial", None),
    ("en-finite-marked-reports",
     'The mayor said the vote marked "a new start for the whole town".',
     "a new start for the whole town", "partial", None),
    ("sv-quoted-sentence-as-subject", "Hon sa att ”Ingen kom” var en lögn.",
     "Ingen kom", "direct", None),
    ("sv-kallar-beslutet", "Per Holm kallar beslutet ”ett svek mot alla fiskare”.",
     "ett svek mot alla fiskare", "partial", "Per Holm"),
    ("sv-boken-then-a-quote",
     "Anna Ek har skrivit en ny bok.\n\n– Det tog tio år, säger Anna Ek.",
     "Det tog tio år", "direct", "Anna Ek"),
    ("en-quote-then-a-spokesman-said", '"We are ready", a spokesman said.', "We are ready",
     "direct", None),
    ("en-quote-then-a-spokesman-for-said",
     '"Not this year", a spokeswoman for the harbour board said on Monday.', "Not this year",
     "direct", None),
    ("en-label-after-a-label-preposition",
     'Mayor Tom Lund attacked the inquiry as "Fake News" on Monday.', "Fake News", "partial",
     "Tom Lund"),
    ("en-told-a-quote-after-a-colon", 'Berg told the board: "We Will Not Sell" and left.',
     "We Will Not Sell", "direct", "Berg"),
    ("sv-word-at-the-end-of-the-previous-paragraph",
     "Anna Ek leder den nya föreningen\n\n”Vi vill att alla ska kunna spela”, säger hon.",
     "Vi vill att alla ska kunna spela", "direct", "Anna Ek"),
]


@pytest.mark.parametrize(
    ("name", "text", "span", "kind", "speaker"), STILL_QUOTES, ids=[c[0] for c in STILL_QUOTES]
)
def test_quoted_words_someone_says_stay_quotes(
    extractor: Extractor, name: str, text: str, span: str, kind: str, speaker: str | None
) -> None:
    """The same nouns and naming verbs around words a speaker is reported as using."""
    start = text.index(span)
    quotes = [q for q in extractor.extract(text).quotes if q.type != "indirect"]
    assert [(q.start, q.end, q.type) for q in quotes] == [(start, start + len(span), kind)]
    if speaker is not None:
        assert quotes[0].speaker == speaker


def test_two_words_someone_used_joined_by_and_stay_quotes(extractor: Extractor) -> None:
    """Two quoted words joined by "and" without "between" are the speaker's words, not
    options: both stay partial quotes of the speaker."""
    text = 'Tom Hale called the plan "unfair" and "reckless" on Monday.'
    quotes = [q for q in extractor.extract(text).quotes if q.type != "indirect"]
    assert [(q.start, q.end, q.type, q.speaker) for q in quotes] == [
        (text.index("unfair"), text.index("unfair") + 6, "partial", "Tom Hale"),
        (text.index("reckless"), text.index("reckless") + 8, "partial", "Tom Hale"),
    ]
