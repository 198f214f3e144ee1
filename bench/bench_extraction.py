"""Time the spaCy pipeline with and without the quote component, on synthetic articles.

    python bench/bench_extraction.py [--articles 300] [--lang sv] [--model PATH | --blank]

Articles are generated from the word lists below (invented names and sentences, seeded, so
every run sees the same texts). Both timings come from the same run and the same pipeline;
the quote component is disabled for the first. Target: the component adds at most 30 %.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from app.extraction.component import COMPONENT
from app.extraction.pipeline import Extractor, load_pipeline

FIRST = ["Anna", "Per", "Lena", "Karl", "Sara", "Johan", "Eva", "Olle", "Maja", "Erik"]
LAST = ["Berg", "Holm", "Lind", "Strand", "Ek", "Lund", "Sjö", "Dahl", "Falk", "Nyberg"]
ROLE = ["ordförande", "presschef", "forskare", "kommunalråd", "talesperson", "rektor"]
ORG = ["Kommunen", "Polisen", "Förbundet", "Skolverket", "Regionen"]
CUE = ["säger", "sade", "berättar", "menar", "konstaterar", "skriver", "uppger"]
CLAIM = [
    "det är för tidigt att dra några slutsatser",
    "arbetet fortsätter under hela hösten",
    "budgeten räcker inte till alla förslag",
    "beslutet kommer att överklagas",
    "läget har förbättrats sedan i våras",
]
UTTER = [
    "Vi har gjort allt vi kan och mer därtill.",
    "Det här är en viktig dag för hela regionen.",
    "Jag tror inte att någon hade räknat med det.",
    "Nu måste vi ta nästa steg tillsammans.",
    "Det finns inga enkla svar på den frågan.",
]
NARRATIVE = [
    "Mötet hölls i stadshuset på tisdagen och pågick i flera timmar.",
    "Frågan har diskuterats länge i fullmäktige utan att någon lösning har hittats.",
    "Under våren kom flera nya förslag som nu ska utredas vidare.",
    "Kritiken har vuxit sedan förslaget presenterades i januari.",
]


def article(rng: random.Random) -> str:
    """One synthetic news article with direct, dash, partial and indirect quotes."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    other = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    paras = [
        f"{rng.choice(ORG)}s {rng.choice(ROLE)} {name} har länge arbetat med frågan.",
        f"”{rng.choice(UTTER)}”, {rng.choice(CUE)} {name.split()[1]}.",
        rng.choice(NARRATIVE),
        f"– {rng.choice(UTTER)[:-1]}, {rng.choice(CUE)} {other}. {rng.choice(UTTER)}",
        f"{other} sade att {rng.choice(CLAIM)} och att det är ”{rng.choice(CLAIM)}”.",
        f"Enligt {name} {rng.choice(CLAIM).replace('det är', 'är det', 1)}.",
        rng.choice(NARRATIVE),
        f"{rng.choice(ORG)} {rng.choice(CUE)} att {rng.choice(CLAIM)}.",
    ]
    rng.shuffle(paras[2:])
    return "\n\n".join(paras)


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    """Run the benchmark and print the timings and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--lang", default="sv")
    ap.add_argument("--model", default=None, help="pipeline name or path (default: shipped)")
    ap.add_argument("--blank", action="store_true", help="blank pipeline + lookup lemmas")
    a = ap.parse_args()
    rng = random.Random(20251127)
    texts = [article(rng) for _ in range(a.articles)]
    nlp = load_pipeline(a.lang, a.model, blank=a.blank)
    others = [n for n in nlp.pipe_names if n != COMPONENT]
    print(f"pipeline: {nlp.meta.get('name', 'blank')} {nlp.pipe_names} ({a.articles} articles, "
          f"{sum(len(t) for t in texts)} chars)")

    def without() -> None:
        for _ in nlp.pipe(texts, disable=[COMPONENT]):
            pass

    def with_component() -> None:
        for _ in nlp.pipe(texts):
            pass

    base = timed(without)
    full = timed(with_component)
    # The component alone, on the docs the rest of the pipeline made: steadier than the
    # difference of two whole-pipeline timings on a machine that is busy with other work.
    docs = list(nlp.pipe(texts, disable=[COMPONENT]))
    component = nlp.get_pipe(COMPONENT)
    alone = timed(lambda: [component(d) for d in docs])
    extractor = Extractor({a.lang: nlp})
    whole = timed(lambda: list(extractor.extract_many(texts)), repeat=1)
    print(f"pipeline without quotes ({', '.join(others) or 'tokenizer only'}): {base:.2f} s")
    print(f"pipeline with quotes:                 {full:.2f} s "
          f"(difference {100 * (full - base) / base:+.0f} %)")
    print(f"quote component alone:                {alone:.2f} s")
    print(f"quote component adds:                 {100 * alone / base:.0f} % "
          f"(ratio {(base + alone) / base:.2f})")
    print(f"Extractor.extract_many (language id, records): {whole:.2f} s")


if __name__ == "__main__":
    main()
