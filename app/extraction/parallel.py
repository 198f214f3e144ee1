"""Extraction on several cores: worker processes that each hold the pipelines.

spaCy runs one core per process, so a bulk ingest on N cores runs N extraction processes.
On Linux the workers are forked from a process that already loaded the pipelines (the pages
are shared copy-on-write, no second load); elsewhere each worker loads them once. Results are
plain frozen records, so only text goes in and records come out.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from multiprocessing.pool import Pool
from typing import Any

from app.extraction.records import Extraction

#: The extractor of this worker process (set by fork inheritance or by ``_load``).
_WORKER: Any = None


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _load(models: Mapping[str, str]) -> None:
    """Pool initializer where workers are not forked: load the pipelines once."""
    global _WORKER
    if _WORKER is None:
        from app.extraction.pipeline import Extractor

        _WORKER = Extractor.load(models)


def extract_each(extractor: Any, texts: Sequence[str]) -> list[Extraction | str]:
    """Extract texts as one batch; a text whose extraction raises gives its error text.

    ``extractor`` needs ``extract``; ``extract_many`` (batched through ``nlp.pipe``) is used
    when it has one. After a failed batch each text is tried alone, so the others still count.
    """
    many = getattr(extractor, "extract_many", None)
    if many is not None:
        try:
            return list(many(texts))
        except Exception:  # noqa: S110 - find the failing text below
            pass
    out: list[Extraction | str] = []
    for text in texts:
        try:
            out.append(extractor.extract(text))
        except Exception as exc:
            out.append(f"{type(exc).__name__}: {exc}"[:2000])
    return out


def _extract_chunk(texts: Sequence[str]) -> list[Extraction | str]:
    """The worker's task: a few articles through this process's extractor."""
    return extract_each(_WORKER, texts)


class ExtractorPool:
    """``extract_many`` spread over worker processes, results in input order."""

    def __init__(self, extractor: Any, processes: int, *, chunk: int = 16,
                 models: Mapping[str, str] | None = None) -> None:
        """Start ``processes`` workers that extract with ``extractor`` (or load ``models``)."""
        global _WORKER
        self.chunk = chunk
        if "fork" in multiprocessing.get_all_start_methods():
            _WORKER = extractor  # inherited by the forked workers
            self._pool: Pool = multiprocessing.get_context("fork").Pool(processes)
        else:  # pragma: no cover - macOS/Windows
            self._pool = multiprocessing.get_context("spawn").Pool(
                processes, initializer=_load, initargs=(dict(models or {}),))

    def extract_many(self, texts: Iterable[str]) -> Iterator[Extraction | str]:
        """One Extraction per text, in order; a text whose extraction raised gives a string."""
        items = list(texts)
        chunks = [items[i : i + self.chunk] for i in range(0, len(items), self.chunk)]
        for result in self._pool.imap(_extract_chunk, chunks):
            yield from result

    def extract_async(self, texts: Sequence[str]) -> Any:
        """Start extracting ``texts``; ``.get()`` on the result waits for the list."""
        chunks = [list(texts[i : i + self.chunk]) for i in range(0, len(texts), self.chunk)]
        return _Pending(self._pool.map_async(_extract_chunk, chunks))

    def close(self) -> None:
        """Stop the workers."""
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self._pool.terminate()
            self._pool.join()
        else:
            self.close()


class _Pending:
    """A batch being extracted by the pool."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def get(self) -> list[Extraction | str]:
        """Wait for the batch: one Extraction (or error text) per text, in order."""
        return [x for chunk in self._result.get() for x in chunk]
