"""The relevance test set of issue 21: a small archive and the queries a person would type.

The articles are written for these tests (Swedish and English, names of public figures); the
quotes, speakers and entities are given exactly (no pipeline), so the set measures search
alone, the same on both engines. ``EXPECTED``: query -> the quotes (by a piece of their text)
a person expects in the first ten results, all of them relevant, the speaker's own first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ARTICLES: list[tuple[str, str, list[tuple[str, str, str]], list[tuple[str, str]]]] = [
    # (language, text, quotes (piece, speaker, mention), entities (text, label))
    ("sv",
     "Premiärminister Keir Starmer sade: ”Vi bygger en allians med våra grannar.” "
     "Starmer lade till: ”Alliansen är starkare än någonsin.” "
     "Utrikesminister Sergej Lavrov svarade: ”Allianser av det slaget hotar Ryssland.” "
     "Lavrov sade också: ”Rysslands gränser ska respekteras av alla.”",
     [("Vi bygger en allians med våra grannar.", "Keir Starmer", "Keir Starmer"),
      ("Alliansen är starkare än någonsin.", "Keir Starmer", "Starmer"),
      ("Allianser av det slaget hotar Ryssland.", "Sergej Lavrov", "Sergej Lavrov"),
      ("Rysslands gränser ska respekteras av alla.", "Sergej Lavrov", "Lavrov")],
     [("Keir Starmer", "PER"), ("Starmer", "PER"), ("Sergej Lavrov", "PER"), ("Lavrov", "PER"),
      ("Ryssland", "LOC"), ("Rysslands", "LOC")]),
    ("sv",
     "Forskaren Maria Lund sade: ”Klimatflyktingar blir fler för varje år som går.” "
     "Lund menade: ”Inkomstskatten måste sänkas för barnfamiljer.” "
     "Finansminister Erik Holm sade: ”Skatten på arbete är för hög i dag.” "
     "Holm tillade: ”Flyktingar ska få ett tryggt mottagande i kommunerna.” "
     "”Männen på bygget arbetade i tio timmar om dagen”, sade Holm.",
     [("Klimatflyktingar blir fler för varje år som går.", "Maria Lund", "Maria Lund"),
      ("Inkomstskatten måste sänkas för barnfamiljer.", "Maria Lund", "Lund"),
      ("Skatten på arbete är för hög i dag.", "Erik Holm", "Erik Holm"),
      ("Flyktingar ska få ett tryggt mottagande i kommunerna.", "Erik Holm", "Holm"),
      ("Männen på bygget arbetade i tio timmar om dagen", "Erik Holm", "Holm")],
     [("Maria Lund", "PER"), ("Lund", "PER"), ("Erik Holm", "PER"), ("Holm", "PER")]),
    ("en",
     "President Donald Trump said: “The tariffs will protect our workers.” "
     "Trump added: “Nobody negotiates better than me.” "
     "Jens Stoltenberg said: “The alliance stands united against every threat.” "
     "“Children deserve safe schools,” said Stoltenberg. "
     "Keir Starmer said: “Britain will support Ukraine for as long as it takes.”",
     [("The tariffs will protect our workers.", "Donald Trump", "Donald Trump"),
      ("Nobody negotiates better than me.", "Donald Trump", "Trump"),
      ("The alliance stands united against every threat.", "Jens Stoltenberg",
       "Jens Stoltenberg"),
      ("Children deserve safe schools,", "Jens Stoltenberg", "Stoltenberg"),
      ("Britain will support Ukraine for as long as it takes.", "Keir Starmer", "Keir Starmer")],
     [("Donald Trump", "PER"), ("Trump", "PER"), ("Jens Stoltenberg", "PER"),
      ("Stoltenberg", "PER"), ("Keir Starmer", "PER"), ("Britain", "LOC"), ("Ukraine", "LOC")]),
    ("sv",
     "Jens Stoltenberg sade: ”USA:s stöd är helt avgörande för freden.” "
     "Stoltenberg sade vidare: ”Storbritanniens bidrag till Ukraina växer stadigt.” "
     "Sergej Lavrov sade: ”Böckerna om kriget ljuger om vad som hände.” "
     "Donald Trump sade: ”Trumps tullar skyddar amerikanska jobb.”",
     [("USA:s stöd är helt avgörande för freden.", "Jens Stoltenberg", "Jens Stoltenberg"),
      ("Storbritanniens bidrag till Ukraina växer stadigt.", "Jens Stoltenberg", "Stoltenberg"),
      ("Böckerna om kriget ljuger om vad som hände.", "Sergej Lavrov", "Sergej Lavrov"),
      ("Trumps tullar skyddar amerikanska jobb.", "Donald Trump", "Donald Trump")],
     [("Jens Stoltenberg", "PER"), ("Stoltenberg", "PER"), ("USA:s", "LOC"),
      ("Storbritanniens", "LOC"), ("Ukraina", "LOC"), ("Sergej Lavrov", "PER"),
      ("Donald Trump", "PER"), ("Trumps", "PER")]),
    ("sv",
     "Kommunalrådet Anna Berg sade: ”Bostadsmarknaden i Göteborg är låst för unga.” "
     "Berg fortsatte: ”Bostäder måste byggas snabbare än i dag.” "
     "Berg sade också: ”Skolan ska vara lika bra i hela staden.”",
     [("Bostadsmarknaden i Göteborg är låst för unga.", "Anna Berg", "Anna Berg"),
      ("Bostäder måste byggas snabbare än i dag.", "Anna Berg", "Berg"),
      ("Skolan ska vara lika bra i hela staden.", "Anna Berg", "Berg")],
     [("Anna Berg", "PER"), ("Berg", "PER"), ("Göteborg", "LOC")]),
]

S_ALLIANS = ["Vi bygger en allians", "Alliansen är starkare", "Allianser av det slaget"]
STARMER = ["Vi bygger en allians", "Alliansen är starkare", "Britain will support Ukraine"]
LAVROV = ["Allianser av det slaget", "Rysslands gränser", "Böckerna om kriget"]
TRUMP = ["The tariffs will protect", "Nobody negotiates", "Trumps tullar"]
STOLTENBERG = ["The alliance stands united", "Children deserve", "USA:s stöd",
               "Storbritanniens bidrag"]
HOLM = ["Skatten på arbete", "Flyktingar ska få", "Männen på bygget"]
LUND = ["Klimatflyktingar blir fler", "Inkomstskatten måste"]
BERG = ["Bostadsmarknaden i Göteborg", "Bostäder måste byggas", "Skolan ska vara"]

# query -> expected quotes (pieces of their text), in the order a person expects them.
EXPECTED: dict[str, list[str]] = {
    # names: a speaker's surname, full name, lower case, genitive, first name + surname
    "Starmer": STARMER, "Keir Starmer": STARMER, "starmer": STARMER,
    "Lavrov": LAVROV, "Sergej Lavrov": LAVROV, "lavrov": LAVROV,
    "Trump": TRUMP, "Donald Trump": TRUMP, "trump": TRUMP,
    "Stoltenberg": STOLTENBERG, "Jens Stoltenberg": STOLTENBERG,
    "Holm": HOLM, "Erik Holm": HOLM, "Lund": LUND, "Maria Lund": LUND,
    "Berg": BERG, "Anna Berg": BERG,
    # misspelt names (the page offers the speaker; the words find the quotes naming them)
    "speaker:Lavrof": LAVROV, "speaker:Stoltenber": STOLTENBERG, "speaker:starmr": STARMER,
    # explicit fields
    "speaker:lavrov": LAVROV, "speaker:\"Keir Starmer\"": STARMER, "speaker:holm": HOLM,
    "talare:berg": BERG, "entity:Ukraina": ["Storbritanniens bidrag"],
    "entity:Ryssland": ["Allianser av det slaget", "Rysslands gränser"],
    "entity:Göteborg": ["Bostadsmarknaden i Göteborg"],
    "allians speaker:starmer": ["Vi bygger en allians", "Alliansen är starkare"],
    # Swedish inflections that stem apart
    "allians": S_ALLIANS, "allianser": S_ALLIANS, "alliansen": S_ALLIANS,
    "män": ["Männen på bygget"], "mannen": ["Männen på bygget"],
    "bok": ["Böckerna om kriget"], "böcker": ["Böckerna om kriget"],
    "bostad": ["Bostadsmarknaden i Göteborg", "Bostäder måste byggas"],
    "skola": ["Skolan ska vara"], "dag": ["Skatten på arbete", "Männen på bygget",
                                           "Bostäder måste byggas"],
    # Swedish compounds: the head (and the first part) finds the compound
    "flyktingar": ["Flyktingar ska få", "Klimatflyktingar blir fler"],
    "flykting": ["Flyktingar ska få", "Klimatflyktingar blir fler"],
    "skatt": ["Skatten på arbete", "Inkomstskatten måste"],
    "skatten": ["Skatten på arbete", "Inkomstskatten måste"],
    "marknaden": ["Bostadsmarknaden i Göteborg"], "klimat": ["Klimatflyktingar blir fler"],
    "barnfamilj": ["Inkomstskatten måste"], "inkomst": ["Inkomstskatten måste"],
    # English inflections
    "child": ["Children deserve"], "men": ["Männen på bygget"],
    "negotiate": ["Nobody negotiates"], "tariff": ["The tariffs will protect"],
    "threats": ["The alliance stands united"], "schools": ["Children deserve"],
    "worker": ["The tariffs will protect"],
    # entity names normalised (genitive) and found by name
    "Ryssland": ["Allianser av det slaget", "Rysslands gränser"],
    "Rysslands": ["Rysslands gränser", "Allianser av det slaget"],
    "USA": ["USA:s stöd"], "Storbritannien": ["Storbritanniens bidrag"],
    "Ukraina": ["Storbritanniens bidrag"],
    # phrases and operators
    "\"tryggt mottagande\"": ["Flyktingar ska få"], "\"för hög\"": ["Skatten på arbete"],
    "\"safe schools\"": ["Children deserve"],
    "skatt OR bostad": ["Skatten på arbete", "Inkomstskatten måste",
                        "Bostadsmarknaden i Göteborg", "Bostäder måste byggas"],
    "tariffs OR children": ["The tariffs will protect", "Children deserve"],
    "skatt -inkomstskatten": ["Skatten på arbete"],
    "allians -starkare": ["Vi bygger en allians", "Allianser av det slaget"],
    "alliance -threat": [],
    "flyktingar kommunerna": ["Flyktingar ska få"],
    "Lavrov Ryssland": ["Allianser av det slaget", "Rysslands gränser"],
    "Trump tullar": ["Trumps tullar"],
}


@dataclass(frozen=True)
class Score:
    """Mean recall@10 and nDCG@10 over the queries, and the queries that missed."""

    recall: float
    ndcg: float
    misses: dict[str, list[str]]


def score(results: dict[str, list[str]]) -> Score:
    """``results``: query -> the texts of its first ten quotes, in order."""
    recalls: list[float] = []
    ndcgs: list[float] = []
    misses: dict[str, list[str]] = {}
    for q, want in EXPECTED.items():
        got = results.get(q, [])[:10]
        hit = [any(w in g for w in want) for g in got]
        found = [w for w in want if any(w in g for g in got)]
        if not want:
            recalls.append(1.0 if not got else 0.0)
            ndcgs.append(1.0 if not got else 0.0)
            if got:
                misses[q] = ["(expected nothing)"]
            continue
        recalls.append(len(found) / len(want))
        dcg = sum(1 / math.log2(i + 2) for i, h in enumerate(hit) if h)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(want), 10)))
        ndcgs.append(dcg / ideal)
        if len(found) < len(want):
            misses[q] = [w for w in want if w not in found]
    return Score(sum(recalls) / len(recalls), sum(ndcgs) / len(ndcgs), misses)
