"""Finding quote spans in raw text: quotation marks (” ” “ ” „ “ » « " ’) and quote dashes.

Works on characters only, so it runs the same with or without a trained pipeline. Offsets are
into the text given; a region's content excludes the marks and the spaces just inside them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from app.extraction.lexicon import Marks
from app.extraction.model import QuoteRegion, RegionMarking
from app.extraction.segments import Paragraph

Context = Literal["open", "close", "detached", "glued"]

#: The sentence boundary searched backwards when a closing mark has lost its opening one.
_BOUNDARY = re.compile(r"[.!?…]\s+(?=[A-ZÅÄÖÉ0-9])")
#: Where the clause after a mark ends.
_CLAUSE_END = re.compile(r"[.,;:!?()\[\]\"“”«»„]")
#: The word after a mark, skipping a comma: "… i år.” , fortsätter hon." -> "fortsätter".
_NEXT_WORD = re.compile(r"\s*[,]?\s*([^\W\d_]+)")


@dataclass(slots=True)
class _Open:
    pos: int
    family: Literal["d", "s"]


def _context(text: str, i: int, start: int, end: int, marks: Marks) -> Context:
    """Whether the mark at i sits like an opening or a closing mark, or is detached/glued."""
    left = text[i - 1] if i > start else ""
    right = text[i + 1] if i + 1 < end else ""
    lb = not left or left.isspace() or left in marks.left_boundary or left in marks.all
    rb = not right or right.isspace() or right in marks.right_boundary or right in marks.all
    if lb and rb:
        return "detached"
    if lb:
        return "open"
    if rb:
        return "close"
    return "glued"


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past whitespace ("”kan klara sig själva ”")."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


#: A dateline that ends its own sentence before a quote dash: "SJÖSTAD. – Vi är klara, …"
#: (a dateline run into the text, "SJÖSTAD (TT) – Regeringen vill …", opens no quote).
_DATELINE = re.compile(r"[A-ZÅÄÖÉ][A-ZÅÄÖÉ/-]{2,}(?: [A-ZÅÄÖÉ][A-ZÅÄÖÉ/-]+){0,2}\.[ \t]+")


def dash_start(text: str, start: int, end: int) -> int:
    """Where a paragraph's quote dash may stand: its start, or after a dateline sentence."""
    m = _DATELINE.match(text, start, end)
    return m.end() if m is not None else start


def is_dash_paragraph(text: str, start: int, end: int, marks: Marks) -> int | None:
    """Content start of a dash quote paragraph ("– Jag …", "-För mig …"), else None."""
    start = dash_start(text, start, end)
    if start >= end or text[start] not in marks.dashes:
        return None
    nxt = text[start + 1] if start + 1 < end else ""
    if text[start] == "-" and not (nxt.isspace() or nxt.isupper()):
        return None  # "-5 grader", "--", "-talet"
    content, stop = _strip(text, start + 1, end)
    body = text[content:stop]
    if re.match(r"[ \t]{2}|\t", text[start + 1 : start + 3]) and body[-1:] not in ".!?…\"”»":
        return None  # "-    Budget 2025": a list item laid out with spaces, no utterance
    # A tweet signature ("— The Harbour Courier (@HarbourCourier) May 2, 2024") is no
    # utterance: it has a handle, or no lowercase word at all.
    if "@" in body or not re.search(r"\b[^\W\d_A-ZÅÄÖ]{3,}\b", body):
        return None
    return content if content < stop else None


#: The regex of each set of quotation marks (one character class), made once.
_MARK_PATTERNS: dict[frozenset[str], re.Pattern[str] | None] = {}


def _mark_pattern(chars: frozenset[str]) -> re.Pattern[str] | None:
    """A regex matching any one of ``chars`` (None when there are none)."""
    if chars not in _MARK_PATTERNS:
        single = sorted(c for c in chars if len(c) == 1)
        _MARK_PATTERNS[chars] = (
            re.compile("[" + "".join(re.escape(c) for c in single) + "]") if single else None)
    return _MARK_PATTERNS[chars]


