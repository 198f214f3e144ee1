"""Extraction speed: words per second per core of the full extraction (trained pipeline + quote
component + language identification + records) against the bare trained pipeline, per language.

    python bench/bench_extraction.py [--articles 300] [--lang sv en] [--model PATH | --blank]

Articles are generated from the word lists below (invented names and sentences, seeded, so
every run sees the same texts). Every figure comes from the same run and the same process,
with BLAS pinned to one thread; "per core" is words per CPU-second of this process
(``time.process_time``), so other load on the machine changes it less than wall time.

Columns: the bare pipeline on spaCy's default ops (thinc's bundled BLIS kernels: how the
pipelines ran before), the bare pipeline on the ops Citat uses (``NumpyOps(use_blis=False)``,
numpy's OpenBLAS), the same pipeline with the quote component ("pipe+quotes": the trained
model plus the quote component), and the whole ``Extractor.extract_many`` (that, plus the
language of every paragraph, the runs of one language, speakers across the article and the
records). Targets for the full pipeline: >= 8,000 words/s per core and <= 1.3x the bare
pipeline's time.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from threadpoolctl import threadpool_limits

from app.extraction.component import COMPONENT
from app.extraction.pipeline import BATCH_SIZE, Extractor, load_pipeline

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


EN_FIRST = ["Alice", "Peter", "Laura", "Tom", "Sarah", "James", "Emma", "Oliver", "Grace"]
EN_LAST = ["Baker", "Hughes", "Wright", "Carter", "Mills", "Palmer", "Fisher", "Hunt"]
EN_ROLE = ["spokeswoman", "chairman", "researcher", "mayor", "minister", "director"]
EN_ORG = ["The council", "The police", "The union", "The ministry", "The agency"]
EN_CUE = ["said", "says", "told reporters", "argued", "added", "wrote", "stated"]
EN_CLAIM = [
    "it is too early to draw any conclusions",
    "the work will continue throughout the autumn",
    "the budget does not cover every proposal",
    "the decision will be appealed",
    "the situation has improved since the spring",
]
EN_UTTER = [
    "We have done everything we can and more.",
    "This is an important day for the whole region.",
    "I do not think anyone expected that.",
    "Now we have to take the next step together.",
    "There are no easy answers to that question.",
]
EN_NARRATIVE = [
    "The meeting was held at the town hall on Tuesday and went on for several hours.",
    "The issue has been debated for years in the council without a solution being found.",
    "Several new proposals were made in the spring and will now be examined further.",
    "Criticism has grown since the proposal was presented in January.",
]


def english_article(rng: random.Random) -> str:
    """One synthetic English news article with direct, partial and reported speech."""
    name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    other = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    paras = [
        f"{rng.choice(EN_ORG)}'s {rng.choice(EN_ROLE)} {name} has worked on the issue for years.",
        f"“{rng.choice(EN_UTTER)}” {name.split()[1]} {rng.choice(EN_CUE)}.",
        rng.choice(EN_NARRATIVE),
        f"“{rng.choice(EN_UTTER)[:-1]},” {other} {rng.choice(EN_CUE)}. “{rng.choice(EN_UTTER)}”",
        f"{other} said that {rng.choice(EN_CLAIM)} and that “{rng.choice(EN_CLAIM)}”.",
        f"According to {name}, {rng.choice(EN_CLAIM)}.",
        rng.choice(EN_NARRATIVE),
        f"{rng.choice(EN_ORG)} {rng.choice(EN_CUE)} that {rng.choice(EN_CLAIM)}.",
    ]
    rng.shuffle(paras[2:])
    return "\n\n".join(paras)


def cpu_time(fn: Callable[[], object], repeat: int = 3) -> float:
    """Least CPU time of this process over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    """Run the benchmark per language and print words/s per core and the ratios."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--lang", nargs="+", default=["sv", "en"])
    ap.add_argument("--model", default=None, help="pipeline name or path (default: shipped)")
    ap.add_argument("--blank", action="store_true", help="blank pipeline + lookup lemmas")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    threadpool_limits(limits=1, user_api="blas")
    print(f"{'lang':<4} {'words':>7} {'bare BLIS':>10} {'bare':>8} {'pipe+quotes':>11} "
          f"{'time ratio':>10} {'Extractor':>10} {'time ratio':>10} {'component':>9}"
          f" {'chooser':>9}   (words/s per core; time ratios against bare; the chooser's"
          " time against the rules alone)")
    for lang in a.lang:
        measure(lang, a.articles, a.model, a.blank, a.repeat)


def measure(lang: str, n: int, model: str | None, blank: bool, repeat: int) -> None:
    """Print one language's row: bare on BLIS, bare on our ops, full extraction."""
    rng = random.Random(20251127)
    make = article if lang == "sv" else english_article
    texts = [make(rng) for _ in range(n)]
    words = sum(len(t.split()) for t in texts)
    default_ops = spacy_default_pipeline(lang, model, blank)
    nlp = load_pipeline(lang, model, blank=blank)
    extractor = Extractor({lang: nlp})
    list(extractor.extract_many(texts[:20]))  # warm caches

    def bare(pipeline: Any) -> None:
        for _ in pipeline.pipe(texts, disable=[COMPONENT], batch_size=BATCH_SIZE):
            pass

    docs = list(nlp.pipe(texts, disable=[COMPONENT], batch_size=BATCH_SIZE))
    component = nlp.get_pipe(COMPONENT)
    def with_quotes() -> None:
        for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass

    chooser = component.chooser

    def rules_only() -> None:
        """The same pipeline with the learned speaker chooser switched off."""
        component.chooser = None
        try:
            with_quotes()
        finally:
            component.chooser = chooser

    runs: dict[str, Callable[[], object]] = {
        "blis": lambda: bare(default_ops), "bare": lambda: bare(nlp), "pipe": with_quotes,
        "rules": rules_only,
        "full": lambda: list(extractor.extract_many(texts)),
        "comp": lambda: [component(d) for d in docs],
    }
    # Interleaved rounds, least CPU time of each: a noisy moment hits one round of each kind
    # rather than every run of one kind.
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, fn in runs.items():
            best[name] = min(best[name], cpu_time(fn, 1))
    t_blis, t_bare, t_pipe = best["blis"], best["bare"], best["pipe"]
    t_full, t_comp = best["full"], best["comp"]
    print(f"{lang:<4} {words:>7} {words / t_blis:>10,.0f} {words / t_bare:>8,.0f} "
          f"{words / t_pipe:>11,.0f} {t_pipe / t_bare:>10.2f} {words / t_full:>10,.0f} "
          f"{t_full / t_bare:>10.2f} {100 * t_comp / t_bare:>8.0f}% "
          f"{100 * (t_pipe - best['rules']) / best['rules']:>+8.1f}%", flush=True)


def spacy_default_pipeline(lang: str, model: str | None, blank: bool) -> Any:
    """The same pipeline loaded the plain spaCy way (thinc's default ops, BLIS)."""
    import spacy

    import app.extraction.typography  # noqa: F401  (registers the sentence component)
    from app.extraction.pipeline import MODELS_DIR, UNUSED_COMPONENTS

    if blank:
        return load_pipeline(lang, blank=True)
    nlp = spacy.load(model or MODELS_DIR / lang)
    for name in UNUSED_COMPONENTS:
        if name in nlp.pipe_names:
            nlp.disable_pipe(name)
    return nlp


if __name__ == "__main__":
    main()
