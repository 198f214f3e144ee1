"""Canonical speaker names within one article, and resolution of what a quote's mention means.

"Bolagets vd Anna Holm" … "Holm" -> "Anna Holm" (role "Bolagets vd" kept);
"Sjöstads kommunalråd Eva Lind" … "svarade kommunalrådet" -> "Eva Lind";
"… säger hon" -> the person the sentence or the text before is about; "jag"/"I" -> nobody.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from app.extraction import confidence
from app.extraction.lexicon import languages, load_first_names, load_lexicon
from app.extraction.model import Candidate, Mention, Resolved, Speaker, SpeakerEvent
from app.extraction.records import ExtractedSpeaker
from app.extraction.resolve.chooser import (
    ArticleFeatures,
    ChooserModel,
    choose,
    is_outlet,
    quote_choices,
)

#: The name recorded for a speaker the text does not name.
ANONYMOUS = "\x00anonymous"
_TOKEN = re.compile(r"\w+|[^\w\s]")
#: How far back (in paragraphs) a continuation quote inherits the previous speaker.
INHERIT_PARAGRAPHS = 4


@cache
def _articles() -> frozenset[str]:
    """The definite articles of every lexicon ("the")."""
    return frozenset(a.casefold() for code in languages()
                     for a in load_lexicon(code).definite_articles)


@cache
def _determiners() -> frozenset[str]:
    """The determiners and definite articles of every lexicon ("a", "the", "en")."""
    return frozenset(a.casefold() for code in languages()
                     for lex in (load_lexicon(code),)
                     for a in (*lex.determiners, *lex.definite_articles))


def _tokens(name: str) -> list[str]:
    """Name tokens, hyphen parts apart ("Jan-Erik" -> Jan, -, Erik)."""
    return name.replace("-", " - ").split()


class SpeakerResolver:
    """Resolves the mentions of one article, left to right, into entities."""

    def __init__(
        self,
        mentions: Sequence[Mention],
        sentences: Sequence[tuple[int, int]],
        paragraphs: Sequence[tuple[int, int]],
        speaker_hints: Sequence[Mention | None] = (),
        text: str = "",
    ) -> None:
        """Index the article's names; `speaker_hints` are mentions found as speakers of cues;
        `text` (the article's, optional) lets a pronoun look at the words between names."""
        self.mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
        self.text = text
        self.sentences = list(sentences)
        self.sent_starts = [s for s, _ in sentences]
        self.para_starts = [s for s, _ in paragraphs]
        self.entities: dict[str, Speaker] = {}
        self.full: list[tuple[int, str]] = []  # (position, canonical) of multi-word names
        self.resolved: dict[tuple[int, int], str | None] = {}
        self.events: list[SpeakerEvent] = []
        # A one-word name that is the subject of a speech verb is a person ("befarar Karin
        # att"), so "hon" can refer back to it even without NER.
        self.speaking = {
            " ".join(m.text.split()) for m in speaker_hints
            if m is not None and m.kind == "name" and m.label in ("", "PER")
        }
        self.first_names = load_first_names()
        self.quoted_sentences: set[int] = set()  # filled by resolve()
        self.gender: dict[str, str] = {}  # learnt from first names and resolved pronouns
        self._index_names()
        self._resolve_all()

    # -- names ---------------------------------------------------------------------------
    def _index_names(self) -> None:
        """Register the multi-word names and their roles."""
        for m in self.mentions:
            if m.kind == "name" and m.label != "LOC" and len(m.text.split()) >= 2:
                name = " ".join(m.text.split())
                existing = self._same_person(name)
                canonical = existing or name
                self.full.append((m.start, canonical))
                ent = self.entities.setdefault(canonical, Speaker(canonical))
                if m.role and m.role not in ent.roles:
                    ent.roles.append(m.role)
                ent.titles.update(m.titles)

    def _same_person(self, name: str) -> str | None:
        """An entity with the same first and last name, if any."""
        toks = _tokens(name)
        for other in self.entities:
            o = _tokens(other)
            if o[0] == toks[0] and o[-1] == toks[-1]:
                return other  # "Mary J. Stone" is "Mary Stone"
        return None

    def _name_of(self, m: Mention) -> str:
        """The canonical name of a name mention."""
        text = " ".join(m.text.split())
        if text in self.entities:
            return text
        if " " in text:
            return self._same_person(text) or text
        # One word, maybe hyphenated: "Marsh-Okoro" is Lena Marsh-Okoro's surname, and
        # "Jan-Erik" the first name of "Jan-Erik Berg".
        # A bare surname or first name: the nearest full name before it that has it; but a
        # bare surname is the first person introduced with it, the way news writes ("President
        # Donald Trump …", later "Ivanka Trump" in a list: "Trump" is still Donald Trump; she
        # would be "Ivanka"), unless a later one is written in full more often.
        best: str | None = None
        written: Counter[str] = Counter()
        first_with: str | None = None
        for pos, canonical in self.full:
            ct, tk = canonical.split(), _tokens(canonical)
            if text in (ct[-1], ct[0], tk[-1], tk[0]):
                if pos <= m.start:
                    written[canonical] += 1
                    if first_with is None and text in (ct[-1], tk[-1]):
                        first_with = canonical
                if pos <= m.start or best is None:
                    best = canonical
        if best is not None and written:
            top, n = written.most_common(1)[0]
            if n > written[best] + 1:
                return top
            if first_with is not None and written[first_with] >= written[best]:
                return first_with
        return best or text

    def _sentence(self, pos: int) -> int:
        """Index of the sentence holding pos."""
        return bisect_left(self.sent_starts, pos + 1) - 1

    def _paragraph(self, pos: int) -> int:
        """Index of the paragraph holding pos."""
        return bisect_left(self.para_starts, pos + 1) - 1

    # -- left-to-right resolution ----------------------------------------------------------
    def _resolve_all(self) -> None:
        """Resolve every mention left to right, recording who is talked about."""
        for m in self.mentions:
            sent = self._sentence(m.start)
            subject = m.subject
            name = self._resolve_one(m)
            self.resolved[(m.start, m.end)] = name
            if name is None or m.label == "LOC":
                continue
            ent = self.entities.get(name)
            if ent is None:
                continue
            if m.kind in ("org", "description") or ent.label == "ORG":
                self.events.append(SpeakerEvent(m.start, sent, name, subject, True))
            elif m.kind in ("pronoun", "title") or len(name.split()) >= 2 or (
                m.label == "PER" or name in self.speaking
            ):
                self.events.append(SpeakerEvent(m.start, sent, name, subject, False))

    def _resolve_one(self, m: Mention) -> str | None:
        """The canonical name one mention stands for, or None."""
        if m.kind == "org" and len(m.text.split()) == 1 and not m.text.isupper():
            person = self._name_of(m)
            if person != m.text:
                return person  # "skriver Ek" after "Per Ek": a surname the NER called ORG
        if m.kind == "name":
            if m.label == "LOC":
                return " ".join(m.text.split())
            name = self._name_of(m)
            ent = self.entities.setdefault(name, Speaker(name))
            if m.label == "ORG" or is_outlet(name):
                ent.label = "ORG"  # an agency or outlet is never "he" or "she"
            ent.titles.update(m.titles)
            if m.role and m.role not in ent.roles:
                ent.roles.append(m.role)
            return name
        if m.kind == "title":
            # Every title word must fit: "the deputy mayor" is not "Mayor Stone".
            for e in reversed(self.events):
                titled = self.entities.get(e.name)
                if not e.group and titled is not None and m.titles and m.titles <= titled.titles:
                    return e.name
            for pos, name in reversed(self.full):
                if pos < m.start and m.titles and m.titles <= self.entities[name].titles:
                    return name
            if self._paragraph(m.start) == 0:
                # A headline names the role, the text the person: "Rektorn: ”…”" … "rektor
                # Eva Lind" (the first person after it with every title word).
                for pos, name in self.full:
                    if pos > m.start and m.titles and m.titles <= self.entities[name].titles:
                        return name
            return None
        if m.kind == "pronoun":
            found = self.antecedent(m.start, m.text.casefold())
            want = self.first_names.pronoun_gender.get(m.text.casefold())
            if found is not None and want is not None:
                self.gender.setdefault(found, want)
            return found
        if m.kind in ("org", "description"):
            text = " ".join(m.text.split())
            for other in self.entities:
                if other.casefold() == text.casefold():
                    return other  # "Polisen" … "polisen"
            whole = self._whole_organisation(m, text)
            if whole is not None:
                return whole
            ent = self.entities.setdefault(text, Speaker(text, "ORG"))
            return ent.name
        return None  # first person, generic: nobody we can name

    def _whole_organisation(self, m: Mention, text: str) -> str | None:
        """The organisation named in full before a one-word mention of it: "The Department
        issued a statement" after "the Harlow Department of Water Services" is that
        department; None when no organisation before has the word."""
        words = text.split()
        if len(words) == 2 and words[0].casefold() in _articles():
            words = words[1:]  # "the Department", "the department"
        if len(words) != 1 or words[0].isupper() or m.label != "ORG":
            return None
        head = words[0].casefold()
        for e in reversed(self.events):
            if e.pos < m.start and e.group and len(e.name.split()) > 1 and (
                head in e.name.casefold().split()
            ):
                return e.name
        return None

    def _centre_goes_on(self, sent: int, after: int, want: str) -> bool:
        """True when sentence ``sent``, which has no person as subject, has an object pronoun
        of gender ``want`` after position ``after`` (its last person): one followed by a
        determiner, a punctuation mark or nothing ("made her a regular", "praised him."; not
        the possessive "her report", which is most often the last person's own)."""
        if not self.text or not 0 <= sent < len(self.sentences):
            return False
        end = self.sentences[sent][1]
        words = _TOKEN.findall(self.text[after:end])[1:]  # (not the last person's own word)
        for n, w in enumerate(words):
            if self.first_names.object_gender.get(w.casefold()) != want:
                continue
            nxt = words[n + 1] if n + 1 < len(words) else ""
            if not nxt[:1].isalnum() or nxt.casefold() in _determiners():
                return True
        return False

    def _gender_of(self, name: str) -> str | None:
        """The gender of an entity: learnt from a pronoun, or its first name's."""
        if name not in self.gender:
            found = self.first_names.gender(name)
            if found is not None:
                self.gender[name] = found
        return self.gender.get(name)

    def antecedent(self, pos: int, pronoun: str) -> str | None:
        """The person a third-person pronoun at pos refers to (subject of this or an earlier
        sentence first); plural pronouns only to an organisation or group."""
        sent = self._sentence(pos)
        group = pronoun in ("de", "dom", "they")
        want = self.first_names.pronoun_gender.get(pronoun)
        # "She told the court" is not John Reed: skip people of the other gender.
        before = [
            e for e in self.events
            if e.pos < pos and e.group == group and self._gender_of(e.name) in (None, want)
        ]
        if not before:
            return None
        found = self._antecedent_in(before, sent, group, want)
        return None if found == ANONYMOUS else found

    def _antecedent_in(
        self, before: list[SpeakerEvent], sent: int, group: bool, want: str | None = None
    ) -> str | None:
        """The antecedent among the compatible events before the pronoun."""
        if group:
            # "skriver de i yttrandet" -> "De tre som reserverat sig …", a few sentences back.
            recent = [e for e in before if sent - e.sentence <= 4]
            return recent[-1].name if recent else None
        # The subject of this sentence before the pronoun, else of the sentences before
        # ("Per Ek träffade Lind …, där … vad han kallade" -> Ek); in a sentence
        # with no person as subject, its last person ("… spoke with Mary Stone. She …").
        counted = 0
        for back in range(0, 40):
            if counted > 5 or sent - back < 0:
                break
            # Sentences inside a quote are the speaker's, not the story's: they do not push
            # the antecedent further away ("– … Hur vill vi …? ¶ Torget …, tycker hon.").
            if sent - back not in self.quoted_sentences:
                counted += 1
            in_sent = [e for e in before if e.sentence == sent - back]
            subjects = [e for e in in_sent if e.subject]
            if subjects:
                if want is not None:
                    # Of several subjects, one known to be of the pronoun's gender before
                    # one of unknown gender ("She auditioned when Acmevision dubbed the
                    # show. … she said": her, not the studio the tagger did not call ORG).
                    known = [e for e in subjects if e.name != ANONYMOUS
                             and self._gender_of(e.name) == want]
                    if known:
                        return known[-1].name
                return subjects[-1].name
            if in_sent and back > 0 and want is not None and self._centre_goes_on(
                sent - back, in_sent[-1].pos, want
            ):
                # "Nora Felding talked of the pilot. Afraid of losing the role of Lucy Harmon,
                # the producers made her a regular. "…," she recalls": the "her" after the
                # sentence's last person carries on who the story is about (further back).
                continue
            if in_sent and back > 0:
                # Of the people a sentence only mentions, one named in full rather than a
                # lone word the tagger may take for a person ("… ministern Eva Lind, som
                # representerar Framstegspartiet. Hon …").
                full = [e for e in in_sent if len(e.name.split()) >= 2]
                return (full or in_sent)[-1].name
        return None

    # -- candidates ------------------------------------------------------------------------
    def resolve_mention(self, m: Mention | None) -> str | None:
        """The canonical name a candidate's mention stands for."""
        if m is None:
            return None
        if m.kind == "pronoun":
            # Again, now that earlier quotes' speakers count too: "…, tycker hon." after a run
            # of dash quotes by one person.
            return self.antecedent(m.start, m.text.casefold())
        key = (m.start, m.end)
        if key in self.resolved:
            return self.resolved[key]
        return self._resolve_one(m)

    def resolve(self, cands: Sequence[Candidate]) -> list[Resolved]:
        """Speakers of the candidates in text order (continuations inherit)."""
        out: list[Resolved] = []
        by_group: dict[int, Resolved] = {}
        prev: tuple[Candidate, Resolved] | None = None
        self.quoted_sentences = {
            n for c in cands if c.type == "direct"
            for n in range(self._sentence(c.start), self._sentence(c.end - 1) + 1)
        }
        for c in cands:
            r: Resolved
            if c.inherit:
                r = self._inherit(c, prev, by_group)
            else:
                name = self.resolve_mention(c.mention)
                conf = confidence.SPEAKER_BY_HOW.get(c.how, confidence.SPEAKER_DEFAULT)
                if c.mention is not None and c.mention.kind == "pronoun":
                    conf *= confidence.PRONOUN_FACTOR
                r = Resolved(name, c.mention.text if c.mention else None,
                             conf if name else 0.0)
                if name is not None:
                    self._add_mention(name, c.mention)
            out.append(r)
            if c.group >= 0 and r.name is not None:
                by_group.setdefault(c.group, r)
            if c.type != "indirect" or r.name is not None:
                prev = (c, r)
            if r.name is not None:
                ent = self.entities.get(r.name)
                grp = ent is not None and ent.label == "ORG"
                self.events.append(
                    SpeakerEvent(c.start, self._sentence(c.start), r.name, True, grp))
                self.events.sort(key=lambda e: e.pos)
            elif c.how in ("cue", "inverted", "subject") and c.type != "indirect" and (
                c.mention is None or c.mention.kind in ("description", "generic", "title")
            ):
                # Someone unnamed spoke ("The head of the inquiry told the court …");
                # a "she" right after refers to them, so it must not reach back further.
                self.events.append(
                    SpeakerEvent(c.start, self._sentence(c.start), ANONYMOUS, True, False))
                self.events.sort(key=lambda e: e.pos)
        return self._sole_speaker(cands, out)

    def _sole_speaker(self, cands: Sequence[Candidate], out: list[Resolved]) -> list[Resolved]:
        """A headline quote before anyone is introduced belongs to the article's only speaker
        ("Sjöstad bygger ny bro: ”Som att lägga pussel”"); with several
        speakers it stays unknown."""
        names = {r.name for c, r in zip(cands, out, strict=True)
                 if r.name is not None and c.type != "indirect"}
        if not names:
            # No one is quoted in marks: the one person whose words the text reports
            # ("Rektorn: ”…”" over "Eva Lind konstaterade att …").
            names = {r.name for r in out if r.name is not None and self._person(r.name)}
        if len(names) != 1:
            return out
        (only,) = names
        fixed = list(out)
        for n, (c, r) in enumerate(zip(cands, out, strict=True)):
            if r.name is not None:
                break
            if c.inherit and c.type != "indirect":
                fixed[n] = Resolved(only, None, confidence.SOLE_SPEAKER)
        return fixed

    def _organisation(self, name: str) -> bool:
        """A speaker that is an organisation, agency or outlet."""
        ent = self.entities.get(name)
        return (ent is not None and ent.label == "ORG") or is_outlet(name)

    def _person(self, name: str) -> bool:
        """A speaker who is a person: a PER name, never an organisation or outlet."""
        ent = self.entities.get(name)
        return ent is not None and ent.label == "PER" and len(name.split()) >= 2

    def _add_mention(self, name: str, m: Mention | None) -> None:
        """Remember how the text referred to a speaker."""
        ent = self.entities.get(name)
        if ent is not None and m is not None:
            text = " ".join(m.text.split())
            if m.kind in ("name", "title", "org", "description") and text not in ent.mentions:
                ent.mentions.append(text)

    def _inherit(
        self, c: Candidate, prev: tuple[Candidate, Resolved] | None,
        by_group: dict[int, Resolved],
    ) -> Resolved:
        """The speaker of a quote without attribution (continuation, answer)."""
        if c.group in by_group:
            g = by_group[c.group]
            return Resolved(g.name, g.mention, g.confidence)
        # A person introduced just before (the previous paragraph) speaks now:
        # "Tove Lind … håller med om det. ¶ – Vi borde ha börjat tidigare …".
        since = prev[0].end if prev is not None else 0
        para = self._paragraph(c.start)
        between = [
            e for e in self.events
            if since <= e.pos < c.start and e.subject and not e.group
            and para - self._paragraph(e.pos) <= 1 and e.name != ANONYMOUS
        ]
        if between and (prev is None or between[-1].name != prev[1].name):
            return Resolved(between[-1].name, None,
                            confidence.SPEAKER_BY_HOW["inherit"] * confidence.INTRODUCED_FACTOR)
        if between:
            # The previous speaker, named again as a subject just before: however far their
            # last quote ("Men Eva Lind var ändå hoppfull. ¶ – Vi spelade bra …").
            return Resolved(between[-1].name, None, confidence.SPEAKER_BY_HOW["inherit"])
        just_named = self._named_just_before(c, since)
        if just_named is not None and prev is not None and just_named != prev[1].name:
            # A person the sentence right before names, though not as its subject, speaks
            # next in the paragraph: "Two red cards left coach Arthur Penn furious. "…"".
            return Resolved(just_named, None,
                            confidence.SPEAKER_BY_HOW["inherit"] * confidence.INTRODUCED_FACTOR)
        if prev is not None and prev[1].name is not None and c.type != "indirect" and (
            self._organisation(prev[1].name)
        ):
            # An agency or organisation reported, then a person is named: their words follow
            # ("…, rapporterar TT. Bland dem ministern Eva Lind. ¶ – Vi …"), not the agency's.
            named = [
                e for e in self.events
                if since <= e.pos < c.start and not e.group and e.name != ANONYMOUS
                and para - self._paragraph(e.pos) <= 1 and len(e.name.split()) >= 2
            ]
            if named:
                return Resolved(named[-1].name, None, confidence.SPEAKER_BY_HOW["inherit"]
                                * confidence.INTRODUCED_FACTOR)
        if prev is None:
            people = {e.name for e in self.events
                      if e.pos < c.start and not e.group and self._person(e.name)}
            if len(people) == 1 and not c.after_question and c.type != "indirect":
                # The article's first quote, with no attribution, after it has named one
                # person only ("Statsminister Eva Lind. ¶ Ett rykte. ¶ ”…”").
                return Resolved(people.pop(), None, confidence.SPEAKER_BY_HOW["inherit"]
                                * confidence.INTRODUCED_FACTOR)
            if c.after_question:
                # The first answer of an interview: the person the introduction is about.
                intro = [e for e in self.events if e.pos < c.start and e.subject and not e.group]
                if intro:
                    return Resolved(intro[-1].name, None, confidence.SPEAKER_BY_HOW["inherit"]
                                    * confidence.INTERVIEW_FACTOR)
            return Resolved(None, None, 0.0)
        pc, pr = prev
        far = para - self._paragraph(pc.start) > INHERIT_PARAGRAPHS
        if pr.name is None or (far and not c.after_question):
            # An answer after an interviewer's question is the interviewee's, however long
            # the story before it; other quotes that far from any speaker stay unknown.
            return Resolved(None, None, 0.0)
        return Resolved(pr.name, pr.mention, confidence.SPEAKER_BY_HOW["inherit"])

    def _named_just_before(self, c: Candidate, since: int) -> str | None:
        """The one person named in the sentence right before a direct quote that opens its
        sentence, in the quote's paragraph and after the previous quote; None when that
        sentence names nobody, several people or an organisation, or the quote's own
        sentence names someone before it."""
        if c.type != "direct":
            return None
        sent = self._sentence(c.start)
        if sent < 1 or self._paragraph(self.sent_starts[sent - 1]) != self._paragraph(c.start):
            return None
        seen = [e for e in self.events
                if since <= e.pos < c.start and e.sentence in (sent - 1, sent)]
        names = {e.name for e in seen}
        if len(names) != 1 or any(e.sentence == sent or e.group for e in seen):
            return None
        (name,) = names
        return name if name != ANONYMOUS and self._person(name) else None

    def speakers(self, names: Sequence[str | None]) -> list[ExtractedSpeaker]:
        """Records of the entities that speak in this article, in order of first quote."""
        seen: list[str] = []
        for n in names:
            if n is not None and n not in seen:
                seen.append(n)
        out = []
        for n in seen:
            ent = self.entities.get(n) or Speaker(n)
            if n not in ent.mentions:
                ent.mentions.insert(0, n)
            out.append(ent.record())
        return out


@dataclass(frozen=True, slots=True)
class SpeakerDecision:
    """The final speaker of every candidate (in the candidates' order), and the resolver
    that chose them (it knows the article's speakers with their mentions and roles)."""

    resolved: list[Resolved]
    resolver: SpeakerResolver

    def speakers(self, names: Sequence[str | None]) -> list[ExtractedSpeaker]:
        """Records of the speakers among ``names``, in order of first quote."""
        return self.resolver.speakers(names)


#: Receives each decision's article facts and language (training records them).
Recorder = Callable[[ArticleFeatures, str], None]


def decide_speakers(
    candidates: Sequence[Candidate],
    mentions: list[Mention],
    sentences: list[tuple[int, int]],
    paragraphs: list[tuple[int, int]],
    *,
    text: str = "",
    language: str = "",
    chooser: ChooserModel | None = None,
    cue_word: Callable[[str], bool] | None = None,
    record: Recorder | None = None,
) -> SpeakerDecision:
    """The one place where the final speaker of each quote is decided: the quote component
    calls it for its Doc, the Extractor again only for an article of several Docs.

    The rules resolve every candidate's mention (SpeakerResolver); with a trained chooser
    (resolve/chooser.py) and the text, the rules' speaker becomes one candidate among the
    people near the quote and the model picks, with a calibrated confidence."""
    resolver = SpeakerResolver(mentions, sentences, paragraphs, [c.mention for c in candidates],
                               text)
    rule = resolver.resolve(candidates)
    if (chooser is None and record is None) or not text or not candidates:
        return SpeakerDecision(rule, resolver)
    art = ArticleFeatures(text, candidates, rule, mentions, resolver.resolved,
                          _labels(resolver, mentions), sentences, paragraphs,
                          cue_word or (lambda w: False))
    if record is not None:
        record(art, language)
    if chooser is None:
        return SpeakerDecision(rule, resolver)
    choices = quote_choices(art, chooser, language)
    chosen = choose(choices, rule, candidates, chooser,
                    lambda name: _mention_text(resolver, name))
    for name in {r.name for r in chosen if r.name}:
        resolver.entities.setdefault(name, Speaker(name))
    return SpeakerDecision(chosen, resolver)


def _labels(resolver: SpeakerResolver, mentions: Sequence[Mention]) -> dict[str, str]:
    """PER / ORG / LOC of each resolved name: its mentions' majority label, else its entity's."""
    votes: dict[str, Counter[str]] = {}
    for m in mentions:
        name = resolver.resolved.get((m.start, m.end))
        if name is not None and m.label in ("PER", "ORG", "LOC"):
            votes.setdefault(name, Counter())[m.label] += 1
    out = {name: c.most_common(1)[0][0] for name, c in votes.items()}
    for name, ent in resolver.entities.items():
        out.setdefault(name, ent.label if ent.label == "ORG" or len(name.split()) >= 2 else "")
    return out


def _mention_text(resolver: SpeakerResolver, name: str) -> str | None:
    """How the text names a speaker the model chose over the rules' (its first mention)."""
    ent = resolver.entities.get(name)
    return ent.mentions[0] if ent is not None and ent.mentions else name
