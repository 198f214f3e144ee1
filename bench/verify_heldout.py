"""A held-out verification test set from the open gold corpus (corpus/{en,sv}/<split>.jsonl):
the verifier was never tuned on it. Prints the accuracy per verdict.

    python bench/verify_heldout.py                 # the held-out figures: split "test", seed 23
    python bench/verify_heldout.py --split dev     # the same generator on dev: for tuning

Frozen: this generator and its seed were fixed (and committed) before its first run on the
test split; its results are reported once and not tuned on. Tune on ``--split dev``.

The archive: the split's documents, minus a few held back by the seed, stored through the
real write path (``app.ingest.service.ingest``: speakers, aliases, the full-text index,
translation links made at ingest) with the *gold* quotes, types and speakers as the
extraction, so the cases measure verification, not the extractor. Cases come from the gold
quotes, with this script's own word lists (not the verifier's):

* verbatim: "Surname: ”quote”"; the quote lower-cased without punctuation; the first sentence
  of a quote of several sentences;
* worded differently: a word inside the quote left out, changed to a word of another quote,
  added, or two neighbouring words swapped (never a negation or a condition word);
* said by someone else: the quote with the name of a speaker of another document (names
  written as names, sharing no part with any name of the true speaker);
* reported speech: the words of an indirect (reported) quote;
* out of context: a sentence with its negation taken out; the words after a negation up to
  the end of the clause; the main clause after a condition ("If …, <paste>");
* not found: direct quotes of the held-back documents (the corpus holds no 8-word sequence
  twice, so they are in no stored article);
* translations: the corpus has no sv<->en pair (no speaker is in both languages), so none
  are generated; every translation link made at ingest is counted as a false one.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.extraction.records import (  # noqa: E402
    ExtractedQuote,
    ExtractedSpeaker,
    Extraction,
)
from app.ingest.readers import build_article, content_hash  # noqa: E402
from app.ingest.service import ingest  # noqa: E402
from app.storage.db import make_engine  # noqa: E402
from app.storage.migrate import upgrade  # noqa: E402
from app.storage.models import QuoteTranslation  # noqa: E402
from app.verify.claim import parse  # noqa: E402
from app.verify.service import verify  # noqa: E402

SEED = 23
#: Share of each language's documents held back from the archive (their quotes: not found).
HOLD_BACK = 0.15
#: Most "not found" cases per language.
MAX_ABSENT = 40

WORD = re.compile(r"\w+(?:['’]\w+)*")


def _listed(words: str) -> set[str]:
    return set(words.split())


# This script's own word lists (written for the generator, not taken from app/verify).
NEGATION = {"en": {"not", "never", "no", "don't", "doesn't", "didn't", "won't", "can't",
                   "cannot", "isn't", "aren't", "wasn't", "weren't", "wouldn't", "shouldn't",
                   "couldn't", "haven't", "hasn't", "nothing", "nobody", "none"},
            "sv": {"inte", "aldrig", "ingen", "inget", "inga", "ej", "icke"}}
CONDITION = {"en": {"if", "unless"}, "sv": {"om", "ifall", "såvida"}}
LEADING = {"en": {"but", "and", "so", "even"}, "sv": {"men", "och", "så", "även"}}
FUNCTION = {"en": _listed("""the a an and or but of to in on at for with by from as is are was were
be been have has had do does did will would shall should can could may might must it its this
that these those i you he she we they me him her us them my your his our their so than then
there here what which who very just also about into over under all any some such only"""),
            "sv": _listed("""och att det i som en ett på är för med har de vi till om kommer kan
men så jag ska vill nu han hon den dem du ni man sig av från vid var varit blir bli blev skulle
hade också eller när där här mycket bara då än inom över under efter innan mot utan alla allt
detta denna dessa min mitt mina din ditt dina hans hennes deras vår vårt våra sin sitt sina
vara""")}
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Case:
    """One paste and the verdict it should get."""

    kind: str
    expected: str
    text: str
    speaker: str | None = None


def load(split: str) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for lang in ("en", "sv"):
        path = ROOT / "corpus" / lang / f"{split}.jsonl"
        docs += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return docs


class GoldExtractor:
    """An extractor that answers with a document's gold quotes and speakers."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = {content_hash(d["text"]): d for d in docs}

    def extract(self, text: str, language: str | None = None) -> Extraction:
        doc = self.docs[content_hash(text)]
        lang = doc["lang"]
        quotes: list[ExtractedQuote] = []
        for q in doc["quotes"]:
            words = unicodedata.normalize("NFC", q["quote"])
            at = text.find(words, max(0, q["start"] - 50))
            if at < 0:
                at = text.find(words)
            if at < 0:
                continue
            quotes.append(ExtractedQuote(
                text=words, start=at, end=at + len(words), type=q["type"],
                speaker=q["speaker"], confidence=1.0,
                speaker_confidence=1.0 if q["speaker"] else 0.0, language=lang))
        speakers = tuple(ExtractedSpeaker(name, "PER", tuple(m for m in mentions if m != name))
                         for name, mentions in doc["speakers"].items())
        return Extraction(lang, tuple(quotes), (), speakers)


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def _low(w: str) -> str:
    return w.casefold().replace("’", "'")


