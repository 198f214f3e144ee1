"""Attributed sentences without marks: "…, säger X." / "Det säger X." / "Enligt X …" /
"…, according to The Courier." — direct when a lead paragraph speaks in the speaker's words,
indirect (the reporter's paraphrase) otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction import confidence
from app.extraction.attribute.clauses import ClauseRules
from app.extraction.model import Candidate, How, Mention, QuoteKind
from app.extraction.text.view import Cue, Word

#: Relative pronouns: "…, according to the reporters who were there." names the source.
_RELATIVE = frozenset({"som", "who", "which", "where", "when"})
#: Relative pronouns that open an aside about a source: "According to X, who …, the …".
_ASIDE_RELATIVE = frozenset({"som", "who", "which"})


class UnmarkedSentences(ClauseRules):
    """Finds attributed sentences that carry no quotation marks."""

    def find(self, si: int, s: int, e: int) -> list[Candidate]:
        """Unmarked attributed sentences: "Det säger X", "Enligt X …", "…, säger X"."""
        view, ph = self.view, self.ph
        words = view.words
        first, last = view.word_at(s), view.word_before(e)
        if first > last:
            return []
        lex = view.lexicon_at(s)
        w0 = words[first]
        # "Det säger Olle Falk": the previous sentence is what Falk says.
        if w0.lower in lex.anaphoric_subjects and first + 1 <= last:
            cue = view.cue_at(first + 1)
            if cue is not None and cue.lemma not in lex.post_quote_only:
                # (not "Det börjar likna …": a verb that only follows a quote reports nothing)
                m, end_w = ph.after(first + 2)
                ends = end_w + 1 > last or words[end_w + 1].text in (",", ".", "!", "?") or (
                    words[end_w + 1].lower in lex.np_stop  # "… Olle Falk i en kommentar"
                )
                if m is not None and m.kind != "first" and ends and si > 0:
                    ps, pe = view.sentences[si - 1]
                    span = self._span(ps, pe)
                    if span is not None and not view.quote_between(ps, pe) and not (
                        self._reports(ps, pe)
                    ):
                        return [self._cand(span, m, cue.word.text, "inverted",
                                                   confidence.PREVIOUS_SENTENCE)]
        # "Enligt Karin Berg får vi …" / "According to X, …"
        for seq in lex.according_from(w0.lower):
            n = len(seq)
            if [w.lower for w in words[first : first + n]] == list(seq):
                m, end_w = ph.after(first + n)
                end_w = _past_parenthesis(words, end_w, last)  # "According to X (XO), …"
                if m is None or (end_w < last and words[end_w + 1].text != ","
                                 and not lex.behaviour.v2_inversion):
                    # "According to X of the Y, …", "According to a report by X, …",
                    # "According to officials on Saturday, …": the source's phrase runs on
                    # to the first comma, with no verb of its own.
                    end_w = self._source_end(first + n, last, end_w)
                    m = self._source_mention(first + n, end_w) or m
                if (
                    end_w < last
                    and (words[end_w + 1].text == "," or lex.behaviour.v2_inversion)
                ):
                    # "According to the Courier and the Post, …" (two sources) does not get here;
                    # Swedish puts the verb right after: "Enligt Karin Berg får vi …".
                    a = words[end_w].end
                    if words[end_w + 1].text == ",":
                        a = words[end_w + 1].end
                        # "According to Ann Reid, the board's spokeswoman, the …": an aside
                        # about the source is no part of what it reports
                        aside = self._source_aside(end_w + 2, last)
                        if aside is not None:
                            a = words[aside].end
                    b = self._tail_start(end_w + 1, last, e)  # "…: "quote"", "…; …"
                    span = self._span(a, b)
                    if span is not None and not view.quote_between(a, b):
                        return [self._cand(span, m, words[first].text, "according",
                                                   confidence.ACCORDING_TO)]
        if view.quote_between(s, e):
            return []
        stated = self._colon_statement(s, e, first, last)
        if stated is not None:
            return [stated]
        # "…, säger X." / "…, enligt Kuriren." / "…, according to The Courier." / "…, police said."
        for c in range(first + 2, last + 1):
            source = next((q for q in lex.according_to
                           if [w.lower for w in words[c : c + len(q)]] == list(q)), ()) if (
                words[c].lower in lex.according_first) else ()
            if source:
                found_all = self._trailing_source(s, e, c, len(source), last)
                if found_all is not None:
                    return found_all
            if words[c - 1].text != ",":
                continue
            cue = view.cue_at(c)
            m = None
            how: How = "inverted"
            cue_text: str | None = None
            if cue is not None and cue.lemma not in lex.naming_verbs:
                m, end_w = ph.after(c + 1)
                cue_text = cue.word.text
                nxt = words[end_w + 1] if end_w + 1 <= last else None
                if m is not None and nxt is not None and nxt.is_alpha_word and (
                    nxt.lower not in lex.np_stop
                ):
                    m = None  # "Mary Stone, 52, said she had …": a clause, not "said X."
                elif m is not None and not lex.behaviour.v2_inversion and (
                    (nxt is not None and self._has_verb(nxt.start, e))
                    or not self._has_verb(s, words[c - 1].start)
                ):
                    # "Reuters, citing sources, reported both output and exports had
                    # fallen": the words after the verb are a clause, not its speaker;
                    # "Yesterday, Tom Hale, the mayor, announced a budget": no report before.
                    m = None
            elif not source and lex.behaviour.trailing_subject_cue:
                mm = ph.by_word.get(c)
                if mm is not None and view.cue_at(mm.last_word + 1) is not None:
                    m, how = mm, "subject"
                    cue_text = words[mm.last_word + 1].text
                else:
                    closing = self._closing_attribution(s, e, c, last)
                    if closing is not None:
                        return [closing]
            if m is None or cue_text is None or not self._speaker_like(m, c):
                continue
            rest = self._continuation(m.last_word + 2, last, e) if how == "subject" else None
            if how == "subject" and rest is None and not self._has_verb(s, words[c - 1].start):
                continue  # "A few days later, on July 2, Mary Stone announced …": no clause
            after = m.last_word + 2  # the word after the cue
            if how == "subject" and rest is None and after <= last and (
                words[after].text != "," and self._finite_from(after, last)
            ):
                continue  # "While few of them were fans at first, Ana Tell said she …": the
                # cue reports the clause after it, the words before the comma set the scene
            if how == "subject" and rest is None and after + 1 <= last and (
                words[after].text == "," and words[after + 1].lower in lex.complementizers
            ):
                continue  # "… — suggesting, experts noted, that the outbreak …": the cue
                # reports the that-clause after it, not the words before the comma
            if how == "subject" and rest is None and self._own_complement(after - 1, last):
                continue  # "While …, Kerr recalled meeting the coach": the verb has its own
            if rest is not None:
                # "Some 50 litres of oil, officials said, spilled into the river": the
                # reported clause is cut in two by its attribution; both halves are reported.
                cut = words[c - 1].start
                head = self._span(self._after_semicolon(s, cut), cut)
                halves = [x for x in (head, self._span(*rest)) if x is not None]
                return [self._cand(x, m, cue_text, how, confidence.ATTRIBUTED_SENTENCE)
                        for x in halves]
            lead_start = self._after_semicolon(s, words[c - 1].start)
            if self._subordinate_only(lead_start, c - 1):
                continue  # "While few of them were fans at first, Kerr recalled …": a
                # subordinate clause alone sets the scene, it states nothing
            found = self._lead_or_report(lead_start, words[c - 1].start, m, cue_text, how, cue)
            if found is not None and found.type != "direct" and cue is not None and (
                cue.lemma in lex.post_quote_only
            ):
                return []  # "…, fortsätter hon." goes on with a quote, it reports nothing itself
            return [found] if found is not None else []
        return []

    def _closing_attribution(self, s: int, e: int, c: int, last: int) -> Candidate | None:
        """"…, her daughter Ann Lowe announced.", "…, council officials stated on Monday.": a
        noun phrase after the comma at word c - 1 whose speech verb closes the sentence (only
        a time or a "in a statement" phrase after it). The noun phrase's last name or
        organisation speaks; a generic one ("officials") leaves the speaker unknown."""
        view, words = self.view, self.view.words
        lex = view.lexicon_at(words[c].start)
        if not view.has_parse or words[c].lower in _RELATIVE or words[c].lower in (
            "that", "what"
        ) or words[c].pos not in ("DET", "PRON", "NOUN", "PROPN", "ADJ"):
            return None  # (not "…, who argued …", "…, which revealed …": a relative clause)
        for j in range(c + 1, min(c + 9, last + 1)):
            w = words[j]
            cue = view.cue_at(j)
            if cue is not None:
                if cue.lemma not in lex.indirect_verbs or lex.cue_lemma(
                        words[j - 1].lower) is not None or self._finite_from(j + 1, last):
                    return None  # "…, the mayor said she …": a clause of its own follows
                if not self._has_verb(s, words[c - 1].start):
                    return None  # "Yesterday, the mayor announced.": nothing reported
                inside = [m for m in self.ph.mentions if c <= m.first_word and m.last_word < j
                          and m.kind in ("name", "org", "title", "pronoun")]
                m = inside[-1] if inside else None
                return self._lead_or_report(self._after_semicolon(s, words[c - 1].start),
                                            words[c - 1].start, m, w.text, "subject", cue)
            if not (w.is_alpha_word or w.text in ("'s", "’s", "(", ")", "-")) or (
                w.pos in ("VERB", "AUX") or view.in_quote(w.start) or w.lower in lex.np_stop
            ):
                return None
        return None

    def _trailing_source(self, s: int, e: int, c: int, n: int, last: int
                         ) -> list[Candidate] | None:
        """"…, according to X." at word c (X any source phrase, named or not: "according to
        firefighters" is reported too, its speaker unknown); "The plan, according to X, will
        cost …" gives both halves. None when no source phrase without a verb follows."""
        view, words = self.view, self.view.words
        i = c + n
        if words[c - 1].pos == "CCONJ" and view.lexicon_at(words[c].start).behaviour.v2_inversion:
            # "…, men enligt facket hade maskinerna …": the verb follows the source at once
            src, src_last = self.ph.after(i)
            if src is None or src_last >= last or words[src_last + 1].pos not in ("VERB", "AUX"):
                return None
            span = self._span(words[src_last + 1].start, self._tail_start(src_last + 1, last, e))
            return [] if span is None else [
                self._cand(span, src, words[c].text, "according", confidence.ACCORDING_TO)]
        src_end = self._source_end(i, last, -1)
        if src_end < 0:
            return None
        m, _ = self.ph.after(i)
        if m is not None and (m.last_word > src_end or m.kind == "first"):
            m = None
        if m is None or m.kind in ("description", "generic"):
            m = self._source_mention(i, src_end) or m
        cue_text = words[c].text
        comma = words[c - 1].text == ","
        # "…, but, according to X, the machines had failed": the conjunction ends the
        # reporter's own clause; only the clause after the source is reported.
        linked = words[c - 2 if comma else c - 1].pos == "CCONJ"
        if not comma and not linked and view.lexicon_at(words[c].start).behaviour.v2_inversion:
            return None  # "… från nyår enligt SKL:s indelning": "in keeping with", no source
        head_end = words[c - 1].start if comma else words[c].start
        rest: tuple[int, int] | None = None
        if src_end < last and (comma or linked):
            after = src_end + 2  # past the comma
            nxt = words[after] if after <= last else None
            if nxt is not None and nxt.lower not in _RELATIVE and (
                nxt.pos != "VERB" or nxt.lower in view.lexicon_at(nxt.start).aux
            ) and self._has_verb(nxt.start, e):
                rest = self._span(nxt.start, e)
        opener = words[view.word_at(s)]
        found: Candidate | None = None
        if opener.pos == "ADP" and not self._has_verb(s, head_end):
            pass  # "On Sunday in London, according to X, a man …": a time or place phrase
        elif linked:
            pass
        elif rest is not None:
            head = self._span(self._after_semicolon(s, head_end), head_end)  # "The plan, according
                # to X, will cost …"
            if head is not None:
                found = self._cand(head, m, cue_text, "according", confidence.ACCORDING_TO)
        else:
            lead = self._after_semicolon(s, head_end)
            if not comma:
                lead = self._relative_before(lead, c)
                first_w = words[view.word_at(lead)]
                if src_end < last and first_w.lower in view.lexicon_at(lead).subordinators:
                    # "While few own one according to X, most …": the source credits the
                    # subordinate clause it closes, without its subordinator (section 1:
                    # the reported clause only); the main clause after it is the reporter's
                    lead = words[first_w.i + 1].start
            found = self._lead_or_report(lead, head_end, m, cue_text, "according", None)
        out = [] if found is None else [found]
        if rest is not None:
            out.append(self._cand(rest, m, cue_text, "according", confidence.ACCORDING_TO))
        return out

    def _past_connective(self, a: int, end: int) -> int:
        """Past a connective that opens the reporter's sentence at offset ``a`` ("But",
        "Men", "However,"): it links the sentence to the one before and is no part of what
        the source said (GUIDELINES decision 26)."""
        view, words = self.view, self.view.words
        k = view.word_at(a)
        if k + 2 >= len(words) or words[k].end > end:
            return a
        w, nxt = words[k], words[k + 1]
        lex = view.lexicon_at(w.start)
        linking = w.lower in lex.and_words or (w.lower in lex.clause_links and w.pos == "CCONJ")
        if (linking or (w.lower in lex.connectives and nxt.text == ",")) and w.is_cap:
            return words[k + 2].start if nxt.text == "," else nxt.start
        return a

    def _relative_before(self, a: int, c: int) -> int:
        """Where the words a source at word c credits begin, when they are a relative clause
        it closes without a comma ("… apologised, which the mayor accepted according to X"):
        after the relative pronoun (GUIDELINES decision 14, the reported predicate only);
        else ``a``. A relative clause closed by a comma is an aside, and the source then
        credits the whole sentence."""
        view, words = self.view, self.view.words
        for k in range(c - 1, view.word_at(a), -1):
            w = words[k]
            if w.text == "," or view.is_mark(w) or view.in_quote(w.start):
                break
            if w.lower in _ASIDE_RELATIVE and words[k - 1].text == "," and k + 1 < c:
                return words[k + 1].start
        return a

    def _source_mention(self, i: int, end: int) -> Mention | None:
        """Who a source phrase (words i..end) names: its first person ("ecologist Jane Roe of
        the Acme Institute"), else its first organisation ("a report by Acme")."""
        inside = [m for m in self.ph.mentions if i <= m.first_word and m.last_word <= end]
        for kinds in (("name",), ("org",)):
            found = [m for m in inside if m.kind in kinds and m.label != "LOC"]
            if found:
                return found[0]
        return None

    def _continuation(self, j: int, last: int, e: int) -> tuple[int, int] | None:
        """The rest of a sentence after ", X said," when it goes on with a verb of the
        reported clause (word j is the comma after the cue), else None."""
        words = self.view.words
        if j + 1 > last or words[j].text != ",":
            return None
        nxt = words[j + 1]
        if nxt.lower in ("who", "which", "where", "when", "that") or not nxt.is_alpha_word:
            return None
        if not self.view.has_parse or not (
            nxt.pos in ("VERB", "AUX", "ADV", "PART") and self._has_verb(nxt.start, e)
        ):
            return None  # a new subject or a participle phrase is no continuation
        if nxt.pos == "VERB" and nxt.lower.endswith("ing"):
            return None  # "…, police said, adding that …"
        return nxt.start, e

    def _subordinate_only(self, a: int, comma: int) -> bool:
        """Whether the words from offset ``a`` to the comma at word ``comma`` are one
        subordinate clause: opened by a subordinator ("while", "although", "medan"), with no
        comma of their own after which a main clause could stand."""
        view, words = self.view, self.view.words
        k = view.word_at(a)
        if k >= comma:
            return False
        lex = view.lexicon_at(words[k].start)
        return words[k].lower in lex.subordinators and not any(
            w.text == "," for w in words[k + 1 : comma])

    def _own_complement(self, cue: int, last: int) -> bool:
        """Whether the cue at word `cue` goes on with a complement of its own: an -ing form
        ("recalled meeting …") or a common noun as its object ("described the trip"), so the
        words before it are no reported clause (an addressee, "told reporters", is no object
        of this kind)."""
        view = self.view
        if not view.has_parse or cue + 1 > last:
            return False
        words = view.words
        lex = view.lexicon_at(words[cue].start)
        nxt = words[cue + 1]
        if nxt.pos == "VERB" and nxt.lower.endswith("ing") and len(nxt.lower) > 5:
            return True
        if lex.cue_lemma(words[cue].lower) in lex.object_verbs:
            return False
        return any(
            w.head == cue and w.dep in ("obj", "dobj") and w.pos == "NOUN"
            and w.lower not in lex.time_nouns
            for w in words[cue + 1 : min(cue + 4, last + 1)]
        )

    def _finite_from(self, j: int, last: int) -> bool:
        """Whether words j..last hold a verb that can head a clause (an auxiliary or a verb
        not in -ing: ", citing falling sales" is the reporter's participle phrase)."""
        return any(w.pos == "AUX" or (w.pos == "VERB" and not w.lower.endswith("ing"))
                   for w in self.view.words[j : last + 1])

    def _has_verb(self, a: int, b: int) -> bool:
        """Whether [a, b) holds a verb (True without a parse: nothing to tell by)."""
        view = self.view
        if not view.has_parse:
            return True
        return any(w.pos in ("VERB", "AUX") for w in view.words[view.word_at(a) :
                                                                  view.word_before(b) + 1])

    def _source_aside(self, i: int, last: int) -> int | None:
        """The comma that closes an aside about a source right after "According to X,": a
        relative clause ("who chairs the panel,", "som leder utredningen,") or a short
        apposition without a verb that names a role ("the board's spokeswoman,", "a
        spokesperson for the port,"), with a clause after it; else None ("According to X,
        the ferry, which …" keeps "the ferry": no role word)."""
        view, words = self.view, self.view.words
        if i > last:
            return None
        lex = view.lexicon_at(words[i].start)
        relative = words[i].lower in _ASIDE_RELATIVE
        role = False
        for k in range(i, min(last, i + (30 if relative else 8)) + 1):
            w = words[k]
            if view.is_mark(w) or view.in_quote(w.start):
                return None
            if w.text == ",":
                return k if (relative or role) and self._finite_from(k + 1, last) else None
            if not relative:
                if w.pos in ("VERB", "AUX"):
                    return None
                role = role or (w.pos == "NOUN" and lex.is_title(w.text)) or (
                    k == i and self._name_alone(i)  # "According to his wife, Ann, the …"
                )
        return None

    def _name_alone(self, i: int) -> bool:
        """Whether a person's name starts at word i and a comma follows it at once: an
        apposition naming the source ("his wife, Ann Berg,")."""
        m = self.ph.by_word.get(i)
        words = self.view.words
        return m is not None and m.kind == "name" and m.first_word == i and (
            m.last_word + 1 < len(words) and words[m.last_word + 1].text == ",")

    def _source_end(self, i: int, last: int, default: int) -> int:
        """The last word of a source phrase that starts at word i and runs to a comma or the
        sentence end without a verb ("officials on Saturday", "ecologist X of the Y");
        ``default`` when a verb, a quote or more than a dozen words come first."""
        words, view = self.view.words, self.view
        stop = min(last, i + 12)
        for k in range(i, stop + 1):
            w = words[k]
            if k > i and w.lower in _RELATIVE:
                return k - 1  # "according to the reporters who were there": a relative clause
            possessive = w.text in ("'", "’") and k > i and w.start == words[k - 1].end and (
                words[k - 1].lower.endswith("s"))  # "the Judges' Association"
            agent = k < last and words[k + 1].lower == "by"  # "a statement issued by X"
            if (view.is_mark(w) and not possessive) or view.in_quote(w.start) or (
                k > i and w.pos in ("VERB", "AUX") and not agent
                # ("according to engineer" tags a verb)
            ):
                return default
            if k < last and words[k + 1].text == ",":
                if self._apposition_end(k + 2, last) is None:
                    return k
                stop = min(last, stop + 8)  # "by Acme, a security firm, …": one more phrase
        return last if stop == last else default

    def _apposition_end(self, i: int, last: int) -> int | None:
        """The last word of a short apposition from word i that a comma closes ("a security
        firm"), else None."""
        words = self.view.words
        if i > last or words[i].lower not in self.view.lexicon_at(words[i].start).determiners:
            return None
        for k in range(i + 1, min(last, i + 6) + 1):
            if words[k].pos in ("VERB", "AUX") or self.view.is_mark(words[k]):
                return None
            if k < last and words[k + 1].text == ",":
                return k
        return None

    def _colon_statement(self, s: int, e: int, first: int, last: int) -> Candidate | None:
        """"I ett pressmeddelande skriver ordföranden Eva Lind följande: Vi är glada …":
        after a speech verb and a colon, a statement in the first person without marks is the
        speaker's own words (direct)."""
        view, ph = self.view, self.ph
        words = view.words
        at = view.text.find(":", s, e)
        if at < 0:
            return None
        colon = view.word_at(at)
        if colon >= last or words[colon].text != ":":
            return None
        lex = view.lexicon_at(s)
        after = words[colon + 1 : last + 1]
        if not any(w.lower in lex.first_person and w.lower != lex.generic_pronoun
                   for w in after):
            return None
        for c in range(colon - 1, first - 1, -1):
            cue = view.cue_at(c)
            if cue is None or cue.lemma in lex.naming_verbs:
                continue
            m = ph.before(c, first)
            if lex.behaviour.v2_inversion:
                inv, _ = ph.after(c + 1, colon)
                if inv is not None and inv.kind in ("name", "title", "org", "pronoun"):
                    m = inv
            if m is None or m.kind in ("generic", "first"):
                return None
            span = self._span(words[colon].end, e)
            if span is None:
                return None
            return self._cand(span, m, cue.word.text, "colon", confidence.FIRST_PERSON_LEAD,
                              "direct")
        return None

    def _reports(self, s: int, e: int) -> bool:
        """The sentence reports someone itself ("Bolagets vd Eva Lind uppger att …"): a
        following "Det skriver bolaget." credits the source, the clause is the vd's."""
        view = self.view
        words = view.words
        lex = view.lexicon_at(s)
        for k in range(view.word_at(s), view.word_before(e)):
            cue = view.cue_at(k)
            if cue is not None and cue.lemma in lex.indirect_verbs and (
                words[k + 1].lower in lex.complementizers
            ):
                return True
        return False

    def _speaker_like(self, m: Mention, c: int) -> bool:
        """A named or pronoun speaker, or a determiner phrase ("de styrelseordföranden")."""
        if m.kind in ("name", "pronoun", "title", "org", "first"):
            return True
        first = self.view.words[m.first_word]
        lex = self.view.lexicon_at(first.start)
        if not lex.behaviour.v2_inversion and m.kind == "description":
            return False  # "…, urged the fee be dropped": English does not invert here
        if m.kind == "generic" and self.view.words[m.last_word].lower in lex.generic_speakers:
            return True  # "The wall, officials said, had cracked": reported, speaker unknown
        return first.lower in lex.generic_determiners or first.lower in lex.definite_articles or (
            first.is_cap  # "…, uppger Sjöstads tidning"
        )

    def _lead_or_report(
        self, s: int, end: int, m: Mention | None, cue_text: str, how: How, cue: Cue | None,
    ) -> Candidate | None:
        """"…, säger X." without marks: a direct quote when it is a paragraph of its own
        speaking in the first person ("I dag kan vi … , säger Olle Falk") or a lead
        sentence; the reporter's paraphrase in running text or with a belief verb."""
        view = self.view
        para = view.paragraph_of(s)
        lex = view.lexicon_at(s)
        belief = cue is not None and cue.lemma in lex.belief_verbs
        start = s
        first_person = False
        if how == "inverted" and not belief and not view.quote_between(para.start, end):
            words = view.words[view.word_at(para.start) : view.word_before(end) + 1]
            first_person = any(w.lower in lex.first_second_person for w in words)
            earlier = view.words[view.word_at(para.start) : view.word_at(s)]
            # A lead paragraph that is all the speaker's words: nothing before the attribution
            # names the speaker or reports anyone ("För Per Ek … . Grannarna …, säger
            # Eva Lind"); a paragraph that first tells about them is narrative.
            surname = m.text.split()[-1] if m is not None else ""
            reporting = {seq[0] for seq in lex.according_to}
            named = m is not None and m.kind == "name" and not any(
                w.text == surname or w.lower in reporting
                or view.cue_at(w.i, inside_quotes=True) is not None
                for w in earlier
            )  # "Enligt polisen ska … . Han nekar …, uppger hans försvarare": reports, not a lead
            if first_person or named:
                start = para.start
        lead = start == para.start and how == "inverted" and not belief
        asked = -1 if lead and first_person else view.text.rfind("? ", start, end)
        if asked >= 0 and not view.in_quote(asked):
            start = asked + 1  # "Betyder det att …? Nej, säger X": the reporter's question
            # (a first-person lead paragraph asks its own questions: all of it is direct)
        if not (lead and first_person):
            start = self._past_connective(start, end)
        span = self._span(start, end)
        if span is None or len(view.text[span[0] : span[1]].split()) < 3:
            return None  # "In the meantime, she said, …": an adverbial, not a statement
        # Without marks, only a first-person lead paragraph is the speaker's own words
        # ("I dag kan vi …, säger Olle Falk"); "Badhuset stänger …, meddelade kommunen"
        # reports what the municipality said.
        qtype: QuoteKind = "direct" if lead and first_person else "indirect"
        conf = confidence.FIRST_PERSON_LEAD if first_person else confidence.ATTRIBUTED_SENTENCE
        return self._cand(span, m, cue_text, how, conf, qtype)


def _past_parenthesis(words: Sequence[Word], end_w: int, last: int) -> int:
    """The last word of a short parenthesis right after word end_w ("the Health Office
    (HO)"), else end_w."""
    if end_w + 1 > last or words[end_w + 1].text != "(":
        return end_w
    for k in range(end_w + 2, min(end_w + 7, last + 1)):
        if words[k].text == ")":
            return k
    return end_w
