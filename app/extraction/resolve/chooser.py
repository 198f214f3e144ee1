"""The learned speaker chooser: the rules propose, a trained model chooses, and says how sure.

For every quote the rules' resolution (resolve/speakers.py) is one candidate among the
article's people and organisations near the quote, plus "nobody we can name". Each
(quote, candidate) pair becomes a feature vector — what the rules said about it, distances in
sentences and paragraphs, whether a mention stands as a clause subject, the words around the
nearest mention, the mention's kind and label, how often the article names it, whether it
spoke the quotes before and after, whether it sits in a dateline — and a logistic regression
scores it. The best-scoring candidate is the speaker; a second, small logistic regression maps
the scores to the probability that this choice is right (calibrated on held-out documents),
which a second stage (``ChooserModel.shown``: fitted on calibrations that never saw a
period or source of documents) turns into the quote's ``speaker_confidence``. Below
``UNKNOWN_BELOW`` (read before the second stage) the quote gets no speaker: a wrong name
shared by permalink is worse than none.

The model is data (``chooser.json`` beside this file, weights and vocabularies only), trained
on the open gold corpus's dev split by ``citat train-attribution``
(app/training/attribution.py); no running text is stored in it. Without the file the rules'
choice stands with their fixed confidences.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from app.extraction.lexicon import languages, load_given_names, load_lexicon, load_outlets
from app.extraction.model import Candidate, Mention, Resolved

MODEL_FILE = Path(__file__).with_name("chooser.json")
#: Below this probability of being right, a quote's speaker is "unknown".
UNKNOWN_BELOW = 0.35
#: The candidate that stands for "nobody we can name".
NOBODY = "\x00nobody"
#: Paragraphs before and after the quote whose names are candidates.
WINDOW_BEFORE = 3
WINDOW_AFTER = 1
#: Characters between two mentions of one noun phrase ("Acme spokesperson Jane Roe").
BESIDE = 30
HOWS = ("inverted", "subject", "colon", "cue", "according", "intro", "clause", "inherit", "none")
KINDS = ("name", "pronoun", "title", "org", "description")
LABELS = ("PER", "ORG", "LOC", "")
TYPES = ("direct", "partial", "indirect")
MARKINGS = ("marked", "repaired", "dash", "unmarked")
#: Every feature that reads the rules' own decision (a name with "rule" in it) is scaled by
#: this before scoring, so that its weight costs more under the L2 penalty: the rules were
#: tuned on the dev documents the model learns from, and on unseen text they are right less
#: often than there (the model trusted them too much).
RULE_SCALE = 0.4
#: What the calibration reads besides the best score and its margin: facts that tell a choice
#: likely wrong (row features of the chosen candidate, or of the "nobody" row for the quote's
#: own facts; "candidates" is the log of their number, "same_sentence" a mention in the
#: quote's sentence either side, "logit_x_sv" the score's logit in a Swedish quote: a
#: temperature of its own per language). None reads the rules' own decision (whether the
#: choice is theirs, inherited, their previous speaker, their "nobody"): the rules were tuned
#: on the documents the calibration is fitted on, so whatever it learns from them is
#: optimistic on unseen text, and on the check part of dev they added nothing.
#: How typical the choice is: "form_given" (the name opens with a known given name) and
#: "words_1" (a one-word name: a surname, an organisation, a fragment) say how far the name
#: looks like the people the scorer learned from. A second opinion that does not read the
#: rules: "blind_agrees" (the blind scorer, fitted with every rule column left out, picks
#: the same candidate) and "blind_logit" (its logit for the chosen candidate). Where the
#: rules go wrong on text they were not tuned on, the scorer follows them and the blind one
#: tends not to, so the confidence drops with it.
CALIBRATION_EXTRA = (
    "candidates", "nobody_type_indirect", "nobody_sv", "kind_pronoun", "kind_title",
    "label_PER", "label_ORG", "same_sentence", "logit_x_sv", "name_edge",
    "form_given", "words_1", "blind_agrees", "blind_logit",
)


#: Kinds of choice the second stage of the confidence (``ChooserModel.shown``) gives a
#: temperature and shift of their own, on top of the shared ones, each read from a
#: CALIBRATION_EXTRA fact: "blind_differs" (the blind scorer, which does not read the rules,
#: picks another candidate: the choice rests on the rules, which were tuned on the training
#: documents) and "indirect" (reported speech, whose speaker the rules find less surely on
#: unseen text). Out of block and out of group on dev these were the choices right less often
#: than calibrated at the top (see ``training.attribution.fit_recalibration``). English
#: only (see ``stage_kinds``).
STAGE_KINDS = ("blind_differs", "indirect")


def stage_kinds(extra: Sequence[float]) -> list[float]:
    """Which of STAGE_KINDS a choice is of (1.0 or 0.0 each), from its CALIBRATION_EXTRA
    facts ``extra`` (a model without a blind scorer reads "blind_agrees" as 0, so every
    choice as differing; older files of that kind have no per-kind terms to apply). A
    Swedish choice is of none: Swedish dev has too few wrong choices to fit kinds of its own,
    and the terms fitted on the pooled (mostly English) choices lowered the calibration of
    the shared Swedish sets (sv_dev_news 0.018 -> 0.029); Swedish keeps the shared stage."""
    if extra[CALIBRATION_EXTRA.index("nobody_sv")] > 0:
        return [0.0] * len(STAGE_KINDS)
    return [float(extra[CALIBRATION_EXTRA.index("blind_agrees")] == 0.0),
            float(extra[CALIBRATION_EXTRA.index("nobody_type_indirect")])]


def logit(p: float) -> float:
    """log(p / (1 - p)), kept finite."""
    return math.log(max(p, 1e-6) / max(1 - p, 1e-6))


def _bins(prefix: str, n: int) -> list[str]:
    return [f"{prefix}_{k}" for k in range(n)]


#: The fixed features (the context-word one-hots follow, from the model's vocabularies).
BASE_FEATURES: tuple[str, ...] = (
    "bias", "is_rule", "rule_conf", "rule_pronoun", "rule_group",
    *[f"rule_how_{h}" for h in HOWS], *[f"rule_kind_{k}" for k in KINDS],
    *[f"label_{lab or 'none'}" for lab in LABELS], *[f"kind_{k}" for k in KINDS],
    "words_1", "words_2", "words_3",
    *_bins("sent_before", 5), *_bins("sent_after", 4), "none_before", "none_after",
    *_bins("para_before", 4), "same_sentence_before", "same_sentence_after",
    "subject_near", "subject_any_window", "log_count", "log_window_count", "top_salient",
    "log_rule_quotes", "prev_rule", "next_rule", "prev_rule_near", "dateline", "first_sentence",
    "cue_next", "told_before", "is_lang_sv", "rule_how_x_sv",
    # the form of the name: a common noun phrase ("officials", "the report") or a proper name
    "form_lower", "form_determiner", "form_plural", "form_common_cap", "form_acronym",
    "form_given", "form_generic_x_rule", "head_<other>", "outlet", "outlet_x_rule",
    # what the name is: a document ("the report"), a country or state ("Norway"), a named
    # organisation ("Dunmore County Sheriff's Office")
    "form_document", "form_place", "form_org_name",
    "outlet_told", "paren_before", "beside_rule", "beside_rule_per", "rule_has_person_beside",
    "listener",
    # the rules' speaker also spoke the quote just before (a run of one person's quotes)
    "rule_prev_near",
    # a mention of the name touches capitalised words it leaves out ("the US Geological
    # Survey" named "Geological Survey"): its extent is in doubt, the true speaker may be
    # no candidate at all
    "name_edge",
    # the "nobody" candidate
    "nobody", "nobody_rule_none", *[f"nobody_type_{t}" for t in TYPES],
    *[f"nobody_marking_{m}" for m in MARKINGS], "nobody_inherit", "nobody_after_question",
    "nobody_few", "nobody_sv", "nobody_rule_generic", "nobody_rule_unnamed",
    "nobody_rule_pronoun_unnamed", "nobody_cue_unnamed",
)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A mention of a candidate speaker: where, in which sentence and paragraph, how."""

    start: int
    end: int
    sentence: int
    paragraph: int
    name: str
    kind: str
    label: str
    subject: bool


