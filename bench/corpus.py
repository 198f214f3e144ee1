"""Deterministic synthetic Swedish news data for the benchmarks (word lists, no randomness
beyond a seeded ``random.Random``), and a bulk loader that fills a migrated SQLite database
the way the app's write path would (same columns, same FTS5 bodies via ``index_body``)."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.storage.models import fold_key, surname_key
from app.storage.search import index_body, index_extra, index_names, words

# Fill the extra and names columns as the write path does (CITAT_BENCH_BODY_ONLY=1: only
# the stems, the index before issue 21, for the size comparison).
INDEX_NAMES = os.environ.get("CITAT_BENCH_BODY_ONLY") != "1"

FIRST = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Anders", "Sara", "Magnus",
         "Lena", "Per", "Ingrid", "Mikael", "Elin", "Peter", "Kristina", "Fredrik", "Emma",
         "Jonas", "Annika", "Stefan", "Linnea", "Mats", "Helena", "Ulf", "Åsa", "Björn",
         "Malin", "Göran", "Sofia", "Henrik", "Ebba", "Olof", "Märta", "Nils", "Ylva", "Tove",
         "Gustav", "Hanna")
LAST = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
        "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström",
        "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind",
        "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
        "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Danielsson", "Håkansson",
        "Åberg", "Söderberg", "Nyström", "Holmberg", "Öberg")
SOURCES = ("Dagens Nyheter", "Svenska Dagbladet", "Aftonbladet", "Expressen", "Sydsvenskan",
           "Göteborgs-Posten", "SVT Nyheter", "Sveriges Radio", "TT", "Omni")
PLACES = ("Stockholm", "Göteborg", "Malmö", "Uppsala", "Umeå", "Luleå", "Kiruna", "Visby",
          "Örebro", "Linköping", "Västerås", "Jönköping", "Gävle", "Sundsvall", "Bryssel",
          "Kiev", "Washington", "Oslo", "Helsingfors", "Köpenhamn")
ORGS = ("Riksdagen", "Regeringen", "Polisen", "Skatteverket", "Försvarsmakten", "Nato",
        "EU-kommissionen", "Socialstyrelsen", "Migrationsverket", "Riksbanken", "SMHI",
        "Folkhälsomyndigheten", "Trafikverket", "Arbetsförmedlingen", "Kommunal", "LO")
# Function words take the top Zipf ranks, the content words ranks ~20-70 (so a "common word"
# like "regeringen" is in a few per cent of quotes, as in real news), then pseudo-words.
FUNCTION = ("och", "att", "det", "i", "som", "en", "på", "är", "för", "med", "inte", "har",
            "de", "vi", "till", "om", "kommer", "kan", "men", "så", "jag", "ska", "vill", "nu")
COMMON = ("måste", "regeringen", "hjälp", "människor", "sverige", "läget", "viktigt", "frågan",
          "tid", "arbete", "ansvar", "framtiden", "kommunen", "pengar", "skolan", "vården",
          "polisen", "säkerhet", "åtgärder", "förslaget", "ekonomin", "kriget", "klimatet",
          "priserna", "jobben", "barnen", "hjälpen", "beslutet", "samhället", "landet",
          "problemet", "krisen", "valet", "budgeten", "hjälpa", "hjälper", "bostäder", "elpriset",
          "räntan", "försvaret", "tryggheten", "ta")
SYLLABLES = ("ka", "ri", "sto", "lem", "ber", "gen", "vår", "sjö", "ung", "tal", "mer", "ning",
             "het", "el", "skap", "bo", "dal", "fjäll", "ös", "tur", "rå", "lin", "åk", "ve")
RARE_STEMS = ("skol", "vård", "bostads", "energi", "klimat", "försvars", "migrations", "skatte",
              "järnvägs", "elnäts", "hälso", "miljö", "polis", "kultur", "idrotts", "lantbruks",
              "jakt", "fiske", "skogs", "vatten", "flyg", "hamn", "gruv", "vind", "kärnkrafts")
RARE_ENDS = ("reformen", "frågan", "politiken", "budgeten", "kostnaderna", "myndigheten",
             "beslutet", "planen", "utredningen", "krisen", "satsningen", "lagen", "avtalet",
             "sektorn", "strategin", "debatten", "bristen", "stödet", "utbyggnaden", "målen")
VERBS = ("sade", "säger", "sa", "skriver", "menar", "betonar", "uppger", "konstaterar")


@dataclass(frozen=True)
class Vocabulary:
    """Query words (common content words, rare compounds) and the Zipf-weighted word list."""

    common: tuple[str, ...]
    rare: tuple[str, ...]
    zipf: tuple[str, ...]
    cum_weights: tuple[float, ...]


def _vocabulary() -> Vocabulary:
    rng = random.Random(1)
    rare = [a + b for a in RARE_STEMS for b in RARE_ENDS]
    pseudo = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", *SYLLABLES)}
                    - set(FUNCTION) - set(COMMON))
    rng.shuffle(pseudo)
    tail = pseudo[2000:12000]
    # Rare compounds and places sit deep in the tail (a few hundred quotes per million).
    for i, w in enumerate(rare + list(PLACES)):
        tail.insert(3000 + i * 12, w)
    zipf = (*FUNCTION, *COMMON, *pseudo[:2000], *tail)
    cum: list[float] = []
    total = 0.0
    for rank in range(1, len(zipf) + 1):
        total += 1 / rank
        cum.append(total)
    return Vocabulary(COMMON, tuple(rare), zipf, tuple(cum))


VOCAB = _vocabulary()
SPEAKERS = tuple(f"{f} {ln}" for ln in LAST for f in FIRST)  # 1840 people
# Made-up places and organisations for the long tail of entities: a real archive names
# thousands, most of them once or twice (the distinct-URL benchmark needs a pool of entity
# pages that does not run out).
_LOC_ENDS = ("by", "köping", "torp", "holm", "vik", "hamn", "sund", "ås", "berga", "näs")
_ORG_FORMS = ("Föreningen {}", "Stiftelsen {}", "Förbundet {}", "{}gruppen", "{} AB",
              "{}verket")


def tail_entities(count: int, seed: int = 13) -> list[tuple[str, str]]:
    """``count`` (name, label) made-up entities (up to ~230,000), no two with the same slug
    (seeded)."""
    bases = sorted({(a + b + c).capitalize() for a in SYLLABLES for b in SYLLABLES
                    for c in ("", *SYLLABLES)})
    forms = [(base + end, "LOC") for end in _LOC_ENDS for base in bases]
    forms += [(form.format(base), "ORG") for form in _ORG_FORMS for base in bases]
    random.Random(seed).shuffle(forms)
    taken = {slug(n) for n in (*PLACES, *ORGS)}
    out: list[tuple[str, str]] = []
    for name, label in forms:
        if len(out) == count:
            break
        if slug(name) not in taken:
            taken.add(slug(name))
            out.append((name, label))
    return out


def slug(name: str) -> str:
    """A slug like the app's (lower case, ASCII-ish, dashes); unique for our names."""
    table = str.maketrans({"å": "aa", "ä": "ae", "ö": "oe", " ": "-"})
    return name.lower().translate(table)


