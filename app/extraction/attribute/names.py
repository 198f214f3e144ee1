"""Names found without NER: capitalised runs, titles and owners before them.

"Sjöstads kommunalråd Eva Lind" -> name "Eva Lind", role "Sjöstads kommunalråd";
"AB Nordfrakt", "NATO", "Sjöstad kommun" -> organisations; sentence-initial function words
("Det", "The") and owners ("Bolagets") are no names.
"""

from __future__ import annotations

from dataclasses import replace

from app.extraction.lexicon import Lexicon, load_first_names, load_given_names
from app.extraction.model import Mention, MentionKind
from app.extraction.text.view import TextView, Word


def is_genitive(view: TextView, w: Word) -> bool:
    """A capitalised owner: "Sjöstads kommunalråd", "USA:s", "Stone's"."""
    nxt = view.words[w.i + 1] if w.i + 1 < len(view.words) else None
    if nxt is not None and nxt.lower in ("'s", "’s", "'", "’") and nxt.start == w.end:
        return True
    lex = view.lexicon_at(w.start)
    if not lex.behaviour.s_genitive or not w.lower.endswith("s") or len(w.text) < 3:
        return False
    # Swedish s-genitive: the next word is a lowercase noun or title ("Bolagets ordförande"),
    # not a verb or function word ("Jonas Ek har", "Klas Berg hävdat").
    if nxt is None or not nxt.text[:1].islower() or not nxt.is_alpha_word:
        return False
    if lex.is_title(nxt.lower) or lex.is_org_word(nxt.text):
        return True  # "AB Nordfrakts ordförande", "Byggpartiets ungdomsförbund"
    if nxt.pos and nxt.pos not in ("NOUN", "ADJ", "PROPN", "NUM"):
        return False
    return not (
        nxt.is_stop
        or nxt.lower in lex.aux
        or nxt.lower in lex.adverbs
        or lex.cue_lemma(nxt.lower) is not None
    )


def _sentence_initial(view: TextView, w: Word) -> bool:
    """True when nothing but punctuation precedes w in its sentence."""
    start, _ = view.sentence_of(w.start)
    lead = view.text[start : w.start]
    return not any(ch.isalnum() for ch in lead)


def _name_start(view: TextView, w: Word, lex: Lexicon) -> bool:
    """True when w can start a name (capitalised, no function word at a sentence start)."""
    if not w.is_cap or not w.is_alpha_word or view.is_mark(w) or view.in_quote(w.start):
        return False
    if w.lower in lex.not_names or w.lower in lex.pronouns:
        return False
    if w.lower in lex.first_person and not (w.text.isupper() and len(w.text) > 1):
        return False  # "we", "us"; but "US Geological Survey", "US officials": the country
    return not (w.is_stop and _sentence_initial(view, w))


def _lone_capital(view: TextView, w: Word, lex: Lexicon) -> bool:
    """A one-word capitalised run at a sentence start that the text never repeats ("Strax
    därpå …", "Mötet kom …") is an ordinary word; "Sjöstad har …" recurs, so it is a name."""
    if not _sentence_initial(view, w) or w.text.isupper() or lex.is_title(w.lower):
        return False
    if lex.is_org_word(w.text) or load_first_names().gender(w.text) is not None:
        return False
    return view.text.count(w.text) < 2


def _name_continues(view: TextView, w: Word) -> bool:
    """True when w can continue a capitalised run."""
    return (
        w.is_cap and w.is_alpha_word and not view.is_mark(w) and not view.in_quote(w.start)
    )


def title_words(lex: Lexicon, words: list[Word]) -> frozenset[str]:
    """The base title words among words ("premiärministern" -> premiärminister)."""
    return frozenset(lex.title_base(w.lower) for w in words if lex.is_title(w.lower))


def role_before(view: TextView, first: int, lex: Lexicon) -> list[Word]:
    """Title words and an owner just before a name: "USA:s president", "Sportchef"."""
    role: list[Word] = []
    k = first - 1
    while k >= 0:
        w = view.words[k]
        if view.in_quote(w.start) or view.is_mark(w):
            break
        if lex.is_title(w.lower) or w.lower in lex.title_modifiers:
            role.insert(0, w)
        elif role and is_genitive(view, w):
            role.insert(0, w)
            # "Norra hamnens chef": one more capitalised word before a genitive.
            if k > 0 and view.words[k - 1].is_cap and not view.in_quote(view.words[k - 1].start):
                role.insert(0, view.words[k - 1])
                k -= 1
        elif role and w.text[:1].islower() and w.lower.endswith("s") and k > 0 and (
            view.words[k - 1].is_cap
        ):
            role.insert(0, w)  # "Norra hamnens"
        else:
            break
        k -= 1
    return role