@dataclass(slots=True)
class QuoteChoice:
    """The candidates of one quote and their feature vectors (rows of ``x``)."""

    names: list[str]
    x: np.ndarray
    rule: str | None


@dataclass(slots=True)
class ChooserModel:
    """Weights of the candidate scorer and of the calibration, with their vocabularies."""

    weights: np.ndarray
    features: list[str]
    prev_words: list[str]
    next_words: list[str]
    #: a, b, c[, d, e...]: P(right) = sigmoid(a * logit(p) + b * margin + c + d * agrees
    #: + e . extra), where ``agrees`` says the choice is the rules' own speaker and ``extra``
    #: are the CALIBRATION_EXTRA facts (a model of three numbers has no d, of four no e;
    #: training now leaves d at 0, see CALIBRATION_EXTRA).
    calibration: list[float]
    heads: list[str] = field(default_factory=list)  # last words of common-noun speakers
    index: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    #: the columns scaled by RULE_SCALE
    rule_columns: list[int] = field(default_factory=list)
    #: weights of the blind scorer (the rule columns left out, see CALIBRATION_EXTRA); None
    #: in older files, whose calibration does not read it
    blind: np.ndarray | None = None
    #: the second stage of the confidence (see ``shown``): a, a_sv, b, b_sv of a temperature
    #: and shift per language, fitted on calibrations that never saw the documents' period or
    #: source, then a_k, b_k for each of STAGE_KINDS (absent in older files: 0); None in older
    #: files (the calibrated probability is shown as it is)
    recalibration: list[float] | None = None
    #: per CALIBRATION_EXTRA fact, what calibration_extra reads (worked out once)
    extra_plan: list[tuple[str, Any]] = field(default_factory=list, repr=False, compare=False)
    #: each column's factor: RULE_SCALE for the rule columns, 1.0 for the others
    column_scale: np.ndarray = field(default_factory=lambda: np.ones(0), repr=False,
                                     compare=False)

    def __post_init__(self) -> None:
        self.index = {f: i for i, f in enumerate(self.features)}
        self.rule_columns = [i for i, f in enumerate(self.features) if "rule" in f]
        self.column_scale = np.ones(len(self.features))
        self.column_scale[self.rule_columns] = RULE_SCALE
        plan: list[tuple[str, Any]] = []
        for name in CALIBRATION_EXTRA:
            if name in ("candidates", "logit_x_sv"):
                plan.append((name, self.index.get("nobody_sv")))
            elif name in ("blind_agrees", "blind_logit"):
                plan.append((name, None))
            elif name == "same_sentence":
                plan.append((name, [self.index[f] for f in (
                    "same_sentence_before", "same_sentence_after") if f in self.index]))
            else:
                i = self.index.get(name)
                plan.append(("zero" if i is None else "nobody" if name.startswith("nobody")
                             else "row", i))
        self.extra_plan = plan

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChooserModel:
        return cls(np.asarray(data["weights"], dtype=np.float64), list(data["features"]),
                   list(data["prev_words"]), list(data["next_words"]),
                   list(data["calibration"]), list(data.get("heads", [])),
                   meta=dict(data.get("meta", {})),
                   blind=None if data.get("blind") is None
                   else np.asarray(data["blind"], dtype=np.float64),
                   recalibration=None if data.get("recalibration") is None
                   else [float(v) for v in data["recalibration"]])

    def to_json(self) -> dict[str, Any]:
        return {
            "features": self.features, "weights": [round(float(w), 6) for w in self.weights],
            "prev_words": self.prev_words, "next_words": self.next_words,
            "calibration": [round(float(c), 6) for c in self.calibration],
            "heads": self.heads, "meta": self.meta,
            **({} if self.blind is None
               else {"blind": [round(float(w), 6) for w in self.blind]}),
            **({} if self.recalibration is None
               else {"recalibration": [round(float(v), 6) for v in self.recalibration]}),
        }

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(candidate is the speaker) for each row."""
        z = x @ self.weights
        # np.clip's values from the two ufuncs it stands for: np.clip's Python-level
        # wrappers made this 24 µs a quote instead of 6 (measured on a quote's 6 rows)
        return np.asarray(1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -30), 30))))

    def probabilities(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """:meth:`probability` of each of an article's quotes' rows: each quote's
        ``x @ weights`` apart, as there (one product of every row at once may sum a row
        differently), and the clip and sigmoid once over them all (elementwise, so the same
        numbers; six numpy calls a quote become six an article)."""
        if not xs:
            return []
        zs = [x @ self.weights for x in xs]
        z = np.concatenate(zs)
        p = 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(z, -30), 30)))
        out: list[np.ndarray] = []
        at = 0
        for part in zs:
            out.append(p[at : at + len(part)])
            at += len(part)
        return out

    def confidence(self, best: float, margin: float, agrees: bool = False,
                   extra: Sequence[float] = ()) -> float:
        """The calibrated probability that the best candidate is right."""
        a, b, c = self.calibration[:3]
        d = self.calibration[3] if len(self.calibration) > 3 else 0.0
        lp = logit(best)
        z = a * lp + b * margin + c + d * float(agrees)
        z += sum(e * f for e, f in zip(self.calibration[4:], extra, strict=False))
        return 1.0 / (1.0 + math.exp(-z))

    def shown(self, confidence: float, sv: bool = False, kinds: Sequence[float] = ()
              ) -> float:
        """The confidence a chosen speaker is given: the calibrated probability through the
        second stage, sigmoid((a + a_sv) * logit(q) + b + b_sv) in a Swedish quote and
        sigmoid(a * logit(q) + b) otherwise, each of STAGE_KINDS the choice is of (``kinds``,
        0 or 1 in that order, see the function ``stage_kinds``) adding its own
        a_k * logit(q) + b_k; or as it is without a stage; and never above q: the stage is
        fitted on blocks of other dates and sources, and a shift of period or source is
        evidence for doubt, never for more certainty than the in-sample calibration gives.
        The choice itself (and UNKNOWN_BELOW) reads the calibrated probability: the second
        stage changes no speaker."""
        if self.recalibration is None:
            return confidence
        a, a_sv, b, b_sv = self.recalibration[:4]
        lq = logit(confidence)
        z = (a + a_sv * sv) * lq + b + b_sv * sv
        per_kind = self.recalibration[4:]
        for k, on in enumerate(kinds[: len(per_kind) // 2]):
            z += on * (per_kind[2 * k] * lq + per_kind[2 * k + 1])
        return min(confidence, 1.0 / (1.0 + math.exp(-z)))

    def is_swedish(self, x: np.ndarray) -> bool:
        """Whether a quote's rows ``x`` are of a Swedish article (its "nobody" row says so)."""
        i = self.index.get("nobody_sv")
        return i is not None and bool(x[-1, i] > 0)

    def calibration_extra(self, x: np.ndarray, best: int, logit: float = 0.0,
                          blind: np.ndarray | None = None) -> list[float]:
        """The CALIBRATION_EXTRA facts of choosing row ``best`` of a quote's rows ``x``
        (``logit``: of the best candidate's probability; ``blind``: the blind scorer's
        scores of the rows, else this model's blind scorer's, else none: 0)."""
        # (as lists: a numpy scalar per fact cost more than the rest of the loop)
        row, nobody = x[best].tolist(), x[-1].tolist()
        out: list[float] = []
        if blind is None and self.blind is not None:
            blind = x @ self.blind
        for kind, at in self.extra_plan:
            if kind in ("blind_agrees", "blind_logit"):
                if blind is None:
                    out.append(0.0)
                elif kind == "blind_agrees":
                    out.append(float(int(blind.argmax()) == best))
                else:  # the blind score's logit, kept finite as logit() keeps it
                    out.append(float(min(max(blind[best], -13.8), 13.8)))
            elif kind == "row":
                out.append(row[at])
            elif kind == "nobody":
                out.append(nobody[at])
            elif kind == "zero":
                out.append(0.0)
            elif kind == "candidates":
                out.append(math.log(len(x)))
            elif kind == "logit_x_sv":
                out.append(logit if at is not None and nobody[at] > 0 else 0.0)
            else:  # same_sentence: a mention in the quote's sentence either side
                out.append(float(sum(row[i] for i in at)))
        return out


