"""Who is mentioned where: names, pronouns, titles and organisations outside the quotes.

Names come from the pipeline's entities when it has NER, and from capitalisation heuristics
(names.py) otherwise and for names the NER missed. Words inside quotes are never mentions: a
name a speaker says is not a candidate for who said it.
"""

from __future__ import annotations

from dataclasses import replace

from app.extraction.attribute.names import (
    heuristic_names,
    is_genitive,
    make_mention,
    org_tail,
    role_before,
    title_words,
)
from app.extraction.lexicon import Lexicon, load_given_names
from app.extraction.model import Mention
from app.extraction.text.view import NAMES_KEPT, TextView, Word


def _ner_names(view: TextView) -> tuple[list[Mention], set[int]]:
    """Names from the pipeline's entities, and the words they take."""
    out: list[Mention] = []
    taken: set[int] = set()
    words = view.words
    i = 0
    while i < len(words):
        w = words[i]
        if w.ent_iob != "B" or view.in_quote(w.start):
            i += 1
            continue
        j = i
        while j + 1 < len(words) and words[j + 1].ent_iob == "I":
            j += 1
        span = words[i : j + 1]
        lex = view.lexicon_at(w.start)
        if not _plausible_entity(view, span, lex):
            i = j + 1
            continue  # leave these words to the heuristics
        taken.update(range(i, j + 1))
        label = w.ent_type
        if label == "PER":
            # The NER span may include a title ("Mayor Stone"): keep it as the role.
            k = 0
            while k < len(span) - 1 and lex.is_title(span[k].lower):
                k += 1
            if k == len(span) - 1 and k > 0 and span[k - 1].lower in lex.name_titles:
                k -= 1  # "Pope Francis": the title is part of a one-word name
            role_words = [*role_before(view, span[0].i, lex), *span[:k]]
            m = make_mention(view, span[k:], "name", "PER", lex, "ner")
            if role_words:
                m = Mention(
                    m.start, m.end, m.text, m.kind, m.label,
                    view.text[role_words[0].start : role_words[-1].end],
                    m.first_word, m.last_word, m.source, title_words(lex, role_words),
                )
            out.append(m)
        elif label == "ORG":
            out.append(make_mention(view, span, "org", "ORG", lex, "ner"))
        elif label in ("LOC", "GPE"):
            out.append(make_mention(view, span, "name", "LOC", lex, "ner"))
        i = j + 1
    return out, taken


def _determiner_use(view: TextView, w: Word, nxt: Word | None) -> bool:
    """"de ledamöterna som …": "de" before a noun is an article, not "they"."""
    lex = view.lexicon_at(w.start)
    if w.lower not in lex.determiners or nxt is None or not nxt.text[:1].islower():
        return False
    if lex.is_title(nxt.lower) or nxt.lower.endswith(("arna", "erna", "orna")):
        return True  # "säger de ledamöterna", "de anställda"
    if w.i > 0 and view.cue_at(w.i - 1, inside_quotes=True) is not None:
        return False  # "menade de informerat …": right after the verb it is "they"
    if nxt.pos:
        return nxt.pos in ("NOUN", "ADJ", "NUM")
    return nxt.is_alpha_word and not (
        nxt.is_stop or nxt.lower in lex.aux or nxt.lower in lex.adverbs
        or nxt.lower in lex.np_stop or lex.cue_lemma(nxt.lower) is not None
    )


def _plausible_entity(view: TextView, span: list[Word], lex: Lexicon) -> bool:
    """Reject entities a small NER model gets wrong: an owner ("AB Nordfrakts ordförande"),
    a function or dateline word ("Publicerad", "Det"), a lowercase start."""
    if not span[0].text[:1].isupper() and not span[0].text[:1].isdigit():
        return False
    if is_genitive(view, span[-1]) and span[-1].lower.endswith("s"):
        return False
    if len(span) == 1 and (span[0].lower in lex.not_names or span[0].is_stop):
        return False
    return not all(lex.is_title(w.lower, compounds=False) for w in span)


#: Per lexicon (by id, with the lexicon itself to check it), whether a lowercase form can
#: open one of the common mentions below: most words of an article cannot, and they are
#: skipped before the rest is asked (kept across articles; bounded like view._NAMES).
_OPENERS: dict[int, tuple[Lexicon, dict[str, bool]]] = {}


