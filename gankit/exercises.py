r"""Make the students' exercise notebooks (``exercises/``) from the worked solutions (``solutions/``): one source.

    python -m gankit.exercises            # write exercises/ from solutions/, then run them to store their outputs
    python -m gankit.exercises --no-run   # write only
    python -m gankit.exercises --check    # exit 1 if exercises/ is out of date with solutions/ (nothing written)

What a solution notebook marks, and what the student's copy gets instead:

- in a code cell, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become a stub: for each name
  the block assigns, ``name = None  # your answer here``; for each function it defines, its ``def`` line and
  docstring with the body ``return None  # your answer here``. (Keep helpers inside the block's functions or in
  set-up cells: every top-level name the block assigns becomes a stub.)
- a markdown cell tagged ``solution`` (the written answer) becomes the prompt ``PROMPT``;
- a cell tagged ``solution-only`` (plots and numerical confirmations of the answer) is left out;
- every other cell (text, set-up, the ``gankit.check`` cells) is copied unchanged.

The check cells then print "not answered yet" instead of raising, so the student's copy runs top to bottom.
``tests/test_exercises.py`` fails when ``exercises/`` differs from what this command would write.
"""
import argparse
import ast
import copy
import sys
import textwrap
from pathlib import Path

import nbformat

from .notebooks import run as run_notebook

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "None  # your answer here"
PROMPT = "**Your answer.** *Double-click this cell and write your reasoning here.*"
SOLUTION_TAG, SOLUTION_ONLY_TAG = "solution", "solution-only"


def stub(block):
    """The student's stub for the code ``block`` (text): one ``name = None`` line per assigned name, one empty
    function (signature and docstring kept) per ``def``.

    >>> print(stub("js = math.log(2)\\npsi, _ = asgd(f, y)"))
    js = None  # your answer here
    psi = None  # your answer here
    >>> print(stub('def W(a, b):\\n    \"\"\"W(mu_theta, nu).\"\"\"\\n    m = (a + b) / 2\\n    return m @ m'))
    def W(a, b):
        \"\"\"W(mu_theta, nu).\"\"\"
        return None  # your answer here
    """
    lines = block.splitlines()
    try:
        tree = ast.parse(block)
    except SyntaxError as e:
        raise ValueError(f"a solution block is not valid Python ({e.msg}, line {e.lineno}):\n{block}") from None
    out, seen = [], set()  # out: (stub text, is a function)

    def assigned(target):
        if isinstance(target, ast.Name):
            return [target.id]
        if isinstance(target, (ast.Tuple, ast.List)):
            return [n for t in target.elts for n in assigned(t)]
        return []

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
            keep = lines[node.lineno - 1:(first.end_lineno if has_doc else first.lineno - 1)]
            indent = lines[first.lineno - 1][: len(lines[first.lineno - 1]) - len(lines[first.lineno - 1].lstrip())]
            out.append(("\n".join(keep + [f"{indent}return {STUB}"]), True))
            seen.add(node.name)
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for name in (n for t in targets for n in assigned(t)):
            if name != "_" and name not in seen:
                out.append((f"{name} = {STUB}", False))
                seen.add(name)
    if not out:
        raise ValueError(f"this solution block assigns no name and defines no function: the student would get an empty "
                         f"stub. Assign the answer to a name:\n{block}")
    text = out[0][0]
    for (_, was_def), (stub_text, is_def) in zip(out, out[1:]):  # a blank line around functions
        text += ("\n\n" if was_def or is_def else "\n") + stub_text
    return text


