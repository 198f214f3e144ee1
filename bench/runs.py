"""The rows of a benchmark run: which settings each measured server runs with, and the
rounds of one label and page summed up (``http_distinct.py``)."""

from __future__ import annotations

import statistics
from pathlib import Path

Row = tuple[str, str, dict[str, float], int]  # label, page, wrk figures, pool size


def env_variants(specs: list[str]) -> list[tuple[str, dict[str, str]]]:
    """``LABEL:VAR=VALUE[,VAR=VALUE...]`` specs as (label, variables) pairs, in order; ``LABEL:``
    alone sets nothing (the app's defaults: ``app_env`` drops the caller's ``CITAT_`` ones)."""
    out: list[tuple[str, dict[str, str]]] = []
    for spec in specs:
        label, sep, rest = spec.partition(":")
        if not sep or not label.strip():
            raise ValueError(f"{spec!r}: expected LABEL:VAR=VALUE[,VAR=VALUE...] or LABEL:")
        variables: dict[str, str] = {}
        for item in filter(None, (x.strip() for x in rest.split(","))):
            var, eq, value = item.partition("=")
            if not eq or not var.isidentifier():
                raise ValueError(f"{spec!r}: {item!r} is not VAR=VALUE")
            if var in variables:
                raise ValueError(f"{spec!r}: {var} twice")
            variables[var] = value
        out.append((label.strip(), variables))
    labels = [label for label, _ in out]
    if len(set(labels)) != len(labels):
        raise ValueError(f"a label repeats: {labels}")
    return out


def variants(roots: list[tuple[str, Path]], envs: list[tuple[str, dict[str, str]]]
             ) -> list[tuple[str, Path, dict[str, str]]]:
    """Every checkout (label, folder) run under every environment (label, variables), as
    (label, folder, variables): a checkout's own label without environments, the
    environment's with one checkout, ``CHECKOUT+ENV`` with several of each."""
    if not envs:
        return [(label, root, {}) for label, root in roots]
    if len(roots) == 1:
        return [(label, roots[0][1], dict(v)) for label, v in envs]
    return [(f"{r}+{e}", root, dict(v)) for r, root in roots for e, v in envs]


def summary(rows: list[Row]) -> list[Row]:
    """One row a label and page over its rounds, in the order first measured: req/s the mean,
    p50 and p99 the median of the rounds' (``p99 max`` the highest), requests and errors the
    sum, CPU ms a request the mean."""
    by: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        by.setdefault((row[0], row[1]), []).append(row)
    out: list[Row] = []
    for (label, name), rounds in by.items():
        figures = [r[2] for r in rounds]
        out.append((label, name, {
            "rps": statistics.fmean(f["rps"] for f in figures),
            "p50": statistics.median(f["p50"] for f in figures),
            "p99": statistics.median(f["p99"] for f in figures),
            "p99max": max(f["p99"] for f in figures),
            "requests": sum(f["requests"] for f in figures),
            "errors": sum(f["errors"] for f in figures),
            "cpu": statistics.fmean(f.get("cpu", 0.0) for f in figures),
        }, rounds[0][3]))
    return out
