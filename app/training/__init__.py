"""Training of Citat's Swedish and English spaCy pipelines from public corpora."""

from app.training.train import train_pipeline

__all__ = ["train_pipeline"]
