"""What kind of quote a marked region is: direct or partial, or no quote at all.

Direct: a whole utterance ("Lind: ”The ferry …”", "”Tja...”, svarade …"); partial: a
fragment in the reporter's sentence ("sade att bygget ”inte behöver mer pengar”"); no quote:
scare quotes, titles and terms ("så kallade ”luftslott”", "”Bro mot framtiden”-kampanj").
"""

from __future__ import annotations

import re

from app.extraction.attribute.phrases import Phrases
from app.extraction.lexicon import Lexicon
from app.extraction.model import Mention, QuoteRegion
from app.extraction.text.view import TextView

FINAL = re.compile(r"[.!?…]$")


def is_direct(view: TextView, ph: Phrases, region: QuoteRegion) -> bool:
    """A whole utterance: starts like a sentence where a sentence or an intro ends."""
    text = view.text
    content = text[region.start : region.end]
    head = content.lstrip("([…. ")
    if not head or not (head[0].isupper() or head[0].isdigit()):
        return False
    para = view.paragraph_of(region.outer_start)
    before = text[para.start : region.outer_start].rstrip()
    if not before or before[-1] in ".!?:,;–—-…" or before[-1] in view.marks.all:
        return True
    k = view.word_before(region.outer_start)
    first, _ = ph.sentence_words(region.outer_start)
    return any(view.cue_at(c) is not None for c in range(k, max(first, k - 6) - 1, -1))


def not_a_quote(
    view: TextView, region: QuoteRegion, has_cue: bool, direct: bool = False
) -> bool:
    """Scare quotes, titles and terms: ”luftslott”, »Kuriren» skrev, "Storm-7" is."""
    text = view.text
    content = text[region.start : region.end]
    after = text[region.outer_end : region.outer_end + 2]
    if after[:1] == "-" and after[1:2].isalpha():
        return True  # ”Bro mot framtiden”-kampanj: part of a compound
    if _in_language_gloss(view, region):
        return True  # "((hu))Hungarian language: ‍… a „vas” …": the original-language gloss
    lex = view.lexicon_at(region.start)
    lead = text[max(0, region.outer_start - 30) : region.outer_start].casefold()
    if _after_marker(lead, lex):
        return True  # så kallade ”…”, so-called "…", titled "…", call themselves the "…"
    if _named_by_participle(text[max(0, region.outer_start - 30) : region.outer_start], lex):
        return True  # a process called "exfiltration" (not: which the Times called "…")
    if _marker_with_gap(lead, lex):
        return True  # known within the community as "…", känd i hela byn som ”…”
    if _after_work_noun(view, region, lex, has_cue):
        return True  # her debut novel "…", the charity "…", her nickname, "…", stuck
    if _written_on(lead, lex):
        return True  # a sign that read "…", en skylt där det stod ”…”
    if _labelled(view, region, lex):
        return True  # files, marked "confidential", …; en låda märkt ”ömtåligt”
    if _identifier(content):
        return True  # a handle, a code, a hashtag: "harbourfan99", "#SaveThePier", "B-52"
    if _defined(text, region, lex):
        return True  # a word as a word: "lagom" means …, "gig work" refers to …
    if _options(view, region, lex):
        return True  # words as options: "yes" or "no", mellan ”ja” och ”nej”
    if _title_cased(content, lex.title_small_words) and _noun_apposition(view, region):
        return True  # its new product, "PierPass", would …
    if _title_cased(content) and (_listed(view, region) or _named_in_phrase(view, region)):
        return True  # songs "Dark Star", "Uncle John's Band" and …; the "Kiss & Ride" area
    if _title_cased(content, lex.title_small_words) and _title_in_clause(view, region, lex):
        return True  # said "Faces of the Sea" drew 40,000 visitors: a title, even after a cue
    if _reported_subject(view, region, lex):
        return True  # säger att ”Trygg på torget” har minskat …: a name as the clause's subject
    if _nickname(view, region, lex):
        return True  # Ole "The Hammer" Brandt, Karl ”Kalle” Strand: a nickname inside a name
    if _name_before_apposition(view, region, lex):
        return True  # "Harbour Light", a sculpture by …; ”Ljusgården”, en installation …
    if _title_cased(content, lex.title_small_words) and _after_preposition(view, region, lex):
        return True  # an interview with "Harbour Weekly", author of "The Salt Road"
    if _title_cased(content, lex.title_small_words) and _addressee(view, region, lex):
        return True  # told "The Harbour Times" she would …: whom it was said to
    if has_cue:
        return False
    if re.fullmatch(r"[A-ZÅÄÖ]{2,6}", content.strip()):
        return True  # an acronym in marks: "samordningen ”SOT”" names, nobody speaks
    n_words = len(content.split())
    follow = text[region.outer_end : region.outer_end + 40]
    m = re.match(r"\s+([^\W\d_]+)", follow)
    if n_words <= 4 and not FINAL.search(content) and m and m.group(1)[:1].islower():
        nxt = m.group(1).casefold()
        if lex.cue_lemma(nxt) is None and nxt not in ("och", "and", "säger", "said") and not (
            direct and content.rstrip()[-1:] in ",;"
            and _cue_follows(text[region.outer_end : region.outer_end + 100], lex)
        ):
            return True  # the quoted words are a constituent: "Storm-7" is the name
    return False