def feature_names(prev_words: Sequence[str], next_words: Sequence[str],
                  heads: Sequence[str] = ()) -> list[str]:
    """Every feature, in vector order."""
    return [*BASE_FEATURES, *(f"prev_{w}" for w in prev_words),
            *(f"next_{w}" for w in next_words), *(f"head_{w}" for w in heads)]


@cache
def _kind_words() -> tuple[frozenset[str], frozenset[str], tuple[Any, ...]]:
    """Document nouns and places of every lexicon, and the lexicons (for org words)."""
    docs: set[str] = set()
    places: set[str] = set()
    lexicons = tuple(load_lexicon(code) for code in languages())
    for lex in lexicons:
        docs |= set(lex.document_nouns)
        places |= set(lex.places)
    return frozenset(docs), frozenset(places), lexicons


@cache
def _determiners() -> frozenset[str]:
    """Words that open a common noun phrase ("the", "den", "his") in every lexicon."""
    out: set[str] = set()
    for code in languages():
        lex = load_lexicon(code)
        out |= set(lex.determiners) | set(lex.definite_articles) | set(lex.generic_determiners)
        out |= set(lex.group_determiners)
    return frozenset(w.casefold() for w in out)


def name_form(name: str, text: str) -> dict[str, bool]:
    """How a candidate name is written: a common noun phrase or a proper name."""
    words = name.split()
    first = words[0] if words else ""
    last = words[-1] if words else ""
    low = name[:1].islower()
    det = first.casefold() in _determiners()
    common_cap = (
        len(words) == 1 and first[:1].isupper() and not first.isupper()
        and f" {first.casefold()}" in text
    )
    return {
        "form_lower": low,
        "form_determiner": det,
        "form_plural": (low or det or common_cap) and last.casefold().endswith(
            ("s", "na", "erna", "arna", "orna")),
        "form_common_cap": common_cap,
        "form_acronym": len(words) == 1 and first.isupper() and len(first) > 1,
        "form_given": bool(words) and first in load_given_names(),
        "outlet": is_outlet(name),
        **_name_kind(name, words),
    }


