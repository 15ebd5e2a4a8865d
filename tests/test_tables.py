"""gankit.tables: one formatter behind metrics.table, grade.table and results.comparison_table."""
import pytest

from gankit import grade, metrics, results, tables


def test_columns_line_up_text_left_numbers_right():
    out = tables.table(["name", "n", "share", "flag"], [["a", 5, 0.5, True], ["longer", 12345, None, False]],
                       formats={"n": ",d", "share": ".0%"})
    assert out.splitlines() == ["name         n  share  flag",
                                "------  ------  -----  -----",
                                "a            5    50%  True",
                                "longer  12,345         False"]


def test_markdown_marks_number_columns_right_aligned():
    out = tables.table(["model", "FID", "note"], [["GAN", 3.5, None], ["WGAN", 8.25, "x"]], formats={"FID": ".1f"},
                       markdown=True)
    assert out.splitlines() == ["| model | FID | note |", "| --- | ---: | --- |", "| GAN | 3.5 |  |",
                                "| WGAN | 8.2 | x |"]


def test_a_row_of_the_wrong_length_is_an_error():
    with pytest.raises(ValueError, match="2 cells"):
        tables.table(["a", "b"], [[1, 2, 3]])


def test_the_kits_tables_use_it():
    reports = {"GAN": dict(fid=3.54, classes_covered=10, precision=0.8), "WGAN-GP": dict(fid=12.0, classes_covered=9,
                                                                                          precision=0.75)}
    assert metrics.table(reports, columns=("fid", "classes_covered", "precision")) == tables.table(
        ["model", "fid", "classes covered", "precision"], [["GAN", 3.54, 10, 0.8], ["WGAN-GP", 12.0, 9, 0.75]],
        formats={"fid": ".1f", "precision": ".3f"})
    scores = [dict(notebook="ex1.ipynb", items={"a": "right", "b": "wrong"}, right=1, total=2, score=0.5)]
    assert grade.table(scores).splitlines()[:3] == ["notebook   score  right  items", "---------  -----  -----  -----",
                                                    "ex1.ipynb    50%      1      2"]
    assert grade.table(scores).splitlines()[-1].split() == ["ex1.ipynb", "b", "wrong"]
    S = results.stored(blob={"n": 100, "seeds": [0, 1], "scores": {"g": {
        m: {"fid": [3.0 * f, 3.2 * f], "kid": [0.1, 0.2], "precision": [0.8, 0.8], "recall": [0.7, 0.7],
            "acceptance": 0.19 if m == "DRS" else None, "seconds": 2.294} for m, f in (("baseline", 1), ("DRS", 2))}}})
    assert results.comparison_table(S).splitlines()[-1] == (
        "| g | DRS | 6.20 ± 0.28 | 0.150 ± 0.071 | 0.8 ± 0 | 0.7 ± 0 | +100%, beyond the noise | 19.0% "
        "| 2.29 |")


def test_a_report_prints_its_text_and_keeps_its_numbers():
    r = tables.Report("W = 0.50\nsecond line", W=0.5, rows=[[1, 2]])
    assert str(r) == "W = 0.50\nsecond line" and f"{r}" == str(r)
    assert (r.W, r.rows, r.text) == (0.5, [[1, 2]], "W = 0.50\nsecond line")
