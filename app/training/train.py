"""Convert the corpora, train a pipeline with spaCy's training loop, evaluate and save it."""

from __future__ import annotations

import operator
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.training.initialize import init_nlp
from spacy.training.loop import (
    create_evaluation_callback,
    create_train_batches,
    train_while_improving,
    update_meta,
)
from spacy.util import load_config, registry, resolve_dot_names
from thinc.api import fix_random_seed

import app.extraction.typography  # noqa: F401  (registers the tokenizer callback and component)
from app.extraction.pipeline import WARMUP_FILE
from app.training import datasets
from app.training.augment import DEFAULT_LABELS, augment_names
from app.training.corpora import Sentence
from app.training.licensing import corpus_sources, write_license_files

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "training"
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "training"
SHIPPED_DIR = ROOT / "app" / "extraction" / "models"
SEED = 0

_SCORE_KEYS = ("pos_acc", "tag_acc", "morph_acc", "lemma_acc", "dep_uas", "dep_las", "sents_f",
               "ents_p", "ents_r", "ents_f")


def _write_docbin(path: Path, vocab: Any, chunks: list[list[Sentence]]) -> int:
    docs = [datasets.to_doc(vocab, chunk) for chunk in chunks]
    DocBin(docs=docs, store_user_data=False).to_disk(path)
    return sum(len(doc) for doc in docs)


