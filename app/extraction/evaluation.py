"""Moved to :mod:`app.evaluation` (scoring is not extraction); kept so older imports work."""

from app.evaluation import (
    SPLITS,
    ArticleResult,
    Counts,
    EvalReport,
    FileReport,
    evaluate_files,
    format_report,
    gold_files,
    iou,
    match,
    norm,
    score_article,
    speaker_ok,
)

__all__ = [
    "SPLITS", "ArticleResult", "Counts", "EvalReport", "FileReport", "evaluate_files",
    "format_report", "gold_files", "iou", "match", "norm", "score_article", "speaker_ok",
]