def quote_text(rng: random.Random) -> str:
    """One synthetic quote of 8-24 Zipf-distributed words."""
    out = rng.choices(VOCAB.zipf, cum_weights=VOCAB.cum_weights, k=rng.randint(8, 24))
    out[0] = out[0].capitalize()
    return " ".join(out) + "."


def article_date(i: int, n_articles: int) -> datetime:
    """Articles spread evenly over 2019-01-01 .. 2026-11-01, in id order."""
    span = (datetime(2026, 11, 1) - datetime(2019, 1, 1)).total_seconds()
    return datetime(2019, 1, 1) + timedelta(seconds=span * i / max(1, n_articles))


def speaker_index(rng: random.Random) -> int:
    """A speaker, Zipf-like: a few are quoted very often, most rarely."""
    # The busiest speaker has ~2 % of all quotes, the median one ~0.03 %.
    return min(int(len(SPEAKERS) * rng.random() ** 2), len(SPEAKERS) - 1)


_stem_cache: dict[str, str] = {}


def body_of(text: str) -> str:
    """The FTS body, identical to ``index_body(text, "sv")`` but with stems cached per word."""
    out = []
    for w in words(text):
        s = _stem_cache.get(w)
        if s is None:
            s = _stem_cache[w] = index_body(w, "sv")
        out.append(s)
    return " ".join(out)


def extra_of(text: str) -> str:
    """The FTS ``extra`` column, identical to ``index_extra(text, "sv")``."""
    return index_extra(text, "sv")