def org_like(lex: Lexicon, w: Word) -> bool:
    """True for an organisation word."""
    return lex.is_org_word(w.text)


def _run_mentions(view: TextView, run: list[Word], lex: Lexicon) -> list[Mention]:
    """Split a capitalised run into (org,) role and name mentions."""
    out: list[Mention] = []
    if is_genitive(view, run[-1]):
        if not lex.behaviour.s_genitive and len(run) > 1 and org_like(lex, run[-1]):
            # "the Brantford Water Board's statement": an organisation owns it, and is one
            return [make_mention(view, run, "org", "ORG", lex)]
        return out  # an owner ("Sjöstads"), part of someone's role
    if run[0].text == "The" and len(run) > 1:
        return [make_mention(view, run, "org", "ORG", lex)]  # "The Courier", "The Hague"
    nxt = view.words[run[-1].i + 1] if run[-1].i + 1 < len(view.words) else None
    if (
        lex.behaviour.s_genitive
        and len(run) == 1
        and nxt is not None
        and nxt.text[:1].islower()
        and nxt.lower.endswith("s")
        and nxt.start - run[-1].end <= 1
        and not lex.is_title(run[0].lower)
    ):
        return out  # "Norra hamnens chef": an adjective of an owner phrase
    if len(run) == 1 and run[0].lower.endswith("s") and lex.is_title(run[0].lower[:-1],
                                                                     compounds=False):
        return [make_mention(view, run, "generic", "", lex)]  # "Senators", a group unnamed
    last_title = -1
    last_org = -1
    for n, w in enumerate(run):
        # A compound title only where it leads a longer run ("Oppositionsledaren Klas Berg"),
        # so that a surname like "Hoffman" is never read as a title.
        if lex.is_title(w.lower, compounds=n == 0 and len(run) > 1) or (
            len(run) == 1 and _definite_title(lex, w)
        ):
            last_title = n
        if org_like(lex, w):
            last_org = n
    cut = max(last_title, last_org)
    if last_org >= 0:
        org = run[: last_org + 1]
        if last_title > last_org:
            org = run[: last_org + 1]
        if all(not lex.is_title(w.lower) for w in org) or last_org == len(run) - 1:
            out.append(make_mention(view, org, "org", "ORG", lex))
    name, lead = _start_at_given_name(run[cut + 1 :], lex)
    if len(name) == 1 and not lead and cut >= 0 and run[cut].lower in lex.name_titles and (
        name[0].i == run[cut].i + 1
    ):
        name = [run[cut], *name]  # "Pope Francis": the title is part of a one-word name
    if not name:
        if last_org < 0:
            m = make_mention(view, run, "title", "", lex)
            prev = view.words[run[0].i - 1] if run[0].i > 0 else None
            if prev is None or prev.lower not in lex.generic_determiners:
                # "Rektorn: ”…”": a capitalised title alone is someone the text names (with
                # its title words to find them), but "One MP told …" is nobody in particular.
                m = replace(m, titles=title_words(lex, run))
            out.append(m)
        return out
    role_words = [*role_before(view, run[0].i, lex), *run[: cut + 1]] if cut >= 0 else (
        role_before(view, (lead or name)[0].i, lex)
    )
    role_words.extend(lead)
    if any(w.text.isupper() and len(w.text.rstrip(".")) > 1 and w.is_alpha_word
           for w in name):
        # an acronym: "FN", "NATO", "SKB", "RAF Eastbay"; not a middle initial ("Ann W. Reed")
        label = "ORG"
        kind: MentionKind = "org"
    elif len(name) >= 2 or any(lex.is_title(w.lower) for w in role_words):
        label, kind = "PER", "name"
    else:
        label, kind = "", "name"
    m = make_mention(view, name, kind, label, lex)
    if role_words:
        role_text = view.text[role_words[0].start : role_words[-1].end]
        m = Mention(
            m.start, m.end, m.text, m.kind, m.label, role_text, m.first_word, m.last_word,
            m.source, title_words(lex, role_words),
        )
    out.append(m)
    return out


