"""Linking a quote span to its speaker: cue verbs after or before it, colons, continuations.

Each rule cites the construction it handles. Resolution of the mention found here (pronoun,
title, surname) to a canonical name happens in speakers.py, across the whole article.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.extraction import confidence
from app.extraction.attribute.kinds import (
    FINAL,
    is_direct,
    metalinguistic,
    not_a_quote,
    scare_window,
)
from app.extraction.attribute.phrases import Phrases
from app.extraction.model import Candidate, Evidence, Mention, QuoteKind, QuoteRegion
from app.extraction.text.view import TextView

_SKIP_AFTER_QUOTE = set(",.!?;–—-")
_FINAL = re.compile(r"[.!?…]$")
_REST = re.compile(r"[.!?…]\s+")



class Attributor:
    """Finds the local speaker evidence for the quote regions of one TextView."""

    def __init__(self, view: TextView, phrases: Phrases) -> None:
        """Work on one view, with its phrases (mentions by word)."""
        self.view = view
        self.ph = phrases

    # -- speaker evidence ------------------------------------------------------------------
    def post(self, end_char: int, limit_char: int) -> Evidence | None:
        """After the quote: ”…”, sade Lind / "…" Stone said / ”…” Så sa X / , enligt X."""
        view, ph = self.view, self.ph
        words = view.words
        j = view.word_at(end_char)
        skipped_stop = False
        n = 0
        while j < len(words) and words[j].text in _SKIP_AFTER_QUOTE and n < 2:
            skipped_stop = skipped_stop or words[j].text == "."
            j += 1
            n += 1
        if j >= len(words) or words[j].start >= limit_char or view.in_quote(words[j].start):
            return None
        lex = view.lexicon_at(words[j].start)
        if words[j].lower in lex.sequence_adverbs and j + 1 < len(words):
            j += 1  # "Så sa föreningens ordförande …"
        limit = view.word_at(limit_char)
        cue = view.cue_at(j)
        if cue is not None:
            m, last = ph.after(j + 1, limit)
            if m is not None:
                return Evidence(m, cue.word.text, "inverted", words[last].end)
            return None
        for seq in lex.according_from(words[j].lower):
            if [w.lower for w in words[j : j + len(seq)]] == list(seq):
                m, last = ph.after(j + len(seq), limit)
                if m is not None:
                    return Evidence(m, words[j].text, "according", words[last].end)
        if skipped_stop:
            return None
        # "…" Stone said / "…" Eastbay director of the Harbour Trust Mary Stone said:
        # a subject phrase (names, titles, "of") and then the cue.
        found: list[Mention] = []
        k = j
        while k < len(words) and k - j < 12:
            m = ph.by_word.get(k)
            w = words[k]
            if m is not None:
                found.append(m)
                k = m.last_word + 1
                if m.kind == "pronoun":
                    break
                continue
            if w.text in _SKIP_AFTER_QUOTE or view.in_quote(w.start) or view.is_mark(w):
                break
            if not (lex.is_title(w.lower) or w.lower in ("of", "the", "för", "i") or (
                w.lower in lex.affiliation_prepositions and k > j  # "…," officials from X said
            ) or (
                k == j and w.lower in lex.determiners  # "…," an Acme spokesperson said
            ) or (
                w.text[:1].islower() and not w.is_stop and view.cue_at(k) is None
                and w.lower not in lex.adverbs and w.lower not in lex.aux
            )):
                break
            k += 1
        if not found:
            return None
        while k < len(words) and (words[k].lower in lex.adverbs or words[k].lower in lex.aux):
            k += 1
        cue = view.cue_at(k)
        if cue is None:
            return None
        names = [m for m in found if m.kind == "name" and m.label != "LOC"]
        subject = names[-1] if names else found[-1]
        if words[j].lower in lex.generic_determiners and words[k - 1].lower not in (
            lex.spokesperson_nouns
        ) and not names:
            return None  # "…," a local resident of Eastbay said: nobody we can name
        return Evidence(subject, cue.word.text, "subject", cue.word.end)

    def pre(self, region: QuoteRegion, tight: bool = False) -> Evidence | None:
        """Before the quote in its sentence: Lind: ”…” / Stone said on Friday "…" / sade att.

        `tight` (direct quotes): the cue must be within a few words of the quote."""
        view, ph = self.view, self.ph
        words = view.words
        first, _ = ph.sentence_words(region.outer_start)
        k = view.word_before(region.outer_start)
        if k < first or k < 0:
            return None

        if words[k].text == ":" and k - 1 >= first:
            m = ph.by_word.get(k - 1)
            lead = words[first : m.first_word] if m is not None else []
            if m is not None and m.first_word == first and self._interview_label(m):
                return None  # "S: ”…”", "A: "…"": an interview's answer, the label no name
            if (
                m is not None
                and m.kind in ("name", "org", "title")
                and m.last_word == k - 1
                and all(ph.view.lexicon_at(w.start).is_title(w.lower) or w.is_cap for w in lead)
            ):
                return Evidence(m, None, "colon", words[k].start)  # Holm: ”…”
            topic = self._topic_colon(first, k)
            if topic is not None:
                return Evidence(topic, None, "colon", words[k].start)
            found = self.cue_before(k, first, max(first, k - 8) if tight else first)
            if found is not None:
                return found
            # "The water board issued the following statement on Friday: "…"": a sentence
            # that a colon closes, with no speech verb, introduces its subject's words (as a
            # colon closing the paragraph before does, _paragraph_intro).
            # Not in the text's first paragraph: a headline "Partiet vill spara: ”…”" is a
            # teaser whose speaker the article names later (_sole_speaker), not its subject.
            m = ph.clause_subject(first, k)
            if m is not None and m.kind in ("name", "pronoun", "title", "org") and (
                m.label != "LOC"
            ) and view.paragraph_index(words[k].start) > 0:
                return Evidence(m, None, "intro", words[k].start)
            return None
        return self.cue_before(k, first, max(first, k - 8) if tight else first)

    def _interview_label(self, m: Mention) -> bool:
        """True for a mention that is an interview's "Q" / "A" (“F” / “S”) opening its
        paragraph."""
        view = self.view
        para = view.paragraph_of(m.start)
        return m.text.strip().casefold() in view.lexicon_at(m.start).interview_labels and (
            not view.text[para.start : m.start].strip())

    def _topic_colon(self, first: int, colon: int) -> Mention | None:
        """A headline "Rektorn om branden: ”…”": the speaker, a topic preposition and a short
        topic without a verb before the colon."""
        view, ph = self.view, self.ph
        words = view.words
        m = ph.by_word.get(first)
        if m is None or m.first_word != first or m.kind not in ("name", "org", "title") or (
            m.label == "LOC"
        ):
            return None
        p = m.last_word + 1
        lex = view.lexicon_at(words[first].start)
        if p >= colon or words[p].lower not in lex.topic_prepositions or colon - p > 6:
            return None
        for w in words[p + 1 : colon]:
            if w.pos in ("VERB", "AUX") or view.cue_at(w.i) is not None or w.text in (
                ",", ".", ";", "!", "?"
            ):
                return None
        return m

    def cue_before(self, k: int, first: int, cue_first: int | None = None) -> Evidence | None:
        """The nearest cue verb at or before word k (not before cue_first), and its subject."""
        view, ph = self.view, self.ph
        words = view.words
        for c in range(k, (first if cue_first is None else cue_first) - 1, -1):
            if view.in_quote(words[c].start):
                continue
            cue = view.cue_at(c)
            if cue is None:
                continue
            lex = view.lexicon_at(words[c].start)
            if cue.lemma in lex.post_quote_only and lex.behaviour.post_quote_only_never_lead:
                continue
            m = ph.before(c, first)
            nxt = ph.by_word.get(c + 1)
            if (
                lex.behaviour.v2_inversion
                and (m is None or m.first_word < c - 3)
                and nxt is not None
                and nxt.kind in ("pronoun", "name", "title", "org")
                and c + 1 <= k
            ):
                # V2 after a fronted phrase: "Så sa hon: ”…”", "Här ser hon att …".
                return Evidence(nxt, cue.word.text, "cue", cue.word.end)
            return Evidence(m, cue.word.text, "cue", cue.word.end)
        return None

    def according(self, region: QuoteRegion, documents: bool = False) -> Evidence | None:
        """"Enligt Per Ek har … en ”byggstorm”", "…, according to X"; with ``documents``
        also a document nobody else speaks for ("according to the annual report")."""
        view, ph = self.view, self.ph
        words = view.words
        first, last = ph.sentence_words(region.outer_start)
        for k in range(first, last + 1):
            if view.in_quote(words[k].start):
                continue
            lex = view.lexicon_at(words[k].start)
            for seq in lex.according_from(words[k].lower):
                if [w.lower for w in words[k : k + len(seq)]] == list(seq):
                    m, _ = ph.after(k + len(seq))
                    if m is not None and (m.kind not in ("generic", "description") or (
                        documents and m.kind == "description"
                        and words[m.last_word].lower in lex.document_nouns
                        and not self._person_in(first, last)
                    )):
                        return Evidence(m, words[k].text, "according", words[k].end)
        return None

    def _person_in(self, first: int, last: int) -> bool:
        """A person is named in words first..last ("Judge Ann Cole ruled, according to the
        summary, "…"": the document is her ruling's, she is who the quote is from)."""
        return any(m.kind == "name" and m.label in ("PER", "") and first <= m.first_word <= last
                   for m in self.ph.mentions)

    # -- regions ---------------------------------------------------------------------------
    def marked(self, region: QuoteRegion, prev: Candidate | None) -> list[Candidate]:
        """Type, filter and attribute one region between quotation marks."""
        view = self.view
        lang = view.paragraph_of(region.start).language
        para = view.paragraph_of(region.start)
        direct = is_direct(view, self.ph, region)
        content = view.text[region.start : region.end]
        # Second half of a quote split by its attribution: "…", Reed said, "is not …"
        split = (
            prev is not None
            and prev.marking in ("marked", "repaired")
            and prev.group != region.group
            and view.paragraph_of(prev.start) == para
            and not direct
            and re.fullmatch(r"[\s,]*", view.text[region.outer_start - 2 : region.outer_start])
            is not None
            and self._attribution_between(prev, region)
        )
        if split and prev is not None:
            return [Candidate(region.start, region.end, prev.type, confidence.SPLIT_SECOND_HALF,
                              prev.mention, prev.how, prev.cue, region.group, lang, prev.inherit,
                              region.marking)]
        # a block quote without marks (GUIDELINES 11): its credit line names the speaker
        found = self._credit_line(region) if (
            region.marking == "marked" and region.open_mark is None) else None
        if found is None and direct:
            tight = self.pre(region, tight=True)
            if tight is not None and FINAL.search(content):
                # "… wrote "We are ready." Mayor Mary Stone remarked, "…": a quote
                # that ends its sentence belongs to the cue right before it.
                found = tight
            else:
                found = self.post(region.outer_end, para.end) or tight or self.according(region)
        elif found is None:
            # "X criticized the decision, which Y has referred to as "…"": the label's own
            # clause comes before any cue further back.
            found = self._label(region) or self.pre(region) or self.according(region) or (
                self.post(region.outer_end, para.end))
        if found is None and not direct:
            found = self._coordinated_post(region) or self.according(region, documents=True)
        has_cue = found is not None and found.how not in ("clause", "colon")
        if not_a_quote(view, region, has_cue, direct) or metalinguistic(
            view, self.ph, region, direct, found.mention if found else None
        ):
            return []
        qtype: QuoteKind = "direct" if direct else "partial"
        if not direct and found is None:
            # A fragment in quotes with no speech verb around it is a term or a title, unless
            # it is a long lowercase phrase in running text ("det behövs en ”bred uppslutning av
            # grannar för ett bättre torg”"): then the current speaker's words.
            lead = view.text[max(para.start, region.outer_start - 60) : region.outer_start]
            if (
                len(content.split()) < 5
                or not content[:1].islower()
                or scare_window(lead, view.lexicon_at(region.start))
            ):
                return []
            return [Candidate(region.start, region.end, "partial", confidence.PARTIAL_UNATTRIBUTED,
                              None, "inherit", None, region.group, lang, True, region.marking)]
        if found is None:
            found = (self._paragraph_intro(region) or self._credit_line(region)
                     or (self._named_between(region) if direct else None))
        conf = {"marked": confidence.MARKED, "repaired": confidence.REPAIRED,
                "dash": confidence.DASH_MARKED}.get(region.marking, confidence.OTHER_MARKED)
        if not direct:
            conf = confidence.PARTIAL
        if found is None:
            return [Candidate(region.start, region.end, qtype, conf, None, "inherit", None,
                              region.group, lang, True, region.marking)]
        return [Candidate(region.start, region.end, qtype, conf, found.mention, found.how,
                          found.cue, region.group, lang, False, region.marking)]

    def _attribution_between(self, prev: Candidate, region: QuoteRegion) -> bool:
        """True when a cue verb sits between the previous quote and this region."""
        gap_first = self.view.word_at(prev.end)
        gap_last = self.view.word_before(region.outer_start)
        return any(self.view.cue_at(k) is not None for k in range(gap_first, gap_last + 1))

    def _coordinated_post(self, region: QuoteRegion) -> Evidence | None:
        """”…’, och tillade att ’…”: a cue after the quote whose subject is the sentence's."""
        view, ph = self.view, self.ph
        words = view.words
        j = view.word_at(region.outer_end)
        while j < len(words) and words[j].text in (",",):
            j += 1
        if j < len(words) and words[j].lower in ("och", "and"):
            cue = view.cue_at(j + 1)
            if cue is not None:
                first, _ = ph.sentence_words(region.outer_start)
                m = ph.clause_subject(first, view.word_before(region.outer_start) + 1)
                if m is not None:
                    return Evidence(m, cue.word.text, "cue", cue.word.end)
        return None

    def _label(self, region: QuoteRegion) -> Evidence | None:
        """"Trump characterized the call as "perfectly fine"", "was described by the Herald
        as a "…"": the label the clause's subject (or the passive's agent) used."""
        view, ph = self.view, self.ph
        words = view.words
        k = view.word_before(region.outer_start)
        first, _ = ph.sentence_words(region.outer_start)
        lex = view.lexicon_at(region.start)
        if k > first and words[k].lower in lex.determiners:
            k -= 1  # "as a "…""
        if k > first and words[k].lower in lex.and_words | {"or"}:
            # 'as "gamesmanship" and a "stunt"': the label before this one shares its verb.
            earlier = [r for r in view.regions if r.outer_end <= words[k].start
                       and not view.text[r.outer_end : words[k].start].strip(" ,")]
            if earlier:
                k = view.word_before(earlier[-1].outer_start)
                if k > first and words[k].lower in lex.determiners:
                    k -= 1
        if k <= first or words[k].lower not in lex.label_prepositions:
            return None
        verbs = [j for j in range(first, k) if words[j].pos == "VERB"]
        if not verbs:
            return None
        for j in range(verbs[-1] + 1, k - 1):
            if words[j].lower != "by":
                continue
            a = j + 2 if words[j + 1].lower in lex.definite_articles else j + 1
            agent = ph.by_word.get(a)
            if agent is not None and agent.kind in ("name", "org"):
                return Evidence(agent, words[verbs[-1]].text, "cue", words[k].end)
        v = verbs[-1] - 1
        while v > first and (words[v].lower in lex.adverbs or words[v].lower in (
                "often", "commonly", "widely", "sometimes", "also", "reportedly")):
            v -= 1
        if words[v].lower in lex.copulas or (words[v].text == "," and (
            verbs[-1] + 1 == k or words[verbs[-1] + 1].lower == "to"
        )):
            return None  # "Ek, often referred to as "…"", "is known as": a name, no label
            # (but "Ek, responding on Twitter, attacked the plan as "…"" labels it)
        j = verbs[-1] - 1
        while j > first and (words[j].lower in lex.aux or words[j].lower in lex.adverbs):
            j -= 1
        # "…, which Ross has referred to as": the subject right before the verb, else the
        # clause's subject.
        m = ph.by_word.get(j) or ph.clause_subject(first, verbs[-1])
        if m is None or m.kind not in ("name", "org", "pronoun", "title"):
            return None
        return Evidence(m, words[verbs[-1]].text, "cue", words[k].end)

    def _paragraph_intro(self, region: QuoteRegion) -> Evidence | None:
        """A colon closing the previous paragraph introduces this one: "… om bygget:"."""
        view = self.view
        pi = view.paragraph_index(region.outer_start)
        para = view.paragraphs[pi]
        if pi == 0 or region.outer_start > para.start + 2:
            return None
        prev = view.paragraphs[pi - 1]
        if not view.text[prev.start : prev.end].rstrip().endswith(":"):
            return None
        k = view.word_before(prev.end)
        first, _ = self.ph.sentence_words(max(prev.start, prev.end - 1))
        found = self.cue_before(k, first)
        if found is not None and found.mention is not None:
            return replace(found, how="intro")
        m = self.ph.clause_subject(first, k)
        if m is not None and m.kind in ("name", "pronoun", "title", "org"):
            return Evidence(m, None, "intro", prev.end)
        return None

    def _named_between(self, region: QuoteRegion) -> Evidence | None:
        """”…” Eva Lind, ordförande i föreningen, har ordet. ”…”: a person named in full
        between two quotes of one paragraph, with no speech verb, speaks both."""
        view, words = self.view, self.view.words
        para = view.paragraph_of(region.outer_start)
        j = view.word_at(region.outer_end)
        while j < len(words) and words[j].text in (".", ","):
            j += 1
        m = self.ph.by_word.get(j)
        if m is None or m.first_word != j or m.kind != "name" or m.label != "PER" or len(
            m.text.split()
        ) < 2:
            return None
        _, end = view.sentence_of(m.start)
        later = [r for r in view.regions if m.end < r.outer_start < para.end]
        if not later or later[0].outer_start > end + 2 or any(
            view.cue_at(k) is not None for k in range(m.last_word + 1, view.word_at(end))
        ):
            return None
        return Evidence(m, None, "clause", m.end)

    def _credit_line(self, region: QuoteRegion) -> Evidence | None:
        """A quote that is a paragraph of its own, credited by the next paragraph: ”…” ¶
        "Eva Lind, rektor" (a name and at most a short role, no verb, no full stop)."""
        view = self.view
        pi = view.paragraph_index(region.outer_start)
        para = view.paragraphs[pi]
        if pi + 1 >= len(view.paragraphs) or region.outer_start > para.start + 1 or (
            view.text[region.outer_end : para.end].strip(" .")
        ):
            return None
        nxt = view.paragraphs[pi + 1]
        line = view.text[nxt.start : nxt.end].rstrip()
        first, last = view.word_at(nxt.start), view.word_before(nxt.start + len(line))
        if first < last and view.words[first].text in view.marks.dashes:
            first += 1  # a block quote's credit line: "– Court of Appeal" (GUIDELINES 11)
        m = self.ph.by_word.get(first)
        if m is None or m.first_word != first or m.kind not in ("name", "org") or (
            m.label == "LOC" or line.endswith((".", "!", "?", ":"))
        ):
            return None
        rest = view.words[m.last_word + 1 : last + 1]
        if rest and (rest[0].text not in (",", "–", "—", "-") or len(rest) > 6 or any(
            w.pos in ("VERB", "AUX") or view.cue_at(w.i) is not None for w in rest
        )):
            return None
        return Evidence(m, None, "intro", m.end)

    def dash(self, region: QuoteRegion, prev: Candidate | None) -> list[Candidate]:
        """A dash quote (already split at its attribution): – …, säger X."""
        view = self.view
        lang = view.paragraph_of(region.start).language
        if region.open_mark is None and prev is not None and prev.group == region.group:
            # The rest of the paragraph after "säger X." is the same speaker's.
            return [Candidate(region.start, region.end, "direct", confidence.DASH_CONTINUED,
                              prev.mention, prev.how, prev.cue, region.group, lang, prev.inherit,
                              "dash")]
        para = view.paragraph_of(region.start)
        found = self.post(region.end, para.end) or self._paragraph_intro(region)
        if found is None:
            return [Candidate(region.start, region.end, "direct", confidence.DASH_UNATTRIBUTED,
                              None, "inherit", None, region.group, lang, True, "dash")]
        return [Candidate(region.start, region.end, "direct", confidence.DASH_ATTRIBUTED,
                          found.mention, found.how, found.cue, region.group, lang, False, "dash")]