def _ts(d: datetime) -> str:
    # SQLAlchemy's SQLite DateTime storage format (the time zone is not stored).
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(path: str, n_quotes: int, per_article: int = 5, seed: int = 7) -> None:
    """Bulk-insert ``n_quotes`` quotes (and their articles, speakers, entities, FTS rows) into
    the migrated SQLite database at ``path``."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = _ts(datetime(2026, 11, 20, 12))
    # The casefolded keys the ORM's listeners fill (app.storage.models), filled here too.
    con.executemany(
        "INSERT INTO speaker(id, name, slug, kind, name_key, surname)"
        " VALUES (?, ?, ?, 'PER', ?, ?)",
        [(i + 1, n, slug(n), fold_key(n), surname_key(n)) for i, n in enumerate(SPEAKERS)],
    )
    con.executemany(
        "INSERT INTO speakeralias(speaker_id, kind, text, text_key) VALUES (?, 'mention', ?, ?)",
        [(i + 1, n.split()[-1], fold_key(n.split()[-1])) for i, n in enumerate(SPEAKERS)],
    )
    named = [(n, "LOC") for n in PLACES] + [(n, "ORG") for n in ORGS]
    # Half the quotes after an article's first also name one of the long tail of made-up
    # entities (a Zipf-like draw, n_quotes / 5 of them), from their own random stream so the
    # quotes, speakers and dates stay those of earlier builds.
    entities = named + tail_entities(n_quotes // 5)
    erng = random.Random(seed + 1)
    con.executemany(
        "INSERT INTO entity(id, name, label, slug, name_key) VALUES (?, ?, ?, ?, ?)",
        [(i + 1, n, lab, slug(n), fold_key(n)) for i, (n, lab) in enumerate(entities)],
    )
    n_articles = -(-n_quotes // per_article)
    qid = 0
    for chunk_start in range(0, n_articles, 2000):
        arts, quotes, fts, mentions = [], [], [], []
        for a in range(chunk_start, min(n_articles, chunk_start + 2000)):
            parts: list[str] = []
            spans: list[tuple[int, int, str, int]] = []
            pos = 0
            for _ in range(min(per_article, n_quotes - qid - len(spans))):
                t = quote_text(rng)
                sp = speaker_index(rng)
                prefix = "”"
                start = pos + len(prefix)
                piece = f"{prefix}{t}”, {rng.choice(VERBS)} {SPEAKERS[sp]}. "
                parts.append(piece)
                spans.append((start, start + len(t), t, sp))
                pos += len(piece)
            text = "".join(parts)
            aid = a + 1
            h = hashlib.sha256(f"{seed}:{aid}:{text}".encode()).hexdigest()
            arts.append((aid, h, f"Artikel {aid}", SOURCES[aid % len(SOURCES)],
                         f"https://example.se/{aid}", _ts(article_date(a, n_articles)), "sv",
                         text, now, "done", 0))
            ent = rng.randrange(len(named)) + 1
            for k, (start, end, t, sp) in enumerate(spans):
                qid += 1
                pid = hashlib.sha256(f"{h}:{start}:{end}".encode()).hexdigest()[:16]
                kind = ("direct", "direct", "partial", "indirect")[qid % 4]
                quotes.append((qid, pid, aid, start, end, t, kind, "sv", sp + 1,
                               SPEAKERS[sp].split()[-1], "sade", 0.9, 0.8, 0, 0))
                names = [SPEAKERS[sp]]
                named_here = ent if k == 0 else None
                if k > 0 and len(entities) > len(named) and erng.random() < 0.5:
                    tail = len(entities) - len(named)
                    named_here = len(named) + min(int(tail * erng.random() ** 2), tail - 1) + 1
                if named_here is not None:
                    mentions.append((named_here, aid, start, start + 5,
                                     entities[named_here - 1][0]))
                    if INDEX_NAMES:
                        names.append(entities[named_here - 1][0])
                fts.append((qid, body_of(t), extra_of(t) if INDEX_NAMES else "",
                            index_names(names, "sv") if INDEX_NAMES else ""))
        con.executemany(
            "INSERT INTO article(id, content_hash, title, source, url, published_at, language,"
            " text, created_at, status, attempts) VALUES (?,?,?,?,?,?,?,?,?,?,?)", arts)
        con.executemany(
            'INSERT INTO quote(id, public_id, article_id, start, "end", text, type, language,'
            " speaker_id, speaker_mention, cue, confidence, speaker_confidence, hidden, reviewed)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", quotes)
        con.executemany("INSERT INTO quote_fts(rowid, body, extra, names) VALUES (?, ?, ?, ?)",
                        fts)
        con.executemany(
            'INSERT INTO entitymention(entity_id, article_id, start, "end", text)'
            " VALUES (?,?,?,?,?)", mentions)
    con.commit()
    columns = {r[1] for r in con.execute("PRAGMA table_info(quote)")}
    if "article_date" in columns:  # migration 0009: the article's date copied onto its quotes
        con.execute("UPDATE quote SET article_date = (SELECT coalesce(published_at, created_at)"
                    " FROM article WHERE article.id = quote.article_id)")
    con.execute("INSERT INTO quote_fts(quote_fts) VALUES ('optimize')")
    con.execute("ANALYZE")
    con.commit()
    con.close()


def articles(n: int, words_per_article: int = 500, seed: int = 11) -> Iterator[tuple[str, str]]:
    """``n`` (title, text) Swedish articles of about ``words_per_article`` words, each with a few
    direct quotes attributed with a speech verb, for the ingest benchmarks."""
    rng = random.Random(seed)
    for i in range(n):
        paras: list[str] = []
        count = 0
        while count < words_per_article:
            sp = SPEAKERS[speaker_index(rng)]
            q = quote_text(rng)
            narrative = quote_text(rng) + " " + quote_text(rng)
            paras.append(f"{narrative}\n\n”{q}” {rng.choice(VERBS)} {sp}, "
                         f"som arbetar i {rng.choice(PLACES)}.")
            count += len(q.split()) + len(narrative.split()) + 6
        yield f"Artikel {i} om {rng.choice(VOCAB.rare)}", "\n\n".join(paras)