def _name_kind(name: str, words: list[str]) -> dict[str, bool]:
    """Whether a name is a document, a place (a country speaking as its state) or a named
    organisation."""
    docs, places, lexicons = _kind_words()
    last = words[-1].casefold() if words else ""
    return {
        "form_document": last in docs,
        "form_place": name.removeprefix("the ").removeprefix("The ") in places,
        "form_org_name": len(words) > 1 and name[:1].isupper() and any(
            lex.is_org_word(w) for lex in lexicons for w in words[1:]),
    }


def name_edge(text: str, start: int, end: int, sent_starts: Sequence[int] = ()) -> bool:
    """Whether the name written at text[start:end] touches capitalised words it leaves out:
    a capitalised word just before it that is no title and opens no sentence
    ("the US Geological Survey" as "Geological Survey"; not a sentence-opening "The": a
    name's key has no article), a
    capitalised word just after it ("Acme Fuel Corporation" as "Acme Fuel"), or an
    abbreviation's number after it ("Act No. 12" as "Act No"). A name cut short that way
    may be nobody's name: the speaker the text means is then no candidate."""
    after = text[end:end + 12]
    if after[:1].isalnum() or after.startswith((". 1", ". 2", ". 3", ". 4", ". 5", ". 6",
                                                  ". 7", ". 8", ". 9")):
        return True
    nxt = after[1:].split(maxsplit=1)[0] if after.startswith(" ") and after[1:].strip() else ""
    if nxt[:1].isupper() and nxt.isalpha() and not nxt.isupper():
        return True
    if start == 0 or text[start - 1] != " ":
        return False
    head = text[max(0, start - 30):start - 1]
    prev = head.split()[-1] if head.split() else ""
    if not (prev[:1].isupper() and prev.isalpha()):
        return False
    opens = start - 1 - len(prev) in sent_starts or head[:-len(prev)].rstrip()[-1:] in (
        "", ".", "!", "?", "\n", ":", "\"", "”", "“")
    if opens:
        return False  # "Yesterday Ann Reid", "The Harlow Water Board": no part of the name
    return not any(lex.is_title(prev, compounds=False) for lex in _kind_words()[2])


