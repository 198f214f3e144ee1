"""Languages are data: validated lexicon files, the language list and model settings derived
from them, and a third language that needs no code (a toy lexicon on a blank pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config import Settings
from app.extraction.lexicon import LexiconError, languages, load_lexicon, validate
from app.extraction.pipeline import LANGUAGES, Extractor

#: An invented toy lexicon (Danish words, a handful of each list): enough for the rules.
TOY = {
    "language": "da",
    "behaviour": {"dash_quotes": True, "v2_inversion": True},
    "speech_verbs": {"sige": ["siger", "sagde"], "fortælle": ["fortæller", "fortalte"]},
    "indirect_verbs": {"sige": [], "fortælle": []},
    "complementizers": ["at"],
    "according_to": [["ifølge"]],
    "pronouns": {"han": "m", "hun": "f", "de": "pl"},
    "first_person": ["jeg", "vi"],
    "np_stop": ["til", "i", "på", "og", "at"],
    "titles": ["borgmester", "direktør"],
    "not_names": ["det", "den", "han", "hun"],
}


def toy_lexicon(folder: Path, data: dict[str, object] = TOY) -> Path:
    (folder / "da").mkdir(parents=True, exist_ok=True)
    (folder / "da" / "lexicon.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_the_language_list_is_the_lexicon_folders() -> None:
    assert languages() == LANGUAGES == ("sv", "en")
    assert all(load_lexicon(code).language == code for code in languages())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"speech_verb": {}}, "speech_verb"),  # misspelt key
        ({"behaviour": {"v2_inverted": True}}, "v2_inverted"),  # unknown flag
        ({"titles": "borgmester"}, "titles"),  # a string where a list belongs
    ],
)
def test_a_lexicon_that_breaks_the_schema_fails_loudly(change: dict[str, object],
                                                       message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        validate({**TOY, **change}, "toy")


def test_a_lexicon_file_for_another_language_is_refused(tmp_path: Path) -> None:
    toy_lexicon(tmp_path, {**TOY, "language": "nb"})
    with pytest.raises(LexiconError, match="expected 'da'"):
        load_lexicon("da", lexicon_dir=tmp_path)


def test_models_are_one_setting_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITAT_MODELS", '{"sv": "/models/sv-large"}')
    assert Settings().models == {"sv": "/models/sv-large"}
    monkeypatch.delenv("CITAT_MODELS")
    assert Settings().models == {}


def test_a_toy_third_language_extracts_its_quotes_with_no_code_change(tmp_path: Path) -> None:
    folder = toy_lexicon(tmp_path)
    extractor = Extractor.blank(lexicon_dir=str(folder))
    assert tuple(extractor.pipelines) == ("da",)
    text = ("Broen over havnen åbner igen efter to års arbejde.\n"
            "”Vi er meget glade for resultatet,” siger borgmester Mette Holm.\n"
            "– Trafikken kommer tilbage i morgen, siger hun.\n"
            "Direktør Lars Bak fortalte at prisen var steget.")
    result = extractor.extract(text, language="da")
    assert result.language == "da"
    found = [(q.text, q.type, q.speaker) for q in result.quotes]
    assert found == [
        ("Vi er meget glade for resultatet,", "direct", "Mette Holm"),
        ("Trafikken kommer tilbage i morgen", "direct", "Mette Holm"),
        ("prisen var steget", "indirect", "Lars Bak"),
    ]


def test_the_shipped_folder_named_or_not_gives_the_same_languages_and_lexicons() -> None:
    from app.extraction.lexicon import LEXICON_DIR

    assert languages() == languages(LEXICON_DIR) == languages(str(LEXICON_DIR))
    for code in languages():
        assert load_lexicon(code) is load_lexicon(code, lexicon_dir=LEXICON_DIR)
        assert load_lexicon(code).language == code
    with pytest.raises(LexiconError):
        load_lexicon("xx")  # no such folder: an error every time, never a cached None
    with pytest.raises(LexiconError):
        load_lexicon("xx")


def test_according_phrases_are_offered_only_at_their_first_word(tmp_path: Path) -> None:
    """The rules try an according-to phrase only at a word that starts one; every phrase
    that starts there is offered, in the lexicon's order, and a sentence opening with the
    phrase still gives its source."""
    toy_lexicon(tmp_path, {**TOY, "according_to": [["ifølge"], ["som", "oplyst", "af"]]})
    lex = load_lexicon("da", lexicon_dir=tmp_path)
    assert lex.according_from("ifølge") == lex.according_from("som") == (
        ("ifølge",), ("som", "oplyst", "af"))
    assert lex.according_from("oplyst") == lex.according_from("borgmester") == ()
    extractor = Extractor.blank(lexicon_dir=str(tmp_path))
    text = ("Broen over havnen åbner igen.\n\n"
            "Ifølge borgmester Mette Holm bliver trafikken normal igen i morgen.")
    quotes = extractor.extract(text, language="da").quotes
    assert [(q.text, q.speaker) for q in quotes] == [
        ("bliver trafikken normal igen i morgen", "Mette Holm")]
