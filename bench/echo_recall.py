"""How many of the "also reported in" links users expect the write path stores: an archive of
the seed and demo articles' quotes (extracted by the shipped model), each repeated in other
articles the ways outlets repeat a quote (other typography, trimmed at the end, at the start,
at both ends, words left out with an ellipsis, one word changed, a word put in front), among
``--synthetic`` synthetic quotes (``corpus.quote_text``), saved window by window in a shuffled
order through the bulk write path; then the stored links counted against the expected ones:
every pair of one quote's versions alike enough to be linked (difflib ratio at least
``aggregates.ECHO_RATIO``, the write path's own check), by kind of repetition.

    python bench/echo_recall.py [--archive /tmp/echo-archive.json] [--synthetic 3000]

The planted archive is written to ``--archive`` the first time (extraction is the slow part)
and read from there after, so that two versions of the code are measured on the same one.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).parent))

from app.config import Settings
from app.extraction.records import ExtractedQuote, Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import _store_extracted_many, iter_article_files
from app.storage import aggregates
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.storage.models import Article, Quote
from app.storage.search import words
from corpus import quote_text

KINDS = ("outlet", "trim_end", "trim_start", "trim_both", "ellipsis", "edited", "prefixed")
FRAMES = {"sv": ("{who} sade: ”{q}”", "– {q}, säger {who}."),
          "en": ("{who} said: “{q}”", "\"{q},\" {who} said.")}
PREFIX = {"sv": ("Ja,", "Men"), "en": ("Yes,", "But")}


def _retype(q: str, rng: random.Random) -> str:
    """The same words in another outlet's typography and case."""
    out = (q.replace("’", "'").replace("”", "\"").replace("“", "\"").replace("–", "-")
           .replace("...", "…"))
    out = out.rstrip(".!?") + rng.choice(("", ".", "!"))
    return out[:1].swapcase() + out[1:] if rng.random() < 0.5 else out


