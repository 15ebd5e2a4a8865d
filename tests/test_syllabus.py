"""docs/syllabus.md, the course map, stays honest: every notebook section and exercise it names exists, its counts
are the counts of its rows, and (where the lecture slides lie beside the clone) it lists every slide title of the
seeds 001, 002 and 004 in order, and the titles of 003 and 000 are the slides' own words."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "syllabus.md"
SEEDS = ROOT.parent / "shared" / "seeds"
HOW = ("live", "mentioned", "not in the kit")


def rows():
    """{seed: [(slide title, where, how)]} from the map's tables, one section '## NNN ...' per seed."""
    out, seed = {}, None
    for line in MAP.read_text().splitlines():
        m = re.match(r"## (\d{3}) ", line)
        if m:
            seed = out.setdefault(m.group(1), [])
        elif seed is not None and line.startswith("| ") and not line.startswith(("| slide", "| ---")):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            assert len(cells) == 3, f"a row of the map has 3 cells (slide | where | how): {line}"
            seed.append(tuple(cells))
    return out


def headings(path):
    nb = nbformat.read(path, as_version=4)
    return {l.lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown" for l in c.source.splitlines()
            if l.startswith("#")}


def slide_titles(seed):
    """The heading lines of a seed, without '#' and '**', each once, in order."""
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text()
    titles = [l.lstrip("#").replace("**", "").strip() for l in text.splitlines() if l.startswith("#")]
    return list(dict.fromkeys(t for t in titles if t))


def test_every_place_the_map_names_exists():
    table = rows()
    assert set(table) == {"000", "001", "002", "003", "004"}
    for seed, entries in table.items():
        for slide, where, how in entries:
            assert how.startswith(HOW), f"{seed} '{slide}': how must start with one of {HOW}, got {how!r}"
            links = re.findall(r"\[([^\]]+)\]\(\.\./([^)]+)\)", where)
            assert links or how.startswith("not in the kit"), f"{seed} '{slide}' is taught but names no notebook"
            for text, target in links:
                path = ROOT / target
                assert path.exists(), f"{seed} '{slide}': {target} does not exist"
                if " § " in text:
                    section = text.split(" § ", 1)[1].replace("\\|", "|")
                    assert section in headings(path), f"{seed} '{slide}': no section '{section}' in {target}"


def test_counts_are_the_rows_counts():
    table = rows()
    stated = re.findall(r"^\| (\d{3}) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", MAP.read_text(), re.M)
    assert {s for s, *_ in stated} == set(table)
    for seed, total, live, mentioned, left in stated:
        hows = [how for _, _, how in table[seed]]
        counted = [len(hows)] + [sum(h.startswith(k) for h in hows) for k in HOW]
        assert [int(total), int(live), int(mentioned), int(left)] == counted, f"counts of {seed}"


@pytest.mark.skipif(not SEEDS.exists(), reason="the lecture slides are not beside the clone (../shared/seeds)")
def test_the_map_lists_every_slide_title_in_order():
    table = rows()
    for seed in ("001", "002", "004"):
        listed = [slide.split(" — ")[0] for slide, _, _ in table[seed]]
        assert listed == slide_titles(seed), f"the map's slides of {seed} differ from the seed's titles"
    for seed in ("003", "000"):                     # no headings: the titles are the slides' first lines
        text = " ".join(next(SEEDS.glob(f"{seed}_*.txt")).read_text().replace("**", "").split())
        for slide, _, _ in table[seed]:
            assert slide.split(" — ")[0] in text, f"'{slide}' is not a title of {seed}"