def _name_parts(name: str) -> set[str]:
    return {p.casefold().strip(".") for p in name.split()}


def proper(name: str) -> bool:
    """A name a person would write before a quote ("Boris Dubrovsky", not "the prime
    minister", "family" or "Republic Act No. 3846")."""
    parts = name.split()
    return bool(parts) and all(p[:1].isupper() for p in parts) and not any(
        c.isdigit() for c in name)


def make_cases(docs: list[dict[str, Any]], held: set[str], seed: int) -> list[Case]:
    """Every case (deterministic for a seed)."""
    rng = random.Random(seed)
    stored = [d for d in docs if d["id"] not in held]
    speakers_by_doc = {d["id"]: sorted(d["speakers"]) for d in stored}
    vocab: dict[str, list[str]] = defaultdict(list)
    for d in stored:
        for q in d["quotes"]:
            vocab[d["lang"]] += [w for w in words_of(q["quote"])
                                 if len(w) > 3 and _low(w) not in FUNCTION[d["lang"]]
                                 and _low(w) not in NEGATION[d["lang"]]]
    cases: list[Case] = []
    for d in stored:
        lang = d["lang"]
        neg, cond, func_ = NEGATION[lang], CONDITION[lang], FUNCTION[lang]
        others = [n for other, names in speakers_by_doc.items() if other != d["id"]
                  for n in names if proper(n)]
        for q in d["quotes"]:
            text = unicodedata.normalize("NFC", q["quote"])
            ws = words_of(text)
            if len(ws) < 4:
                continue
            speaker = q["speaker"]
            if q["type"] == "indirect":
                cases.append(Case("reported", "reported", text))
                continue
            surname = speaker.split()[-1] if speaker and proper(speaker) else None
            if surname:
                cases.append(Case("verbatim-named", "verbatim", f"{surname}: ”{text}”"))
            cases.append(Case("verbatim-plain", "verbatim", " ".join(ws).lower()))
            sents = [s for s in SENTENCE.split(text) if s.strip()]
            if len(sents) > 1 and len(words_of(sents[0])) >= 5:
                cases.append(Case("verbatim-sentence", "verbatim", sents[0]))
            if speaker:
                mine = _name_parts(speaker) | {p for m in d["speakers"].get(speaker, [])
                                               for p in _name_parts(m)}
                pool = [n for n in others if not (_name_parts(n) & mine)]
                if pool:
                    cases.append(Case("someone-else", "other_speaker",
                                      f"”{text}” — {rng.choice(pool)}"))
            lows = [_low(w) for w in ws]
            safe = [i for i in range(1, len(ws) - 1)
                    if lows[i] not in func_ and lows[i] not in neg and lows[i] not in cond
                    and len(ws[i]) > 2]
            if len(ws) >= 6 and safe:
                i = rng.choice(safe)
                cases.append(Case("word-left-out", "reworded", " ".join(ws[:i] + ws[i + 1:])))
                j = rng.choice(safe)
                new = rng.choice([w for w in vocab[lang] if _low(w) != lows[j]])
                cases.append(Case("word-changed", "reworded",
                                  " ".join([*ws[:j], new, *ws[j + 1:]]), speaker))
                k = rng.choice(safe)
                add = rng.choice(vocab[lang])
                cases.append(Case("word-added", "reworded", " ".join([*ws[:k], add, *ws[k:]])))
                pairs = [m for m in safe if m + 1 < len(ws) - 1 and lows[m] != lows[m + 1]
                         and lows[m + 1] not in neg and lows[m + 1] not in cond]
                if pairs:
                    m = rng.choice(pairs)
                    cases.append(Case("words-swapped", "reworded",
                                      " ".join([*ws[:m], ws[m + 1], ws[m], *ws[m + 2:]])))
            for s in sents:
                sw = words_of(s)
                sl = [_low(w) for w in sw]
                at = [i for i, w in enumerate(sl) if w in neg and i > 0]
                if at and len(sw) >= 6:
                    i = at[0]
                    cases.append(Case("negation-removed", "out_of_context",
                                      " ".join(sw[:i] + sw[i + 1:])))
                if at:
                    i = at[0]
                    clause = words_of(re.split(r"[,;:]", " ".join(sw[i + 1:]))[0])
                    if len(clause) >= 4 and not any(_low(w) in neg for w in clause):
                        cases.append(Case("after-negation", "out_of_context",
                                          " ".join(clause)))
                start = 1 if sl and sl[0] in LEADING[lang] else 0
                if len(sl) > start and sl[start] in cond and "," in s:
                    main = words_of(s.split(",", 1)[1])
                    if len(main) >= 4:
                        cases.append(Case("condition-cut", "out_of_context", " ".join(main)))
    absent: dict[str, list[Case]] = defaultdict(list)
    for d in docs:
        if d["id"] in held:
            for q in d["quotes"]:
                if q["type"] == "direct" and len(words_of(q["quote"])) >= 6:
                    absent[d["lang"]].append(Case("absent", "not_found",
                                                  unicodedata.normalize("NFC", q["quote"])))
    for lang in sorted(absent):
        pool = absent[lang]
        cases += rng.sample(pool, min(MAX_ABSENT, len(pool)))
    return cases


