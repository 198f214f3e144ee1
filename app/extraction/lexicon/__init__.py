"""Load the lexicon data files (JSON) into typed, frozen objects.

The words themselves live in the JSON files next to this module (rules are data); this module
only reads them and builds fast lookup sets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

LEXICON_DIR = Path(__file__).parent
LANGUAGES = ("sv", "en")


@dataclass(frozen=True, slots=True)
class Marks:
    """Quotation marks and quote dashes."""

    double: frozenset[str]
    single: frozenset[str]
    open_only: frozenset[str]
    dashes: frozenset[str]
    left_boundary: str
    right_boundary: str

    @property
    def all(self) -> frozenset[str]:
        """Every character that can be a quotation mark."""
        return self.double | self.single


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The words the rules of one language need."""

    language: str
    dash_quotes: bool
    verb_forms: dict[str, str]  # inflected form -> lemma
    indirect_verbs: dict[str, tuple[str, ...]]  # lemma -> particles allowed before "att"
    post_quote_only: frozenset[str]
    naming_verbs: frozenset[str]
    belief_verbs: frozenset[str]
    name_introducers: frozenset[str]
    first_second_person: frozenset[str]
    numerals: frozenset[str]
    complementizers: frozenset[str]
    finite_verbs: frozenset[str]
    determiners: frozenset[str]
    object_verbs: frozenset[str]
    complementizer_blockers: frozenset[str]
    copulas: frozenset[str]
    negations: frozenset[str]
    according_to: tuple[tuple[str, ...], ...]
    pronouns: dict[str, str]
    first_person: frozenset[str]
    generic_determiners: frozenset[str]
    aux: frozenset[str]
    adverbs: frozenset[str]
    np_stop: frozenset[str]
    name_particles: frozenset[str]
    titles: frozenset[str]
    title_suffixes: tuple[str, ...]
    org_nouns: frozenset[str]
    org_words: frozenset[str]
    not_names: frozenset[str]
    scare_markers: tuple[str, ...]
    abbreviations: frozenset[str]
    continue_after_dash_attribution: bool
    org_suffixes: tuple[str, ...] = ()
    _titles_seen: dict[tuple[str, bool], bool] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def cue_lemma(self, word: str) -> str | None:
        """The speech-verb lemma of an inflected form, or None."""
        return self.verb_forms.get(word.casefold())

    def is_title(self, word: str, compounds: bool = True) -> bool:
        """True for a title or role word, in base or Swedish definite form (memoised)."""
        key = (word, compounds)
        seen = self._titles_seen.get(key)
        if seen is None:
            seen = self._titles_seen[key] = self._is_title(word, compounds)
        return seen

    def is_org_word(self, word: str) -> bool:
        """True for an organisation word: "Polisen", or a compound like "Handbollsförening"."""
        return word in self.org_words or word.casefold().endswith(self.org_suffixes)

    def _is_title(self, word: str, compounds: bool) -> bool:
        """is_title without the memo."""
        w = word.casefold().rstrip(".")
        if w in self.titles:
            return True
        # Swedish definite forms: "premiärministern" -> premiärminister, "ärkebiskopen".
        bases = [w] + [w[: -len(s)] for s in ("en", "n", "et") if w.endswith(s)]
        if any(b in self.titles for b in bases[1:]):
            return True
        # Compounds: "förbundsordförande", "oppositionsledaren", "sportchef".
        return compounds and any(
            b.endswith(suf) and len(b) > len(suf) + 2 for b in bases for suf in self.title_suffixes
        )

    def title_base(self, word: str) -> str:
        """The base form of a title word, for matching "premiärministern" to a role."""
        w = word.casefold().rstrip(".")
        for suf in ("en", "n", "et"):
            if w not in self.titles and w.endswith(suf) and self.is_title(w[: -len(suf)]):
                return w[: -len(suf)]
        return w


def _strings(data: dict[str, Any], key: str) -> frozenset[str]:
    """The casefolded strings of a list in the lexicon file."""
    return frozenset(str(x).casefold() for x in data.get(key, []))