def _definite_title(lex: Lexicon, w: Word) -> bool:
    """A compound title in its definite form ("Kommundirektören", "Förbundskaptenen"): a
    surname never takes the definite suffix, so alone it is a title, not a name."""
    low = w.lower
    return any(
        low.endswith(suf) and len(low) > len(suf) + 3 and lex.is_title(low[: -len(suf)])
        for suf in lex.definite_suffixes
    )


def _start_at_given_name(name: list[Word], lex: Lexicon) -> tuple[list[Word], list[Word]]:
    """A person's name starts at their given name: "Utah Jane Roe" -> "Jane Roe" and the lead
    "Utah" (a place or a word the title list lacks, written straight before the name), and a
    short post-nominal goes ("Jane Roe QC"). Returns the name and the words cut off before it."""
    given = load_given_names()
    if len(name) >= 3 and name[-1].text in lex.post_nominals:
        name = name[:-1]  # "Jane Roe QC", "Tom Berg MP"
    if len(name) >= 3 and name[0].text in given:
        last = name[-1]
        if last.text.isupper() and 2 <= len(last.text) <= 3 and not any(
            w.text.isupper() for w in name[:-1]
        ):
            return name[:-1], []
        return name, []
    if len(name) < 3:
        return name, []
    k = 0
    while k + 2 < len(name) and name[k + 1].text == "-":
        k += 2  # the parts of a hyphenated first word: "Co-author", "Fourteen-year-old"
    if k and len(name) - (k + 1) >= 1 and any(w.text[:1].islower() for w in name[: k + 1]):
        # "Co-author Jane Roe", "Fourteen-year-old Zoe": a hyphenated common word leads
        return name[k + 1 :], name[: k + 1]
    place = _place_words(name, lex)
    rest = name[place:]
    if place and 2 <= len(rest) <= 3 and (
        rest[0].text in given or all(w.ent_type == "PER" for w in rest)
    ) and not any(lex.is_org_word(w.text) or w.text.isupper() for w in rest):
        return rest, name[:place]  # "Vermont Jane Roe": a place written before the name
    for k in range(1, len(name) - 1):
        if name[k].text in given and name[k + 1].is_cap and name[k + 1].is_alpha_word:
            lead = name[:k]
            if lead[-1].text == "-" or any(len(w.text) == 1 or w.ent_type == "PER" for w in lead):
                return name, []  # "Tak-Sing Lee", "B. Jane Roe", a name the NER sees whole
            return name[k:], lead
    return name, []


def _place_words(name: list[Word], lex: Lexicon) -> int:
    """How many words at the start of a capitalised run are a known place ("New Mexico")."""
    for n in (3, 2, 1):
        if len(name) > n and " ".join(w.text for w in name[:n]) in lex.places:
            return n
    return 0


def make_mention(
    view: TextView, words: list[Word], kind: MentionKind, label: str, lex: Lexicon,
    source: str = "heuristic",
) -> Mention:
    """A mention spanning words."""
    start, end = words[0].start, words[-1].end
    return Mention(
        start, end, view.text[start:end], kind, label, None, words[0].i, words[-1].i, source,
        frozenset(),
    )


