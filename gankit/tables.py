"""Tables of numbers as text: one formatter for the kit's printed tables and README's Markdown ones.

``table(header, rows)`` lines the columns up: text to the left, numbers to the right, two spaces between
columns and a rule under the header. ``formats`` gives a column's format spec (``".3f"``, ``".1%"``, ``",d"``,
``"+.1%"``); a cell that is None stays empty. With ``markdown=True`` the same rows make a Markdown table, its
number columns right-aligned (``---:``).

    >>> print(table(["model", "FID", "share"], [["GAN", 3.52, 0.131], ["WGAN-GP", 8.3, None]],
    ...             formats={"FID": ".1f", "share": ".0%"}))
    model    FID  share
    -------  ---  -----
    GAN      3.5    13%
    WGAN-GP  8.3
    >>> print(table(["model", "FID"], [["GAN", 3.52]], formats={"FID": ".2f"}, markdown=True))
    | model | FID |
    | --- | ---: |
    | GAN | 3.52 |

``Report(text, **numbers)`` is what a check returns: its numbers as attributes, printed as the text a notebook shows.
"""
import numbers
from types import SimpleNamespace


def _is_number(v):
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def cell(v, spec=""):
    """One cell's text: '' for None, else ``format(v, spec)`` (``str(v)`` without a spec, or for a string)."""
    return "" if v is None else format(v, spec) if spec and not isinstance(v, str) else str(v)


def table(header, rows, formats=None, markdown=False):
    """The ``rows`` (sequences of cells, one per column of ``header``) as an aligned text table, or a Markdown table.

    ``formats``: {column name: format spec}. A column is right-aligned when every cell that is not None is a number
    (not a bool). Returns the table as one string, without a final newline.
    """
    formats = formats or {}
    rows = [list(r) for r in rows]
    if any(len(r) != len(header) for r in rows):
        raise ValueError(f"every row needs {len(header)} cells ({', '.join(map(str, header))})")
    right = [all(_is_number(r[i]) for r in rows if r[i] is not None) and any(r[i] is not None for r in rows)
             for i in range(len(header))]
    text = [[cell(v, formats.get(h, "")) for h, v in zip(header, r)] for r in rows]
    if markdown:
        lines = [list(map(str, header)), ["---:" if r else "---" for r in right]] + text
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    head = [str(h) for h in header]
    widths = [max(len(x[i]) for x in [head] + text) for i in range(len(head))]

    def line(cells):
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in text])


class Report(SimpleNamespace):
    """A check's numbers as attributes (a ``SimpleNamespace``), printed as its sentences: ``str(r) == r.text``.

    >>> r = Report("W = 0.500", W=0.5)
    >>> print(r)
    W = 0.500
    >>> r.W
    0.5
    """

    def __init__(self, text, **numbers):
        super().__init__(text=text, **numbers)

    def __str__(self):
        return self.text
