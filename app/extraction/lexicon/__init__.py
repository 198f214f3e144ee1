"""The languages the extractor knows, as data: one validated lexicon file per language.

A language is a folder ``lexicon/{code}/`` with ``lexicon.json`` (its word lists and the
behaviour flags for what its grammar does differently) and, optionally, ``patterns.json``
(dependency patterns for a pipeline with a parser). :func:`languages` lists the folders, so
adding a language is adding a folder: no code names a language. ``marks.json`` (quotation
marks) and ``names.json`` (first names and pronoun genders) are shared by all languages.

Every lexicon file is validated against :class:`LexiconFile`: an unknown or misspelt key,
or a value of the wrong shape, raises :class:`LexiconError` naming the file and the key.
This module only reads the files and builds fast lookup sets; the rules read the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

LEXICON_DIR = Path(__file__).parent
LEXICON_FILE = "lexicon.json"
PATTERNS_FILE = "patterns.json"


class LexiconError(ValueError):
    """A lexicon file that does not match the schema (unknown key, wrong type, no file)."""


class Behaviour(BaseModel):
    """What a language's grammar does differently; every flag is off unless set.

    Each flag switches one rule on or off (the rule's module names the flag where it reads it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Quotes open with a dash at the start of a paragraph ("– Ja, säger hon.").
    dash_quotes: bool = False
    #: After a dash quote's inner attribution the rest of the paragraph is the same quote.
    continue_after_dash_attribution: bool = False
    #: Verb-second word order: after a fronted phrase the subject follows the verb
    #: ("I dag säger hon att …", "Enligt X får vi …").
    v2_inversion: bool = False
    #: A capitalised word ending in -s before a noun is an owner ("Bolagets vd").
    s_genitive: bool = False
    #: Reports without a complementizer ("She said he was late").
    bare_reports: bool = False
    #: Speech-verb forms are often nouns too ("reports", "claims"): a tagged noun, or a form
    #: after a determiner, is no cue; and "rejected all claims that" gives the clause to the noun.
    cue_forms_also_nouns: bool = False
    report_nouns_take_clauses: bool = False
    #: The ``post_quote_only`` verbs never introduce a quote that follows them.
    post_quote_only_never_lead: bool = False
    #: "…, the police said." (subject, then verb, after a comma) attributes the sentence.
    trailing_subject_cue: bool = False
    #: The tokenizer of a blank pipeline splits ’ off words (it is a quotation mark there).
    split_apostrophe: bool = False
    #: The complementizer also marks an infinitive ("beslutade att bygga"): a verb right
    #: after it starts no reported clause.
    infinitive_complementizer: bool = False


class LexiconFile(BaseModel):
    """The schema of ``lexicon/{code}/lexicon.json``: every key it may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str
    #: Languages are listed by this, then by code; the first is the one a text gets when its
    #: language cannot be told (no letters) and wins a tie.
    order: int = 100
    #: lingua's name of the language (``"SWEDISH"``), or None when lingua cannot detect it:
    #: such a language is used where a text's language is given.
    detect_as: str | None = None
    behaviour: Behaviour = Behaviour()
    speech_verbs: dict[str, list[str]]  # lemma -> its forms that are cues
    indirect_verbs: dict[str, list[str]] = {}  # lemma -> particles allowed before "att"
    post_quote_only: list[str] = []
    naming_verbs: list[str] = []
    naming_context: list[str] = []  # a naming verb after these names, it reports nothing
    belief_verbs: list[str] = []
    name_introducers: list[str] = []
    first_second_person: list[str] = []
    numerals: list[str] = []
    complementizers: list[str] = []
    finite_verbs: list[str] = []
    determiners: list[str] = []
    object_verbs: list[str] = []
    complementizer_blockers: list[str] = []
    copulas: list[str] = []
    negations: list[str] = []
    according_to: list[list[str]] = []
    pronouns: dict[str, str] = {}
    first_person: list[str] = []
    generic_pronoun: str | None = None  # "man": an unnamed someone, the organisation meant
    anaphoric_subjects: list[str] = []  # "Det säger X": the previous sentence is X's
    group_determiners: list[str] = []  # "De tre": a group a plural pronoun refers back to
    title_articles: list[str] = []  # "the deputy minister": an article before titles
    second_person: list[str] = []  # "…, tror du": the listener, no attribution
    reflexives: list[str] = []  # "frågar sig …": skipped before an inverted speaker
    temporal_prepositions: list[str] = []  # "upon announcing": the subject is further back
    definite_articles: list[str] = []  # before a short descriptive subject ("the tenants")
    partitive_prepositions: list[str] = []  # "some of the tenants"
    sequence_adverbs: list[str] = []  # "”…” Then said X"
    connectives: list[str] = []  # "However, …": the reporter's link, outside a report
    #: Participles that attribute or frame, not cue forms (", citing …", ", suggesting …"):
    #: after a comma they end a reported clause, as ", saying …" does.
    attribution_participles: list[str] = []
    topic_prepositions: list[str] = []  # a headline "Rektorn om branden: ”…”" names a topic
    person_suffixes: list[str] = []  # a word ending so is a person: "30-åringen"
    reason_conjunctions: list[str] = []  # "because": a reason may report a view of its own
    #: "While …", "Medan …": a clause opened so is subordinate, no statement on its own.
    subordinators: list[str] = []
    #: "a box marked", "märkt": a participle after a noun that says what is written on it.
    label_participles: list[str] = []
    #: ""lagom" means …": a verb after the marks that defines the word in them.
    definition_verbs: list[str] = []
    #: ""yes" or "no"", "between "yes" and "no"": words joining quoted options.
    alternative_words: list[str] = []
    choice_prepositions: list[str] = []
    #: "from "moderate" to "high"": words opening and closing a range of quoted levels.
    range_starts: list[str] = []
    range_ends: list[str] = []
    title_modifiers: list[str] = []  # "former", "vice" before a title
    clause_links: list[str] = []  # "… and said": the cue's subject is the clause's
    and_words: list[str] = []  # coordinate two reports ("… and that …", "… och säger att")
    generic_determiners: list[str] = []
    aux: list[str] = []
    adverbs: list[str] = []
    np_stop: list[str] = []
    name_particles: list[str] = []
    titles: list[str] = []
    title_suffixes: list[str] = []
    definite_suffixes: list[str] = []  # "ministern" -> minister
    org_nouns: list[str] = []
    org_words: list[str] = []
    not_names: list[str] = []
    scare_markers: list[str] = []
    abbreviations: list[str] = []
    #: Countries, states and regions as written: a place run into a name ("Senator from
    #: Utah Jane Roe") is no part of it.
    places: list[str] = []
    #: Letters after a name ("Jane Roe QC"): no part of it.
    post_nominals: list[str] = []
    #: "Jane Roe of Acme said": the person, not the organisation after these, speaks.
    affiliation_prepositions: list[str] = []
    #: "an Acme spokesperson", "a spokesman for Acme": someone who speaks for an organisation,
    #: which is then the speaker.
    spokesperson_nouns: list[str] = []
    #: "Officials from Norland admitted", "representatives of the Port Authority said": a
    #: plural of people who speak for the body named after one of ``group_prepositions``,
    #: which is then the speaker (GUIDELINES point 3; a country in the metonymic sense).
    group_nouns: list[str] = []
    group_prepositions: list[str] = []
    #: "an Acme press release", "the court's opinion": a document whose issuer speaks.
    document_nouns: list[str] = []
    #: Generic or plural unnamed speakers ("officials", "experts", "reports"): nobody in
    #: particular (GUIDELINES 2, decision 3) unless the phrase names the body they speak for
    #: ("Health Ministry officials", "officials of the Port Authority").
    generic_speakers: list[str] = []
    #: A body named by the capitalised words before it ("the Chilean government", "Kent
    #: County police"): one organisation.
    body_nouns: list[str] = []
    #: "Act No. 12", "Local Nr 5": the abbreviation a number follows inside a name.
    number_words: list[str] = []
    #: "X described the plan as "…"": a label the clause's subject used (a partial quote).
    label_prepositions: list[str] = []
    #: Titles that stay part of a one-word name ("Pope Francis", "King Harald").
    name_titles: list[str] = []
    #: "the Office for National Statistics", "Centers for Disease Control and Prevention":
    #: an organisation word goes on over these and the capitalised words after them.
    org_links: list[str] = []
    #: Nouns that a quoted name or title stands in apposition to ("the novel "…"", "her
    #: nickname, "…","): the marks hold a name, nobody is quoted.
    work_nouns: list[str] = []
    #: Passive naming phrases that may take a few words before their last one ("known within
    #: the community as "…""): a name follows, nobody is quoted.
    passive_labels: list[str] = []
    #: Nouns of time that stand after a speech verb without a preposition ("said Monday",
    #: "announced last week"): no object of the verb.
    time_nouns: list[str] = []
    #: Verbs that give the words written on a work noun ("a sign that read "…"").
    inscription_verbs: list[str] = []
    #: Words that open an indirect question or a how/what clause ("explained why …", "asked
    #: whether …"): no reported statement follows.
    question_words: list[str] = []
    #: "Q:", "A:", "F:", "S:" opening an interview's paragraphs: no speaker's name.
    interview_labels: list[str] = []
    #: "It said …": a pronoun that stands for an organisation, not a person.
    body_pronouns: list[str] = []


@dataclass(frozen=True, slots=True)
class Marks:
    """Quotation marks and quote dashes."""

    double: frozenset[str]
    single: frozenset[str]
    open_only: frozenset[str]
    dashes: frozenset[str]
    left_boundary: str
    right_boundary: str
    #: Every character that can be a quotation mark (double | single), made once: the rules
    #: ask it per character.
    all: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all", self.double | self.single)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The words the rules of one language need, as lookup sets (casefolded)."""

    language: str
    behaviour: Behaviour
    verb_forms: dict[str, str]  # inflected form -> lemma
    indirect_verbs: dict[str, tuple[str, ...]]  # lemma -> particles allowed before "att"
    post_quote_only: frozenset[str]
    naming_verbs: frozenset[str]
    naming_context: frozenset[str]
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
    generic_pronoun: str | None
    anaphoric_subjects: frozenset[str]
    group_determiners: frozenset[str]
    title_articles: frozenset[str]
    second_person: frozenset[str]
    reflexives: frozenset[str]
    temporal_prepositions: frozenset[str]
    definite_articles: frozenset[str]
    partitive_prepositions: frozenset[str]
    sequence_adverbs: frozenset[str]
    connectives: frozenset[str]
    attribution_participles: frozenset[str]
    topic_prepositions: frozenset[str]
    person_suffixes: tuple[str, ...]
    reason_conjunctions: frozenset[str]
    title_modifiers: frozenset[str]
    clause_links: frozenset[str]
    and_words: frozenset[str]
    generic_determiners: frozenset[str]
    aux: frozenset[str]
    adverbs: frozenset[str]
    np_stop: frozenset[str]
    name_particles: frozenset[str]
    titles: frozenset[str]
    title_suffixes: tuple[str, ...]
    definite_suffixes: tuple[str, ...]
    org_nouns: frozenset[str]
    org_words: frozenset[str]
    not_names: frozenset[str]
    scare_markers: tuple[str, ...]
    abbreviations: frozenset[str]
    detect_as: str | None = None
    places: frozenset[str] = frozenset()  # as written ("New Mexico")
    post_nominals: frozenset[str] = frozenset()  # as written ("QC")
    affiliation_prepositions: frozenset[str] = frozenset()
    spokesperson_nouns: frozenset[str] = frozenset()
    group_nouns: frozenset[str] = frozenset()
    group_prepositions: frozenset[str] = frozenset()
    document_nouns: frozenset[str] = frozenset()
    generic_speakers: frozenset[str] = frozenset()
    body_nouns: frozenset[str] = frozenset()
    number_words: frozenset[str] = frozenset()
    label_prepositions: frozenset[str] = frozenset()
    name_titles: frozenset[str] = frozenset()
    org_links: frozenset[str] = frozenset()
    work_nouns: frozenset[str] = frozenset()
    passive_labels: tuple[str, ...] = ()
    time_nouns: frozenset[str] = frozenset()
    inscription_verbs: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    interview_labels: frozenset[str] = frozenset()
    body_pronouns: frozenset[str] = frozenset()
    subordinators: frozenset[str] = frozenset()
    label_participles: frozenset[str] = frozenset()
    definition_verbs: frozenset[str] = frozenset()
    alternative_words: frozenset[str] = frozenset()
    choice_prepositions: frozenset[str] = frozenset()
    range_starts: frozenset[str] = frozenset()
    range_ends: frozenset[str] = frozenset()
    #: The words a title in title case keeps in lower case ("of", "the", "in", "and"):
    #: np_stop, determiners, partitive prepositions and and-words together.
    title_small_words: frozenset[str] = frozenset()
    org_suffixes: tuple[str, ...] = ()
    #: The first words of ``according_to``: a word that is none of them starts no source
    #: phrase (the rules try every word of a sentence).
    according_first: frozenset[str] = frozenset()
    _titles_seen: dict[tuple[str, bool], bool] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def dash_quotes(self) -> bool:
        """Quotes open with a dash at a paragraph start."""
        return self.behaviour.dash_quotes

    def cue_lemma(self, word: str) -> str | None:
        """The speech-verb lemma of an inflected form, or None (the word alone, no context:
        :meth:`TextView.cue_at` decides whether a word in a text is a cue)."""
        return self.verb_forms.get(word.casefold())

    def according_from(self, lower: str) -> tuple[tuple[str, ...], ...]:
        """The according-to phrases that may start at a word whose lowercase is ``lower``:
        none unless it is one's first word (the rules try every word of a sentence: each
        phrase compared there made a list of words per phrase per word)."""
        if lower in self.according_first or () in self.according_to:
            return self.according_to
        return ()

    def is_title(self, word: str, compounds: bool = True) -> bool:
        """True for a title or role word, in base or definite form (memoised)."""
        key = (word, compounds)
        seen = self._titles_seen.get(key)
        if seen is None:
            seen = self._titles_seen[key] = self._is_title(word, compounds)
        return seen

    def is_org_word(self, word: str) -> bool:
        """True for an organisation word: "Polisen", or a compound like "Idrottsförening"."""
        return word in self.org_words or word.casefold().endswith(self.org_suffixes)

    def _is_title(self, word: str, compounds: bool) -> bool:
        """is_title without the memo."""
        w = word.casefold().rstrip(".")
        if w in self.titles:
            return True
        # Definite forms: "ministern" -> minister (the language's definite_suffixes).
        bases = [w] + [w[: -len(s)] for s in self.definite_suffixes if w.endswith(s)]
        if any(b in self.titles for b in bases[1:]):
            return True
        # Compounds: "förbundsordförande", "sportchef".
        return compounds and any(
            b.endswith(suf) and len(b) > len(suf) + 2 for b in bases for suf in self.title_suffixes
        )

    def title_base(self, word: str) -> str:
        """The base form of a title word, for matching "ministern" to a role."""
        w = word.casefold().rstrip(".")
        for suf in self.definite_suffixes:
            if w not in self.titles and w.endswith(suf) and self.is_title(w[: -len(suf)]):
                return w[: -len(suf)]
        return w


def _folded(words: list[str]) -> frozenset[str]:
    """The casefolded words of a list."""
    return frozenset(str(x).casefold() for x in words)


def _read_json(file: Path) -> Any:
    """A JSON file's content; LexiconError when it is missing or no JSON."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LexiconError(f"{file}: {exc}") from exc


def validate(data: Any, source: str = "lexicon") -> LexiconFile:
    """The lexicon file's content checked against the schema (LexiconError on any mismatch)."""
    try:
        return LexiconFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise LexiconError(f"{source}: {problems}") from exc


def build_lexicon(data: LexiconFile) -> Lexicon:
    """The lookup sets of a validated lexicon file."""
    forms: dict[str, str] = {}
    for lemma, inflected in data.speech_verbs.items():
        # Only the listed forms: a bare lemma is often a noun ("state", "report", "fråga").
        for form in inflected:
            forms[form.casefold()] = lemma
    return Lexicon(
        language=data.language,
        behaviour=data.behaviour,
        detect_as=data.detect_as,
        verb_forms=forms,
        indirect_verbs={k: tuple(v) for k, v in data.indirect_verbs.items()},
        post_quote_only=_folded(data.post_quote_only),
        naming_verbs=_folded(data.naming_verbs),
        naming_context=_folded(data.naming_context),
        belief_verbs=_folded(data.belief_verbs),
        name_introducers=_folded(data.name_introducers),
        first_second_person=_folded(data.first_second_person),
        numerals=_folded(data.numerals),
        complementizers=_folded(data.complementizers),
        finite_verbs=_folded(data.finite_verbs),
        determiners=_folded(data.determiners),
        object_verbs=_folded(data.object_verbs),
        complementizer_blockers=_folded(data.complementizer_blockers),
        copulas=_folded(data.copulas),
        negations=_folded(data.negations),
        according_to=tuple(tuple(w.casefold() for w in seq) for seq in data.according_to),
        pronouns={k.casefold(): v for k, v in data.pronouns.items()},
        first_person=_folded(data.first_person),
        generic_pronoun=data.generic_pronoun.casefold() if data.generic_pronoun else None,
        anaphoric_subjects=_folded(data.anaphoric_subjects),
        group_determiners=_folded(data.group_determiners),
        title_articles=_folded(data.title_articles),
        second_person=_folded(data.second_person),
        reflexives=_folded(data.reflexives),
        temporal_prepositions=_folded(data.temporal_prepositions),
        definite_articles=_folded(data.definite_articles),
        partitive_prepositions=_folded(data.partitive_prepositions),
        sequence_adverbs=_folded(data.sequence_adverbs),
        connectives=_folded(data.connectives),
        attribution_participles=_folded(data.attribution_participles),
        topic_prepositions=_folded(data.topic_prepositions),
        person_suffixes=tuple(str(x).casefold() for x in data.person_suffixes),
        reason_conjunctions=_folded(data.reason_conjunctions),
        title_modifiers=_folded(data.title_modifiers),
        clause_links=_folded(data.clause_links),
        and_words=_folded(data.and_words),
        generic_determiners=_folded(data.generic_determiners),
        aux=_folded(data.aux),
        adverbs=_folded(data.adverbs),
        np_stop=_folded(data.np_stop),
        name_particles=_folded(data.name_particles),
        titles=_folded(data.titles),
        title_suffixes=tuple(str(x).casefold() for x in data.title_suffixes),
        definite_suffixes=tuple(str(x).casefold() for x in data.definite_suffixes),
        org_nouns=_folded(data.org_nouns),
        org_words=frozenset(str(x) for x in data.org_words),
        not_names=_folded(data.not_names),
        scare_markers=tuple(str(x).casefold() for x in data.scare_markers),
        abbreviations=_folded(data.abbreviations),
        places=frozenset(data.places),
        post_nominals=frozenset(data.post_nominals),
        affiliation_prepositions=_folded(data.affiliation_prepositions),
        spokesperson_nouns=_folded(data.spokesperson_nouns),
        group_nouns=_folded(data.group_nouns),
        group_prepositions=_folded(data.group_prepositions),
        document_nouns=_folded(data.document_nouns),
        generic_speakers=_folded(data.generic_speakers),
        body_nouns=_folded(data.body_nouns),
        number_words=_folded(data.number_words),
        label_prepositions=_folded(data.label_prepositions),
        name_titles=_folded(data.name_titles),
        org_links=_folded(data.org_links),
        work_nouns=_folded(data.work_nouns),
        passive_labels=tuple(str(x).casefold() for x in data.passive_labels),
        time_nouns=_folded(data.time_nouns),
        inscription_verbs=_folded(data.inscription_verbs),
        question_words=_folded(data.question_words),
        interview_labels=_folded(data.interview_labels),
        body_pronouns=_folded(data.body_pronouns),
        subordinators=_folded(data.subordinators),
        label_participles=_folded(data.label_participles),
        definition_verbs=_folded(data.definition_verbs),
        alternative_words=_folded(data.alternative_words),
        choice_prepositions=_folded(data.choice_prepositions),
        range_starts=_folded(data.range_starts),
        range_ends=_folded(data.range_ends),
        title_small_words=(_folded(data.np_stop) | _folded(data.determiners)
                           | _folded(data.partitive_prepositions) | _folded(data.and_words)),
        org_suffixes=tuple(
            str(o) for o in data.org_words if len(str(o)) >= 5 and str(o).islower()
        ),
        according_first=frozenset(str(seq[0]).casefold() for seq in data.according_to if seq),
    )


def _folder(lexicon_dir: str | Path | None) -> Path:
    """The folder of language folders (default: this package)."""
    return Path(lexicon_dir) if lexicon_dir else LEXICON_DIR


@cache
def _languages(folder: Path) -> tuple[str, ...]:
    """languages() for one resolved folder (cached)."""
    found = []
    for file in folder.glob(f"*/{LEXICON_FILE}"):
        data = validate(_read_json(file), str(file))
        found.append((data.order, file.parent.name))
    return tuple(code for _, code in sorted(found))


def languages(lexicon_dir: str | Path | None = None) -> tuple[str, ...]:
    """The codes of the languages with a lexicon folder, by their ``order``: the language
    list of the extractor and of the model settings."""
    if not lexicon_dir:
        return _shipped_languages()  # (asked per paragraph: no path resolved each time)
    return _languages(_folder(lexicon_dir).resolve())


@cache
def _shipped_languages() -> tuple[str, ...]:
    """languages() of the shipped lexicon folder."""
    return _languages(LEXICON_DIR.resolve())


def lexicon_file(language: str, lexicon_dir: str | Path | None = None) -> Path:
    """Where the lexicon file of a language lives."""
    return _folder(lexicon_dir) / language / LEXICON_FILE


@cache
def _load_lexicon(file: Path, language: str) -> Lexicon:
    """load_lexicon for one resolved file (cached)."""
    data = validate(_read_json(file), str(file))
    if data.language != language:
        raise LexiconError(f"{file}: language {data.language!r}, expected {language!r}")
    return build_lexicon(data)


def load_lexicon(
    language: str, path: str | None = None, *, lexicon_dir: str | Path | None = None
) -> Lexicon:
    """The lexicon of one language: the file at ``path``, else ``{lexicon_dir}/{language}/``."""
    if not path and not lexicon_dir:
        return _shipped_lexicon(language)  # (asked per entity: no path resolved each time)
    file = Path(path) if path else lexicon_file(language, lexicon_dir)
    return _load_lexicon(file.resolve(), language)


@cache
def _shipped_lexicon(language: str) -> Lexicon:
    """load_lexicon() of a language of the shipped lexicon folder."""
    return _load_lexicon(lexicon_file(language).resolve(), language)


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


@dataclass(frozen=True, slots=True)
class FirstNames:
    """First names with a gender, and the gender of each third-person pronoun (subject
    pronouns; ``object_gender``: the object ones, "him", "her", "honom")."""

    female: frozenset[str]
    male: frozenset[str]
    pronoun_gender: dict[str, str]
    object_gender: dict[str, str] = field(default_factory=dict)

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
        object_gender=dict(data.get("object_pronoun_gender", {})),
    )


@cache
def load_given_names(path: str | None = None) -> frozenset[str]:
    """Words that start people's names (lexicon/given_names.json, learnt from the NER
    training splits by app.training.given_names, plus the gendered first names)."""
    file = Path(path) if path else LEXICON_DIR / "given_names.json"
    names = json.loads(file.read_text(encoding="utf-8"))["names"]
    first = load_first_names()
    return frozenset(names) | first.female | first.male


@cache
def load_outlets(path: str | None = None) -> frozenset[str]:
    """News agencies and outlets as written (lexicon/outlets.json), casefolded."""
    file = Path(path) if path else LEXICON_DIR / "outlets.json"
    return frozenset(n.casefold() for n in json.loads(file.read_text(encoding="utf-8"))["names"])


def dependency_patterns(
    language: str, lexicon_dir: str | Path | None = None
) -> list[dict[str, Any]]:
    """The DependencyMatcher patterns of one language (``{language}/patterns.json``)."""
    file = _folder(lexicon_dir) / language / PATTERNS_FILE
    if not file.exists():
        return []
    data: list[dict[str, Any]] = _read_json(file)
    return data
