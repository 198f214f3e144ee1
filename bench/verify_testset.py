"""The verification test set: cases generated from an archive of the seed article and our own
invented articles (bench/verify_archive/), each with the verdict it should get; prints the
accuracy per verdict and for the translation pairs.

    python bench/verify_testset.py [--show-errors]

The archive is ingested through the real write path (extraction, translation linking) into a
fresh SQLite database. Cases come from the stored quotes (so they test verification, not
extraction): verbatim (with marks and the speaker's name; lower-cased without punctuation),
worded differently (a word left out, a word changed, two words swapped), said by someone else
(the words with another speaker's name), reported speech (an indirect quote, and the same
turned into the first person), out of context (a negation taken out, or the end of a quote
that opens with a condition), translations (a Swedish or English quote whose other-language
version the archive holds, from a hand-made list of the true pairs), and sentences that are not
in the archive. None come from the shared dev data.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.extraction.pipeline import Extractor  # noqa: E402
from app.ingest.service import ingest_files, iter_article_files  # noqa: E402
from app.storage.db import make_engine  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402
from app.storage.models import Quote, QuoteTranslation, Speaker  # noqa: E402
from app.verify.align import sentences  # noqa: E402
from app.verify.claim import parse  # noqa: E402
from app.verify.service import verify  # noqa: E402
from app.verify.words import CONDITIONS, NEGATIONS, STOPWORDS, tokens  # noqa: E402

ARCHIVE = [ROOT / "seeds", Path(__file__).resolve().parent / "verify_archive"]

#: The true translation pairs in the archive (Swedish start, English start).
GOLD_PAIRS = [
    ("De kan ta hand om sig själva väldigt", "The British have been"),
    ("Om de behöver hjälp kommer jag", "The British have been"),
    ("Vi kommer aldrig att överge", "We will never abandon"),
    ("Om Europa inte agerar", "If Europe does not act"),
    ("Väntelistorna är alldeles", "Waiting lists are far"),
    ("Våra sjuksköterskor har", "Our nurses have"),
    ("Försäljningen ökade", "Sales grew"),
    ("Vi kommer inte att stänga några", "We are not going to close"),
]

#: Sentences no one in the archive said.
ABSENT = [
    "Vi ska bygga en ny bro över älven före nästa val",
    "Bensinpriset måste sänkas med två kronor litern",
    "Jag har aldrig träffat honom och vet inte vem han är",
    "Sverige borde gå med i eurosamarbetet så snart som möjligt",
    "Hyrorna i Stockholm är de högsta i Europa",
    "Vi kommer att avskaffa fastighetsavgiften",
    "Det finns inga pengar kvar i statskassan",
    "Kungen borde abdikera till förmån för kronprinsessan",
    "Alla pensionärer ska få tandvård gratis",
    "Tågen måste gå i tid, annars byter vi operatör",
    "Jag tänker inte avgå, oavsett vad granskningen visar",
    "Vargstammen måste halveras inom två år",
    "Mjölkbönderna får inte betalt för sitt arbete",
    "Vi öppnar tre nya badhus i kommunen nästa sommar",
    "Rymdstyrelsen ska skicka en svensk astronaut till månen",
    "Dansbanorna på landsbygden måste räddas",
    "Fotbollsförbundet har svikit damlandslaget",
    "Jag lovar att sänka skatten för alla som tjänar under trettiotusen",
    "Kärnkraften är framtiden för svensk industri",
    "Biblioteken ska ha öppet på söndagar",
    "We will build a wall along the northern border",
    "The central bank must cut interest rates immediately",
    "I have never met him and I do not know who he is",
    "Britain should rejoin the European Union within five years",
    "Rents in London are the highest in the world",
    "We will abolish the inheritance tax",
    "There is no money left in the treasury",
    "The monarchy should be abolished after the coronation",
    "All pensioners will get free dental care",
    "Trains must run on time or we will change the operator",
    "I will not resign, whatever the inquiry says",
    "Farmers are not paid enough for their milk",
    "We will open three new swimming pools next summer",
    "The space agency will send an astronaut to Mars",
    "Our football association has let the women's team down",
    "Nuclear power is the future of British industry",
    "Libraries will open on Sundays",
    "Självkörande bilar ska tillåtas på alla motorvägar",
    "Robots will replace half of all office jobs by 2030",
    "Vi måste förbjuda fyrverkerier på nyårsafton",
]

REPLACEMENTS = {"sv": ["bananer", "cyklar", "moln", "trädgården", "gitarr"],
                "en": ["bananas", "bicycles", "clouds", "gardens", "guitar"]}
PRONOUNS = {"han": "jag", "hon": "jag", "he": "I", "she": "I", "skulle": "ska",
            "would": "will", "hade": "har", "was": "is"}


@dataclass(frozen=True)
class Case:
    """One paste and what the answer should be."""

    kind: str
    expected: str  # a verdict, or "translation"
    text: str
    speaker: str | None
    want_quote: str | None = None  # public id of the expected (translation) quote


def _words(text: str) -> list[str]:
    return [t.text for t in tokens(text)]


def make_cases(session: Session, seed: int = 5) -> list[Case]:
    """Every case, from the stored quotes (deterministic)."""
    rng = random.Random(seed)
    rows = session.exec(select(Quote, Speaker).join(Speaker, col(Speaker.id) == Quote.speaker_id)
                        .where(col(Quote.hidden).is_(False)).order_by(col(Quote.id))).all()
    names = sorted({s.name for _, s in rows})
    cases: list[Case] = []
    for q, s in rows:
        ws = _words(q.text)
        last = s.name.split()[-1]
        other = rng.choice([n for n in names if n != s.name])
        if q.type == "indirect":
            cases.append(Case("reported", "reported", q.text, s.name))
            turned = " ".join(PRONOUNS.get(w.lower(), w) for w in ws)
            if turned != " ".join(ws):
                cases.append(Case("reported-first-person", "reported", turned, None))
            continue
        if len(ws) < 3:
            continue
        negation = [i for i, w in enumerate(ws) if w.lower() in NEGATIONS and i > 0]
        conditional = ws[0].lower() in CONDITIONS
        cases.append(Case("verbatim-marks", "verbatim", f"{last}: ”{q.text}”", None))
        cases.append(Case("verbatim-plain", "verbatim", " ".join(ws).lower(), None))
        cases.append(Case("someone-else", "other_speaker", f"”{q.text}” — {other}", None))
        # Words inside the quote only: leaving out the last word makes a fragment (verbatim).
        content = [i for i, w in enumerate(ws) if w.lower() not in STOPWORDS
                   and w.lower() not in NEGATIONS and 0 < i < len(ws) - 1]
        if len(ws) >= 5 and content:
            i = rng.choice(content)
            cases.append(Case("omission", "reworded", " ".join(ws[:i] + ws[i + 1:]), None))
            j = rng.choice(content)
            repl = rng.choice(REPLACEMENTS.get(q.language, REPLACEMENTS["sv"]))
            cases.append(Case("changed-word", "reworded",
                              " ".join([*ws[:j], repl, *ws[j + 1:]]), s.name))
            pairs = [k for k in content if k + 1 < len(ws) and ws[k] != ws[k + 1]
                     and ws[k + 1].lower() not in NEGATIONS]
            if pairs:
                k = rng.choice(pairs)
                swapped = [*ws[:k], ws[k + 1], ws[k], *ws[k + 2:]]
                cases.append(Case("word-order", "reworded", " ".join(swapped), last))
        if negation:
            i = negation[0]
            cases.append(Case("negation-removed", "out_of_context",
                              " ".join(ws[:i] + ws[i + 1:]), None))
        one_sentence = len(sentences(tokens(q.text), q.text)) == 1
        if conditional and one_sentence and len(ws) >= 8:
            cases.append(Case("condition-cut", "out_of_context", " ".join(ws[-5:]), None))
    by_start = {q.text[:40]: q for q, _ in rows}

    def find(start: str) -> Quote:
        return next(q for t, q in by_start.items() if t.startswith(start))

    for sv_start, en_start in GOLD_PAIRS:
        sv, en = find(sv_start), find(en_start)
        for paste, want in ((sv, en), (en, sv)):
            ws = _words(paste.text)
            cases.append(Case("translation", "translation", paste.text, None, want.public_id))
            cut = ws[:len(ws) // 2] + ws[len(ws) // 2 + 1:]
            cases.append(Case("translation-omission", "translation", " ".join(cut), None,
                              want.public_id))
    for text in ABSENT:
        cases.append(Case("absent", "not_found", text, None))
    return cases


def judge(session: Session, case: Case) -> tuple[bool, str]:
    """Whether the verification gives the expected answer, and what it gave."""
    result = verify(session, parse(case.text, case.speaker))
    if case.expected != "translation":
        return result["verdict"] == case.expected, str(result["verdict"])
    matches = result["matches"]
    if not matches:
        return False, "not_found"
    linked = {t["id"] for t in matches[0]["translations"]}
    return case.want_quote in linked, f"{result['verdict']}+{len(linked)} linked"


def link_quality(session: Session) -> tuple[int, int, int]:
    """(gold pairs linked, links stored, gold pairs) of the translation links made at ingest."""
    quotes = {q.id: q.text for q in session.exec(select(Quote))}
    links = {(quotes[a][:40], quotes[b][:40]) for a, b in session.exec(
        select(QuoteTranslation.quote_id, QuoteTranslation.other_id))}
    found = sum(any(a.startswith(sv) and b.startswith(en) for a, b in links)
                for sv, en in GOLD_PAIRS)
    return found, len(links) // 2, len(GOLD_PAIRS)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/testset.db"
        upgrade(url)
        engine = make_engine(url)
        extractor = Extractor.load()
        files = list(iter_article_files(ARCHIVE))
        ingest_files(lambda: Session(engine), extractor, files, 10_000_000)
        with Session(engine) as session:
            cases = make_cases(session)
            totals: Counter[str] = Counter()
            right: Counter[str] = Counter()
            kinds: dict[str, Counter[str]] = defaultdict(Counter)
            errors: list[tuple[Case, str]] = []
            for case in cases:
                ok, got = judge(session, case)
                totals[case.expected] += 1
                right[case.expected] += ok
                kinds[case.kind][str(ok)] += 1
                if not ok:
                    errors.append((case, got))
            linked, stored, gold = link_quality(session)
        engine.dispose()
    print(f"{len(files)} archive articles, {len(cases)} cases")
    print(f"{'expected':16} {'cases':>6} {'right':>6} {'accuracy':>9}")
    for name in ("verbatim", "reworded", "other_speaker", "reported", "out_of_context",
                 "translation", "not_found"):
        n = totals[name]
        print(f"{name:16} {n:6} {right[name]:6} {right[name] / n if n else 0:9.3f}")
    print(f"{'all':16} {sum(totals.values()):6} {sum(right.values()):6} "
          f"{sum(right.values()) / max(sum(totals.values()), 1):9.3f}")
    print("by kind:", {k: dict(v) for k, v in sorted(kinds.items())})
    print(f"translation links made at ingest: {linked} of {gold} true pairs, {stored} stored")
    if args.show_errors:
        for case, got in errors:
            print(f"  {case.kind:22} want {case.expected:15} got {got:18} | {case.text[:90]}"
                  f" | {case.speaker}")


if __name__ == "__main__":
    main()
