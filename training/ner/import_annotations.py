"""(Re)write training/ner/en_wikinews.jsonl from the annotators' folder.

    python training/ner/import_annotations.py /work/ner-ann ../shared/data/en

Rerunnable: every document whose annotation file exists and checks without errors is written;
the rest are listed on stderr. See app/training/news_ner.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.training.news_ner import main

if __name__ == "__main__":
    raise SystemExit(main())
