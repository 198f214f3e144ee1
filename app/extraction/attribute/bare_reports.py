"""Reported clauses without a complementizer (English): "Stone told reporters the
ferry was cancelled", "The Courier reported she left the meeting", "which he said would allow
him".

A clause starts after the reporting verb (past an object, adverbs and prepositional phrases)
where a subject is followed closely by a finite verb; it runs to the sentence end or to a
relative clause ", which …". Swedish always writes "att", so this runs only for English.
"""

from __future__ import annotations

from app.extraction.attribute.phrases import Phrases
from app.extraction.lexicon import Lexicon
from app.extraction.model import Mention
from app.extraction.text.view import TextView, Word

#: Relations of a noun phrase the parser may hang a reported clause's subject by.
_BARE_NP_DEPS = frozenset({"obj", "iobj", "obl", "obl:unmarked", "obl:tmod", "obl:npmod",
                           "nsubj"})

#: How far after the verb the clause may start, and how long its subject may be.
MAX_GAP = 6
MAX_SUBJECT = 4
#: The most words of an elliptical clause ("it would", "they said it had been").
MAX_ELLIPSIS = 4


class BareReports:
    """Finds complementizer-less reported clauses in one TextView."""

    def __init__(self, view: TextView, phrases: Phrases) -> None:
        """Work on one view, with its phrases (mentions by word)."""
        self.view = view
        self.ph = phrases

    def _finite(self, w: Word, lex: Lexicon) -> bool:
        """A word that is (probably) a finite verb: an auxiliary, a known past, or -ed; not an
        -ing form ("reported some sellers offering …": a participle, no clause)."""
        if w.pos:
            return w.pos == "AUX" or (w.pos == "VERB" and not _gerund(w))
        low = w.lower
        return low in lex.finite_verbs or (low.endswith("ed") and len(low) > 4 and w.is_alpha_word)

    def _subject_then_verb(self, p: int, last: int, lex: Lexicon) -> bool:
        """Whether words from p are a short subject followed by a finite verb."""
        words = self.view.words
        first = words[p]
        if not first.is_alpha_word or first.lower in lex.np_stop or first.lower in lex.adverbs:
            return False
        if self._finite(first, lex) or self.view.in_quote(first.start):
            return False
        for k in range(p + 1, min(p + 1 + MAX_SUBJECT, last + 1)):
            w = words[k]
            if self._finite(w, lex) and words[k - 1].text != "-":
                return True  # not "storm-induced"
            if (
                w.lower in lex.pronouns
                or w.lower in lex.first_person
                or w.lower in lex.adverbs
                or w.lower in lex.np_stop
                or w.lower in lex.complementizers
                or not (w.is_alpha_word or w.text in ("'s", "’s", "-"))
                or self.view.in_quote(w.start)
            ):
                return False
        return False

    def _relative_subject(self, cue: int) -> bool:
        """Whether a relative pronoun and a short subject without a verb of its own stand
        right before the cue ("which he said", "which state officials say", "who police
        said")."""
        words, view = self.view.words, self.view
        lex = view.lexicon_at(words[cue].start)
        for r in range(cue - 1, max(-1, cue - 2 - MAX_SUBJECT), -1):
            w = words[r]
            if w.lower in ("which", "who"):
                return r < cue - 1
            if w.lower == "that":  # "that he said would …" (not "the claim that police said")
                return r == cue - 2 and words[cue - 1].lower in lex.pronouns
            if not (w.is_alpha_word or w.text in ("'s", "’s", "'ve", "’ve")) or (
                view.in_quote(w.start) or w.lower in lex.np_stop or (
                    w.pos == "VERB" and w.lower not in lex.aux)
            ):
                return False
        return False

    def clause_start(self, cue: int, last: int) -> int | None:
        """Word index where the reported clause after the cue at `cue` begins, if any."""
        words, view = self.view.words, self.view
        lex = view.lexicon_at(words[cue].start)
        nxt = words[cue + 1] if cue + 1 <= last else None
        if nxt is None or view.is_mark(nxt) or nxt.lower in lex.complementizers:
            return None  # a quote or "that" follows: other rules take it
        if nxt.lower == "to":
            return None  # "claimed to have no memory of the night …": an infinitive
        prev = words[cue - 1] if cue > 0 else None
        if prev is not None and (view.is_mark(prev) or (
            prev.text == "," and cue >= 2 and view.is_mark(words[cue - 2])
        )):
            return None  # '…," said a protester using …': an attribution after a quote
        # "which he said would allow him …", "which the city council said was due to …": the
        # relative pronoun is the clause's subject, the predicate after the verb is reported.
        if self._relative_subject(cue) and self._finite(nxt, lex):
            return cue + 1
        if prev is not None and prev.lower in lex.copulas:
            return None  # "were reported by the local paper": passive, no reporter as subject
        if self._has_object(cue, last, lex):
            return None  # "wrote songs her brother would sing": a relative clause on the object
        reach = 4 if lex.cue_lemma(words[cue].lower) in lex.object_verbs else 2
        if any(w.lower in lex.question_words for w in words[cue + 1 : min(cue + reach, last + 1)]):
            return None  # "explained why …", "told reporters what …": no reported statement
        parsed = self._complement_start(cue, last)
        if parsed is not None:
            # "said Monday — after the talks — that …": a "that" clause after an aside is not
            # bare; the complementizer rules take it
            return None if words[parsed].lower in lex.complementizers else parsed
        fallback = None
        for p in range(cue + 1, min(cue + 1 + MAX_GAP, last + 1)):
            w = words[p]
            if words[p - 1].lower in lex.np_stop and p - 1 != cue + 1 and p - 1 != cue:
                break  # "announced the new name of …": past a preposition, no clause
            after_prep = words[p - 1].lower in lex.np_stop and p - 1 != cue
            # (nor inside a noun phrase its determiner opened: "said in a widely watched
            # address" has no subject "widely")
            inside_np = words[p - 1].lower in lex.determiners and p - 1 != cue
            if after_prep or inside_np or not self._subject_then_verb(p, last, lex):
                continue
            if self._strong(w, lex):
                return p
            fallback = fallback if fallback is not None else p
        return fallback

    def _has_object(self, cue: int, last: int, lex: Lexicon) -> bool:
        """Whether the cue has a common noun as its direct object right after it and a new
        subject follows that noun ("continued to write letters he would send …": a relative
        clause on the object); not when the noun goes on with a verb ("reported the storm
        weakened", where the parser may take the subject for an object), nor for a verb that
        takes an addressee ("told reporters the …") or a time noun ("said last week")."""
        view = self.view
        if not view.has_parse or lex.cue_lemma(view.words[cue].lower) in lex.object_verbs:
            return False
        words = view.words
        for j in range(cue + 1, min(cue + 3, last)):
            w, nxt = words[j], words[j + 1]
            if w.head == cue and w.dep in ("obj", "dobj") and w.pos == "NOUN" and (
                not w.is_cap and w.lower not in lex.time_nouns
            ):
                return nxt.lower in lex.pronouns or nxt.lower in lex.first_person or (
                    nxt.lower in lex.determiners)
        return False

    @staticmethod
    def _strong(w: Word, lex: Lexicon) -> bool:
        """A word that opens a subject for sure: a pronoun, a determiner, a name, a number."""
        return w.lower in lex.pronouns or w.lower in lex.determiners or w.is_cap or (
            w.text.isdigit()
        )

    def _complement_start(self, cue: int, last: int) -> int | None:
        """With a parse: the first word of the clausal complement the parser hangs off the
        cue ("said on Saturday, about 20 buildings collapsed"; "said the crash involved …",
        where the tagger took "involved" for an adjective), if it has a subject of its own."""
        view = self.view
        if not view.has_parse:
            return None
        words = view.words
        lex = view.lexicon_at(words[cue].start)
        stop = min(last, cue + MAX_GAP + MAX_SUBJECT + 8)
        for j in range(cue + 1, stop + 1):
            w = words[j]
            if w.head != cue or w.dep not in ("ccomp", "xcomp") or view.in_quote(w.start):
                continue
            if w.dep == "xcomp" and not self._finite_head(j, cue, lex):
                return None  # "decided to build", "kept saying": no clause of its own
            if _gerund(w) and not any(words[k].head == j and words[k].dep.startswith("aux")
                                      for k in range(cue + 1, j)):
                return None  # "tweeted her reasoning saying …": a participle, no clause
            subject = next((k for k in range(cue + 1, j)
                            if words[k].head == j
                            and words[k].dep.startswith(("nsubj", "csubj", "expl"))),
                           None)
            if subject is None:
                subject = self._stray_subject(cue, j, lex)
            if subject is None:
                return None
            clausal = words[subject].dep.startswith("csubj")
            for p in range(cue + 1, subject + 1):
                if self._under(p, subject, cue) and not (
                    clausal and words[p].dep in ("punct", "cc")
                ):
                    return p  # (a clausal subject's ", and" stays out: "said, and paying …")
            return subject
        return None

    def _finite_head(self, j: int, cue: int, lex: Lexicon) -> bool:
        """Whether the verb at word j, which the parser took for an open complement of the
        cue, is finite: an auxiliary of its own or a known finite form, no "to" before it."""
        words = self.view.words
        if words[j - 1].lower == "to" or words[j].lower.endswith("ing"):
            return False
        aux = [k for k in range(cue + 1, j) if words[k].head == j and words[k].dep.startswith(
            "aux")]
        if aux:
            return words[aux[0] - 1].lower != "to"
        return words[j].lower in lex.finite_verbs or words[j].lower.endswith("ed")

    def _stray_subject(self, cue: int, j: int, lex: Lexicon) -> int | None:
        """The clause's subject when the parser hung it on the cue instead of the complement
        at word j ("said on Monday the harbour wall … will be repaired", "reported the number
        of cases … rose"): the last bare noun phrase (no preposition of its own) between
        them, past the addressee of "told reporters …"."""
        words = self.view.words
        heads = [k for k in range(cue + 1, j) if self._bare_noun_under(k, cue)]
        if lex.cue_lemma(words[cue].lower) in lex.object_verbs and heads:
            heads = heads[1:]  # "told the press the new clinics were …": the press hears it
        return heads[-1] if heads else None

    def _bare_noun_under(self, k: int, cue: int) -> bool:
        """Whether word k heads a noun phrase without a preposition that hangs on the cue
        through such noun phrases only ("said this morning the pier …": "pier" on "morning"
        on "said"), not through a verb ("the wall which protects the town")."""
        words = self.view.words
        for _ in range(6):
            w = words[k]
            if w.dep not in _BARE_NP_DEPS or w.pos not in ("NOUN", "PROPN", "PRON", "NUM") or any(
                words[x].head == k and words[x].dep == "case" for x in range(cue + 1, k)
            ):
                return False
            if w.head == cue:
                return True
            if w.head == k or w.head <= cue:
                return False
            k = w.head
        return False

    def _under(self, p: int, top: int, stop: int) -> bool:
        """Whether word p hangs (through its heads) under word top, not passing word stop."""
        words = self.view.words
        for _ in range(12):
            if p == top:
                return True
            if p == stop or words[p].head == p:
                return False
            p = words[p].head
        return False

    def clause_end(self, p: int, last: int, end: int, cue: int | None = None) -> int:
        """Sentence end, or the start of ", which …" / "; …" / "and several said" after p
        (not of a relative clause inside the reported clause's subject: "reported Marsh, who
        lives in Dover, will be buried", where the cue's complement comes after it)."""
        words = self.view.words
        verbs = [] if cue is None or not self.view.has_parse else [
            k for k in range(p, last + 1)
            if words[k].head == cue and words[k].dep in ("ccomp", "xcomp")
        ]
        for k in range(p, last + 1):
            w = words[k]
            if w.text == ";" and not self._conjoined_that(k + 1, last):
                return w.start
            lex = self.view.lexicon_at(w.start)
            new_report = any(
                self.view.cue_at(j) is not None for j in range(k + 1, min(k + 3, last + 1))
            )
            if w.lower in ("and", "but") and k + 1 <= last and new_report and (
                words[k + 1].lower not in lex.aux  # not "can and may declare"
            ):
                return w.start  # "tenants changed their minds and several said …"
            if w.text == "," and k + 1 <= last and words[k + 1].lower in ("which", "who") and (
                not any(v > k for v in verbs)
            ):
                return w.start
        return end

    def _conjoined_that(self, j: int, last: int) -> bool:
        """Whether words from j (after a semicolon) open a "that" clause conjoined with the
        reported one ("; that …", "; and that …")."""
        words = self.view.words
        lex = self.view.lexicon_at(words[min(j, last)].start)
        if j <= last and words[j].lower in lex.and_words:
            j += 1
        return j <= last and words[j].lower in lex.complementizers

    def opens_clause(self, p: int, last: int) -> bool:
        """Whether the word at p can open a reported clause: not punctuation or a conjunction
        (", but two unions had …" is a new main clause of the reporter's, not the
        complement of "claimed responsibility"), and not a time word set off by a dash or a
        comma ("said Tuesday — a step that …": the words after it are an aside)."""
        words = self.view.words
        w = words[p]
        lex = self.view.lexicon_at(w.start)
        if not (w.is_alpha_word or w.text[:1].isdigit()):
            return False
        if w.lower in lex.and_words or w.lower in lex.clause_links:
            return False
        nxt = words[p + 1] if p + 1 <= last else None
        return not (w.lower in lex.time_nouns and nxt is not None
                    and nxt.text in (",", "—", "–", "--", "-"))

    def elliptical(self, p: int, end: int) -> bool:
        """Whether the clause from word p to offset ``end`` is a short one that stops at an
        auxiliary or a copula ("where the engineers predicted it would", "… it would be"): an
        elliptical clause whose predicate is elsewhere, no statement of its own (a longer
        clause that ends so, "the boat sank faster than expected it would", states something)."""
        view = self.view
        k = view.word_before(end)
        while k > p and not view.words[k].is_alpha_word:
            k -= 1
        w = view.words[k]
        lex = view.lexicon_at(w.start)
        short = sum(x.is_alpha_word for x in view.words[p : k + 1]) <= MAX_ELLIPSIS
        return short and k > p and not w.is_cap and (w.lower in lex.aux or w.lower in lex.copulas)

    def subject_of(self, cue: int, first: int) -> Mention | None:
        """The speaker of the cue: its subject before it."""
        return self.ph.before(cue, first)


def _gerund(w: Word) -> bool:
    """An -ing form ("offering", "saying"), not a short verb that ends so ("bring", "sing")."""
    return w.lower.endswith("ing") and len(w.lower) > 5
