"""Figures of the built corpus files, as markdown tables for DATASHEET.md.

Per language and split: documents, words, quotes by type, not_quotes, speakers; and how often
the annotators' notes record each hard case (a note names the case it decides).

    python corpus/tools/stats.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Hard cases of the guidelines, and the words an annotator's note uses for them.
HARD_CASES = {
    "continuation / earlier sentence":
        r"continu|earlier|previous|fortsätt|tidigare|interview|intervju",
    "pronoun speaker": r"pronoun|pronomen|\bhe\b|\bshe\b|\bhan\b|\bhon\b",
    "title / role speaker": r"title|role|titel|roll|unnamed|definite description",
    "dateline / agency credit not the speaker":
        r"dateline|credit|agency|\btt\b|afp|reuters|outlet|byrå",
    "statement block / colon intro": r"statement|colon|kolon|uttalande",
    "multi-paragraph quote": r"multi-paragraph|paragraph quote|several paragraphs|flera stycken",
    "headline quote": r"headline|rubrik",
    "nested quote": r"nested|inner quot|inre",
    "scare quote / title": r"scare|title of|so-called|så kallad|titel på|nickname",
    "organisation vs place": r"organi[sz]ation|metonym|place|plats|government|regering",
}


def main() -> None:
    rows = []
    cases: dict[str, Counter[str]] = {}
    for path in sorted(ROOT.glob("*/*.jsonl")):
        if path.parent.name in ("work", "tools"):
            continue
        lang, split = path.parent.name, path.stem
        recs = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        types = Counter(q["type"] for r in recs for q in r["quotes"])
        words = sum(len(re.findall(r"\w+", r["text"])) for r in recs)
        speakers = sum(len(r["speakers"]) for r in recs)
        nq = sum(len(r["not_quotes"]) for r in recs)
        rows.append((lang, split, len(recs), words, sum(types.values()), types["direct"],
                     types["partial"], types["indirect"], nq, speakers,
                     sum(q["speaker"] is None for r in recs for q in r["quotes"])))
        c = cases.setdefault(lang, Counter())
        for r in recs:
            notes = [q.get("note", "") for q in r["quotes"]] + [n.get("note", "")
                                                               for n in r["not_quotes"]]
            for note in notes:
                for case, pattern in HARD_CASES.items():
                    if note and re.search(pattern, note, re.IGNORECASE):
                        c[case] += 1
    print("| language | split | documents | words | quotes | direct | partial | indirect | "
          "not_quotes | speakers | no speaker |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")
    total = [sum(r[i] for r in rows) for i in range(2, 11)]
    print("| all | | " + " | ".join(str(x) for x in total) + " |")
    print()
    langs = sorted(cases)
    print("| hard case (annotators' notes) | " + " | ".join(langs) + " |")
    print("| --- | " + " | ".join("---:" for _ in langs) + " |")
    for case in HARD_CASES:
        print(f"| {case} | " + " | ".join(str(cases[lang][case]) for lang in langs) + " |")


if __name__ == "__main__":
    main()