def variant(q: str, kind: str, lang: str, rng: random.Random) -> str | None:
    """One repetition of quote ``q`` (None when the quote is too short for that kind)."""
    ws = q.split()
    n = len(ws)
    cut = max(1, round(n * rng.uniform(0.1, 0.25)))
    if kind == "outlet":
        return _retype(q, rng)
    if n < 6:
        return None
    if kind == "trim_end":
        return " ".join(ws[:n - cut])
    if kind == "trim_start":
        rest = " ".join(ws[cut:])
        return rest[:1].upper() + rest[1:]
    if kind == "trim_both":
        half = max(1, cut // 2)
        return " ".join(ws[half:n - half])
    if kind == "ellipsis":
        at = rng.randint(2, n - 3)
        return " ".join([*ws[:at], "…", *ws[at + min(2, n - at - 2):]])
    if kind == "edited":
        at = rng.randint(1, n - 2)
        return " ".join([*ws[:at], ws[at].rstrip(",.") + rng.choice(("s", "na", "de")),
                         *ws[at + 1:]])
    if kind == "prefixed":
        first = ws[0] if ws[0].isupper() else ws[0][:1].lower() + ws[0][1:]
        return " ".join([rng.choice(PREFIX.get(lang, PREFIX["en"])), first, *ws[1:]])
    raise ValueError(kind)


def _article(who: str, quote: str, lang: str, rng: random.Random) -> dict[str, Any]:
    frame = rng.choice(FRAMES.get(lang, FRAMES["en"]))
    text = frame.format(who=who, q=quote)
    start = text.index(quote)
    return {"text": text, "language": lang,
            "quotes": [{"text": quote, "start": start, "end": start + len(quote),
                        "speaker": who, "language": lang}]}


def build(path: Path, n_synthetic: int) -> None:
    """Extract the seed and demo articles, plant the repetitions, write the archive."""
    from app.extraction.pipeline import Extractor

    settings = Settings()
    files = list(iter_article_files([settings.seeds_dir, settings.demo_dir]))
    texts = [f.read_text(encoding="utf-8") for f in files]
    extractor = Extractor.load()
    rng = random.Random(5)
    articles: list[dict[str, Any]] = []
    family = 0
    for text, ex in zip(texts, extractor.extract_many(texts), strict=True):
        quotes = []
        planted = []
        for q in ex.quotes:
            lang = q.language or ex.language
            quotes.append({"text": q.text, "start": q.start, "end": q.end,
                           "speaker": q.speaker, "language": lang, "family": family,
                           "kind": "original"})
            for kind in KINDS:
                v = variant(q.text, kind, lang, rng)
                if v and len(words(v)) >= 3:
                    a = _article(q.speaker or "Okänd Källa", v, lang, rng)
                    a["quotes"][0].update(family=family, kind=kind)
                    planted.append(a)
            family += 1
        articles.append({"text": text, "language": ex.language, "quotes": quotes})
        articles += planted
    for i in range(0, n_synthetic, 5):
        parts = [quote_text(rng) for _ in range(5)]
        text = " ".join(f"Någon sade: ”{p}”" for p in parts)
        quotes = []
        for p in parts:
            start = text.index(p)
            quotes.append({"text": p, "start": start, "end": start + len(p),
                           "speaker": f"Person {i % 97}", "language": "sv"})
        articles.append({"text": text, "language": "sv", "quotes": quotes})
    rng.shuffle(articles)
    path.write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")


def _joined(text: str) -> str:
    return " ".join(words(text))


def _alike(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, _joined(a), _joined(b)).ratio() >= aggregates.ECHO_RATIO


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--archive", type=Path,
                    default=Path(tempfile.gettempdir()) / "echo-archive.json")
    ap.add_argument("--synthetic", type=int, default=3000)
    ap.add_argument("--window", type=int, default=32)
    args = ap.parse_args()
    if not args.archive.exists():
        build(args.archive, args.synthetic)
    articles = json.loads(args.archive.read_text(encoding="utf-8"))
    url = f"sqlite:///{tempfile.mkdtemp(prefix='citat-echoes-')}/echoes.db"
    upgrade(url)
    engine = make_engine(url)
    entries = []
    for n, a in enumerate(articles):
        recs = tuple(ExtractedQuote(q["text"], q["start"], q["end"], "direct", q["speaker"],
                                    q["speaker"], "sade", 0.9, 0.8, q["language"])
                     for q in a["quotes"])
        entries.append((ArticleIn(text=a["text"], title=f"Artikel {n}", source=f"Källa {n % 13}"),
                        Extraction(a["language"], recs)))
    cpu = time.process_time()
    with Session(engine) as session:
        for i in range(0, len(entries), args.window):
            assert _store_extracted_many(session, entries[i:i + args.window]) is not None
            session.commit()
        cpu = time.process_time() - cpu
        # Each stored quote -> its (family, kind), through its article's text and span.
        label = {(a["text"], q["start"]): (q.get("family"), q.get("kind"))
                 for a in articles for q in a["quotes"]}
        by_id: dict[int, tuple[Any, Any, str]] = {}
        for qid, start, text, qt in session.execute(
                select(Quote.id, Quote.start, Article.text, Quote.text)
                .join(Article, Article.id == Quote.article_id)):  # type: ignore[arg-type]
            fam, kind = label[(text, start)]
            by_id[qid] = (fam, kind, qt)
        stored = aggregates.stored_echoes(session)
    engine.dispose()
    families: dict[int, list[tuple[int, str, str]]] = {}
    for qid, (fam, kind, qt) in by_id.items():
        if fam is not None:
            families.setdefault(fam, []).append((qid, kind, qt))
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    in_families = set()
    for members in families.values():
        for a in members:
            for b in members:
                if a[0] >= b[0]:
                    continue
                in_families.add((a[0], b[0]))
                if not _alike(a[2], b[2]):
                    continue
                kinds = {a[1], b[1]}
                kind = ((kinds - {"original"}).pop() if "original" in kinds
                        else "between repetitions")
                expected[kind] += 1
                found[kind] += (a[0], b[0]) in stored
    pairs = {(a, b) for a, b in stored if a < b}
    print(f"{len(articles)} articles, {len(by_id)} quotes, {len(pairs)} links stored "
          f"({len(pairs - in_families)} outside the planted families), "
          f"{cpu:.1f} s CPU to save")
    print(f"{'repetition':<22} {'expected':>8} {'stored':>8} {'recall':>7}")
    for kind in (*KINDS, "between repetitions"):
        if expected[kind]:
            print(f"{kind:<22} {expected[kind]:>8} {found[kind]:>8} "
                  f"{found[kind] / expected[kind]:>7.1%}")
    total_e, total_f = sum(expected.values()), sum(found.values())
    print(f"{'all':<22} {total_e:>8} {total_f:>8} {total_f / max(total_e, 1):>7.1%}")


if __name__ == "__main__":
    main()