def _may_open(lex: Lexicon, low: str) -> bool:
    """Whether ``low`` passes the word test of one of _common_mentions' branches (the
    branches then look at its context; a word that passes none makes no mention)."""
    known = _OPENERS.get(id(lex))
    if known is None or known[0] is not lex:
        known = _OPENERS[id(lex)] = (lex, {})
    forms = known[1]
    seen = forms.get(low)
    if seen is None:
        if len(forms) > NAMES_KEPT:
            forms.clear()
        seen = forms[low] = (
            low in lex.group_determiners or low in lex.pronouns or low in lex.first_person
            or low in lex.org_nouns or low in lex.generic_speakers
            or (low.endswith(lex.person_suffixes) and not low.startswith(lex.person_suffixes))
            or (bool(lex.definite_suffixes) and lex.is_title(low) and low not in lex.titles)
            or low in lex.title_articles
        )
    return seen


def _common_mentions(view: TextView, taken: set[int]) -> list[Mention]:
    """Pronouns, definite titles ("kommunalrådet") and organisation nouns ("polisen")."""
    out: list[Mention] = []
    words = view.words
    for w in words:
        lex = view.lexicon_at(w.start)
        low = w.lower
        if not _may_open(lex, low):
            continue
        if w.i in taken or view.in_quote(w.start) or not w.is_alpha_word:
            continue
        nxt = words[w.i + 1] if w.i + 1 < len(words) else None
        if low in lex.group_determiners and nxt is not None and nxt.lower in lex.numerals:
            # "De tre som reserverat sig …": a group that "de" can refer back to.
            m = make_mention(view, [w, nxt], "description", "GROUP", lex)
            out.append(m)
            taken.add(nxt.i)
        elif low in lex.pronouns and not _determiner_use(view, w, nxt):
            out.append(make_mention(view, [w], "pronoun", "", lex))
        elif low in lex.first_person and low != lex.generic_pronoun and not (
            w.text.isupper() and len(w.text) > 1  # "US Secretary of State": the country
        ):
            out.append(make_mention(view, [w], "first", "", lex))
        elif low in lex.generic_speakers and w.pos not in ("VERB", "AUX"):
            # "officials", "experts", "reports": nobody in particular (not "Acme reports …")
            out.append(make_mention(view, [w], "generic", "", lex))
        elif low in lex.org_nouns:
            out.append(make_mention(view, [w], "org", "ORG", lex))
        elif low.endswith(lex.person_suffixes) and not low.startswith(lex.person_suffixes):
            # "30-åringen": a person the text names by age; "han" can refer back to them.
            out.append(make_mention(view, [w], "name", "PER", lex))
        elif (
            lex.definite_suffixes
            and lex.is_title(low)
            and low not in lex.titles
            and not (nxt is not None and nxt.is_cap)
        ):
            # Definite title: "svarade kommunalrådet" refers back to a named person.
            m = make_mention(view, [w], "title", "", lex)
            out.append(Mention(m.start, m.end, m.text, "title", "", None, m.first_word,
                               m.last_word, m.source, title_words(lex, [w])))
        elif low in lex.title_articles and nxt is not None:
            phrase = [w]
            k = w.i + 1
            while k < len(words) and len(phrase) < 4 and (
                lex.is_title(words[k].lower) and not view.in_quote(words[k].start)
            ):
                phrase.append(words[k])
                k += 1
            two = f"the {nxt.lower}"
            three = f"{two} {words[w.i + 2].lower}" if w.i + 2 < len(words) else ""
            if three in lex.org_nouns:
                out.append(make_mention(view, words[w.i : w.i + 3], "org", "ORG", lex))
            elif two in lex.org_nouns:
                tail = org_tail(view, nxt, set(), lex, ner_person_stops=False)
                if tail:
                    # "the government of Burundi": the organisation is named by its place
                    out.append(make_mention(view, [nxt, *tail], "org", "ORG", lex))
                    taken.update(t.i for t in tail)
                else:
                    out.append(make_mention(view, words[w.i : w.i + 2], "org", "ORG", lex))
            elif len(phrase) > 1 and not (k < len(words) and words[k].is_cap):
                m = make_mention(view, phrase, "title", "", lex)
                out.append(Mention(m.start, m.end, m.text, "title", "", None, m.first_word,
                                   m.last_word, m.source, title_words(lex, phrase[1:])))
    return out


def _lead_is_no_name(view: TextView, m: Mention, e: Mention) -> bool:
    """The words of m before e are a place, an organisation or a title, not part of a name."""
    lead = view.words[m.first_word : e.first_word]
    lex = view.lexicon_at(m.start)
    if not lead:
        return False
    if all(
        w.ent_type in ("LOC", "GPE", "ORG") or lex.is_title(w.lower) or w.text in lex.places
        for w in lead if w.is_alpha_word
    ):
        return True
    if any(w.ent_type == "PER" or w.text in load_given_names() for w in lead):
        return False
    words = view.words
    k = m.first_word
    # "Secretary of State Jane Roe": the run after "<title> of" starts with the title's object.
    if k >= 2 and words[k - 1].lower in lex.partitive_prepositions and (
        lex.is_title(words[k - 2].lower)
    ):
        return True
    # "Immunologist Jane Roe said", "Co-author Jane Roe": a one-word role opens the sentence.
    start, _ = view.sentence_of(m.start)
    one_word = " " not in view.text[m.start : e.start].strip()
    return one_word and not any(ch.isalnum() for ch in view.text[start : m.start])


