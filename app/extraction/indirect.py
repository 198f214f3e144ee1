"""Quotes without marks: reported clauses and unmarked attributed sentences.

- "Lavrov uppgav dock att Moskva inte hade konsulterats" -> the att/that clause, indirect;
- "Klimatet påverkar oss alla, säger ärkebiskopen." -> the sentence before ", säger X";
- "Ekonomin är svag. Det säger Jyrki Åland." -> the sentence before "Det säger X";
- "…, enligt YA." / "Enligt X får vi …" / "…, according to The Guardian."
A reported clause that holds a quote in marks is left to that partial quote (only a separate
conjunct without marks is reported: "… är ” tomma ” och att prioriteringen bör vara …").
"""

from __future__ import annotations

import re

from app.extraction.bare_reports import BareReports
from app.extraction.candidates import Candidate, Mention, QuoteKind
from app.extraction.phrases import Cue, Phrases
from app.extraction.textview import TextView

_TRAIL = " \t.,:;!?…"


class IndirectFinder:
    """Finds the unmarked quotes of one TextView."""

    def __init__(self, view: TextView, phrases: Phrases) -> None:
        """Work on one view, with its phrases (mentions by word)."""
        self.view = view
        self.ph = phrases
        self.bare = BareReports(view, phrases)

    def find(self) -> list[Candidate]:
        """All unmarked quotes, in text order, not overlapping each other or marked quotes."""
        out: list[Candidate] = []
        for si, (s, e) in enumerate(self.view.sentences):
            if self.view.in_quote(s) and self.view.in_quote(max(s, e - 1)):
                continue
            out.extend(self._att_clauses(s, e))
            out.extend(self._bare_clauses(s, e))
            out.extend(self._unmarked(si, s, e))
        out.sort(key=lambda c: (c.start, -c.end))
        kept: list[Candidate] = []
        for c in out:
            if kept and c.start < kept[-1].end:
                continue
            kept.append(c)
        return kept

    def _span(self, a: int, b: int) -> tuple[int, int] | None:
        """The trimmed span [a, b), or None when it is too short to be a report."""
        text = self.view.text
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1] in _TRAIL:
            b -= 1
        if b - a < 8 or len(text[a:b].split()) < 2:
            return None
        return a, b

    def _cand(
        self, span: tuple[int, int], m: Mention | None, cue: str | None, how: str,
        conf: float, qtype: QuoteKind = "indirect",
    ) -> Candidate:
        """An unmarked candidate; generic and first-person speakers become unknown."""
        lang = self.view.paragraph_of(span[0]).language
        if m is not None and m.kind in ("generic", "first"):
            m = None
        return Candidate(span[0], span[1], qtype, conf, m, how, cue, -1, lang, False,
                         "unmarked")

    # -- "X säger att …" -------------------------------------------------------------------
    def _att_clauses(self, s: int, e: int) -> list[Candidate]:
        """Reported att/that clauses of the sentence [s, e)."""
        view = self.view
        words = view.words
        first, last = view.word_at(s), view.word_before(e)
        out: list[Candidate] = []
        covered = -1
        for k in range(first, last + 1):
            w = words[k]
            lex = view.lexicon_at(w.start)
            if w.lower not in lex.complementizers or w.start < covered or view.in_quote(w.start):
                continue
            found = self._cue_for(k, first)
            if found is None:
                continue
            ci, _lemma = found
            clause_end = self._clause_end(k + 1, last, e)
            covered = clause_end
            m = self._subject(ci, k, first)
            if m is not None and m.kind == "first":
                continue  # "Vi kunde berättat att …": the writer's own statement
            if (m is None or m.kind == "generic") and self._statistic(first, ci):
                continue  # "En av tre anser att …", "51 procent … svarar att": a survey result
            for a, b in self._conjuncts(words[k].end, clause_end):
                span = self._span(a, b)
                if span is not None:
                    out.append(self._cand(span, m, words[ci].text, "cue", 0.65))
        return out

    def _bare_clauses(self, s: int, e: int) -> list[Candidate]:
        """English reports without "that": "TVN24 reported he received surgery"."""
        view = self.view
        if view.lexicon_at(s).language != "en":
            return []
        words = view.words
        first, last = view.word_at(s), view.word_before(e)
        out: list[Candidate] = []
        k = first
        while k <= last:
            cue = self.ph.cue_at(k)
            lex = view.lexicon_at(words[k].start)
            if cue is None or cue.lemma not in lex.indirect_verbs or self._negated(k, first):
                k += 1
                continue
            p = self.bare.clause_start(k, last)
            if p is None:
                k += 1
                continue
            end = self.bare.clause_end(p, last, e)
            m = self.bare.subject_of(k, first)
            if m is None or m.kind != "first":
                for a, b in self._conjuncts(words[p].start, end):
                    span = self._span(a, b)
                    if span is not None:
                        out.append(self._cand(span, m, words[k].text, "cue", 0.5))
            k = view.word_at(end) if end > words[k].end else k + 1
        return out

    def _negated(self, c: int, first: int) -> bool:
        """"did not say", "tror inte": the cue is negated."""
        words = self.view.words
        lex = self.view.lexicon_at(words[c].start)
        return any(w.lower in lex.negations for w in words[max(first, c - 2) : c + 2])

    def _cue_for(self, k: int, first: int) -> tuple[int, str] | None:
        """The reporting verb governing the complementizer at word k, within a few words."""
        view, words = self.view, self.view.words
        lex = view.lexicon_at(words[k].start)
        before = words[k - 1] if k - 1 >= first else None
        particle = None
        if before is not None and before.lower in lex.complementizer_blockers:
            particle = before.lower  # "varnat för att", or "efter att"/"so that": no report
        for c in range(k - 1, max(first, k - 12) - 1, -1):
            w = words[c]
            if w.lower in lex.complementizers or view.is_mark(w) or w.text in (";", ":", "(", ")"):
                return None
            if w.text == "," and c != k - 1:
                return None  # "said, after a pause, that": keep it simple and stop
            if w.lower in lex.copulas or (w.lower in lex.aux and c == k - 1):
                return None  # "det blev tråkigt att", "kommer att": not a report
            lemma = view.is_cue(w)
            if lemma is None or lemma not in lex.indirect_verbs:
                if w.pos == "VERB" and c != k - 1 and view.has_parse:
                    return None
                continue
            if particle is not None and particle not in lex.indirect_verbs[lemma]:
                return None
            between = words[c + 1 : k]
            if lex.language == "en" and lemma not in lex.object_verbs and any(
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

    def _statistic(self, first: int, ci: int) -> bool:
        """A subject that is a share of respondents: "En av tre", "51 procent av dom"."""
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
        if lex.language == "sv" and inv is not None and inv.last_word < k and inv.kind in (
            "pronoun", "name", "title", "org", "description", "first",
        ):
            m: Mention | None = inv  # "Här ser hon att", "menar kommunen även att"
        else:
            m = ph.before(ci, first)
            if m is None and lex.language == "sv" and "man" in (
                view.words[ci + 1].lower, view.words[ci - 1].lower if ci > 0 else ""
            ):
                # "På Närpes bostäder säger man att", "Åbo Akademi … eftersom man anser att":
                # generic "man" stands for the organisation the sentence is about.
                m = next(
                    (x for x in ph.mentions if x.kind == "org" and first <= x.first_word < ci),
                    None,
                )
        return m

    def _clause_end(self, k: int, last: int, e: int) -> int:
        """Where the reported clause ends: the sentence end or a new reporting verb."""
        view, words = self.view, self.view.words
        for c in range(k, last + 1):
            w = words[c]
            lex = view.lexicon_at(w.start)
            # "… i dagens samhälle och poängterar att …": a new cue starts a new report.
            if w.lower in ("och", "and", "samt") and c + 1 <= last:
                nxt = view.is_cue(words[c + 1])
                if nxt is not None and nxt in lex.indirect_verbs:
                    return w.start
            if w.text == "," and c + 1 <= last and view.is_cue(words[c + 1]) is not None:
                return w.start  # "…, sade han." after the clause
            if w.text == ":" and c == last:
                return w.start
            if w.lower in ("eftersom", "because") and c > k and any(
                view.is_cue(x) is not None for x in words[c + 1 : last + 1]
            ):
                return w.start  # "… skulle upphävas eftersom man inte ansåg att …": a reason
                # that reports someone else's view starts a report of its own
        return e

    def _conjuncts(self, a: int, b: int) -> list[tuple[int, int]]:
        """Split at "och att"/"and that"; drop the conjuncts that hold a quote in marks."""
        text = self.view.text
        parts: list[tuple[int, int]] = []
        cur = a
        for m in re.finditer(r",?\s+(?:och|and|samt)\s+(?:att|that)\s+", text[a:b]):
            parts.append((cur, a + m.start()))
            cur = a + m.end()
        parts.append((cur, b))
        quoted = [self.view.quote_between(x, y) for x, y in parts]
        if not any(quoted):
            return [(a, b)]
        out = []
        for (x, y), q in zip(parts, quoted, strict=True):
            if not q:
                out.append((x, y))
                continue
            cut = self._before_coordinated_quote(x, y)
            if cut is not None:
                out.append((x, cut))
        return out

    def _before_coordinated_quote(self, x: int, y: int) -> int | None:
        """Where a quote starts a chunk of its own in [x, y): "she had diplomatic immunity, but
        "that she …"", "Adamowicz's heart was restarted by doctors "and there is hope …""; the
        unquoted clause before it is still reported. None when the quote is inside the clause
        ("… är ” tomma ”")."""
        view = self.view
        for r in view.regions:
            if not (x <= r.outer_start < y):
                continue
            before = view.text[x : r.outer_start].rstrip()
            head = view.text[r.start : r.start + 4].casefold()
            tail = before.casefold().rsplit(None, 1)[-1] if before else ""
            if before.endswith(",") or tail in ("and", "but", "och", "men") or head.startswith(
                ("and ", "but ", "och ", "men ")
            ):
                cut = len(before.rstrip(",").rstrip())
                if tail in ("and", "but", "och", "men"):
                    cut = len(before[: -len(tail)].rstrip().rstrip(","))
                return x + cut
            return None
        return None

    # -- unmarked sentences ----------------------------------------------------------------
    def _unmarked(self, si: int, s: int, e: int) -> list[Candidate]:
        """Unmarked attributed sentences: "Det säger X", "Enligt X …", "…, säger X"."""
        view, ph = self.view, self.ph
        words = view.words
        first, last = view.word_at(s), view.word_before(e)
        if first > last:
            return []
        lex = view.lexicon_at(s)
        w0 = words[first]
        # "Det säger Jyrki Åland": the previous sentence is what Åland says.
        if w0.lower in ("det", "detta") and first + 1 <= last:
            cue = ph.cue_at(first + 1)
            if cue is not None and lex.language == "sv":
                m, end_w = ph.after(first + 2)
                ends = end_w + 1 > last or words[end_w + 1].text in (",", ".", "!", "?") or (
                    words[end_w + 1].lower in lex.np_stop  # "… Martin Linder i en kommentar"
                )
                if m is not None and m.kind != "first" and ends and si > 0:
                    ps, pe = view.sentences[si - 1]
                    span = self._span(ps, pe)
                    if span is not None and not view.quote_between(ps, pe):
                        return [self._cand(span, m, cue.word.text, "inverted", 0.6)]
        # "Enligt Meta Sahlström får vi …" / "According to X, …"
        for seq in lex.according_to:
            n = len(seq)
            if [w.lower for w in words[first : first + n]] == list(seq):
                m, end_w = ph.after(first + n)
                if (
                    m is not None
                    and end_w < last
                    and (words[end_w + 1].text == "," or lex.language == "sv")
                ):
                    # "According to Reuters and NBC, …" (several sources) does not get here;
                    # Swedish puts the verb right after: "Enligt Meta Sahlström får vi …".
                    a = words[end_w].end
                    if words[end_w + 1].text == ",":
                        a = words[end_w + 1].end
                    span = self._span(a, e)
                    if span is not None and not view.quote_between(a, e):
                        return [self._cand(span, m, words[first].text, "according", 0.6)]
        if view.quote_between(s, e):
            return []
        # "…, säger X." / "…, enligt YA." / "…, according to The Guardian." / "…, police said."
        for c in range(first + 2, last + 1):
            if words[c - 1].text != ",":
                continue
            cue = ph.cue_at(c)
            m = None
            how = "inverted"
            cue_text: str | None = None
            if cue is not None and cue.lemma not in lex.naming_verbs and (
                cue.lemma not in lex.post_quote_only
            ):
                m, end_w = ph.after(c + 1)
                cue_text = cue.word.text
                nxt = words[end_w + 1] if end_w + 1 <= last else None
                if m is not None and nxt is not None and nxt.is_alpha_word and (
                    nxt.lower not in lex.np_stop
                ):
                    m = None  # "Sheila Brown, 62, said she had …": a clause, not "said X."
            else:
                for seq in lex.according_to:
                    if [w.lower for w in words[c : c + len(seq)]] == list(seq):
                        m, _ = ph.after(c + len(seq))
                        cue_text, how = words[c].text, "according"
                if m is None and lex.language == "en":
                    mm = ph.by_word.get(c)
                    if mm is not None and ph.cue_at(mm.last_word + 1) is not None:
                        m, how = mm, "subject"
                        cue_text = words[mm.last_word + 1].text
            if m is None or cue_text is None or not self._speaker_like(m, c):
                continue
            found = self._lead_or_report(s, words[c - 1].start, m, cue_text, how, cue)
            return [found] if found is not None else []
        return []

    def _speaker_like(self, m: Mention, c: int) -> bool:
        """A named or pronoun speaker, or a determiner phrase ("de styrelseordföranden")."""
        if m.kind in ("name", "pronoun", "title", "org", "first"):
            return True
        first = self.view.words[m.first_word]
        lex = self.view.lexicon_at(first.start)
        if lex.language == "en" and m.kind == "description":
            return False  # "…, urged the immunity be waived": English does not invert here
        return first.lower in lex.generic_determiners or first.lower in ("the", "den", "det") or (
            first.is_cap  # "…, uppger Ystads allehanda"
        )

    def _lead_or_report(
        self, s: int, end: int, m: Mention, cue_text: str, how: str, cue: Cue | None,
    ) -> Candidate | None:
        """"…, säger X." without marks: a direct quote when it is a paragraph of its own
        speaking in the first person ("I princip kan vi … , säger Stephan Roth") or a lead
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
            # names the speaker or reports anyone ("För Maud Olofsson … . De rödgröna …, säger
            # Stefan Löfven"); a paragraph that first tells about them is narrative.
            surname = m.text.split()[-1]
            named = m.kind == "name" and not any(
                w.text == surname or view.is_cue(w) is not None for w in earlier
            )
            if first_person or named:
                start = para.start
        lead = start == para.start and how == "inverted" and not belief
        span = self._span(start, end)
        if span is None or len(view.text[span[0] : span[1]].split()) < 3:
            return None  # "In between, she testified, …": an adverbial, not a statement
        qtype: QuoteKind = "direct" if lead else "indirect"
        return self._cand(span, m, cue_text, how, 0.6 if first_person else 0.5, qtype)