def _after_marker(lead: str, lex: Lexicon) -> bool:
    """A naming marker right before the marks ("so-called", "known as", "kallar sig"), or
    before a definite article that opens the name ("who call themselves the "…"", "known
    as the "…"", "känd som den ”…”")."""
    lead = lead.rstrip()
    words = lead.rsplit(None, 1)
    ends = [lead, words[0]] if len(words) == 2 and words[1] in lex.definite_articles else [lead]
    return any(end.endswith(marker) for end in ends for marker in lex.scare_markers)


def _cue_follows(follow: str, lex: Lexicon) -> bool:
    """A speech verb ends the short clause right after the marks: "…," a neighbour said;
    "…," the county fire chief told us; "…," a spokeswoman for the regional water board
    said (the speaker the rules could not name: up to ten words before the verb)."""
    clause = re.split(r"[.,;:!?()\[\]\"“”«»]", follow, maxsplit=1)[0]
    words = re.findall(r"[^\W\d_]+", clause)[:10]
    return any(lex.cue_lemma(w.casefold()) is not None for w in words)


#: Wikinews's marker before the original-language words of a translated quote: "((es))".
_GLOSS = re.compile(r"\(\([a-z]{2,3}\)\)")


def _in_language_gloss(view: TextView, region: QuoteRegion) -> bool:
    """A few words in marks inside the original-language gloss that follows a "((es))"
    marker, in the same sentence: the translation's words, never annotated apart."""
    text = view.text
    para = view.paragraph_of(region.outer_start)
    lead = text[para.start : region.outer_start]
    if "((" not in lead or len(text[region.start : region.end].split()) > 3:
        return False  # (a longer quote after the gloss is someone's words again)
    found = list(_GLOSS.finditer(lead))
    return bool(found) and re.search(r"[.!?]\s", lead[found[-1].end() :]) is None


def _marker_with_gap(lead: str, lex: Lexicon) -> bool:
    """A passive naming phrase with a few words before its last one ("known within the
    community as", "känd i hela byn som"): a name follows, nobody is quoted (with an agent,
    "referred to by police as", the words stay someone's)."""
    words = lead.casefold().split()
    for label in lex.passive_labels:
        *head, last = label.split()
        if len(words) <= len(head) or words[-1] != last:
            continue
        inside = words[-7:-1]
        for i in range(len(inside) - len(head) + 1):
            if inside[i : i + len(head)] == head:
                between = inside[i + len(head) :]
                return "by" not in between and "av" not in between
    return False


def _after_work_noun(view: TextView, region: QuoteRegion, lex: Lexicon, has_cue: bool) -> bool:
    """The marks name a work, a term or a thing after a noun that says so: right after it
    ("the novel "…"", "tidningen ”…”") even in a sentence with a speech verb, or as an
    appositive between commas when no speech verb speaks ("her nickname, "…", stuck")."""
    text = view.text
    para = view.paragraph_of(region.outer_start)
    lead = text[max(para.start, region.outer_start - 40) : region.outer_start]
    m = re.search(r"([^\W\d_]+)(,?)[ \t]*$", lead)
    if m is None or m.group(1).casefold() not in lex.work_nouns:
        return False
    content = text[region.start : region.end].rstrip()
    if not m.group(2):  # right after the noun: a name, unless a question or sentence is asked
        return not (has_cue and FINAL.search(content))
    if has_cue and FINAL.search(content):
        return False
    if len(content.split()) > (6 if has_cue else 12) and not _title_cased(
            content, lex.title_small_words, max_words=12):
        return False  # (with a speech verb about, only a short name or a title between commas)
    after = text[region.outer_end : region.outer_end + 2]
    return content.endswith(",") or after[:1] in (",", ")", ".") or after.strip() == ""


