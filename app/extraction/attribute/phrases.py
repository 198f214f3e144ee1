"""Speaker phrases around a cue verb: the noun phrase after it (inverted) or before it (subject).

"”…”, sade Sjöstads kommunalråd Eva Lind till reportrar" -> after the cue;
"Lind har tidigare sagt att …" -> before it, past the auxiliary and adverb.
"""

from __future__ import annotations

from app.extraction.lexicon import Lexicon
from app.extraction.model import Mention, MentionKind
from app.extraction.text.view import TextView, Word

#: Punctuation that ends a speaker phrase.
_PHRASE_END = set(",.;:!?()[]–—…") | {"...", "--"}


class Phrases:
    """Finds speaker phrases in a TextView, given its mentions."""

    def __init__(
        self, view: TextView, mentions: list[Mention], syntax: dict[int, int] | None = None
    ) -> None:
        """Index mentions by word; `syntax` maps a cue word to its parsed subject word."""
        self.view = view
        self.mentions = mentions
        self.syntax = syntax or {}
        self.by_word: dict[int, Mention] = {}
        for m in mentions:
            for k in range(m.first_word, m.last_word + 1):
                self.by_word.setdefault(k, m)

    def sentence_words(self, char: int) -> tuple[int, int]:
        """First and last word index of the sentence holding char."""
        s, e = self.view.sentence_of(char)
        return self.view.word_at(s), self.view.word_before(e)

    def _skippable(self, w: Word) -> bool:
        """True for an adverb or auxiliary between a subject and its verb."""
        lex = self.view.lexicon_at(w.start)
        return w.lower in lex.adverbs or w.lower in lex.aux

    def after(self, i: int, limit: int | None = None) -> tuple[Mention | None, int]:
        """The speaker phrase starting at word i (after an inverted cue); and its last word
        (the organisation a spokesperson speaks for: "said a spokesman for Acme")."""
        m, last = self._after(i, limit)
        if m is not None and m.kind in ("generic", "description", "title"):
            return self.spoken_for(m) or m, last
        return m, last

    def _after(self, i: int, limit: int | None = None) -> tuple[Mention | None, int]:
        """after() without the spokesperson check."""
        words, view = self.view.words, self.view
        if i >= len(words):
            return None, i
        lex = view.lexicon_at(words[i].start)
        # "frågar sig tidningens …", "säger också Eva": skip a reflexive or an adverb.
        while i < len(words) and (
            words[i].lower in lex.reflexives or words[i].lower in lex.adverbs
        ) and words[i].lower not in lex.pronouns:
            i += 1
        end = i
        found: list[Mention] = []
        stop = len(words) if limit is None else min(limit, len(words))
        nxt = words[i + 1] if i + 1 < stop else None
        if (
            i < stop
            and words[i].lower in lex.pronouns
            and words[i].lower in lex.determiners
            and nxt is not None
            and nxt.text[:1].islower()
            and nxt.is_alpha_word
            and nxt.lower not in lex.np_stop
        ):
            # "säger de boende vid torget": an article and its noun, no pronoun.
            return self._phrase(i, i + 1, "generic"), i + 1
        while end < stop and end - i < 10:
            w = words[end]
            if w.text in _PHRASE_END or view.is_mark(w) or view.in_quote(w.start):
                break
            m = self.by_word.get(end)
            if m is not None:
                if m.kind in ("pronoun", "first") and found:
                    break
                found.append(m)
                end = m.last_word + 1
                if m.kind in ("pronoun", "first"):
                    break
                continue
            if w.text[:1].islower() and w.lower in lex.np_stop and not (
                w.lower in ("och", "and") and end > i and words[end - 1].text.endswith("-")
            ):
                break  # but "bygg- och miljönämnd" goes on
            if found and not lex.is_title(w.lower) and not (
                lex.behaviour.s_genitive and w.lower.endswith("s")
                and (found[-1].label != "PER" or w.text[:1].isupper())
            ):
                # "Enligt Per Ek kommer …": the phrase ended with the name. A genitive goes
                # on ("Regionens presschef Eva Lind"), a capitalised one even after a person:
                # in "säger AB Nordfrakts ordförande Karin Berg" the tagger may take "AB"
                # for a person, but the phrase names Berg.
                person = self._role_then_person(end, stop) if found[-1].kind != "name" or (
                    w.lower in ("'s", "’s")) else None
                if person is not None:
                    # "said Acme astronomer Jane Roe", "writes Roe's long-time partner Tom
                    # Berg": a role noun the title list lacks, then the person it names.
                    found.append(person)
                    end = person.last_word + 1
                    continue
                break
            role_noun = end == i and w.text[:1].islower() and lex.cue_lemma(w.lower) is None and (
                (nx := self.by_word.get(end + 1)) is not None and nx.kind == "name")
            if not lex.is_title(w.lower) and not role_noun and (
                w.pos in ("VERB", "AUX")
                or (lex.cue_lemma(w.lower) is not None and end > i)
            ):
                # A verb ends the phrase; a title never does, whatever the tagger says, nor
                # a role noun before a name the tagger took for a verb ("eyewitness X").
                break
            end += 1
        if end == i:
            return None, i
        names = [m for m in found if m.kind == "name"]
        if names:
            return names[-1], end - 1
        if found:
            return found[0], end - 1
        first = words[i]
        if first.lower in lex.generic_determiners:
            named = self._introduced_name(end, lex)
            if named is not None:
                return named, named.last_word
            return self._phrase(i, end - 1, "generic"), end - 1
        if end - i <= 5 and any(w.is_alpha_word and w.lower not in lex.determiners
                                for w in words[i:end]):
            return self._phrase(i, end - 1, "description"), end - 1
        return None, end - 1

    def _role_then_person(self, k: int, stop: int) -> Mention | None:
        """A person named within a few role words from word k ("astronomer Jane Roe",
        "'s long-time partner Tom Berg"), else None: punctuation, a verb or a preposition
        ends the search."""
        words, view = self.view.words, self.view
        lex = view.lexicon_at(words[k].start) if k < len(words) else None
        for j in range(k, min(k + 6, stop)):
            m = self.by_word.get(j)
            if m is not None:
                return m if m.kind == "name" and m.label in ("PER", "") and (
                    len(m.text.split()) >= 2 or m.label == "PER") else None
            w = words[j]
            if w.text in _PHRASE_END or view.is_mark(w) or view.in_quote(w.start) or (
                w.pos in ("VERB", "AUX", "ADP", "PRON", "DET")
                or (lex is not None and w.lower in lex.np_stop)
            ):
                return None
        return None

    def _introduced_name(self, k: int, lex: Lexicon) -> Mention | None:
        """"a tenant using the pseudonym Robin": the name after a name introducer."""
        words = self.view.words
        for c in range(k, min(k + 6, len(words) - 1)):
            if words[c].text in _PHRASE_END:
                return None
            if words[c].lower in lex.name_introducers:
                m = self.by_word.get(c + 1)
                return m if m is not None and m.kind == "name" else None
        return None

    def _phrase(self, a: int, b: int, kind: MentionKind) -> Mention:
        """A mention for the words a..b that no name finder saw."""
        words = self.view.words
        start, end = words[a].start, words[b].end
        return Mention(start, end, self.view.text[start:end], kind, "", None, a, b)

    def before(self, i: int, sent_first: int) -> Mention | None:
        """The subject of the cue at word i: the phrase just before it, or the clause subject
        (the person an organisation's phrase is about: "Jane Roe of Acme said")."""
        body = self._group_body(i, sent_first)
        if body is not None:
            return body
        m = self._before(i, sent_first)
        if m is not None and m.kind in ("name", "org"):
            return self._affiliated_person(m, sent_first) or self._apposed_person(
                m, i, sent_first) or m
        if m is not None and m.kind in ("generic", "description", "title"):
            return self.spoken_for(m) or m
        return m

    def _group_body(self, i: int, sent_first: int) -> Mention | None:
        """The body a plural of its people speaks for, right before the cue at word i:
        "representatives from Norland acknowledged", "Officials of the Port Authority said",
        "företrädare för Norland medgav" (GUIDELINES point 3: the body, a country as its
        government); None for any other phrase."""
        words = self.view.words
        k = i - 1
        while k > sent_first and self._skippable(words[k]) and k not in self.by_word:
            k -= 1
        m = self.by_word.get(k)
        if m is None or m.last_word != k or m.kind not in ("name", "org"):
            return None
        lex = self.view.lexicon_at(words[k].start)
        p = m.first_word - 1
        if p > sent_first and words[p].lower in lex.definite_articles:
            p -= 1
        if p - 1 < sent_first or words[p].lower not in lex.group_prepositions or (
            words[p - 1].lower not in lex.group_nouns
        ):
            return None
        return m

    def spoken_for(self, m: Mention) -> Mention | None:
        """The organisation an unnamed spokesperson speaks for ("a Hampshire Police
        spokesman", "an Acme spokesperson", "a spokesperson for the Eastbay council"), and
        who issued a document ("an Acme press release", "Roe's statement", "the opinion of
        the Court"); None when the phrase names neither."""
        words, view = self.view.words, self.view
        lex = view.lexicon_at(m.start)
        head = words[m.last_word].lower
        document = head in lex.document_nouns
        generic = head in lex.generic_speakers
        if head not in lex.spokesperson_nouns and not document and not generic:
            return None
        inside = [x for x in self.mentions
                  if m.first_word <= x.first_word and x.last_word < m.last_word
                  and x.kind in ("org", "name") and x.label != "LOC"
                  and (document or x.label != "PER")]
        if generic and not inside and m.first_word > 0:
            # "Health Ministry officials said": the body named right before the plural
            # (not a nationality, a place or a lone capitalised "Hospital officials").
            x = self.by_word.get(m.first_word - 1)
            if x is not None and x.kind == "org" and x.label == "ORG" and not (
                x.first_word == x.last_word and lex.is_org_word(words[x.first_word].text)
            ):
                inside = [x]
        if inside:
            return inside[-1]
        k = m.last_word + 1
        if document and k + 1 < len(words) and words[k].pos == "VERB" and (
            words[k + 1].lower == "by"
        ):
            k += 1  # "a statement released by Acme"
        if k + 1 < len(words) and words[k].lower in lex.affiliation_prepositions | {"for", "by"}:
            k += 1
            if words[k].lower in lex.definite_articles:
                k += 1
            found = self.by_word.get(k)
            if found is not None and found.kind in ("org", "name") and found.label != "LOC" and (
                document or found.label != "PER"
            ):
                return found
        return None

    def owner_of(self, k: int) -> Mention | None:
        """Who owns the document or spokesperson noun at word k ("Acme's statement", "the
        Water Board's latest bulletin", "Acme Corp's spokesperson"): the organisation or name
        before the "'s", a word or two of adjectives between; else None."""
        words, view = self.view.words, self.view
        lex = view.lexicon_at(words[k].start)
        if words[k].lower not in lex.document_nouns and words[k].lower not in (
            lex.spokesperson_nouns
        ):
            return None
        j = k - 1
        while j > k - 3 and j >= 0 and words[j].text[:1].islower() and words[j].is_alpha_word:
            j -= 1
        if j < 1 or words[j].lower not in ("'s", "’s") or words[j].start != words[j - 1].end:
            return None
        owner = self.by_word.get(j - 1)
        if owner is None or owner.kind not in ("org", "name") or owner.label == "LOC":
            return None
        return owner

    def _affiliated_person(self, m: Mention, sent_first: int) -> Mention | None:
        """"Jane Roe of the victims' group Acme (said)": the person before "of" whose
        organisation ``m`` is, else None."""
        words, view = self.view.words, self.view
        lex = view.lexicon_at(words[m.first_word].start)
        if not lex.affiliation_prepositions:
            return None
        k = m.first_word - 1
        while k > sent_first and m.first_word - k <= 6:
            w = words[k]
            if w.lower in lex.affiliation_prepositions:
                person = self.by_word.get(k - 1)
                if person is not None and person.kind == "name" and person.label == "PER":
                    return person
                return None
            if w.text in _PHRASE_END or view.is_mark(w) or w.pos in ("VERB", "AUX") or (
                k in self.by_word and self.by_word[k].kind in ("name", "pronoun")
            ):
                return None
            k -= 1
        return None

    def _apposed_person(self, m: Mention, i: int, sent_first: int) -> Mention | None:
        """"Jane Roe, director of the Acme Institute that ran the trial, said": the person
        whose role the phrase between the commas gives, else None."""
        words, view = self.view.words, self.view
        if i < 1 or words[i - 1].text != "," or m.last_word >= i - 1:
            return None
        lex = view.lexicon_at(words[i].start)
        for k in range(m.first_word - 1, max(sent_first, m.first_word - 12), -1):
            w = words[k]
            if view.is_mark(w) or w.text in (";", ":", "(", ")"):
                return None
            if w.text != ",":
                continue
            role = words[k + 1]
            person = self.by_word.get(k - 1)
            titled = lex.is_title(role.lower) or (
                role.lower in lex.determiners and k + 2 < i and lex.is_title(words[k + 2].lower))
            if titled and person is not None and person.kind == "name" and (
                person.label == "PER"
            ):
                return person
            return None
        return None

    def _before(self, i: int, sent_first: int) -> Mention | None:
        """before() without the affiliation check."""
        words = self.view.words
        parsed = self.syntax.get(i)
        if parsed is not None and parsed < i:
            m = self.by_word.get(parsed)
            if m is not None and m.kind == "title":
                # "The deputy mayor, John Reed, said": the title's apposition names him.
                appos = [
                    self.by_word[w.i] for w in words
                    if w.head == parsed and w.dep == "appos" and w.i in self.by_word
                ]
                m = appos[0] if appos and appos[0].kind == "name" else None
            if m is not None and m.kind in ("name", "org") and m.label != "PER":
                # "Harbour Council leader Mary Stone said": the parser may head the
                # phrase with the place or organisation; the person named right before the
                # verb, in the same phrase, is who speaks.
                m = self._person_ending_phrase(m, i) or m
            if m is not None:
                return m  # the parser's nsubj: "Mary Stone, the head of the council, said"
            unnamed = self._unnamed_subject(parsed, sent_first)
            if unnamed is not None:
                return unnamed  # "Tre grannar som sett Per Ek har uppgett": not Ek
        k = i - 1
        while k >= sent_first and (
            self._skippable(words[k]) or words[k].text == ")"
        ) and k not in self.by_word:
            if words[k].text == ")":
                # "Karin Berg (S) kallade": skip a party or age in brackets.
                opening = next((j for j in range(k - 1, max(sent_first, k - 5) - 1, -1)
                                if words[j].text == "("), None)
                if opening is None:
                    break
                k = opening
            k -= 1
        if k < sent_first:
            return None
        w = words[k]
        m = self.by_word.get(k)
        if m is not None:
            return self._not_oblique(m, sent_first)
        owner = self.owner_of(k)
        if owner is not None:
            return owner  # "The Brantford Water Board's statement said"
        m = self._before_phrase(k, sent_first)
        if m is not None:
            return m  # "Polisen i Sjöstad uppger", "25-åringen i sina brev berättar"
        lex = self.view.lexicon_at(w.start)
        if w.text == "," and k - 1 >= sent_first:
            # "The chair of the tenants' union, John Reed, said": the apposition.
            app = self.by_word.get(k - 1)
            before_app = words[app.first_word - 1].lower if app and app.first_word > 0 else ""
            if app is not None and app.kind == "name" and app.label == "PER" and (
                app.last_word == k - 1
            ) and before_app not in ("of", "för", "i", "vid", "at", "in"):
                return app  # not "the head of the port authority of Eastbay, announced"
        if w.lower in lex.temporal_prepositions:
            # "where Dr. Anna Holm was met … upon announcing": the nearest subject.
            near = [
                m for k2, m in self.by_word.items()
                if sent_first <= k2 < i and m.subject and m.kind in ("name", "pronoun", "title")
            ]
            return max(near, key=lambda m: m.first_word) if near else None
        if w.text == ",":
            # "…, while Brightmart, in a post on Tuesday, called it "…"": the name before
            # a prepositional aside is the verb's subject, not the sentence's first name.
            aside = self._before_aside(k, sent_first)
            if aside is not None:
                return aside
        if w.text == "," or w.lower in lex.clause_links:
            # "… och sade till reportrar", "She went on to say": the clause's subject.
            return self.clause_subject(sent_first, i)
        if w.is_alpha_word and w.text[:1].islower() and not w.is_stop:
            # "The tenants claimed", "Bolagets jurist hävdade": a short descriptive subject.
            a = k
            while a - 1 >= sent_first and k - a < 3:
                prev = words[a - 1]
                if prev.lower in lex.definite_articles:
                    a -= 1
                    break
                if not prev.is_alpha_word or prev.lower in lex.np_stop or self.view.is_mark(prev):
                    break
                a -= 1
            if any(
                words[x].lower in lex.np_stop or words[x].lower in lex.partitive_prepositions
                for x in range(max(sent_first, a - 2), a)
            ):
                # "I det här ärendet menar kommunen": a fronted phrase; "The head of the
                # inquiry told": the description is longer than we can name.
                return None
            if words[a].lower in lex.numerals or words[a].lower in lex.generic_determiners:
                return self._phrase(a, k, "generic")  # "Tre grannar hade yrkat"
            quant = a - 2 >= sent_first and words[a - 1].lower in lex.partitive_prepositions and (
                words[a - 2].lower in lex.generic_determiners
            )
            if quant:
                return self._phrase(a - 2, k, "generic")  # "Some of the tenants … said"
            if words[a].lower in lex.definite_articles or a == sent_first:
                return self._phrase(a, k, "description")
        return None

    def _unnamed_subject(self, parsed: int, sent_first: int) -> Mention | None:
        """The parser's subject when it is a common noun with a number or an indefinite
        determiner before it ("Tre grannar", "Flera elever"): someone the text does not name,
        whoever is mentioned between it and the verb."""
        words = self.view.words
        if words[parsed].pos != "NOUN" or not words[parsed].text[:1].islower():
            return None
        lex = self.view.lexicon_at(words[parsed].start)
        a = parsed
        while a - 1 >= sent_first and parsed - a < 3 and words[a - 1].pos in ("DET", "NUM", "ADJ"):
            a -= 1
        first = words[a]
        if a == parsed or not (
            first.lower in lex.numerals or first.lower in lex.generic_determiners
            or first.text.isdigit()
        ):
            return None
        return self._phrase(a, parsed, "generic")

    def _before_aside(self, k: int, sent_first: int) -> Mention | None:
        """The name or organisation before an aside between commas that ends at word k (the
        comma before the cue): "Brightmart, in a post on Tuesday, called", "Eva Lund, i ett
        inlägg i går, kallade"; the aside opens with a preposition and has no verb, pronoun
        or quotation in it (a name in it is the preposition's: "in a Facebook post"). None
        when there is no such aside."""
        words, view = self.view.words, self.view
        for j in range(k - 1, max(sent_first, k - 9) - 1, -1):
            w = words[j]
            if w.text != ",":
                inside = self.by_word.get(j)
                if w.pos in ("VERB", "AUX") or w.text in _PHRASE_END or view.is_mark(w) or (
                    view.in_quote(w.start) or (inside is not None and inside.kind == "pronoun")
                ):
                    return None
                continue
            if j + 1 >= k or words[j + 1].pos != "ADP" or j - 1 < sent_first:
                return None
            m = self.by_word.get(j - 1)
            if m is None or m.last_word != j - 1 or m.kind not in ("name", "org") or (
                m.label == "LOC"
            ):
                return None
            return self._not_oblique(m, sent_first)
        return None

    def _before_phrase(self, k: int, sent_first: int) -> Mention | None:
        """The subject before a short prepositional phrase that ends at word k (parsed
        text): "Polisen i Sjöstad uppger", "25-åringen i sina brev berättar"."""
        words = self.view.words
        if not self.view.has_parse:
            return None
        for p in range(k, max(sent_first, k - 3) - 1, -1):
            w = words[p]
            if w.pos == "ADP":
                head = self.by_word.get(p - 1)
                if p == k or head is None or head.kind not in ("name", "org") or (
                    head.label == "LOC" or not (head.first_word == sent_first or head.subject)
                ):
                    return None  # (not "The head of the inquiry told": that is nobody named)
                return head
            lex = self.view.lexicon_at(w.start)
            noun = w.pos in ("NOUN", "PROPN", "ADJ", "DET", "NUM") or (
                # the tagger's verb after the preposition ("i mejlen") is its noun
                p == k and words[p - 1].pos == "ADP" and w.text[:1].islower()
                and w.lower not in lex.aux and self.view.cue_at(p) is None
            )
            if not noun or (p in self.by_word and self.by_word[p].kind == "pronoun"):
                return None
        return None

    def _not_oblique(self, m: Mention, sent_first: int) -> Mention | None:
        """A mention after a preposition is no subject: "I Sjöstad säger polisen …" (the
        subject follows the verb), but "Polisen i Sjöstad uppger …" is the police's."""
        words = self.view.words
        p = m.first_word - 1
        if p < sent_first or words[p].pos != "ADP":
            return m
        head = self.by_word.get(p - 1)
        if head is not None and head.kind != "pronoun" and head.label != "LOC" and (
            head.first_word == sent_first or head.subject
        ):
            return head
        return None

    def _person_ending_phrase(self, head: Mention, i: int) -> Mention | None:
        """The person's name that ends the phrase ``head`` starts, just before the cue at word
        ``i`` (no punctuation, verb or quotation in between), else None."""
        words = self.view.words
        k = i - 1
        while k > head.last_word and self._skippable(words[k]) and k not in self.by_word:
            k -= 1
        near = self.by_word.get(k)
        if near is None or near.kind != "name" or near.label != "PER" or (
            near.first_word <= head.last_word or near.first_word - head.last_word > 8
        ):
            return None
        for w in words[head.last_word + 1 : near.first_word]:
            verb = w.pos in ("VERB", "AUX") and not self.view.lexicon_at(w.start).is_title(
                w.lower)
            if w.text in _PHRASE_END or self.view.is_mark(w) or verb:
                return None
        return near

    def _body_before(self, sent_first: int) -> Mention | None:
        """The organisation that is the subject of the sentence before word sent_first, if
        any."""
        view = self.view
        if sent_first == 0:
            return None
        first, _ = self.sentence_words(view.words[sent_first - 1].start)
        for m in self.mentions:
            if first <= m.first_word < sent_first and m.subject and (
                m.kind == "org" or (m.kind == "name" and m.label == "ORG")
            ):
                return m
        return None

    def clause_subject(self, sent_first: int, before: int) -> Mention | None:
        """The first mention of the sentence before word `before`, preferring a name."""
        words = self.view.words
        cands = [
            self.by_word[k]
            for k in range(sent_first, before)
            if k in self.by_word and self.by_word[k].first_word == k
            and not (k > sent_first and words[k - 1].pos == "ADP")  # "i Sjöstad": no subject
        ]
        lex = self.view.lexicon_at(words[sent_first].start)
        k = sent_first
        while k < before and (words[k].lower in lex.adverbs or self.view.is_mark(words[k])):
            k += 1
        if k < before and words[k].lower in lex.generic_determiners and k not in self.by_word:
            return None  # "A neighbour described …, stating": nobody we can name
        if k + 1 < before and words[k].lower in lex.body_pronouns and k not in self.by_word and (
            words[k + 1].lower not in lex.copulas
        ):
            # "NASA paused its coverage. It also credited Petrov …, noting "…"": the body
            # the sentence before has as subject, not the name after the verb.
            return self._body_before(sent_first)
        outside = sum(
            1 for x in range(sent_first, cands[0].first_word if cands else sent_first)
            if not self.view.in_quote(words[x].start)
        )
        if not cands or outside > 6:
            return None  # the subject comes early; a later name is an object
        first = cands[0]
        if first.kind in ("title", "org") or first.label == "LOC":
            # "The council's deputy leader, John Reed, said": the apposition's name;
            # "The mayor of Eastbay, Mary Stone, wrote": not the "of" complement.
            for m in cands[1:4]:
                prev = words[m.first_word - 1] if m.first_word > 0 else None
                if (
                    m.kind == "name"
                    and m.label == "PER"
                    and m.first_word - first.last_word <= 10
                    and not (prev is not None and prev.lower in ("of", "för", "i", "vid"))
                ):
                    return m
        return first