@cache
def load_marks(path: str | None = None) -> Marks:
    """The quotation marks file (default: lexicon/marks.json)."""
    data = json.loads(Path(path or LEXICON_DIR / "marks.json").read_text(encoding="utf-8"))
    return Marks(
        double=frozenset(data["double"]),
        single=frozenset(data["single"]),
        open_only=frozenset(data["open_only"]),
        dashes=frozenset(data["dashes"]),
        left_boundary=data["left_boundary"],
        right_boundary=data["right_boundary"],
    )


@cache
def load_lexicon(language: str, path: str | None = None) -> Lexicon:
    """The lexicon of one language (default: lexicon/{language}.json)."""
    file = Path(path) if path else LEXICON_DIR / f"{language}.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    forms: dict[str, str] = {}
    for lemma, inflected in data["speech_verbs"].items():
        # Only the listed forms: a bare lemma is often a noun ("state", "report", "fråga").
        for form in inflected:
            forms[form.casefold()] = lemma
    return Lexicon(
        language=data["language"],
        dash_quotes=bool(data.get("dash_quotes", False)),
        verb_forms=forms,
        indirect_verbs={k: tuple(v) for k, v in data.get("indirect_verbs", {}).items()},
        post_quote_only=_strings(data, "post_quote_only"),
        naming_verbs=_strings(data, "naming_verbs"),
        belief_verbs=_strings(data, "belief_verbs"),
        name_introducers=_strings(data, "name_introducers"),
        first_second_person=_strings(data, "first_second_person"),
        numerals=_strings(data, "numerals"),
        complementizers=_strings(data, "complementizers"),
        finite_verbs=_strings(data, "finite_verbs"),
        determiners=_strings(data, "determiners"),
        object_verbs=_strings(data, "object_verbs"),
        complementizer_blockers=_strings(data, "complementizer_blockers"),
        copulas=_strings(data, "copulas"),
        negations=_strings(data, "negations"),
        according_to=tuple(tuple(w.casefold() for w in seq) for seq in data["according_to"]),
        pronouns={k.casefold(): v for k, v in data["pronouns"].items()},
        first_person=_strings(data, "first_person"),
        generic_determiners=_strings(data, "generic_determiners"),
        aux=_strings(data, "aux"),
        adverbs=_strings(data, "adverbs"),
        np_stop=_strings(data, "np_stop"),
        name_particles=_strings(data, "name_particles"),
        titles=_strings(data, "titles"),
        title_suffixes=tuple(str(x).casefold() for x in data.get("title_suffixes", [])),
        org_nouns=_strings(data, "org_nouns"),
        org_words=frozenset(str(x) for x in data.get("org_words", [])),
        not_names=_strings(data, "not_names"),
        scare_markers=tuple(str(x).casefold() for x in data.get("scare_markers", [])),
        abbreviations=_strings(data, "abbreviations"),
        continue_after_dash_attribution=bool(data.get("continue_after_dash_attribution", False)),
        org_suffixes=tuple(
            str(o) for o in data.get("org_words", []) if len(str(o)) >= 5 and str(o).islower()
        ),
    )


@dataclass(frozen=True, slots=True)
class FirstNames:
    """First names with a gender, and the gender of each third-person pronoun."""

    female: frozenset[str]
    male: frozenset[str]
    pronoun_gender: dict[str, str]

    def gender(self, name: str) -> str | None:
        """"female"/"male" for a known first name (first word of name), else None."""
        first = name.split()[0] if name.split() else ""
        if first in self.female:
            return "female"
        if first in self.male:
            return "male"
        return None


@cache
def load_first_names(path: str | None = None) -> FirstNames:
    """The first-name file (default: lexicon/names.json)."""
    data = json.loads(Path(path or LEXICON_DIR / "names.json").read_text(encoding="utf-8"))
    return FirstNames(
        female=frozenset(data["female"]),
        male=frozenset(data["male"]),
        pronoun_gender=dict(data["pronoun_gender"]),
    )


def dependency_patterns(language: str) -> list[dict[str, Any]]:
    """The DependencyMatcher patterns of one language (lexicon/patterns_{language}.json)."""
    file = LEXICON_DIR / f"patterns_{language}.json"
    if not file.exists():
        return []
    data: list[dict[str, Any]] = json.loads(file.read_text(encoding="utf-8"))
    return data