def is_outlet(name: str) -> bool:
    """A news agency or outlet ("Reuters", "the BBC", "SVT Nyheter", "DN:s")."""
    low = name.casefold().removesuffix(":s").removesuffix("'s").removesuffix("’s")
    outlets = load_outlets()
    return low in outlets or low.removeprefix("the ") in outlets


def name_head(name: str, form: dict[str, bool]) -> str | None:
    """The head word of a common-noun speaker ("officials", "report"), else None."""
    if not (form["form_lower"] or form["form_determiner"] or form["form_common_cap"]):
        return None
    return name.split()[-1].casefold()


@cache
def _load(path: str) -> ChooserModel | None:
    file = Path(path)
    if not file.exists():
        return None
    return ChooserModel.from_json(json.loads(file.read_text(encoding="utf-8")))


def load_chooser(path: str | Path | None = None) -> ChooserModel | None:
    """The shipped model (or the one at ``path``); None when there is none."""
    return _load(str(path or MODEL_FILE))


def _word_before(text: str, pos: int) -> str:
    """The word (or punctuation) just before pos, lowercased."""
    chunk = text[max(0, pos - 40) : pos].rstrip()
    if not chunk:
        return "<s>"
    if not chunk[-1].isalnum():
        return chunk[-1]
    parts = chunk.split()
    return parts[-1].strip(",.;:()\"'”“»«").casefold() if parts else "<s>"


def _word_after(text: str, pos: int) -> str:
    """The word (or punctuation) just after pos, lowercased."""
    chunk = text[pos : pos + 40].lstrip()
    if not chunk:
        return "</s>"
    if not chunk[0].isalnum():
        return chunk[0]
    parts = chunk.split()
    return parts[0].strip(",.;:()\"'”“»«").casefold() if parts else "</s>"