def heuristic_names(view: TextView, taken: set[int]) -> list[Mention]:
    """Capitalised runs outside quotes, split into names, roles and organisations."""
    out: list[Mention] = []
    words = view.words
    i = 0
    while i < len(words):
        w = words[i]
        if i in taken or not w.text[:1].isupper():  # is_cap, without the property's call
            i += 1  # (a name starts capitalised, "The" too: most words end here)
            continue
        lex = view.lexicon_at(w.start)
        # "according to The Courier": a capitalised "The" inside a sentence is part of a name.
        titled_the = (
            w.text == "The"
            and not _sentence_initial(view, w)
            and i + 1 < len(words)
            and _name_continues(view, words[i + 1])
            and not view.in_quote(w.start)
        )
        if i in taken or not (titled_the or _name_start(view, w, lex)):
            i += 1
            continue
        run = [w]
        j = i
        while j + 1 < len(words) and j + 1 not in taken:
            nx = words[j + 1]
            if _genitive_in_org(view, j, taken, lex):
                run.extend([nx, words[j + 2]])  # "Dunmore County Sheriff's Office"
                j += 2
                continue
            if nx.start - words[j].end > 1 or is_genitive(view, words[j]):
                break
            after = words[j + 2] if j + 2 < len(words) else None
            if (
                nx.text == "-"
                and nx.start == words[j].end
                and after is not None
                and after.start == nx.end
                and after.is_alpha_word
            ):
                run.extend([nx, after])  # "Ex-Prime", "Jan-Erik", "Stone-Reed" split by "-"
                j += 2
            elif _name_continues(view, nx):
                run.append(nx)
                j += 1
            elif (k := _org_link_end(view, run, j + 1, taken, lex)) is not None:
                run.extend(words[j + 1 : k + 1])  # "Harbour 9 Project", "Flood and Storm
                j = k  # Agency", "Relief Act No. 12": the organisation's name goes on
            elif nx.lower in lex.name_particles and (
                (k := _after_particles(view, j + 1, lex)) is not None
            ):
                run.extend(words[j + 1 : k + 1])  # "Ana de Souza", "Juan de la Vega"
                j = k
            else:
                break
        tail = org_tail(view, run[-1], taken, lex) if org_like(lex, run[-1]) else []
        if tail:
            # "the Office for National Statistics": the organisation goes on over "for".
            found = _run_mentions(view, run, lex)
            if found and found[-1].kind == "org" and found[-1].end == run[-1].end:
                last = found[-1]
                end = tail[-1]
                found[-1] = replace(last, end=end.end, text=view.text[last.start : end.end],
                                    last_word=end.i)
                out.extend(found)
                i = end.i + 1
                continue
        nxt = words[j + 1] if j + 1 < len(words) else None
        if (
            nxt is not None
            and nxt.text[:1].islower()
            and org_like(lex, nxt)
            and not view.in_quote(nxt.start)
            and nxt.start - words[j].end <= 1
        ):
            # "Byggpartiets ungdomsförbund", "Sjöstad kommun", "Sjöstads bostäder": an organisation.
            out.append(make_mention(view, [*run, nxt], "org", "ORG", lex))
            i = j + 2
            continue
        if nxt is not None and _body_after(view, run, nxt, lex):
            # "the Chilean government", "Kent County police": the body the capitals qualify
            out.append(make_mention(view, [*run, nxt], "org", "ORG", lex))
            i = j + 2
            continue
        if len(run) == 1 and _lone_capital(view, run[0], lex):
            i = j + 1
            continue
        out.extend(_run_mentions(view, run, lex))
        i = j + 1
    return out


def _org_link_end(view: TextView, run: list[Word], k: int, taken: set[int], lex: Lexicon
                  ) -> int | None:
    """Where an organisation's capitalised run goes on past word k: a number ("Harbour 9
    Project"), the number after "No." ("Relief Act No. 12") or "and" ("Flood and Storm Response
    Agency"): the last word of the run after the link when that run ends the name with an
    organisation word (or the number after "No."), else None. Not after a person, a time
    word or an organisation word ("Acme Agency and Beta Bank" are two)."""
    words = view.words
    if k >= len(words) or k in taken or view.in_quote(words[k].start):
        return None
    link = words[k]
    if link.start - words[k - 1].end > 1 or any(
        w.lower in lex.time_nouns or w.text in load_given_names() or org_like(lex, w)
        for w in run
    ):
        return None
    if len(run) > 1 and run[-1].lower.rstrip(".") in lex.number_words:
        # "Act No. 12": the run took "No." (or "No"); the number (after a ".") ends the name
        num = k + 1 if link.text == "." and not run[-1].text.endswith(".") else k
        if num < len(words) and words[num].text.isdigit() and num not in taken and (
            words[num].start - words[num - 1].end <= 1
        ):
            return num
        return None
    if not (link.text.isdigit() or (link.lower in lex.and_words and len(run) <= 3)):
        return None
    end = None
    m = k + 1
    while m < len(words) and m not in taken and _name_continues(view, words[m]) and (
        words[m].start - words[m - 1].end <= 1
    ) and words[m].lower not in lex.time_nouns and words[m].ent_type != "PER":
        if org_like(lex, words[m]):
            end = m
        m += 1
    return end