class _ParagraphScanner:
    """Pairs the marks of one paragraph; holds the state between marks."""

    def __init__(
        self,
        text: str,
        para: Paragraph,
        index: int,
        marks: Marks,
        is_cue: Callable[[str], bool],
        nest: bool = True,
    ) -> None:
        """Scan one paragraph of text; with ``nest``, an opening double mark inside an open
        double quote opens a nested quote (“The “new” bridge …”) instead of restarting."""
        self.text, self.para, self.index, self.marks, self.is_cue = text, para, index, marks, is_cue
        self.nest = nest
        self.stack: list[_Open] = []
        self.found: list[tuple[int, int, int | None, int | None, RegionMarking]] = []
        self.unbalanced = 0
        self.repaired = 0
        #: Whether a double mark opened a quote nested in another quote.
        self.nested = False
        #: Whether an opening mark restarted a quote that had not closed.
        self.restarted = False

    def scan(self) -> None:
        """Walk the paragraph's marks left to right (found by a regex of the marks: a
        Python step per character of the paragraph cost more than the marks' handling)."""
        text, marks = self.text, self.marks
        pattern = _mark_pattern(marks.all)
        if pattern is None:
            return
        for found in pattern.finditer(text, self.para.start, self.para.end):
            i = found.start()
            ch = text[i]
            if ch in marks.double:
                self._double(i, _context(text, i, self.para.start, self.para.end, marks))
            elif ch in marks.single:
                self._single(i, _context(text, i, self.para.start, self.para.end, marks))

    def _emit(self, open_at: int, close_at: int, kind: RegionMarking = "marked") -> None:
        """Record the content between the marks at open_at and close_at."""
        start, end = _strip(self.text, open_at + 1, close_at)
        if start < end:
            self.found.append((start, end, open_at, close_at, kind))

    def _close_outer(self, i: int) -> None:
        """Close the outermost open quote at i."""
        self._emit(self.stack[0].pos, i)
        self.stack.clear()

    def _double(self, i: int, ctx: Context) -> None:
        """Handle a double mark (” “ „ " » «) in its context."""
        if not self.stack:
            if ctx in ("open", "detached") or (ctx == "glued" and self.text[i] == '"'):
                self.stack.append(_Open(i, "d"))
            elif self.text[i] not in self.marks.open_only:
                self._stray_closer(i)
            else:
                self.stack.append(_Open(i, "d"))
            return
        top = self.stack[-1]
        if self.nest and ctx == "open" and len(self.stack) == 1:
            # “The “new” bridge is …”, ‘They said “wait”, so …’: a double quote nested in a
            # quote (find_quotes scans again without nesting when the outer one never closes).
            self.stack.append(_Open(i, "d"))
            self.nested = True
            return
        if self.text[i] in self.marks.open_only or (ctx == "open" and top.family == "d"):
            # An opening mark while a double quote is open: the earlier one never closed.
            self.unbalanced += 1
            self.restarted = True
            self.stack = [_Open(i, "d")]
            return
        if len(self.stack) == 2 and top.family == "d":
            self.stack.pop()  # the nested double quote closes; the outer one goes on
            return
        # A double mark closes the outer quote, also when a single one opened it
        # (machine translation mixes them: ’när det har behövts … varandra”).
        self._close_outer(i)

    def _single(self, i: int, ctx: Context) -> None:
        """Handle a single mark (’ ‘ ') in its context: quote mark or apostrophe."""
        text = self.text
        text[i - 1] if i > self.para.start else ""
        right = text[i + 1] if i + 1 < self.para.end else ""
        if ctx == "glued":
            return  # I’ll, USA’s, rock’n’roll: an apostrophe
        if ctx in ("open", "detached") and right.isdigit():
            return  # ’90-talet: elision
        if not self.stack:
            if ctx == "open":
                self.stack.append(_Open(i, "s"))
            return
        top = self.stack[-1]
        if ctx == "open":
            if top.family == "d" and len(self.stack) == 1:
                self.stack.append(_Open(i, "s"))  # nested: “He said ‘no’ …”
            return
        if top.family == "s":
            self.stack.pop()
            if not self.stack:
                self._emit(top.pos, i)
            return
        if ctx == "detached" and len(self.stack) == 1:
            # ”största allians för välstånd och säkerhet ’, och … : a detached single mark
            # closes the double quote (mismatched pair); an attached one ("tenants' union")
            # is a possessive apostrophe.
            self._close_outer(i)

    def _attribution_after(self, i: int) -> bool:
        """A speech verb right after the mark at i (", fortsätter hon"), after one short
        word (" he said"), or after a capitalised speaker of at most four words (" Anna Holm
        said"; not " and the mayor said so")."""
        m = _NEXT_WORD.match(self.text, i + 1, self.para.end)
        if not m:
            return False
        if self.is_cue(m.group(1)):
            return True
        clause = _CLAUSE_END.split(self.text[m.start(1) : self.para.end], maxsplit=1)[0]
        words = clause.split()[:6]
        if len(words) > 1 and len(words[0]) <= 4 and self.is_cue(words[1]):
            return True
        return m.group(1)[:1].isupper() and any(self.is_cue(w) for w in words[1:5])

    def _stray_closer(self, i: int) -> None:
        """A closing mark with no opening one: repair when an attribution follows, else skip.

        “…” , säger Karin. När jag fick frågan … i år.” , fortsätter hon. — the opening mark
        of the second quote is missing; it starts after the previous sentence.
        """
        if not self._attribution_after(i):
            self.unbalanced += 1
            return
        floor = self.para.start
        if self.found:
            floor = max(floor, self.found[-1][3] or floor)
        start = None
        for b in _BOUNDARY.finditer(self.text, floor, max(floor, i - 1)):
            start = b.end()
        if start is None:
            if floor != self.para.start:
                self.unbalanced += 1
                return
            start = floor
        s, e = _strip(self.text, start, i)
        if s < e:
            self.found.append((s, e, None, i, "repaired"))
            self.repaired += 1


