"""Citat's Wikinews NER: titles cut out of persons, the marking rule, the import, the reader and
the data file itself (offsets, licence, no passage of the evaluation texts)."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.training.corpora import Sentence, guess_spaces, strip_titles
from app.training.datasets import group, news_chunks
from app.training.licensing import SOURCES, corpus_sources, write_license_files
from app.training.news_ner import (
    DATA_FILE,
    FROM_CORPUS,
    FROM_WIKINEWS,
    SECOND_FILE,
    ReadStats,
    Texts,
    agreement,
    english_tokenizer,
    import_annotations,
    mark,
    normalise_url,
    read_records,
    sha256,
    speaker_coverage,
    to_sentences,
)

SHARED = PROJECT_ROOT.parent / "shared"
WIKINEWS = SHARED / "data" / "en" / "wikinews"


def _sent(words: str, tags: str) -> Sentence:
    w = tuple(words.split())
    return Sentence(words=w, spaces=guess_spaces(w), ner=tuple(tags.split()))


# --- Titles -----------------------------------------------------------------------------------

def test_leading_titles_are_cut_out_of_persons() -> None:
    sent = _sent("Chancellor Zorbalind Quent met Dr . Vellamy and Lt. Col. Ossery",
                 "B-PER I-PER I-PER O B-PER I-PER I-PER O B-PER I-PER I-PER")
    out, changed = strip_titles(sent)
    assert changed == 3
    assert out.ner == ("O", "B-PER", "I-PER", "O", "O", "O", "B-PER", "O", "O", "O", "B-PER")
    assert out.words == sent.words


def test_tweet_titles_in_lower_case_and_two_word_titles_are_cut() -> None:
    out, changed = strip_titles(_sent("president Orvano and Prime Minister Tesk Abani",
                                      "B-PER I-PER O B-PER I-PER I-PER I-PER"))
    assert changed == 2
    assert out.ner == ("O", "B-PER", "O", "O", "O", "B-PER", "I-PER")


def test_names_without_titles_and_title_only_persons_stay_as_they_are() -> None:
    tags = "B-PER I-PER O B-PER I-PER I-PER O B-PER O B-ORG I-ORG"
    sent = _sent("Quillon Mebb and Duke of Xandria and President met Queen Brantels", tags)
    out, changed = strip_titles(sent)
    assert changed == 0 and out.ner == tuple(tags.split())
    # A title before a name that is not a person span is not touched either.
    assert strip_titles(_sent("Sheikh Varadi", "B-PER I-PER"))[1] == 0


# --- The marking rule and the import ----------------------------------------------------------

TEXT_A = ("Tuesday, May 4, 2021\n\n\nMayor Pell Dorvik of Quarnholm said the Quarnholm Harbour "
          "Board would meet. Dorvik's office and Quarnholm residents disagree.\n\n\n"
          "Board member Ansel Quarn said nothing.\n")


def test_mark_tags_every_whole_word_occurrence_longest_first_with_exceptions() -> None:
    ann = {"entities": [{"text": "Pell Dorvik", "label": "PER"}, {"text": "Dorvik", "label": "PER"},
                        {"text": "Quarnholm", "label": "LOC"},
                        {"text": "Quarnholm Harbour Board", "label": "ORG"},
                        {"text": "Ansel Quarn", "label": "PER"}],
           "exceptions": [{"text": "Quarnholm", "occurrence": 3, "label": "O"}]}
    spans, errors = mark(TEXT_A, ann)
    assert errors == []
    got = [(TEXT_A[a:b], label) for a, b, label in spans]
    assert got == [("Pell Dorvik", "PER"), ("Quarnholm", "LOC"), ("Quarnholm Harbour Board", "ORG"),
                   ("Dorvik", "PER"), ("Ansel Quarn", "PER")]  # not "Quarn" inside "Quarnholm"
    _, errors = mark(TEXT_A, {"entities": [{"text": "Nowhere", "label": "LOC"},
                                           {"text": "Pell", "label": "PERSON"}],
                              "exceptions": [{"text": "Pell", "occurrence": 2, "label": "O"}]})
    assert len(errors) == 3


def _annotation_folder(root: Path, texts: dict[str, str]) -> None:
    (root / "docs" / "A").mkdir(parents=True)
    (root / "A").mkdir()
    rows = [
        {"id": "en-wn-9001", "url": "https://en.wikinews.org/wiki/Harbour_board", "date":
         "2021-05-04", "title": "Harbour board", "origin": "corpus-dev", "group": "A"},
        {"id": "wn-x-1", "url": "https://en.wikinews.org//wiki/Other_story", "date":
         "2021-05-05", "title": "Other story", "origin": "wikinews-unused", "group": "A"},
        {"id": "wn-x-2", "url": "https://en.wikinews.org//wiki/Not_yet", "date": "2021-05-06",
         "title": "Not yet", "origin": "wikinews-unused", "group": "A"},
        {"id": "wn-x-3", "url": "https://en.wikinews.org//wiki/Edited", "date": "2021-05-07",
         "title": "Edited", "origin": "wikinews-unused", "group": "A"},
    ]
    (root / "docs" / "index.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    for r in rows:
        text = texts[r["id"]]
        shown = text + "\n" if r["id"] != "wn-x-3" else text.replace("Vell", "Vall") + "\n"
        (root / "docs" / "A" / f"{r['id']}.txt").write_text(shown, encoding="utf-8")
    anns = {"en-wn-9001": {"entities": [{"text": "Pell Dorvik", "label": "PER"},
                                        {"text": "Quarnholm", "label": "LOC"}]},
            "wn-x-1": {"entities": [{"text": "Vell Osk", "label": "PER"}]},
            "wn-x-3": {"entities": [{"text": "Vall", "label": "PER"}]}}
    for doc_id, ann in anns.items():
        (root / "A" / f"{doc_id}.json").write_text(json.dumps({"id": doc_id, **ann}))


def _sources(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    texts = {"en-wn-9001": TEXT_A.strip(), "wn-x-1": "Vell Osk won.",
             "wn-x-2": "Nothing here.", "wn-x-3": "Vell spoke."}
    corpus = tmp_path / "dev.jsonl"
    corpus.write_text(json.dumps({"id": "en-wn-9001", "text": TEXT_A.strip(), "speakers": {
        "Pell Dorvik": ["Mayor Pell Dorvik", "Dorvik"], "Board": ["Board member"]}}) + "\n")
    wikinews = tmp_path / "en" / "wikinews"
    wikinews.mkdir(parents=True)
    with (wikinews / "w.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url", "date", "title", "text"])
        for doc_id, url in (("wn-x-1", "Other_story"), ("wn-x-2", "Not_yet"), ("wn-x-3", "Edited")):
            writer.writerow([f"https://en.wikinews.org//wiki/{url}", "2021-05-05", url,
                             "\n\n" + texts[doc_id] + " \n\n\n"])
    return corpus, tmp_path, texts


def test_import_writes_offsets_licence_and_hash_but_no_text(tmp_path: Path) -> None:
    corpus, data, texts = _sources(tmp_path)
    ann_root = tmp_path / "ann"
    _annotation_folder(ann_root, texts)
    records, problems = import_annotations(ann_root, Texts.load(data, corpus))
    assert [r["id"] for r in records] == ["en-wn-9001", "wn-x-1"]  # wn-x-2 has no annotation
    assert problems == ["wn-x-3: the annotated text is not the source's"]
    first, second = records
    assert first["source"] == FROM_CORPUS and second["source"] == FROM_WIKINEWS
    assert second["url"] == "https://en.wikinews.org/wiki/Other_story"
    assert second["licence"] == "CC BY 2.5"
    assert second["attribution"] == "Wikinews contributors, https://en.wikinews.org/wiki/Other_story"
    assert second["annotator"] == "A"
    assert "text" not in first and first["sha256"] == sha256(texts["en-wn-9001"])
    text = texts["en-wn-9001"]
    assert [(text[a:b], label) for a, b, label in first["entities"]] == [
        ("Pell Dorvik", "PER"), ("Quarnholm", "LOC"), ("Quarnholm", "LOC"), ("Quarnholm", "LOC")]
    assert second["entities"] == [[0, 8, "PER"]]
    # "Mayor Pell Dorvik" and the "Dorvik" inside it end with a PER; "Dorvik's" is untagged;
    # "Board member" is no name.
    assert speaker_coverage(records, corpus) == {"PER": 2, "ORG": 0, "LOC": 0, "none": 2}


def test_a_changed_text_is_refused_by_its_hash(tmp_path: Path) -> None:
    corpus, data, _ = _sources(tmp_path)
    texts = Texts.load(data, corpus)
    rec = {"id": "wn-x-1", "url": "https://en.wikinews.org/wiki/Other_story",
           "source": FROM_WIKINEWS, "sha256": sha256("Vell Osk won.")}
    assert texts.text(rec) == "Vell Osk won."
    with pytest.raises(ValueError, match="sha256"):
        texts.text({**rec, "sha256": sha256("Vell Osk lost.")})


# --- The reader -------------------------------------------------------------------------------

def test_reader_aligns_spans_to_tokens_splits_paragraphs_and_counts_what_it_drops() -> None:
    nlp = english_tokenizer()
    text = ("Dorvik’s aide met “Vell Osk” in Quarnholm.\n\n"
            "The Quarnholm-based Harbour Board said no.")
    spans = [(0, 6, "PER"), (19, 27, "PER"), (32, 41, "LOC"), (48, 57, "LOC"), (64, 77, "ORG"),
             (1, 3, "PER")]
    assert (text[48:57], text[64:77]) == ("Quarnholm", "Harbour Board")
    stats = ReadStats()
    sents = list(to_sentences(nlp, "d1", text, spans, stats))
    assert [s.text for s in sents] == ["Dorvik’s aide met “Vell Osk” in Quarnholm.",
                                       "The Quarnholm-based Harbour Board said no."]
    first, second = sents
    assert first.ner is not None and second.ner is not None
    assert list(zip(first.words, first.ner, strict=True))[:2] == [("Dorvik", "B-PER"),
                                                                 ("’s", "O")]
    assert [w for w, t in zip(first.words, first.ner, strict=True) if t != "O"] == [
        "Dorvik", "Vell", "Osk", "Quarnholm"]
    assert first.ner[first.words.index("Vell")] == "B-PER"
    assert first.ner[first.words.index("Osk")] == "I-PER"
    # "Quarnholm" inside "Quarnholm-based": tokenized as Quarnholm - based, so it aligns.
    assert [(w, t) for w, t in zip(second.words, second.ner, strict=True) if t != "O"] == [
        ("Quarnholm", "B-LOC"), ("Harbour", "B-ORG"), ("Board", "I-ORG")]
    assert all(s.doc_id == "d1" and not s.has_syntax for s in sents)
    assert (stats.entities, stats.dropped, stats.contracted) == (6, 1, 0)
    assert stats.labels == {"PER": 2, "LOC": 2, "ORG": 1}


def test_contract_alignment_shrinks_a_span_that_cuts_a_token() -> None:
    stats = ReadStats()
    sents = list(to_sentences(english_tokenizer(), "d2", "Quarnholmers love Vell Osk.",
                              [(0, 9, "LOC"), (17, 26, "PER")], stats))
    assert sents[0].ner == ("O", "O", "B-PER", "I-PER", "O")
    assert (stats.dropped, stats.contracted) == (1, 1)  # "Quarnholm" inside a word; " Vell Osk"


def test_news_chunks_are_repeated_by_their_weight(tmp_path: Path) -> None:
    corpus, data, texts = _sources(tmp_path)
    data_file = tmp_path / "news.jsonl"
    records = [{"id": "wn-x-1", "url": "https://en.wikinews.org/wiki/Other_story",
                "source": FROM_WIKINEWS, "sha256": sha256(texts["wn-x-1"]),
                "entities": [[0, 8, "PER"]]}]
    data_file.write_text(json.dumps(records[0]) + "\n")
    counts: dict[str, int] = {}
    chunks = news_chunks(data, 3, counts, data_file, corpus)
    assert len(chunks) == 3 and chunks[0] == chunks[2]
    assert chunks[0][0].ner == ("B-PER", "I-PER", "O", "O")
    assert counts["news_documents"] == 1 and counts["news_entities"] == 1
    assert news_chunks(data, 0, {}, data_file, corpus) == []
    corpus_record = {**records[0], "id": "en-wn-9001", "source": FROM_CORPUS,
                     "sha256": sha256(texts["en-wn-9001"])}
    data_file.write_text(json.dumps(records[0]) + "\n" + json.dumps(corpus_record) + "\n")
    both: dict[str, int] = {}
    assert len(news_chunks(data, 1, both, data_file, corpus)) == 2
    only: dict[str, int] = {}
    assert news_chunks(data, 1, only, data_file, corpus, corpus_docs=False) == chunks[:1]
    assert (both["news_documents"], only["news_documents"]) == (2, 1)
    assert list(group(chunks[0])) == [chunks[0]]


# --- The data file ----------------------------------------------------------------------------

RECORDS = read_records(DATA_FILE)


def _grams(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def _shared_or_skip() -> None:
    if not WIKINEWS.is_dir() or not (SHARED / "dev" / "en_dev.jsonl").exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI has the shared folder beside the project")
        pytest.skip("the shared folder is not beside this checkout")


def test_the_data_file_records_licence_attribution_and_no_text() -> None:
    assert len(RECORDS) >= 150
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    for rec in RECORDS:
        assert rec["licence"] == "CC BY 2.5"
        assert rec["attribution"] == f"Wikinews contributors, {rec['url']}"
        assert rec["url"].startswith("https://en.wikinews.org/wiki/")
        assert rec["url"] == normalise_url(rec["url"])
        assert rec["annotator"] in {"A", "B", "C"} and rec["date"] and rec["title"]
        assert rec["source"] in {FROM_CORPUS, FROM_WIKINEWS}
        assert "text" not in rec and re.fullmatch(r"[0-9a-f]{64}", rec["sha256"])
        assert all(label in {"PER", "ORG", "LOC"} for _, _, label in rec["entities"])
    labels = [label for rec in RECORDS for _, _, label in rec["entities"]]
    assert min(labels.count(x) for x in ("PER", "ORG", "LOC")) >= 1000


def test_the_data_file_offsets_hold_on_the_source_texts() -> None:
    _shared_or_skip()
    texts = Texts.load(SHARED / "data" / "en")
    for rec in RECORDS:
        text = texts.text(rec)  # checks the sha256
        last = 0
        for a, b, _ in rec["entities"]:
            assert last <= a < b <= len(text), rec["id"]
            name = text[a:b]
            assert name == name.strip() and re.match(r"\w", name), (rec["id"], a)
            assert not (a and re.match(r"\w", text[a - 1])), (rec["id"], a)
            assert not (b < len(text) and re.match(r"\w", text[b])), (rec["id"], b)
            last = b


def test_no_document_is_an_evaluation_text_or_shares_a_passage_with_one() -> None:
    _shared_or_skip()
    evaluation: list[dict[str, str]] = []
    for path in (PROJECT_ROOT / "corpus" / "en" / "test.jsonl", SHARED / "dev" / "en_dev.jsonl"):
        with path.open(encoding="utf-8") as handle:
            evaluation += [json.loads(line) for line in handle if line.strip()]
    urls = {normalise_url(r["source"]) for r in evaluation if r.get("source")}
    assert len(urls) >= 50
    grams: set[str] = set()
    for r in evaluation:
        grams |= _grams(r["text"])
    texts = Texts.load(SHARED / "data" / "en")
    for rec in RECORDS:
        assert rec["url"] not in urls, rec["id"]
        shared = _grams(texts.text(rec)) & grams
        assert not shared, f"{rec['id']} shares a passage with an evaluation text"


def test_the_news_annotations_are_credited_in_the_english_attribution(tmp_path: Path) -> None:
    names = [name for name, *_ in SOURCES["en"]]
    assert any("Wikinews NER" in n for n in names)
    assert not any("Wikinews NER" in n for n, *_ in SOURCES["sv"])
    write_license_files(tmp_path, "en")
    attribution = (tmp_path / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC BY 2.5" in attribution and "Wikinews contributors" in attribution
    urls = {s["url"] for s in corpus_sources("en")}
    assert "https://en.wikinews.org" in urls
    assert "https://github.com/UniversalDependencies/UD_English-EWT" in urls


def test_agreement_matches_mentions_exactly_and_counts_per_label() -> None:
    first = [{"id": "d1", "sha256": "x",
              "entities": [[0, 5, "PER"], [10, 16, "ORG"], [20, 24, "LOC"]]},
             {"id": "d2", "sha256": "y", "entities": [[3, 9, "PER"]]},
             {"id": "d3", "sha256": "z", "entities": [[0, 4, "LOC"]]}]
    second = [  # d1: one label differs, one span differs; d2 the same; d3's text changed
        {"id": "d1", "sha256": "x", "entities": [[0, 5, "PER"], [10, 16, "LOC"], [20, 25, "LOC"]]},
        {"id": "d2", "sha256": "y", "entities": [[3, 9, "PER"]]},
        {"id": "d3", "sha256": "other", "entities": [[0, 4, "LOC"]]},
        {"id": "d4", "sha256": "w", "entities": [[0, 4, "PER"]]}]
    result = agreement(first, second)
    assert result["all"] == {"f1": round(4 / 8, 4), "both": 2, "first_only": 2, "second_only": 2,
                             "documents": 2}
    assert result["PER"]["f1"] == 1.0 and result["PER"]["both"] == 2
    assert result["ORG"] == {"f1": 0.0, "both": 0, "first_only": 1, "second_only": 0,
                             "documents": 2}
    assert result["LOC"]["first_only"] == 1 and result["LOC"]["second_only"] == 2


def test_the_second_annotation_covers_annotated_documents_of_the_data_file() -> None:
    second = read_records(SECOND_FILE)
    first = {rec["id"]: rec for rec in RECORDS}
    assert len(second) >= 50
    for rec in second:
        assert rec["annotator"] == "D" and rec["licence"] == "CC BY 2.5"
        assert first[rec["id"]]["sha256"] == rec["sha256"]
        assert first[rec["id"]]["annotator"] != "D" and "text" not in rec
    result = agreement(RECORDS, second)
    assert result["all"]["documents"] == len(second)
    assert result["all"]["both"] > 0
