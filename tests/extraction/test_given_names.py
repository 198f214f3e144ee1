"""The given-name list's census input: names English writes capitalised, no ordinary words."""

from __future__ import annotations

from pathlib import Path

from app.training.given_names import census_names


def test_census_names_keep_names_and_drop_words_titles_places(tmp_path: Path) -> None:
    # The census files' format: name, frequency, cumulative frequency, rank.
    (tmp_path / "dist.male.first").write_text(
        "JAMES          3.318  3.318      1\n"
        "MARK           0.938  9.000      9\n"  # "mark" is an ordinary word more often
        "MAJOR          0.007 80.000    700\n"  # "major" is an ordinary word more often
        "AL             0.050 50.000    300\n"  # too short to tell
        "CORNELIUS      0.020 70.000    500\n",
        encoding="ascii",
    )
    (tmp_path / "dist.female.first").write_text(
        "GEORGIA        0.091 40.000    200\n"  # a place
        "LADY           0.010 60.000    400\n"  # a title
        "BERNADETTE     0.020 70.000    500\n",
        encoding="ascii",
    )
    assert census_names(tmp_path) == ["Bernadette", "Cornelius", "James"]