class ArticleFeatures:
    """The article-wide facts the features read: who is mentioned where, and what the rules
    chose for each quote."""

    def __init__(
        self,
        text: str,
        candidates: Sequence[Candidate],
        rule: Sequence[Resolved],
        mentions: Sequence[Mention],
        resolved: dict[tuple[int, int], str | None],
        labels: dict[str, str],
        sentences: Sequence[tuple[int, int]],
        paragraphs: Sequence[tuple[int, int]],
        cue_words: Callable[[str], bool],
    ) -> None:
        self.text = text
        self.candidates = candidates
        self.rule = rule
        self.sent_starts = [s for s, _ in sentences] or [0]
        self.para_starts = [s for s, _ in paragraphs] or [0]
        self.labels = labels
        self._cue_words = cue_words
        self._cues: dict[str, bool] = {}
        self.occ: list[Occurrence] = []
        for m in mentions:
            name = resolved.get((m.start, m.end))
            if name is None or m.kind in ("first", "generic"):
                continue
            self.occ.append(Occurrence(m.start, m.end, self.sentence(m.start),
                                       self.paragraph(m.start), name, m.kind, m.label,
                                       m.subject))
        self.by_name: dict[str, list[Occurrence]] = {}
        for o in self.occ:
            self.by_name.setdefault(o.name, []).append(o)
        self.count = Counter({n: len(v) for n, v in self.by_name.items()})
        self.top = {n for n, _ in self.count.most_common(2)}
        self.rule_quotes = Counter(r.name for r in rule if r.name)
        self.first_sentence_end = sentences[0][1] if sentences else 0
        self._before: dict[int, str] = {}
        self._after: dict[int, str] = {}

    def cue_words(self, word: str) -> bool:
        """A speech-verb form (cached: the features ask the same words again and again)."""
        known = self._cues.get(word)
        if known is None:
            known = self._cues[word] = self._cue_words(word)
        return known

    def before(self, pos: int) -> str:
        """The word before pos (cached: every quote of the article asks again)."""
        w = self._before.get(pos)
        if w is None:
            w = self._before[pos] = _word_before(self.text, pos)
        return w

    def after(self, pos: int) -> str:
        """The word after pos (cached)."""
        w = self._after.get(pos)
        if w is None:
            w = self._after[pos] = _word_after(self.text, pos)
        return w

    def sentence(self, pos: int) -> int:
        return bisect_left(self.sent_starts, pos + 1) - 1

    def paragraph(self, pos: int) -> int:
        return bisect_left(self.para_starts, pos + 1) - 1

    def beside(self, m: Mention) -> set[str]:
        """Names mentioned right next to a mention, in its sentence ("Acme spokesperson Jane
        Roe", "Jane Roe of Acme", "Acme's Jane Roe")."""
        sent = self.sentence(m.start)
        return {
            o.name for o in self.occ
            if (o.sentence == sent and (o.start, o.end) != (m.start, m.end)
            and -BESIDE <= o.start - m.end <= BESIDE) or (
                o.sentence == sent and 0 <= m.start - o.end <= BESIDE)
        }

    def names_near(self, c: Candidate) -> list[str]:
        """The candidate names of a quote, in first-seen order."""
        pa, pb = self.paragraph(c.start), self.paragraph(max(c.start, c.end - 1))
        seen: dict[str, None] = {}
        for o in self.occ:
            if pa - WINDOW_BEFORE <= o.paragraph <= pb + WINDOW_AFTER:
                seen.setdefault(o.name, None)
        for n in self.top:
            seen.setdefault(n, None)
        return list(seen)


def _set(v: dict[int, float], idx: dict[str, int], name: str, value: float = 1.0) -> None:
    """Set feature ``name`` of a row kept sparse (index -> value) while it is built."""
    i = idx.get(name)
    if i is not None:
        v[i] = value


def _name_row(art: ArticleFeatures, model: ChooserModel, name: str, sv: bool,
              form: dict[str, bool]) -> dict[int, float]:
    """The features of a candidate that do not depend on the quote."""
    idx = model.index
    v: dict[int, float] = {}
    _set(v, idx, "bias")
    _set(v, idx, "is_lang_sv", float(sv))
    for k, on in form.items():
        if on:
            _set(v, idx, k)
    head = name_head(name, form)
    if head is not None:
        _set(v, idx, f"head_{head if head in model.heads else '<other>'}")
    _set(v, idx, f"label_{art.labels.get(name, '') or 'none'}")
    occ = art.by_name.get(name, [])
    for k in {o.kind for o in occ}:
        _set(v, idx, f"kind_{k}")
    _set(v, idx, f"words_{min(len(name.split()), 3)}")
    _set(v, idx, "log_count", math.log1p(art.count.get(name, 0)))
    if name in art.top:
        _set(v, idx, "top_salient")
    if occ and occ[0].start < 80 and art.after(occ[0].end) in ("—", "–", "-", "(", ":"):
        _set(v, idx, "dateline")
    if occ and all(o.start < art.first_sentence_end for o in occ):
        _set(v, idx, "first_sentence")
    if any(o.kind in ("name", "org") and name_edge(art.text, o.start, o.end, art.sent_starts)
           for o in occ):
        _set(v, idx, "name_edge")
    return v