def find_mentions(view: TextView) -> list[Mention]:
    """All mentions outside quotes, in text order.

    The capitalisation rules decide the extent of a name (they split titles, owners and
    organisations off: "Eastbay Harbour Trust … Mary Stone-Reed"); the NER of a trained
    pipeline labels them (a place is nobody's antecedent) and adds the names they missed.
    """
    ner, _ = _ner_names(view)
    heuristic = _joined_by_ner(view, heuristic_names(view, set()), ner)
    taken: set[int] = set()
    for m in heuristic:
        taken.update(range(m.first_word, m.last_word + 1))
    labelled = [_label_from(view, m, ner) for m in heuristic]
    extra = [m for m in ner if not any(k in taken for k in range(m.first_word, m.last_word + 1))]
    for m in extra:
        taken.update(range(m.first_word, m.last_word + 1))
    common = _common_mentions(view, taken)
    named = [_generic_or(view, m) for m in [*labelled, *extra]]
    wide = [(c.start, c.end) for c in common if c.kind == "org" and c.last_word > c.first_word + 1]
    if wide:  # "the government of Burundi": the place is part of the organisation's name
        named = [m for m in named if not any(s <= m.start and m.end <= e for s, e in wide)]
    mentions = sorted([*named, *common], key=lambda m: (m.start, -m.end))
    orgs = {k for m in mentions if m.kind == "org" for k in range(m.first_word, m.last_word + 1)}
    return [_with_role_after(view, _with_subject(m, _subject_position(view, m, orgs)))
            for m in mentions]


def _generic_or(view: TextView, m: Mention) -> Mention:
    """A one-word name that is a generic speaker ("Officials said …", "Experts warn …": the
    tagger or a sentence-opening capital made it a name) is nobody in particular."""
    if m.first_word != m.last_word or m.kind == "generic":
        return m
    w = view.words[m.first_word]
    if w.lower not in view.lexicon_at(w.start).generic_speakers or w.text.isupper():
        return m
    return replace(m, kind="generic", label="")


def _with_subject(m: Mention, subject: bool) -> Mention:
    """m with ``subject`` set (m itself when it has that value already: a
    ``dataclasses.replace`` per mention was 8 % of finding the mentions)."""
    return m if m.subject == subject else replace(m, subject=subject)


def _with_role_after(view: TextView, m: Mention) -> Mention:
    """A person's role written after the name: "Eva Lind (S), kommunalråd" and the signature
    line "Per Ek, rektor" give Lind and Ek those titles (a "rektorn" elsewhere is them)."""
    if m.kind != "name" or m.label not in ("PER", "") or len(m.text.split()) < 2:
        return m
    words = view.words
    k = m.last_word + 1
    if k < len(words) and words[k].text == "(":
        close = next((j for j in range(k + 1, min(k + 5, len(words))) if words[j].text == ")"),
                     None)
        if close is None:
            return m
        k = close + 1  # a party or an age in brackets: "Eva Lind (S), kommunalråd"
    if k + 1 >= len(words) or words[k].text != ",":
        return m
    lex = view.lexicon_at(m.start)
    role: list[Word] = []
    k += 1
    while k < len(words) and len(role) < 3 and not view.in_quote(words[k].start) and (
        lex.is_title(words[k].lower) or words[k].lower in lex.title_modifiers
    ):
        role.append(words[k])
        k += 1
    titles = title_words(lex, role)
    if not titles:
        return m
    text = view.text[role[0].start : role[-1].end]
    return replace(m, role=m.role or text, titles=m.titles | titles)


def _joined_by_ner(view: TextView, heuristic: list[Mention], ner: list[Mention]
                   ) -> list[Mention]:
    """An organisation the NER found across a lowercase link ("Centre for Coastal Studies",
    "Institutet för rymdfysik") replaces the capitalised pieces the rules cut it into."""
    out = list(heuristic)
    for e in ner:
        if e.label != "ORG" or e.last_word - e.first_word < 2:
            continue
        inner = view.words[e.first_word : e.last_word + 1]
        if not any(w.text[:1].islower() and w.is_alpha_word for w in inner[1:-1]):
            continue
        pieces = [m for m in out if m.start < e.end and e.start < m.end]
        if any(m.kind == "name" and len(m.text.split()) >= 2 and m.end == e.end for m in pieces):
            continue  # "Acme University astronomer Jane Roe": a person ends the phrase
        if pieces and all(e.start <= m.start and m.end <= e.end for m in pieces):
            out = [m for m in out if m not in pieces]
            out.append(e)
    return sorted(out, key=lambda m: (m.start, -m.end))