def _nickname(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """A short capitalised name in marks between two capitalised words of a name, no
    punctuation between (Ole "The Hammer" Brandt, Karl ”Kalle” Strand): a nickname, even
    with a speech verb in the sentence."""
    text = view.text
    content = text[region.start : region.end]
    if not 1 <= len(content.split()) <= 3 or not content[:1].isupper() or not _title_cased(
            content, lex.title_small_words):
        return False
    k, j = view.word_before(region.outer_start), view.word_at(region.outer_end)
    if k < 0 or j >= len(view.words):
        return False
    prev, nxt = view.words[k], view.words[j]
    gap_before = text[prev.end : region.outer_start]
    gap_after = text[region.outer_end : nxt.start]
    return (
        gap_before.strip() == "" and gap_after.strip() == "" and "\n" not in gap_before + gap_after
        and prev.is_cap and nxt.is_cap and prev.is_alpha_word and nxt.is_alpha_word
        and view.cue_at(k) is None and view.cue_at(j) is None
        and prev.lower not in lex.determiners and nxt.lower not in lex.pronouns
        and (not view.has_parse or prev.pos == "PROPN" or nxt.pos == "PROPN")
    )


def _name_before_apposition(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """A short capitalised name in marks, then a comma and a noun phrase that a determiner
    opens ("Harbour Light", a sculpture by …; ”Ljusgården”, en installation som …): the
    phrase says what the name names. Not when a speech verb ends that phrase ("We are
    ready", a spokesman said: an attribution)."""
    text = view.text
    content = text[region.start : region.end].strip()
    if not content[:1].isupper() or not 1 <= len(content.split()) <= 6 or (
            content[-1:] in ",;:" or FINAL.search(content)):
        return False
    m = re.match(r",\s*([^\W\d_]+)\s+([^\W\d_]+)", text[region.outer_end : region.outer_end + 40])
    if m is None or m.group(1).casefold() not in lex.determiners:
        return False
    if m.group(1).casefold() in lex.first_person or lex.cue_lemma(m.group(2).casefold()):
        return False
    rest = text[region.outer_end + m.start(1) : region.outer_end + m.start(1) + 100]
    return not _cue_follows(rest, lex)


def _after_preposition(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """A title-case name right after a preposition that is no label preposition ("an
    interview with "Harbour Weekly"", "author of "The Salt Road"", "i en intervju med
    ”Hamnbladet”"; not: "attacked it as "Fake News""): a title or a name, not words said."""
    if not view.has_parse:
        return False
    k = view.word_before(region.outer_start)
    if k < 0:
        return False
    w = view.words[k]
    return w.pos == "ADP" and w.lower not in lex.label_prepositions and view.cue_at(k) is None


def _addressee(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """A name in marks right after a verb whose object is the hearer (told, informed,
    berättade för …), the sentence going on after it: whom it was said to, not the words."""
    k = view.word_before(region.outer_start)
    if k < 0 or lex.cue_lemma(view.words[k].lower) not in lex.object_verbs:
        return False
    return re.match(r" [^\W\d_]", view.text[region.outer_end : region.outer_end + 2]) is not None


def _noun_apposition(view: TextView, region: QuoteRegion) -> bool:
    """Marks between commas right after a common noun ("its new product, "PierPass", will"),
    the sentence going on after them: a name in apposition."""
    text = view.text
    k = view.word_before(region.outer_start)
    if k < 1 or view.words[k].text != "," or view.words[k - 1].pos != "NOUN":
        return False
    content = text[region.start : region.end].rstrip()
    after = text[region.outer_end : region.outer_end + 1]
    return (content.endswith(",") or after == ",") and not FINAL.search(content.rstrip(","))


def _written_on(lead: str, lex: Lexicon) -> bool:
    """The words written on a thing: "a sign that read "…"", "a banner reading "…"" (the
    noun is a work noun, the verb one of reading)."""
    m = re.search(r"([^\W\d_]+)\s+(?:(?:that|which|där det)\s+)?([^\W\d_]+)\s*$",
                  lead.casefold())
    return m is not None and m.group(1) in lex.work_nouns and m.group(2) in lex.inscription_verbs


def _labelled(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """A participle that says what is written on a thing, right before the marks, in an
    apposition ("the files, marked "…",") or as a reduced relative on a noun ("a crate
    stamped "…""); as the finite verb of a clause ("the vote marked "…"") it reports."""
    k = view.word_before(region.outer_start)
    if k < 1 or view.words[k].lower not in lex.label_participles:
        return False
    w, prev = view.words[k], view.words[k - 1]
    return prev.text == "," or (view.has_parse and w.dep == "acl")


#: One token that is a code, a handle or a tag: letters and digits mixed, or a leading # or @.
_IDENTIFIER = re.compile(r"[#@]\w+|(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[\w-]+")


def _identifier(content: str) -> bool:
    """Marks around a single code, handle or tag ("harbourfan99", "#SaveThePier", "B-52"):
    a name for something, never words someone says."""
    return _IDENTIFIER.fullmatch(content.strip().rstrip(".,;:!?")) is not None


def _defined(text: str, region: QuoteRegion, lex: Lexicon) -> bool:
    """A short term in marks right before a verb that defines it (""lagom" means …", ""gig
    work" refers to …", "”fika” betyder …"): the word itself is talked about, nobody says it."""
    content = text[region.start : region.end].strip()
    m = re.match(r"\s+([^\W\d_]+)", text[region.outer_end : region.outer_end + 30])
    return m is not None and m.group(1).casefold() in lex.definition_verbs and (
        len(content.split()) <= 4 and not FINAL.search(content.rstrip(",")))


def _options(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """Words in marks named as options: one or two words each, a neighbouring region joined
    by "or" ("a "yes" or a "no""), by "and" after "between" ("a choice between "yes" and
    "no""), or by "to" after "from" (levels: "from "moderate" to "high""). Words someone
    used joined by "and" ("called it "unfair" and "reckless"") stay."""
    text = view.text

    def short(r: QuoteRegion) -> bool:
        return len(text[r.start : r.end].split()) <= 2 and not FINAL.search(
            text[r.start : r.end].rstrip(","))

    if not short(region):
        return False
    for other in view.regions:
        if other is region or not short(other):
            continue
        first, second = (other, region) if other.outer_end <= region.outer_start else (
            region, other)
        if second.outer_start < first.outer_end:
            continue
        link = re.findall(r"[^\W\d_]+", text[first.outer_end : second.outer_start])
        if not link or len(text[first.outer_end : second.outer_start]) > 8:
            continue
        word = link[0].casefold()
        if word in lex.alternative_words:
            return True
        before = re.findall(r"[^\W\d_]+", text[max(0, first.outer_start - 20) :
                                               first.outer_start])
        if word in lex.and_words and before and before[-1].casefold() in (
                lex.choice_prepositions):
            return True
        if word in lex.range_ends and before and before[-1].casefold() in lex.range_starts:
            return True  # levels: from "moderate" to "high", från ”måttlig” till ”hög”
    return False


def _named_by_participle(lead: str, lex: Lexicon) -> bool:
    """A naming verb as a participle right before the quote, after a common noun ("a
    process called", "a song called", or in an apposition: "the app, named"); after a name
    or pronoun it reports a label someone used ("which the Times called", "he called")."""
    words = lead.split()
    if len(words) < 2 or lex.cue_lemma(words[-1].casefold()) not in lex.naming_verbs:
        return False
    prev = words[-2]
    if prev.endswith(",") and len(prev) > 1:
        # an apposition between commas: "the app, called "FerryNow", has" names the app
        prev = prev[:-1]
    low = prev.casefold()
    return prev.isalpha() and prev.islower() and not (
        low in lex.pronouns or low in lex.first_person or low in lex.determiners
        or low in lex.not_names
    )


def _title_cased(content: str, small: frozenset[str] = frozenset(), max_words: int = 6) -> bool:
    """A short name in title case ("Uncle John's Band", "Kiss & Ride"; with ``small``, the
    function words a title leaves in lower case: "Faces of the Sea"): every other word of
    three letters or more capitalised, the first word too, no sentence punctuation."""
    words = content.rstrip(",").split()
    if not 1 <= len(words) <= max_words or FINAL.search(content.rstrip(",")):
        return False
    if small and not (words[0][:1].isupper() or words[0][:1].isdigit()):
        return False
    long = [w for w in words if sum(ch.isalpha() for ch in w) >= 3 and w not in small]
    return bool(long) and all(w[:1].isupper() or w[:1].isdigit() for w in long)


def _title_in_clause(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """The marks hold a constituent of the reporter's clause, which goes on right after them
    with a verb, a noun or an adverb ("said "Rise Again" would be", "its "Faces of the Sea"
    exhibition", "had read "Salt" twice"), not an attribution ("…" he said, "…" the mayor
    said) nor a label someone used ("called it a "Witch Hunt" and", "as "Fake News"")."""
    text = view.text
    content = text[region.start : region.end].rstrip()
    if content[-1:] in ",;:":
        return False
    m = re.match(r" ([^\W\d_]+)", text[region.outer_end : region.outer_end + 30])
    if m is None:
        return False
    nxt = m.group(1)
    low = nxt.casefold()
    if not nxt[:1].islower() or lex.cue_lemma(low) is not None or low in lex.pronouns or (
        low in lex.first_person or low in lex.determiners or low in lex.and_words
    ):
        return False
    k = view.word_before(region.outer_start)
    if k >= 0 and view.cue_at(k) is not None:
        # right after a speech verb the marks are what was said ("wrote "Stop The Steal" on
        # his page"), unless a verb follows them ("said "Hell Week" was the hardest part")
        j = view.word_at(region.outer_end + m.start(1))
        if j >= len(view.words) or view.words[j].pos not in ("AUX", "VERB"):
            return False
    para = view.paragraph_of(region.outer_start)
    before = text[max(para.start, region.outer_start - 40) : region.outer_start].casefold()
    return not any(
        w in lex.label_prepositions or lex.cue_lemma(w) in lex.naming_verbs
        for w in re.findall(r"[^\W\d_]+", before)[-4:]
    )


def _reported_subject(view: TextView, region: QuoteRegion, lex: Lexicon) -> bool:
    """A short capitalised name in marks that opens a reported clause and is its subject, a
    finite verb right after it ("säger att ”Trygg på torget” har minskat …", "said that "Safe
    Streets" has cut …"): the clause talks about the name (a title in sentence case too,
    as Swedish writes them), nobody says the words. Not when the marks hold a verb: a quoted
    sentence is someone's words."""
    text = view.text
    content = text[region.start : region.end].strip()
    words = content.split()
    if not view.has_parse or not 1 <= len(words) <= 4 or not content[:1].isupper() or (
        FINAL.search(content) or content[-1:] in ",;:"
    ):
        return False
    k = view.word_before(region.outer_start)
    if k < 0 or view.words[k].lower not in lex.complementizers:
        return False
    inside = view.words[view.word_at(region.start) : view.word_before(region.end) + 1]
    if any(w.pos in ("AUX", "VERB") for w in inside):
        return False  # "sa att ”Ingen kom” var en lögn": a quoted sentence, someone's words
    j = view.word_at(region.outer_end)
    if j >= len(view.words):
        return False
    nxt = view.words[j]
    return nxt.text[:1].islower() and nxt.pos in ("AUX", "VERB") and view.cue_at(j) is None


_LIST_LINK = re.compile(r"\s*(?:,|,?\s+(?:and|or|och|eller))\s*$")


def _listed(view: TextView, region: QuoteRegion) -> bool:
    """A quoted item of a list of quoted names: a neighbouring region in title case, joined
    by a comma or "and" ("Dark Star", "Uncle John's Band", and "Truckin'")."""
    text = view.text
    for other in view.regions:
        if other.outer_end <= region.outer_start:
            between = text[other.outer_end : region.outer_start]
        elif other.outer_start >= region.outer_end:
            between = text[region.outer_end : other.outer_start]
        else:
            continue
        if len(between) <= 6 and _LIST_LINK.match(between + " ") and _title_cased(
            text[other.start : other.end]
        ):
            return True
    return False


def _named_in_phrase(view: TextView, region: QuoteRegion) -> bool:
    """A title-case name inside a noun phrase: an article before it, a lowercase noun after
    it ("the "Kiss & Ride" section")."""
    text = view.text
    lex = view.lexicon_at(region.start)
    before = text[max(0, region.outer_start - 12) : region.outer_start].split()
    m = re.match(r"\s+([^\W\d_]+)", text[region.outer_end : region.outer_end + 30])
    return bool(before) and before[-1].casefold() in lex.definite_articles and m is not None and (
        m.group(1)[:1].islower() and lex.cue_lemma(m.group(1)) is None
        and m.group(1).casefold() not in lex.aux
    )


def scare_window(lead: str, lex: Lexicon) -> bool:
    """A naming word shortly before: "named the storm that hit it "…"" (not speech)."""
    low = lead.casefold()
    return any(re.search(rf"\b{re.escape(marker)}\b", low) for marker in lex.scare_markers)


def metalinguistic(
    view: TextView, ph: Phrases, region: QuoteRegion, direct: bool, speaker: Mention | None
) -> bool:
    """"Jag säger ”verkade” eftersom …": the writer mentions a word, nobody is quoted."""
    if direct or speaker is None or speaker.kind != "first":
        return False
    k = view.word_before(region.outer_start)
    short = len(view.text[region.start : region.end].split()) <= 2
    return short and k >= 0 and view.cue_at(k) is not None