def _scan(text: str, para: Paragraph, index: int, marks: Marks, is_cue: Callable[[str], bool]
          ) -> _ParagraphScanner:
    """The paragraph's marks paired, nested double quotes read as such unless the outer
    quote then never closes ("We are ready. "We will win," …: the first quote lost its
    closing mark, and the second one starts afresh)."""
    scanner = _ParagraphScanner(text, para, index, marks, is_cue)
    scanner.scan()
    if scanner.nested and scanner.stack:
        scanner = _ParagraphScanner(text, para, index, marks, is_cue, nest=False)
        scanner.scan()
    return scanner


#: How many lines without a mark a quote broken by hard line breaks may run over.
_MAX_BROKEN_LINES = 4


def _closing_line(text: str, paragraphs: Sequence[Paragraph], index: int, marks: Marks
                  ) -> int | None:
    """The index of the line that closes a quote left open at the end of paragraph
    ``index``, across single line breaks only: the first following line with a double mark,
    that mark sitting as a closing one, the lines between without marks (None if none)."""
    para = paragraphs[index]
    pattern = _mark_pattern(marks.double)
    if pattern is None or pattern.search(text, para.start, para.end) is None:
        return None  # (no double mark: no quote left open; the common case, asked first)
    for j in range(index + 1, min(len(paragraphs), index + 1 + _MAX_BROKEN_LINES)):
        nxt = paragraphs[j]
        gap = text[paragraphs[j - 1].end : nxt.start]
        if gap.count("\n") != 1 or gap.strip() or nxt.language != para.language:
            return None
        found = pattern.search(text, nxt.start, nxt.end)
        if found is not None:
            i = found.start()
            return j if _context(text, i, nxt.start, nxt.end, marks) == "close" else None
    return None


def join_broken_lines(text: str, paragraphs: Sequence[Paragraph], marks: Marks
                      ) -> list[Paragraph]:
    """Paragraphs with hard line breaks inside a quote read as one: “We will rebuild the
    school ⏎ before the winter,” said … (a quote left open at the end of a line that closes
    on a later line, across single line breaks and lines without marks)."""
    out: list[Paragraph] = []
    index = 0
    while index < len(paragraphs):
        cur, last = paragraphs[index], index
        while (close := _closing_line(text, paragraphs, last, marks)) is not None:
            scanner = _scan(text, cur, len(out), marks, lambda w: False)
            if not scanner.stack or scanner.stack[0].family != "d":
                break
            cur, last = Paragraph(cur.start, paragraphs[close].end, cur.language), close
        out.append(cur)
        index = last + 1
    return out


#: The word right before a mark: "said: "" -> "said".
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]*$")


def _opens_utterance(text: str, para: Paragraph, scanner: _ParagraphScanner,
                     is_cue: Callable[[str], bool]) -> bool:
    """Whether the one double mark left open at the end of a paragraph opens an utterance:
    no earlier quote restarted in the paragraph, the mark at the paragraph's start or after
    punctuation that ends a sentence or an intro (`said: "…`, `. "…`), or after a speech
    verb (`said "…`). A mark left open inside the reporter's phrase (`the "miracle pier
    was …`) opens nothing."""
    first = scanner.stack[0]
    if first.family != "d" or scanner.restarted:
        return False
    lead = text[para.start : first.pos].rstrip()
    if not lead or lead[-1] in ".!?:,;…–—":
        return True
    m = _WORD_BEFORE.search(lead)
    return m is not None and is_cue(m.group(1))