def strip_solutions(source):
    """A code cell's source with every BEGIN/END SOLUTION block replaced by its ``stub`` (indented like the marker)."""
    out, block, indent = [], None, ""
    for n, line in enumerate(source.splitlines(), 1):
        marker = line.strip()
        if marker == BEGIN:
            if block is not None:
                raise ValueError(f"line {n}: {BEGIN} inside another solution block:\n{source}")
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if block is None:
                raise ValueError(f"line {n}: {END} without {BEGIN}:\n{source}")
            out += textwrap.indent(stub(textwrap.dedent("\n".join(block))), indent).splitlines()
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise ValueError(f"{BEGIN} without {END}:\n{source}")
    return "\n".join(out)


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def student_copy(nb):
    """The exercise notebook made from the solution notebook ``nb`` (an nbformat notebook; not modified): marked
    solutions replaced by stubs and prompts, solution-only cells left out, all outputs cleared."""
    ex = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
    ex.metadata.pop("gankit", None)  # run timings belong to each notebook's own run
    for cell in nb.cells:
        tags = _tags(cell)
        if SOLUTION_ONLY_TAG in tags:
            continue
        new = copy.deepcopy(cell)
        if cell.cell_type == "markdown" and SOLUTION_TAG in tags:
            new.source = PROMPT
        elif cell.cell_type == "code":
            new.source = strip_solutions(cell.source)
            new.outputs, new.execution_count = [], None
        if "tags" in new.metadata:
            new.metadata["tags"] = [t for t in new.metadata["tags"] if t not in (SOLUTION_TAG, SOLUTION_ONLY_TAG)]
            if not new.metadata["tags"]:
                del new.metadata["tags"]
        ex.cells.append(new)
    return ex


def _content(nb):
    """What must agree between an exercise notebook and the one made from its solution (outputs aside)."""
    return [(c.cell_type, c.source, sorted(_tags(c))) for c in nb.cells]


def out_of_date(solutions="solutions", exercises="exercises"):
    """The list of problems (empty when up to date): exercise notebooks missing, different from their solution's
    student copy, or left over without a solution."""
    solutions, exercises = Path(solutions), Path(exercises)
    problems = []
    names = sorted(p.name for p in solutions.glob("*.ipynb"))
    for name in names:
        target = exercises / name
        if not target.exists():
            problems.append(f"{target} is missing")
            continue
        want = _content(student_copy(nbformat.read(solutions / name, as_version=4)))
        have = _content(nbformat.read(target, as_version=4))
        if want != have:
            diff = next((i for i, (w, h) in enumerate(zip(want, have)) if w != h), min(len(want), len(have)))
            problems.append(f"{target} differs from the student copy of {solutions / name} (first at cell {diff})")
    for extra in sorted(set(p.name for p in exercises.glob("*.ipynb")) - set(names)):
        problems.append(f"{exercises / extra} has no solution in {solutions}/")
    return problems


def write(solutions="solutions", exercises="exercises", run=True):
    """Write the student copy of every solution notebook into ``exercises`` and (``run``) execute it there, storing
    its outputs (the check cells' "not answered yet"). Returns the paths written."""

    solutions, exercises = Path(solutions), Path(exercises)
    exercises.mkdir(exist_ok=True)
    written = []
    for src in sorted(solutions.glob("*.ipynb")):
        target = exercises / src.name
        nbformat.write(student_copy(nbformat.read(src, as_version=4)), target)
        if run:
            seconds = run_notebook(target)
            print(f"{target}: written and run in {seconds:.0f} s", flush=True)
        else:
            print(f"{target}: written", flush=True)
        written.append(target)
    return written


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.exercises", description=__doc__.splitlines()[0])
    p.add_argument("--solutions", default="solutions", help="folder of the worked solutions (default: solutions)")
    p.add_argument("--exercises", default="exercises", help="folder to write (default: exercises)")
    p.add_argument("--no-run", action="store_true", help="write the notebooks without executing them")
    p.add_argument("--check", action="store_true", help="only check that exercises/ is up to date (exit 1 if not)")
    a = p.parse_args(argv)
    if a.check:
        problems = out_of_date(a.solutions, a.exercises)
        for problem in problems:
            print(problem)
        if problems:
            print("Run `python -m gankit.exercises` to regenerate them.")
        return 1 if problems else 0
    write(a.solutions, a.exercises, run=not a.no_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