def convert(lang: str, splits: datasets.Splits, corpus_dir: Path) -> dict[str, int]:
    """Write train/dev/eval DocBins to ``corpus_dir``; return their token counts."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    vocab = spacy.blank(lang).vocab
    return {
        name: _write_docbin(corpus_dir / f"{name}.spacy", vocab, getattr(splits, name))
        for name in ("train", "dev", "eval_syntax", "eval_ner")
    }


#: How many of the training text's most frequent chunks the tokenizer warm-up lists.
WARMUP_CHUNKS = 20_000


def frequent_chunks(docs: list[list[Sentence]], n: int = WARMUP_CHUNKS) -> list[str]:
    """The ``n`` most frequent whitespace-separated chunks of these sentences' text (as the
    tokenizer sees it: ``word,`` and ``word`` apart), most frequent first, ties by text."""
    counts: Counter[str] = Counter()
    for doc in docs:
        for sent in doc:
            counts.update(sent.text.split())
    return [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def write_warmup(output: Path, splits: datasets.Splits) -> int:
    """Write the pipeline's tokenizer warm-up list (``WARMUP_FILE``) from the training split
    only; the number of chunks."""
    chunks = frequent_chunks(splits.train)
    (output / WARMUP_FILE).write_text("\n".join(chunks) + "\n", encoding="utf-8")
    return len(chunks)


def _round(scores: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _SCORE_KEYS:
        value = scores.get(key)
        if isinstance(value, float):
            out[key] = round(value, 4)
    per_type = scores.get("ents_per_type") or {}
    out["ents_per_type"] = {
        label: {k: round(float(v), 4) for k, v in prf.items()}
        for label, prf in sorted(per_type.items())
    }
    return out


def evaluate(nlp: Language, path: Path, *, raw_text: bool = False) -> dict[str, Any]:
    """Score ``nlp`` on a DocBin of gold docs, with gold tokens (or its own tokenizer)."""
    golds = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    examples = []
    for gold in golds:
        if raw_text:
            predicted = nlp.make_doc(gold.text)
        else:
            predicted = Doc(nlp.vocab, words=[t.text for t in gold],
                            spaces=[bool(t.whitespace_) for t in gold])
        examples.append(Example(predicted, gold))
    start = time.perf_counter()
    scores = nlp.evaluate(examples)
    seconds = time.perf_counter() - start
    result = _round(scores)
    result["words_per_second"] = round(sum(len(g) for g in golds) / seconds)
    return result


#: Where ``--resume`` finds the last run: the weights after the last evaluation (no optimizer
#: state) and ``state.json`` (step, epoch, best score, minutes).
CHECKPOINT = "checkpoint"
RUNS_DIR = ROOT / "training" / "runs"


def _save_checkpoint(nlp: Language, run_dir: Path, state: dict[str, Any]) -> None:
    """Write model-last and its state atomically enough: the state file is written last."""
    folder = run_dir / CHECKPOINT
    tmp = run_dir / (CHECKPOINT + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    nlp.to_disk(tmp / "model-last")
    srsly.write_json(tmp / "state.json", state)
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def load_checkpoint(run_dir: Path) -> dict[str, Any] | None:
    """The state of the last checkpoint in ``run_dir``, or None if there is none."""
    path = run_dir / CHECKPOINT / "state.json"
    return dict(srsly.read_json(path)) if path.exists() else None


def _train_loop(
    nlp: Language,
    output: Path,
    max_minutes: float | None,
    *,
    resume_state: dict[str, Any] | None = None,
    on_start: Callable[[Language, int], None] | None = None,
) -> dict[str, Any]:
    """spaCy's ``training.loop.train`` with a wall-clock limit; keeps model-best on disk and a
    checkpoint (model-last + state.json) after every evaluation and at the end.

    With ``resume_state`` (the weights already loaded into ``nlp``) the step count, epoch and
    best score go on from the checkpoint; the optimizer's moments start afresh, and the
    batches start a new pass over the (reshuffled) corpus.
    """
    config = nlp.config.interpolate()
    start_step = int(resume_state["step"]) if resume_state else 0
    start_epoch = int(resume_state["epoch"]) if resume_state else 0
    done_minutes = float(resume_state.get("minutes", 0.0)) if resume_state else 0.0
    # A resumed run shuffles with another seed, so it does not replay the first batches.
    fix_random_seed(config["training"]["seed"] + start_step)
    schema = registry.resolve(config["training"], validate=False)
    train_corpus, dev_corpus = resolve_dot_names(
        config, [schema["train_corpus"], schema["dev_corpus"]]
    )
    optimizer = schema["optimizer"]
    max_steps = int(schema["max_steps"])
    if max_steps and start_step >= max_steps:
        raise ValueError(f"the checkpoint is at step {start_step}, max_steps is {max_steps}")
    steps = train_while_improving(
        nlp,
        optimizer,
        create_train_batches(nlp, train_corpus, schema["batcher"], schema["max_epochs"]),
        create_evaluation_callback(nlp, dev_corpus, schema["score_weights"]),
        dropout=schema["dropout"],
        accumulate_gradient=schema["accumulate_gradient"],
        patience=schema["patience"],
        max_steps=max_steps - start_step if max_steps else 0,
        eval_frequency=schema["eval_frequency"],
        exclude=schema["frozen_components"],
        annotating_components=schema["annotating_components"],
        before_update=schema["before_update"],
    )
    best = output / "model-best"
    start = time.monotonic()
    info: dict[str, Any] = {}
    best_score = float(resume_state["best_score"]) if resume_state else -1.0
    if on_start is not None:
        on_start(nlp, start_step)
    if resume_state:
        print(f"resumed at step {start_step} (best score {best_score:.4f})", flush=True)

    def state() -> dict[str, Any]:
        return {"step": start_step + int(info.get("step", 0)),
                "epoch": start_epoch + int(info.get("epoch", 0)),
                "best_score": round(best_score, 6),
                "minutes": round(done_minutes + (time.monotonic() - start) / 60, 2)}

    for _batch, info, is_best in steps:
        if is_best is not None:
            update_meta(schema, nlp, info)
            other = info.get("other_scores", {})
            shown = " ".join(f"{k}={other[k]:.3f}" for k in _SCORE_KEYS if k in other)
            minutes = (time.monotonic() - start) / 60
            print(f"step {start_step + info['step']:>6} epoch {start_epoch + info['epoch']:>3} "
                  f"{minutes:6.1f} min score={info['score']:.4f} {shown}", flush=True)
            with nlp.use_params(optimizer.averages):
                if float(info["score"]) > best_score or not best.exists():
                    best_score = max(best_score, float(info["score"]))
                    if best.exists():
                        shutil.rmtree(best)
                    nlp.to_disk(best)
                _save_checkpoint(nlp, output, state())
        if max_minutes is not None and time.monotonic() - start > max_minutes * 60:
            print(f"time limit of {max_minutes} min reached at step "
                  f"{start_step + info['step']}", flush=True)
            break
    if info:
        with nlp.use_params(optimizer.averages):
            _save_checkpoint(nlp, output, state())
    final = state()
    return {
        "train_minutes": final["minutes"],
        "steps": final["step"],
        "epochs": final["epoch"],
        "best_dev_score": round(best_score, 4),
        "resumed_from_step": start_step if resume_state else None,
    }


#: The token attributes that the frozen components of an ``--only ner`` run must keep.
SYNTAX_ATTRS = ("tag_", "pos_", "morph", "lemma_", "head.i", "dep_", "is_sent_start")


def syntax_differences(a: Language, b: Language, texts: list[str]) -> list[str]:
    """Where the two pipelines' tags, POS, morphology, lemmas, heads, dependency labels or
    sentence starts differ on ``texts`` (one line per differing token; empty when identical)."""
    out = []
    for text, da, db in zip(texts, a.pipe(texts), b.pipe(texts), strict=True):
        for ta, tb in zip(da, db, strict=True):
            for attr in SYNTAX_ATTRS:
                va, vb = (str(operator.attrgetter(attr)(t)) for t in (ta, tb))
                if va != vb:
                    out.append(f"{text[:40]!r} token {ta.i} {ta.text!r} {attr}: {va} != {vb}")
    return out


def _with_ner(chunks: list[list[Sentence]]) -> list[list[Sentence]]:
    """The chunks that carry a NER layer (the only ones a NER-only run learns from)."""
    return [c for c in chunks if any(s.ner is not None for s in c)]


def merge_ner(base: Language, ner_pipeline: Language) -> Language:
    """``base`` with its ``ner`` replaced by the (self-contained) ner of ``ner_pipeline``."""
    if "ner" in base.pipe_names:
        base.remove_pipe("ner")
    if ner_pipeline.vocab.vectors.shape[0]:
        # The ner's static vectors live in the vocab, which add_pipe(source=) does not copy.
        for word in ner_pipeline.vocab.vectors.strings:
            base.vocab.strings.add(word)
        base.vocab.vectors = ner_pipeline.vocab.vectors
    base.add_pipe("ner", source=ner_pipeline)
    return base


def train_pipeline(
    lang: str,
    data_dir: Path,
    output_dir: Path | None,
    max_minutes: float | None,
    smoke: bool = False,
    *,
    component: str | None = None,
    resume: bool = False,
    base_dir: Path | None = None,
    runs_dir: Path | None = None,
    max_steps: int | None = None,
    on_start: Callable[[Language, int], None] | None = None,
    vectors: Path | None = None,
    news_weight: int | None = None,
    news_corpus_docs: bool = True,
    augment_rate: float = 0.0,
    augment_labels: tuple[str, ...] = DEFAULT_LABELS,
    init_from: Path | None = None,
    config_overrides: dict[str, Any] | None = None,
    only: str | None = None,
) -> dict[str, Any]:
    """Train the ``lang`` pipeline from the corpora in ``data_dir``; return its scores.

    ``smoke`` trains a few steps on the invented fixture in tests/fixtures/training (or in
    ``data_dir`` if it holds ``{lang}.conllu``) and never writes to the shipped models.
    ``component="ner"`` trains only a NER with its own tok2vec (``training/{lang}-ner.cfg``)
    on the sentences that have NER, and puts it in place of the ner of ``base_dir`` (default:
    the shipped pipeline). Checkpoints go to ``runs_dir/{lang}[-ner]/`` (default
    ``training/runs``); ``resume`` goes on from the last one there. ``vectors`` (a pipeline
    from ``citat train-vectors``; only with ``component="ner"``) adds static word vectors to
    the NER's tok2vec; they go into the merged pipeline's vocab. ``news_weight`` (English):
    how many times Citat's Wikinews NER documents go into training (default
    ``datasets.NEWS_WEIGHT``; 0: none; without ``news_corpus_docs``, not the documents of the
    gold corpus's dev split). ``augment_rate`` > 0 adds name-substituted NER-only copies of
    the training sentences that hold an entity of ``augment_labels`` (``app.training.augment``;
    not used for the tokenizer warm-up). ``init_from`` (a pipeline folder trained with the same
    config, e.g. the shipped one) starts from its weights at step 0 instead of random ones.
    ``config_overrides`` (``citat train --set section.key=value``) change the config, e.g. a
    lower ``training.optimizer.learn_rate`` for such a fine-tuning run. ``only="ner"`` (needs
    ``init_from``) trains the NER's own layers alone, on the sentences that have NER: every
    other component, the shared tok2vec included, is frozen (spaCy's
    ``training.frozen_components``), and the tok2vec is an annotating component, so the NER's
    listener reads the frozen tok2vec's output from ``doc.tensor``. The tok2vec, tagger,
    morphologizer, parser and lemmatizer of the result are those of ``init_from``, byte for
    byte.
    """
    if lang not in ("sv", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    if component not in (None, "ner"):
        raise ValueError(f"unsupported component: {component!r}")
    if vectors is not None and component != "ner":
        raise ValueError("--vectors needs --component ner")
    if vectors is not None and not (Path(vectors) / "vocab").is_dir():
        raise ValueError(f"{vectors} is not a spaCy pipeline folder with vectors")
    if init_from is not None and not (Path(init_from) / "config.cfg").is_file():
        raise ValueError(f"{init_from} is not a spaCy pipeline folder")
    if augment_rate < 0:
        raise ValueError(f"--augment-names must be 0 or more, not {augment_rate}")
    if only not in (None, "ner"):
        raise ValueError(f"--only supports ner, not {only!r}")
    if only and (component or init_from is None):
        raise ValueError("--only needs --init-from (a trained pipeline) and no --component")
    config_name = f"{lang}-{component}" if component else lang
    name = f"{lang}-only-{only}" if only else config_name
    overrides: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix=f"citat-smoke-{lang}-")) if smoke else ROOT / "training"
    run_dir = (runs_dir or (work / "runs" if smoke else RUNS_DIR)) / name
    resume_state = load_checkpoint(run_dir) if resume else None
    if resume and resume_state is None:
        raise ValueError(f"no checkpoint to resume from in {run_dir}")
    if smoke:
        folder = data_dir if (data_dir / f"{lang}.conllu").exists() else FIXTURE_DIR
        splits = datasets.fixture(folder, lang)
        output = output_dir or work / "pipeline"
        overrides = {"training.max_steps": 4, "training.eval_frequency": 2,
                     "training.patience": 0}
    else:
        weight = datasets.NEWS_WEIGHT if news_weight is None else news_weight
        splits = datasets.build(lang, data_dir, news_weight=weight,
                                news_corpus_docs=news_corpus_docs)
        output = output_dir or SHIPPED_DIR / lang
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    corpus_dir = work / "corpus" / name
    train_splits = (replace(splits, train=_with_ner(splits.train)) if component or only
                    else splits)
    if augment_rate > 0:
        extra, stats = augment_names(train_splits.train, augment_rate, augment_labels)
        train_splits = replace(train_splits, train=train_splits.train + extra,
                               counts={**splits.counts,
                                       "augmented_sentences": stats.sentences,
                                       "augmented_names": stats.replaced,
                                       **{f"name_pool_{k}": v for k, v in stats.pool.items()}})
        splits.counts.update(train_splits.counts)
    counts = convert(lang, train_splits, corpus_dir)
    print(f"converted {name}: {counts} {splits.counts}", flush=True)
    overrides.update({"paths.train": str(corpus_dir / "train.spacy"),
                      "paths.dev": str(corpus_dir / "dev.spacy"),
                      "system.seed": SEED})
    overrides.update(config_overrides or {})
    if vectors is not None:
        overrides.update({"paths.vectors": str(vectors),
                          "components.ner.model.tok2vec.embed.include_static_vectors": True})
    if only:
        pipeline = load_config(CONFIG_DIR / f"{config_name}.cfg")["nlp"]["pipeline"]
        overrides.update({"training.frozen_components": [p for p in pipeline if p != only],
                          "training.annotating_components": ["tok2vec"]})
    config = load_config(CONFIG_DIR / f"{config_name}.cfg", overrides=overrides,
                         interpolate=False)
    nlp = init_nlp(config)
    if resume_state is None and init_from is not None:
        nlp.from_disk(init_from, exclude=["config", "meta"])
    if resume_state is not None:
        # The weights and vocab of the checkpoint; the config (paths, max_steps) stays this run's.
        nlp.from_disk(run_dir / CHECKPOINT / "model-last", exclude=["config"])
    elif run_dir.exists():
        shutil.rmtree(run_dir)  # a fresh run: no stale model-best or checkpoint
    run_dir.mkdir(parents=True, exist_ok=True)
    run = _train_loop(nlp, run_dir, max_minutes, resume_state=resume_state, on_start=on_start)
    best = spacy.load(run_dir / "model-best")
    if component:
        best = merge_ner(spacy.load(base_dir or SHIPPED_DIR / lang), best)
    scores: dict[str, Any] = {
        "lang": lang,
        "component": component,
        "only": only,
        "seed": SEED,
        "smoke": smoke,
        **run,
        "train_tokens": counts["train"],
        "data_counts": dict(splits.counts),
        "syntax": evaluate(best, corpus_dir / "eval_syntax.spacy"),
        "syntax_raw_text": evaluate(best, corpus_dir / "eval_syntax.spacy", raw_text=True),
        "ner": evaluate(best, corpus_dir / "eval_ner.spacy"),
    }
    best.meta["name"] = "citat_pipeline"
    best.meta["version"] = "1.0.0"
    best.meta["license"] = "CC BY-SA 4.0"
    best.meta["author"] = "Citat"
    best.meta["description"] = (
        f"Citat {lang} pipeline trained from public UD/UNER/NER corpora (see ATTRIBUTION.md)."
    )
    best.meta["sources"] = corpus_sources(lang)
    best.meta["performance"] = {**scores["syntax"], "ents_p": scores["ner"]["ents_p"],
                                "ents_r": scores["ner"]["ents_r"],
                                "ents_f": scores["ner"]["ents_f"],
                                "ents_per_type": scores["ner"]["ents_per_type"]}
    best.meta["citat_evaluation"] = scores
    if output.exists():
        shutil.rmtree(output)
    best.to_disk(output)  # spaCy loads base_dir's files before this, so output may be base_dir
    write_warmup(output, splits)
    write_license_files(output, lang, vectors=bool(best.vocab.vectors.shape[0]))
    srsly.write_json(run_dir / "scores.json", scores)
    if smoke:
        shutil.rmtree(work / "corpus", ignore_errors=True)
    print(f"pipeline written to {output}", file=sys.stderr, flush=True)
    return scores
