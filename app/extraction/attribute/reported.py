"""Reported clauses: "Lind uppgav dock att kommunen inte hade tillfrågats", "X said that …",
and the English ones without "that" (bare_reports.py).

A reported clause that holds a quote in marks is left to that partial quote; a separate
conjunct without marks is reported ("… är ” luftslott ” och att pengarna bör gå till …").
"""

from __future__ import annotations

from app.extraction import confidence
from app.extraction.attribute.bare_reports import BareReports
from app.extraction.attribute.clauses import ClauseRules
from app.extraction.attribute.phrases import Phrases
from app.extraction.model import Candidate, Mention
from app.extraction.text.view import TextView


class ReportedClauses(ClauseRules):
    """Finds att/that clauses (and English bare clauses) governed by a reporting verb."""

    def __init__(self, view: TextView, phrases: Phrases) -> None:
        """Work on one view, with its phrases (mentions by word)."""
        super().__init__(view, phrases)
        self.bare = BareReports(view, phrases)

    def find(self, s: int, e: int) -> list[Candidate]:
        """The reported clauses of the sentence [s, e)."""
        return [*self._att_clauses(s, e), *self._bare_clauses(s, e)]

    def _att_clauses(self, s: int, e: int) -> list[Candidate]:
        """Reported att/that clauses of the sentence [s, e)."""
        view = self.view
        words = view.words
        first, last = view.word_at(s), view.word_before(e)
        out: list[Candidate] = []
        covered = -1
        question = view.text[s:e].rstrip().endswith("?")
        for k in range(first, last + 1):
            w = words[k]
            lex = view.lexicon_at(w.start)
            if w.lower not in lex.complementizers or w.start < covered or view.in_quote(w.start):
                continue
            found = self._cue_for(k, first) or self._coordinated_cue(k, first)
            if found is None or question:
                continue  # (not in a question: "Vissa säger att ni svek dem?" asks)
            ci, _lemma = found
            if self._expletive_passive(ci, first) or self._told_passive(ci, k):
                continue  # "It was reported that …", "Lund was told that …": nobody reports it
            if lex.behaviour.infinitive_complementizer and k + 1 <= last and view.has_parse and (
                words[k + 1].pos in ("VERB", "AUX")
            ):
                continue  # "beslutade att bygga": an act, no reported clause
            clause_end = min(self._clause_end(k + 1, last, e), self._tail_start(k + 1, last, e))
            covered = clause_end
            m = self._subject(ci, k, first)
            if m is not None and m.kind == "first":
                continue  # "Vi kunde berättat att …": the writer's own statement
            if (m is None or m.kind == "generic") and self._statistic(first, ci):
                continue  # "En av tre anser att …", "40 procent … svarar att": a survey result
            for a, b in self._conjuncts(words[k].end, clause_end):
                span = self._span(a, b)
                if span is not None:
                    out.append(self._cand(span, m, words[ci].text, "cue",
                                           confidence.REPORTED_CLAUSE))
        return out

    def _bare_clauses(self, s: int, e: int) -> list[Candidate]:
        """English reports without "that": "The Courier reported she left the meeting"."""
        view = self.view
        if not view.lexicon_at(s).behaviour.bare_reports:
            return []
        words = view.words
        first, last = view.word_at(s), view.word_before(e)
        out: list[Candidate] = []
        k = first
        while k <= last:
            cue = self.view.cue_at(k)
            lex = view.lexicon_at(words[k].start)
            if cue is None or cue.lemma not in lex.indirect_verbs or self._negated(k, first):
                k += 1
                continue
            p = self.bare.clause_start(k, last)
            while p is not None and p < last and words[p].text == ",":
                p += 1  # "announced on its website at noon, the ferry would resume …"
            if p is None or not self.bare.opens_clause(p, last):
                k += 1
                continue
            end = min(self.bare.clause_end(p, last, e, k), self._tail_start(p, last, e))
            if self.bare.elliptical(p, end):
                k += 1
                continue
            m = self.bare.subject_of(k, first)
            if m is None or m.kind != "first":
                for a, b in self._conjuncts(words[p].start, end):
                    span = self._span(a, b)
                    if span is not None:
                        out.append(self._cand(span, m, words[k].text, "cue",
                                               confidence.BARE_REPORT))
            k = view.word_at(end) if end > words[k].end else k + 1
        return out

    def _expletive_passive(self, c: int, first: int) -> bool:
        """"It was reported that", "it has been announced that": an agentless passive with an
        empty subject (the Swedish "det uppges att" is an s-passive the cue table leaves out)."""
        words = self.view.words
        lex = self.view.lexicon_at(words[c].start)
        k = c - 1
        while k > first and (words[k].lower in lex.copulas or words[k].lower in lex.aux
                             or words[k].lower in lex.adverbs):
            k -= 1
        return k < c - 1 and words[k].lower == "it" and words[c - 1].lower in lex.copulas

    def _told_passive(self, c: int, k: int) -> bool:
        """"Lund was told that …", "residents were warned that …": the subject only heard it;
        with no "by" agent before "that" at word k nobody in the sentence says it."""
        words = self.view.words
        lex = self.view.lexicon_at(words[c].start)
        return (
            c > 0 and lex.cue_lemma(words[c].lower) in lex.object_verbs
            and words[c - 1].lower in lex.copulas
            and not any(w.lower == "by" for w in words[c + 1 : k])
        )

    def _negated(self, c: int, first: int) -> bool:
        """"did not say", "tror inte", "said not": the cue is negated ("said no trace was
        found" is not: "no" belongs to the reported clause's subject)."""
        words = self.view.words
        lex = self.view.lexicon_at(words[c].start)
        after = words[c + 1].lower if c + 1 < len(words) else ""
        return any(w.lower in lex.negations for w in words[max(first, c - 2) : c]) or (
            after in lex.negations and after not in lex.determiners
        )

    def _coordinated_cue(self, k: int, first: int) -> tuple[int, str] | None:
        """"menade de … på ett ”fyrkantigt sätt” och att de tycker …": a second reported
        clause coordinated with "och att" shares the verb before the first one."""
        view, words = self.view, self.view.words
        lex = view.lexicon_at(words[k].start)
        j = k - 1
        if j >= first and words[j].text == ",":
            j -= 1
        if j < first or words[j].lower not in lex.and_words:
            return None
        for c in range(j - 1, first - 1, -1):
            w = words[c]
            if view.in_quote(w.start) or view.is_mark(w):
                continue
            if w.lower in lex.complementizers:
                return None  # the first clause has its own "att": _cue_for handles that one
            cue = view.cue_at(c, inside_quotes=True)
            if cue is not None and cue.lemma in lex.indirect_verbs:
                return c, cue.lemma
        return None

    def _cue_for(self, k: int, first: int) -> tuple[int, str] | None:
        """The reporting verb governing the complementizer at word k, within a few words."""
        view, words = self.view, self.view.words
        lex = view.lexicon_at(words[k].start)
        before = words[k - 1] if k - 1 >= first else None
        particle = None
        if before is not None and before.lower in lex.complementizer_blockers:
            particle = before.lower  # "varnat för att", or "efter att"/"so that": no report
        c = k
        while c - 1 >= max(first, k - 12):
            c -= 1
            w = words[c]
            if w.text == ")" and c - 2 >= first and words[c - 2].text == "(" and (
                w.start - words[c - 2].end <= 12
            ):
                c -= 2  # "berättar kommunalrådet Eva Lind (S) att …": a party or an age
                continue
            if c == k - 1 and (opening := self._aside_opening(c, first)) is not None:
                c = opening  # "said Monday — after a night of talks — that …"
                continue
            if w.lower in lex.complementizers or view.is_mark(w) or w.text in (";", ":", "(", ")"):
                return None
            if w.text == "," and c != k - 1:
                return None  # "said, after a pause, that": keep it simple and stop
            if w.lower in lex.copulas or (w.lower in lex.aux and c == k - 1):
                return None  # "det blev tråkigt att", "kommer att": not a report
            cue = view.cue_at(c, inside_quotes=True)
            lemma = cue.lemma if cue is not None else None
            if lemma is None or lemma not in lex.indirect_verbs:
                if w.pos == "VERB" and c != k - 1 and view.has_parse:
                    return None
                continue
            if particle is not None and particle not in lex.indirect_verbs[lemma]:
                return None
            between = words[c + 1 : k]
            if lex.behaviour.report_nouns_take_clauses and lemma not in lex.object_verbs and any(
                x.lower in lex.determiners and words[x.i - 1].lower not in lex.np_stop
                for x in between
            ):
                return None  # "denied all claims that …": the clause belongs to the noun
            if any(x.lower in lex.negations for x in words[c + 1 : k]) or (
                c > first and words[c - 1].lower in lex.negations
            ):
                return None  # "tror inte att": the speaker reports no such thing
            return c, lemma
        return None

    def _aside_opening(self, c: int, first: int) -> int | None:
        """Word c closes an aside between a reporting verb and its "that" ("said Monday — two
        days after the crash — that", "said, after a pause, that"): the word that opens it,
        when a reporting verb stands within three words before that; else None."""
        view, words = self.view, self.view.words
        close = words[c].text
        if close not in (",", "—", "–", "--"):
            return None
        for j in range(c - 1, max(first, c - 14) - 1, -1):
            w = words[j]
            if view.is_mark(w) or view.in_quote(w.start) or w.text in (";", ":", "(", ")"):
                return None
            if w.text == close or (close != "," and w.text in ("—", "–", "--")):
                lex = view.lexicon_at(w.start)
                for x in range(j - 1, max(first, j - 4) - 1, -1):
                    cue = view.cue_at(x, inside_quotes=True)
                    if cue is not None and cue.lemma in lex.indirect_verbs:
                        return j
                return None
        return None

    def _statistic(self, first: int, ci: int) -> bool:
        """A subject that is a share of respondents: "En av tre", "40 procent av dem"."""
        words = self.view.words[first:ci]
        lex = self.view.lexicon_at(self.view.words[ci].start)
        has_number = any(w.text.isdigit() or w.lower in lex.numerals or w.lower in (
            "en", "ett", "one") for w in words)
        return has_number and any(w.lower in ("av", "procent", "percent", "of", "%") for w in words)

    def _subject(self, ci: int, k: int, first: int) -> Mention | None:
        """The speaker of the cue at word ci (before the complementizer at k)."""
        ph, view = self.ph, self.view
        lex = view.lexicon_at(view.words[ci].start)
        inv = ph.by_word.get(ci + 1)
        if inv is None and lex.behaviour.v2_inversion:
            # "… berättar nämndens ordförande Eva Lind (S) att": a role before the name.
            found, _last = ph.after(ci + 1, k)
            inv = found if found is not None and found.kind == "name" else None
        before = ph.before(ci, first)
        adjacent = before is not None and before.last_word >= ci - 3
        if (
            lex.behaviour.v2_inversion
            and not adjacent
            and inv is not None
            and inv.last_word < k
            and inv.kind in ("pronoun", "name", "title", "org", "description", "first")
        ):
            m: Mention | None = inv  # "Här ser hon att", "menar kommunen även att"
        else:
            m = before  # "Eva Lind menade de gjort …": the subject stands before the verb
            if m is None and lex.generic_pronoun is not None and lex.generic_pronoun in (
                view.words[ci + 1].lower, view.words[ci - 1].lower if ci > 0 else ""
            ):
                # "På Sjöstads bostäder säger man att", "Nordbanken … eftersom man anser att":
                # generic "man" stands for the organisation the sentence is about.
                m = next(
                    (x for x in ph.mentions if x.kind == "org" and first <= x.first_word < ci),
                    None,
                )
        return m

    def _new_report(self, c: int, last: int) -> bool:
        """A reporting verb at word c, or after a pronoun, a name or an adverb there."""
        view, words = self.view, self.view.words
        lex = view.lexicon_at(words[min(c, last)].start)
        for j in range(c, min(c + 3, last + 1)):
            cue = view.cue_at(j, inside_quotes=True)
            if cue is not None:
                return cue.lemma in lex.indirect_verbs
            w = words[j]
            m = self.ph.by_word.get(j)
            if not (w.lower in lex.adverbs or (m is not None and m.kind in ("pronoun", "name"))):
                return False
        return False

    def _clause_end(self, k: int, last: int, e: int) -> int:
        """Where the reported clause ends: the sentence end or a new reporting verb."""
        view, words = self.view, self.view.words
        for c in range(k, last + 1):
            w = words[c]
            lex = view.lexicon_at(w.start)
            # "… i stadsdelen och poängterar att …", "…, men menar vidare att …", "… och hon
            # anser att …": a new cue starts a new report.
            if (w.lower in lex.and_words or w.lower in lex.clause_links) and (
                w.lower not in lex.complementizers and self._new_report(c + 1, last)
            ):
                return words[c - 1].start if words[c - 1].text == "," else w.start
            if w.text == "," and c + 1 <= last and (
                view.cue_at(c + 1, inside_quotes=True) is not None
            ):
                return w.start  # "…, sade han." after the clause
            if w.text == ":" and c == last:
                return w.start
            if w.lower in lex.reason_conjunctions and c > k and any(
                view.cue_at(x, inside_quotes=True) is not None for x in range(c + 1, last + 1)
            ):
                return w.start  # "… skulle rivas eftersom man inte ansåg att …": a reason
                # that reports someone else's view starts a report of its own
        return e