def quote_choices(art: ArticleFeatures, model: ChooserModel, language: str
                  ) -> list[QuoteChoice]:
    """The candidates and feature rows of every quote of the article."""
    idx = model.index
    prev_vocab, next_vocab = set(model.prev_words), set(model.next_words)
    forms: dict[str, dict[str, bool]] = {}
    rows: dict[str, dict[int, float]] = {}
    n_feat = len(model.features)
    sv = language == "sv"

    def form_of(name: str) -> dict[str, bool]:
        form = forms.get(name)
        if form is None:
            form = forms[name] = name_form(name, art.text)
        return form

    # Every row of every quote goes into one matrix, filled by one numpy call: each quote's
    # QuoteChoice holds its slice (a numpy call per quote and per row cost more than the rest).
    every: list[dict[int, float]] = []
    pending: list[tuple[list[str], int, int, str | None]] = []
    for qi, (c, r) in enumerate(zip(art.candidates, art.rule, strict=True)):
        names = art.names_near(c)
        if r.name and r.name not in names:
            names.insert(0, r.name)
        prev_name = art.rule[qi - 1].name if qi > 0 else None
        next_name = art.rule[qi + 1].name if qi + 1 < len(art.rule) else None
        prev_near = qi > 0 and (
            art.paragraph(c.start) - art.paragraph(art.candidates[qi - 1].start) <= 1)
        qs, qe = art.sentence(c.start), art.sentence(max(c.start, c.end - 1))
        qp = art.paragraph(c.start)
        beside = art.beside(c.mention) if c.mention is not None else set()
        cue = c.cue.casefold() if c.cue else None
        sparse: list[dict[int, float]] = []
        for name in names:
            form = form_of(name)
            base = rows.get(name)
            if base is None:
                base = rows[name] = _name_row(art, model, name, sv, form)
            v = dict(base)
            sparse.append(v)
            occ = art.by_name.get(name, [])
            if name == r.name:
                _set(v, idx, "is_rule")
                _set(v, idx, "rule_conf", r.confidence)
                _set(v, idx, f"rule_how_{c.how}")
                if sv:
                    _set(v, idx, "rule_how_x_sv")
                if c.mention is not None:
                    _set(v, idx, f"rule_kind_{c.mention.kind}")
                    if c.mention.kind == "pronoun":
                        _set(v, idx, "rule_pronoun")
                if c.inherit:
                    _set(v, idx, "rule_group")
                if form["outlet"]:
                    _set(v, idx, "outlet_x_rule")
                if any(art.labels.get(n) == "PER" for n in beside if n != name):
                    _set(v, idx, "rule_has_person_beside")
                if name_head(name, form) is not None:
                    _set(v, idx, "form_generic_x_rule")
            elif name in beside:
                _set(v, idx, "beside_rule")
                if art.labels.get(name) == "PER" or form["form_given"]:
                    _set(v, idx, "beside_rule_per")
            last_before = first_after = None
            window = 0
            subject_in_window = False
            for o in occ:
                if o.end <= c.start:
                    last_before = o
                elif o.start >= c.end and first_after is None:
                    first_after = o
                if qp - WINDOW_BEFORE <= o.paragraph <= qp + WINDOW_AFTER:
                    window += 1
                    subject_in_window = subject_in_window or o.subject
            if last_before is not None:
                o = last_before
                _set(v, idx, f"sent_before_{min(qs - o.sentence, 4)}")
                _set(v, idx, f"para_before_{min(qp - o.paragraph, 3)}")
                if o.sentence == qs:
                    _set(v, idx, "same_sentence_before")
                if o.subject:
                    _set(v, idx, "subject_near")
                w = art.before(o.start)
                _set(v, idx, f"prev_{w if w in prev_vocab else '<other>'}")
                wa = art.after(o.end)
                _set(v, idx, f"next_{wa if wa in next_vocab else '<other>'}")
                if art.cue_words(wa):
                    _set(v, idx, "cue_next")
                if w in ("told", "to", "till", "för", "sa", "sade"):
                    _set(v, idx, "told_before")
                    if form["outlet"]:
                        _set(v, idx, "outlet_told")
                if w == "(":
                    _set(v, idx, "paren_before")
                if cue is not None and o.sentence == qs and w == cue:
                    _set(v, idx, "listener")  # "told the court": who is spoken to
            else:
                _set(v, idx, "none_before")
            if first_after is not None:
                o = first_after
                _set(v, idx, f"sent_after_{min(o.sentence - qe, 3)}")
                if o.sentence == qe:
                    _set(v, idx, "same_sentence_after")
                    if art.cue_words(art.before(o.start)) or art.cue_words(art.after(o.end)):
                        _set(v, idx, "cue_next")
            else:
                _set(v, idx, "none_after")
            if subject_in_window:
                _set(v, idx, "subject_any_window")
            _set(v, idx, "log_window_count", math.log1p(window))
            others = art.rule_quotes.get(name, 0) - (1 if name == r.name else 0)
            _set(v, idx, "log_rule_quotes", math.log1p(max(others, 0)))
            if name == prev_name:
                _set(v, idx, "prev_rule")
                if prev_near:
                    _set(v, idx, "prev_rule_near")
                    if name == r.name:
                        _set(v, idx, "rule_prev_near")
            if name == next_name:
                _set(v, idx, "next_rule")
        v = {}
        sparse.append(v)
        _set(v, idx, "nobody")
        if r.name is None:
            _set(v, idx, "nobody_rule_none")
            if c.mention is not None and not c.inherit:
                # The rules found who speaks but could not name them ("an official said",
                # "she" after an unnamed speaker): evidence for nobody.
                _set(v, idx, "nobody_rule_unnamed")
                if c.mention.kind == "pronoun":
                    _set(v, idx, "nobody_rule_pronoun_unnamed")
            elif c.mention is None and not c.inherit and c.how in ("cue", "inverted", "subject"):
                # A cue whose subject the rules could not name ("The head of the inquiry told
                # the court"): someone unnamed speaks, not a name nearby.
                _set(v, idx, "nobody_cue_unnamed")
        elif name_head(r.name, form_of(r.name)) is not None:
            _set(v, idx, "nobody_rule_generic")
        _set(v, idx, f"nobody_type_{c.type}")
        _set(v, idx, f"nobody_marking_{c.marking}")
        if c.inherit:
            _set(v, idx, "nobody_inherit")
        if c.after_question:
            _set(v, idx, "nobody_after_question")
        if len(names) <= 1:
            _set(v, idx, "nobody_few")
        if sv:
            _set(v, idx, "nobody_sv")
        pending.append(([*names, NOBODY], len(every), len(every) + len(sparse), r.name))
        every.extend(sparse)
    x = np.zeros((len(every), n_feat))
    # (read by np.fromiter straight from the rows: lists of every index and value, which
    # numpy then converts element by element, cost as much again)
    sizes = np.fromiter(map(len, every), dtype=np.intp, count=len(every))
    total = int(sizes.sum())
    columns = np.fromiter(chain.from_iterable(every), dtype=np.intp, count=total)
    # The rule columns scaled as the values go in (v * RULE_SCALE, v * 1.0 = v: the same
    # numbers as scaling the matrix's columns after, without their gather and scatter).
    x[np.repeat(np.arange(len(every)), sizes), columns] = np.fromiter(
        chain.from_iterable(map(dict.values, every)), dtype=np.float64, count=total
    ) * model.column_scale[columns]
    return [QuoteChoice(names, x[a:b], rule) for names, a, b, rule in pending]