def _body_after(view: TextView, run: list[Word], nxt: Word, lex: Lexicon) -> bool:
    """A lowercase body noun ("government", "police", "embassy") right after a capitalised
    run that is not a person, a time or an owner, and not modifying a noun after it ("U.S.
    military personnel"): one organisation."""
    words = view.words
    after = words[nxt.i + 1] if nxt.i + 1 < len(words) else None
    if after is not None and after.text[:1].islower() and after.pos in ("NOUN", "PROPN"):
        return False  # "U.S. military personnel": the body noun is a modifier
    return (
        nxt.lower in lex.body_nouns
        and not view.in_quote(nxt.start)
        and nxt.start - run[-1].end <= 1
        and not is_genitive(view, run[-1])
        and not any(
            w.lower in lex.time_nouns or lex.is_title(w.lower) or org_like(lex, w)
            or _person_word(view, w)
            for w in run
        )
    )


def _person_word(view: TextView, w: Word) -> bool:
    """Part of a person's name: as the NER sees it when the pipeline has one ("Kent County"
    is a place), else a given name."""
    return w.ent_type == "PER" if view.has_parse else w.text in load_given_names()


def _after_particles(view: TextView, i: int, lex: Lexicon) -> int | None:
    """The capitalised word that name particles from word i lead to ("de la Vega", "van der
    Berg": two at most), or None."""
    words = view.words
    k = i
    while k < len(words) and k - i < 2 and words[k].lower in lex.name_particles:
        k += 1
    return k if k > i and k < len(words) and _name_continues(view, words[k]) else None


def _genitive_in_org(view: TextView, j: int, taken: set[int], lex: Lexicon) -> bool:
    """Word j is an owner inside an organisation's name: an attached "'s" and then a
    capitalised organisation word ("the Dunmore County Sheriff's Office", "Women's Hospital"),
    not a person's role or a name ("Acme's Jane Roe")."""
    words = view.words
    k = j + 2
    if k >= len(words) or k in taken or j + 1 in taken:
        return False
    mark, org = words[j + 1], words[k]
    return (
        mark.lower in ("'s", "’s") and mark.start == words[j].end
        and org.start - mark.end <= 1 and _name_continues(view, org) and org_like(lex, org)
    )


def org_tail(view: TextView, head: Word, taken: set[int], lex: Lexicon,
             ner_person_stops: bool = True) -> list[Word]:
    """The words that carry an organisation on past its capitalised run: "Office" + "for
    National Statistics", "Centers" + "for Disease Control and Prevention", "Department" +
    "of the Interior", "the government" + "of Burundi"; ``head`` is the organisation's last
    word. Empty unless a link (``org_links``) follows with capitalised words. The name stops
    at a title after its first word ("Office of the President" goes on, "Bank of England
    Governor Jane Roe" does not), at a given name ("University of Utah Jane Roe") and, unless
    ``ner_person_stops`` is off, where the NER sees a person (a small model takes "the
    government of Lesotho" for one)."""
    if not lex.org_links or is_genitive(view, head):
        return []
    words = view.words
    given = load_given_names()

    def caps(k: int) -> list[Word]:
        got: list[Word] = []
        while k < len(words) and k not in taken and _name_continues(view, words[k]) and (
            words[k].start - words[k - 1].end <= 1
        ) and not (got and lex.is_title(words[k].lower, compounds=False)) and not (
            words[k].text in given or (ner_person_stops and words[k].ent_type == "PER")
            or (org_like(lex, words[k]) and bool(got))
        ):
            got.append(words[k])
            if is_genitive(view, words[k]):
                return []  # "Office of Jane's": an owner, not the organisation's name
            k += 1
        return got

    k = head.i + 1
    if k >= len(words) or words[k].text not in lex.org_links or view.in_quote(words[k].start):
        return []
    tail = [words[k]]
    k += 1
    if k < len(words) and words[k].text in lex.definite_articles:
        tail.append(words[k])
        k += 1
    body = caps(k)
    if not body:
        return []
    tail.extend(body)
    k = body[-1].i + 1
    if k + 1 < len(words) and words[k].text in lex.and_words and not org_like(lex, words[k + 1]):
        more = caps(k + 1)
        if more:
            tail.extend([words[k], *more])
    return tail
