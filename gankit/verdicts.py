"""What an answer check shows, and what grading reads back: the line for the student and a record for the grader.

A check (``gankit.check.check``, or the student release's ``gankit.oneway.check``) ends in ``verdict``: it shows one
line, and a hint under a wrong answer,

    right           ✅ ex1_js: right — JS(mu, nu) = 0.693147
    wrong           ❌ ex1_js: not right yet. You gave 0.5.
                       Hint: ...
    not given yet   ⏳ ex1_js: not answered yet (JS(mu, nu)). Fill in the cell above, run it, then run this cell again.

and, in a notebook, a record of it: the line is the plain text of one display output whose ``RECORD`` data is
{"check": name, "status": "right" | "wrong" | "not answered"}. Grading (``read``, ``gankit.grade``) counts the
records, so rewording a line cannot change a grade; a notebook run before the records existed (its check lines
printed, no record) is read from its lines.

    >>> verdict("ex0", "the answer", "think again", 2, lambda v: f"the answer = {v}")
    ✅ ex0: right — the answer = 2
"""
import os
import re
import sys

from .answers import NotAnswered, Wrong

RECORD = "application/vnd.gankit.check+json"   # the MIME type of a check's record
STATUSES = {"✅": "right", "❌": "wrong", "⏳": "not answered"}   # a line's mark -> the status it records
LINE = re.compile(r"^(✅|❌|⏳) (\w+):", re.M)   # a check's line, as older notebooks hold it (printed)


def grading():
    """True when ``GANKIT_GRADE=1``: a check then fails (AssertionError) on a wrong or missing answer, so that
    ``pytest --nbval-lax`` on a submitted notebook fails exactly on its wrong answers."""
    return os.environ.get("GANKIT_GRADE", "0") not in ("", "0", "false", "False")


def verdict(name, what, hint, value, compare):
    """Show the line of check ``name`` and its record: right (the text ``compare(value)`` returns), not right yet
    (``compare`` raised ``Wrong``; with the hint) or not answered yet (None, Ellipsis or ``NotAnswered``). Raises
    AssertionError on the last two when ``grading()``."""
    try:
        if value is None or value is Ellipsis:
            raise NotAnswered
        lines, status = [f"✅ {name}: right — {compare(value)}"], "right"
    except NotAnswered:
        lines, status = [f"⏳ {name}: not answered yet ({what}). Fill in the cell above, run it, then run this cell "
                         "again."], "not answered"
    except Wrong as e:
        message = str(e)
        lines, status = [f"❌ {name}: not right yet. {message[:1].upper() + message[1:]}", f"   Hint: {hint}"], "wrong"
    show("\n".join(lines), {"check": name, "status": status})
    if grading() and status != "right":
        raise AssertionError("\n".join(lines))


def show(text, record):
    """Show ``text`` with its ``record``: in a Jupyter kernel one display output, plain text ``text`` and ``RECORD``
    data ``record`` (front ends have no renderer for ``RECORD`` and show the text); elsewhere (a script, a doctest)
    the text, printed."""
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        print(text)
        return
    from IPython.display import display
    display({"text/plain": text, RECORD: record}, raw=True)


def read(nb):
    """name -> "right" / "wrong" / "not answered": the checks a run notebook ``nb`` (an nbformat notebook or its
    JSON dict) shows, from their records; from their printed lines when it holds no record (an older notebook).
    A check shown twice counts as shown last."""
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    records = [o["data"][RECORD] for o in outputs if RECORD in o.get("data", {})]
    if records:
        return {r["check"]: r["status"] for r in records if r.get("status") in STATUSES.values()}
    text = "\n".join("".join(o.get("text", "")) for o in outputs if o.get("output_type") == "stream")
    return {name: STATUSES[mark] for mark, name in LINE.findall(text)}
