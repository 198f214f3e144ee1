"""Words per second per core of the shipped pipelines, against the blank tokenizer.

Run: ``OMP_NUM_THREADS=1 python bench/bench_pipelines.py [--sentences 400] [--repeat 3] [--blis]``.
The pipelines run on the ops Citat uses (thinc ``NumpyOps(use_blis=False)``: numpy's
OpenBLAS); ``--blis`` measures spaCy's default (thinc's bundled BLIS) for comparison.
Texts are synthetic sentences built from our own templates (no corpus text). One process,
one thread (BLAS pinned to one thread below), so the figures are per core.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import spacy  # noqa: E402
from thinc.api import use_ops  # noqa: E402

import app.extraction.typography  # noqa: E402, F401  (custom component must resolve)

MODELS = Path(__file__).resolve().parents[1] / "app" / "extraction" / "models"
TARGET = 10_000

_SV = {
    "who": ["Statsministern", "Anna Lind", "Kommunens ordförande", "Förbundets talesperson",
            "Polisen i Malmö", "Professor Erik Holm", "Oppositionsledaren"],
    "verb": ["sade", "uppgav", "skriver", "meddelade", "hävdar", "förklarade"],
    "what": ["att budgeten inte räcker till alla skolor i regionen",
             "att beslutet fattades för snabbt och utan tillräckligt underlag",
             "att fler bussar ska gå mellan Uppsala och Stockholm nästa år",
             "att ingen ska behöva vänta längre än tre veckor på vård",
             "att förhandlingarna fortsätter på måndag i Bryssel"],
    "quote": ["”Vi tar det här på största allvar.”", "– Det är en viktig dag för oss.",
              "»Jag har inget att tillägga«, säger hen.", "”Frågan är inte avgjord.”"],
}
_EN = {
    "who": ["The prime minister", "Anna Lind", "The council leader", "A union spokesperson",
            "Police in Leeds", "Professor Eric Holm", "The opposition leader"],
    "verb": ["said", "stated", "wrote", "announced", "claimed", "explained"],
    "what": ["that the budget will not cover every school in the region",
             "that the decision was made too quickly and without enough evidence",
             "that more buses will run between Oxford and London next year",
             "that nobody should wait more than three weeks for treatment",
             "that negotiations will continue in Brussels on Monday"],
    "quote": ["“We take this very seriously.”", "“It is an important day for us,” she said.",
              "“I have nothing to add.”", "“The question is not settled.”"],
}


def sentences(lang: str, n: int) -> list[str]:
    """``n`` synthetic news sentences (deterministic), grouped into short paragraphs."""
    parts = _SV if lang == "sv" else _EN
    combos = itertools.cycle(itertools.product(parts["who"], parts["verb"], parts["what"],
                                               parts["quote"]))
    out = []
    for _ in range(n):
        who, verb, what, quote = next(combos)
        out.append(f"{who} {verb} {what}. {quote}")
    return out


def words_per_second(run: Callable[[Iterable[str]], Iterable[object]], texts: list[str],
                     n_words: int, repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` runs of ``run`` over ``texts``: (per CPU second, per wall second).

    CPU time of this single-threaded process is the per-core figure; it does not depend on how
    busy the other cores are. Wall time is shown too.
    """
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for _doc in run(texts):
            pass
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return n_words / best_cpu, n_words / best_wall


def main() -> None:
    """Print a table: pipeline words/s vs blank tokenizer words/s, per language."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blis", action="store_true",
                        help="spaCy's default ops (thinc's BLIS) instead of the ones Citat uses")
    args = parser.parse_args()
    rows = []
    for lang in ("sv", "en"):
        if args.blis:
            nlp = spacy.load(MODELS / lang)
        else:  # as app.extraction.pipeline.load_pipeline builds them
            with use_ops("numpy", use_blis=False):
                nlp = spacy.load(MODELS / lang)
        blank = spacy.blank(lang)
        sents = sentences(lang, args.sentences)
        texts = [" ".join(sents[i:i + 4]) for i in range(0, len(sents), 4)]
        n_words = sum(len(doc) for doc in nlp.tokenizer.pipe(texts))
        nlp.pipe(texts[:20]).__next__()  # warm up
        full = words_per_second(partial(nlp.pipe, batch_size=64), texts, n_words, args.repeat)
        tok = words_per_second(blank.tokenizer.pipe, texts, n_words, args.repeat)
        rows.append((lang, n_words, full, tok))
    print(f"{'pipeline':<9}{'words':>7}{'w/s per core':>14}{'(wall)':>10}"
          f"{'blank tok w/s':>15}{'tok/pipe':>10}{'target 10k':>12}")
    for lang, n_words, (full, full_wall), (tok, _tok_wall) in rows:
        status = "ok" if full >= TARGET else "below"
        print(f"{lang:<9}{n_words:>7}{full:>14,.0f}{full_wall:>10,.0f}{tok:>15,.0f}"
              f"{tok / full:>9.0f}x{status:>12}")


if __name__ == "__main__":
    main()