#: A credit line under a block quote: a dash, then a capitalised name of a few words
#: ("– Court of Appeal", "— Eva Holm"), no digits, no handle, no sentence punctuation.
_CREDIT = re.compile(r"[ \t]*([^\W\d_][\w.'’&-]*(?:[ \t]+[\w.'’&-]+){0,7})[ \t]*")


def _credited_block(text: str, paragraphs: Sequence[Paragraph], index: int, marks: Marks
                    ) -> bool:
    """GUIDELINES 11: a passage quoted without marks in a paragraph of its own, between an
    intro ending in a colon and a credit line of a dash and a name (“The court ruled:” ¶
    passage ¶ “– Court of Appeal”). The credit line is not a quote."""
    if not 0 < index < len(paragraphs) - 1:
        return False
    prev, para, nxt = paragraphs[index - 1], paragraphs[index], paragraphs[index + 1]
    if not text[prev.start : prev.end].rstrip().endswith(":"):
        return False
    body = text[para.start : para.end].strip()
    if len(body.split()) < 5 or body[:1] in marks.all or body[:1] in marks.dashes:
        return False
    line = text[nxt.start : nxt.end].strip()
    if line[:1] not in marks.dashes:
        return False
    m = _CREDIT.fullmatch(line, 1)
    return m is not None and m.group(1)[:1].isupper() and not any(
        w[:1].islower() and len(w) > 3 for w in m.group(1).split())


def find_quotes(
    text: str,
    paragraphs: Sequence[Paragraph],
    marks: Marks,
    dash_languages: frozenset[str],
    is_cue: Callable[[str], bool],
) -> tuple[list[QuoteRegion], dict[str, int]]:
    """All quote regions of the text, in order, and counts of what was skipped or repaired."""
    regions: list[QuoteRegion] = []
    stats = {"unbalanced_marks": 0, "repaired_marks": 0, "multi_paragraph": 0,
             "block_quotes": 0}
    group = 0
    pending_group: int | None = None  # a multi-paragraph quote continues into this paragraph
    for index, para in enumerate(paragraphs):
        content = (
            is_dash_paragraph(text, para.start, para.end, marks)
            if para.language in dash_languages
            else None
        )
        if content is not None:
            group += 1
            regions.append(QuoteRegion(
                content, para.end, dash_start(text, para.start, para.end), None, "dash", index,
                group,
            ))
            pending_group = None
            continue
        if para.language not in dash_languages and _credited_block(text, paragraphs, index, marks):
            group += 1
            s, e = _strip(text, para.start, para.end)
            regions.append(QuoteRegion(s, e, None, None, "marked", index, group))
            pending_group = None
            stats["block_quotes"] += 1
            continue
        scanner = _scan(text, para, index, marks, is_cue)
        stats["unbalanced_marks"] += scanner.unbalanced
        stats["repaired_marks"] += scanner.repaired
        carry, pending_group = pending_group, None
        for n, (s, e, o, c, kind) in enumerate(scanner.found):
            if n == 0 and carry is not None and o == para.start:
                g = carry
            else:
                group += 1
                g = group
            regions.append(QuoteRegion(s, e, o, c, kind, index, g))
        if not scanner.stack:
            continue
        first = scanner.stack[0]
        nxt = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        continues = (
            first.family == "d"
            and nxt is not None
            and text[nxt.start] in marks.double
            and _context(text, nxt.start, nxt.start, nxt.end, marks) in ("open", "detached")
        )
        s, e = _strip(text, first.pos + 1, para.end)
        if not continues and s < e and _opens_utterance(text, para, scanner, is_cue):
            # A quote whose closing mark is missing runs to the end of its paragraph.
            group += 1
            regions.append(QuoteRegion(s, e, first.pos, None, "marked", index, group))
            stats["unbalanced_marks"] += 1
            continue
        if not continues or s >= e:
            stats["unbalanced_marks"] += 1
            continue
        # English multi-paragraph quote: “… (no closing mark) ¶ “… ” — one group of pieces.
        if carry is not None and not scanner.found and first.pos == para.start:
            g = carry
        else:
            group += 1
            g = group
        regions.append(QuoteRegion(s, e, first.pos, None, "marked", index, g))
        pending_group = g
        stats["multi_paragraph"] += 1
    return regions, stats