def choose(choices: Sequence[QuoteChoice], rule: Sequence[Resolved],
           candidates: Sequence[Candidate], model: ChooserModel,
           mention_of: Callable[[str], str | None]) -> list[Resolved]:
    """The model's speaker of each quote with its calibrated confidence."""
    out: list[Resolved] = []
    listener = model.index.get("listener")
    scores = model.probabilities([ch.x for ch in choices])
    for ch, p, r, c in zip(choices, scores, rule, candidates, strict=True):
        if r.name is None and c.mention is not None and c.mention.kind == "pronoun" and (
                not c.inherit):
            # "she said" whose antecedent the rules found unnamed ("The head of the inquiry
            # told the court … She said …"): the rules know more than the features here.
            out.append(r)
            continue
        order = (-p).argsort()[:2].tolist()
        best = order[0]
        top = p[best].item()  # (numbers read as Python floats once, not per use)
        second = p[order[1]].item() if len(order) > 1 else 0.0
        name = ch.names[best]
        if listener is not None and ch.x[best, listener] > 0 and name != r.name:
            # the one spoken to in the quote's sentence ("told the court"), never its speaker
            out.append(Resolved(None, None, 0.0))
            continue
        extra = model.calibration_extra(ch.x, best, logit(top))
        conf = model.confidence(top, top - second, name == r.name, extra)
        if name == NOBODY or conf < UNKNOWN_BELOW:
            out.append(Resolved(None, None, 0.0))
            continue
        mention = r.mention if name == r.name else mention_of(name)
        shown = model.shown(conf, model.is_swedish(ch.x), stage_kinds(extra))
        out.append(Resolved(name, mention, round(shown, 4)))
    return out