def held_back(docs: list[dict[str, Any]], seed: int) -> set[str]:
    """The ids of the documents left out of the archive (per language, by the seed)."""
    rng = random.Random(seed)
    held: set[str] = set()
    for lang in ("en", "sv"):
        ids = sorted(d["id"] for d in docs if d["lang"] == lang)
        held |= set(rng.sample(ids, round(HOLD_BACK * len(ids))))
    return held


def _date(value: str | None) -> datetime | None:
    """A document's date ("2019-01-04", or "2014-11": the first of the month)."""
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(value or "", fmt)
        except ValueError:
            continue
    return None


def build_archive(url: str, docs: list[dict[str, Any]]) -> None:
    upgrade(url)
    engine = make_engine(url)
    extractor = GoldExtractor(docs)
    with Session(engine) as session:
        for d in docs:
            when = _date(d.get("date"))
            source = (d.get("publisher") or "Wikinews")[:200]
            item = build_article(text=d["text"], title=d.get("title"), source=source,
                                 url=d.get("source"), published_at=when, max_bytes=10_000_000)
            ingest(session, extractor, item)
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--split", default="test", choices=("dev", "test"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    docs = load(args.split)
    held = held_back(docs, args.seed)
    cases = make_cases(docs, held, args.seed)
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[tuple[Case, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/heldout.db"
        build_archive(url, [d for d in docs if d["id"] not in held])
        engine = make_engine(url)
        with Session(engine) as session:
            for case in cases:
                got = str(verify(session, parse(case.text, case.speaker))["verdict"])
                ok = got == case.expected
                totals[case.expected] += 1
                right[case.expected] += ok
                kinds[case.kind][str(ok)] += 1
                if not ok:
                    errors.append((case, got))
            links = session.exec(select(func.count()).select_from(QuoteTranslation)).one()
        engine.dispose()
    print(f"split {args.split}, seed {args.seed}: {len(docs) - len(held)} archive documents "
          f"({len(held)} held back), {len(cases)} cases")
    print(f"{'expected':16} {'cases':>6} {'right':>6} {'accuracy':>9}")
    for name in ("verbatim", "reworded", "other_speaker", "reported", "out_of_context",
                 "not_found"):
        n = totals[name]
        print(f"{name:16} {n:6} {right[name]:6} {right[name] / n if n else 0:9.3f}")
    print(f"{'all':16} {sum(totals.values()):6} {sum(right.values()):6} "
          f"{sum(right.values()) / max(sum(totals.values()), 1):9.3f}")
    print("by kind:", {k: dict(v) for k, v in sorted(kinds.items())})
    print(f"translation links made at ingest: {links // 2} (the corpus holds no true pair)")
    if args.show_errors:
        for case, got in errors:
            print(f"  {case.kind:18} want {case.expected:15} got {got:15} | {case.text[:100]}"
                  f" | {case.speaker}")


if __name__ == "__main__":
    main()