def _label_from(view: TextView, m: Mention, ner: list[Mention]) -> Mention:
    """An unlabelled heuristic name takes the label of the NER entity over it ("Sjöstad" LOC);
    a capitalised run that ends in a person the NER found shorter starts where that person
    does ("Utah Jane Roe" -> "Jane Roe", "Utah" joins the role)."""
    if m.kind == "name":
        for e in ner:
            if e.label == "PER" and m.start < e.start and e.end == m.end and (
                len(e.text.split()) >= 2
            ) and _lead_is_no_name(view, m, e):
                lead = m.text[: e.start - m.start].strip()
                role = f"{m.role} {lead}" if m.role else lead
                return replace(m, start=e.start, text=e.text, first_word=e.first_word,
                               label="PER", role=role)
    if m.kind != "name" or m.label:
        return m
    for e in ner:
        if e.start <= m.start and m.end <= e.end and e.label in ("PER", "LOC"):
            return replace(m, label=e.label)
    return m


#: Parts of speech of a role phrase before a name ("Local councillor", "Acme's new chief").
_ROLE_POS = frozenset({"ADJ", "NOUN", "PROPN", "DET", "NUM", "PUNCT"})


def _opens_with_role(view: TextView, m: Mention) -> bool:
    """The name ends a noun phrase that opens its sentence and the parser makes it the
    subject of a verb after it ("Local councillor Tom Berg was less diplomatic.")."""
    words = view.words
    start, _ = view.sentence_of(m.start)
    k = m.first_word - 1
    while k >= 0 and words[k].start >= start:
        w = words[k]
        if w.pos not in _ROLE_POS or view.in_quote(w.start) or view.is_mark(w):
            return False
        k -= 1
    return any(
        words[i].dep in ("nsubj", "nsubj:pass", "nsubjpass") and words[i].head > m.last_word
        for i in range(m.first_word, m.last_word + 1)
    )


def _subject_position(view: TextView, m: Mention, orgs: set[int]) -> bool:
    """Whether a mention opens a clause: sentence start, after a comma, "att"/"that", "och".

    "Speaking to John Reed of the Courier, he said" -> John Reed is no subject (after "to");
    "The mayor of Eastbay, Mary Stone, wrote" -> Eastbay is not, Mary Stone is.
    """
    words = view.words
    lex = view.lexicon_at(m.start)
    if view.has_parse and _opens_with_role(view, m):
        return True
    if view.has_parse and m.kind == "pronoun" and words[m.first_word].dep in (
        "nsubj", "nsubj:pass", "nsubjpass"
    ):
        return True  # "I en intervju säger hon …": the subject after a fronted phrase (V2)
    k = m.first_word - 1
    # Skip the role before a name: "Eastbay University harbour expert Mary Stone".
    while k >= 0 and (
        lex.is_title(words[k].lower) or is_genitive(view, words[k]) or k in orgs
        or (words[k].is_cap and words[k].is_alpha_word and words[k].lower not in lex.not_names)
    ) and not view.in_quote(words[k].start):
        k -= 1  # "Eastbay Harbour Council chair Mary Stone": the whole phrase is the subject
    s, _ = view.sentence_of(m.start)
    if k < 0 or words[k].start < s:
        return True
    p = words[k]
    if p.text in (",", ":", ";", "–", "—", "(") or view.is_mark(p):
        return True
    # Both languages' words, whatever the paragraph's language: a mixed article's Swedish
    # paragraph may be tagged English (the lexicon's per-language lists would lose that).
    if p.lower in ("och", "and") and view.has_parse:
        # "lärare vid Sjöskolan och Norrbyskolan": the second of two places or bodies after a
        # preposition is no more a subject than the first.
        j = k - 1
        while j >= 0 and words[j].is_cap and words[j].start >= s:
            j -= 1
        if j < k - 1 and j >= 0 and words[j].pos == "ADP":
            return False
    if p.lower in lex.complementizers or p.lower in (
        "och", "and", "men", "but", "som", "who", "where", "when", "där", "när", "då", "which"
    ):
        return True
    return p.lower in lex.adverbs or p.lower in lex.aux
