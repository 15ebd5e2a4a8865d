"""The course as a website: Sphinx + myst-nb + sphinx-book-theme, built from the notebooks' stored outputs.

    make site                # into _site/html/ (exercises, no solutions)
    make site SOLUTIONS=1    # with the worked solutions (the instructor decides)

It never runs a notebook (``nb_execution_mode = "off"``): the pages show the lecture-mode outputs stored by
``python -m gankit.notebooks``. Pages, in course order: README (the home page), docs/syllabus.md when it exists,
notebooks/*.ipynb, exercises/*.ipynb, solutions/*.ipynb (only with GANKIT_SITE_SOLUTIONS=1), CONTRIBUTING.md and
CHANGELOG.md. Every notebook page starts with an "open in Colab" link (made from ``gankit.notebooks.REPO``) and
how to run it locally. A stored widget (a slider) cannot move without a kernel: its view is replaced by a note,
and the figure it showed, stored beside it by the runner, is what the page shows. MathJax (3.2.2, from the
``django-static-mathjax`` package of the ``site`` extra, static files only) is copied into the site, so that
pages load nothing from another server: the site reads offline, and the test checks exactly what is published.
"""
import json
import os
import shutil
from pathlib import Path

import mathjax   # the django-static-mathjax package (the site extra): MathJax's files, nothing else

import gankit
from gankit.notebooks import REPO, WIDGET_VIEW, colab_url
from gankit.verdicts import RECORD

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = os.environ.get("GANKIT_SITE_SOLUTIONS", "") not in ("", "0")

project = "gankit"
author = "the gankit authors"
copyright = "the gankit authors; code MIT, notebooks' text and figures CC BY 4.0"
release = version = gankit.__version__

extensions = ["myst_nb"]
nb_execution_mode = "off"            # render the stored outputs, never execute
nb_ipywidgets_js = {}                # no widget JavaScript from a CDN (widget views are replaced, see below)
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# Pages, in the sidebar's order (the home page's hidden toctree, added below); new notebooks are picked up.
FOLDERS = ["notebooks", "exercises"] + (["solutions"] if SOLUTIONS else [])
CAPTIONS = {"notebooks": "Lectures", "exercises": "Exercises", "solutions": "Solutions"}
root_doc = "README"
include_patterns = ["README.md", "docs/syllabus.md", "CONTRIBUTING.md", "CHANGELOG.md"] + [f"{d}/*.ipynb" for d in FOLDERS]
exclude_patterns = [p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in FOLDERS + ["docs"]]

# MathJax served with the site (no CDN at view time): the package's es5 build is copied into _static/mathjax/.
mathjax_path = "mathjax/tex-mml-chtml.js"

html_theme = "sphinx_book_theme"
html_title = f"gankit {gankit.__version__}"
html_static_path = ["_static"]
html_css_files = ["gankit.css"]
html_show_sourcelink = False
html_theme_options = {
    "repository_url": REPO,
    "repository_branch": "main",
    "use_repository_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}


def _docs(folder):
    return [f"{folder}/{p.stem}" for p in sorted((ROOT / folder).glob("*.ipynb"))]


def toctree():
    """The sidebar: one hidden toctree per part, appended to the home page (README stays plain Markdown)."""
    parts = [("The course", ["docs/syllabus"] if (ROOT / "docs/syllabus.md").exists() else [])]
    parts += [(CAPTIONS[d], _docs(d)) for d in FOLDERS]
    parts += [("The kit", [p for p in ("CONTRIBUTING", "CHANGELOG") if (ROOT / f"{p}.md").exists()])]
    return "".join(f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n" + "\n".join(docs) + "\n```\n"
                   for caption, docs in parts if docs)


WIDGET_NOTE = ('<p class="gankit-widget-note"><em>In Jupyter or Colab, a slider here redraws the figure above; '
               'this page shows the figure as the notebook\'s run stored it.</em></p>')


def for_the_page(text):
    """A notebook's JSON as a page shows it: each widget view replaced by a note, the widget state dropped, and a
    check's record (``gankit.verdicts.RECORD``, read by grading) dropped beside the line it shows."""
    nb = json.loads(text)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb["cells"]:
        for i, out in enumerate(cell.get("outputs", [])):
            out.get("data", {}).pop(RECORD, None)
            if WIDGET_VIEW in out.get("data", {}):
                cell["outputs"][i] = {"output_type": "display_data", "metadata": {},
                                      "data": {"text/html": WIDGET_NOTE}}
    return json.dumps(nb)


def source_read(app, docname, source):
    if docname == root_doc:
        source[0] += toctree()
    elif docname.split("/")[0] in FOLDERS:
        source[0] = for_the_page(source[0])


def run_banner(app, pagename, templatename, context, doctree):
    """On every notebook page: open it in Colab, or run it locally."""
    if pagename.split("/")[0] not in FOLDERS or "body" not in context:
        return
    path = f"{pagename}.ipynb"
    context["body"] = (
        '<div class="admonition tip gankit-run"><p class="admonition-title">Run this notebook</p><p>'
        f'<a class="reference external gankit-colab" href="{colab_url(path)}">Open in Colab</a> '
        '(its first cell installs the kit from the default branch), or on your machine: '
        f'<code>make lab</code> in a clone of the kit, then open <code>{path}</code>.</p></div>\n' + context["body"])


MATHJAX_SKIP = shutil.ignore_patterns("*-svg*.js", "*-full*.js", "tex-chtml.js", "mml-chtml.js", "svg", "node-main.js")


def finish(app, exception):
    """Copy MathJax's browser build (without the other combined files and the SVG output) into _static/mathjax/,
    and write index.html, which sends a visitor to the home page (README.html)."""
    if exception is None and app.builder.format == "html":
        es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
        shutil.copytree(es5, Path(app.outdir) / "_static" / "mathjax", ignore=MATHJAX_SKIP, dirs_exist_ok=True)
        (Path(app.outdir) / "index.html").write_text(
            f'<!DOCTYPE html><meta charset="utf-8"><title>{html_title}</title>'
            f'<meta http-equiv="refresh" content="0; url={root_doc}.html"><a href="{root_doc}.html">{html_title}</a>\n')


def setup(app):
    app.connect("source-read", source_read)
    app.connect("html-page-context", run_banner)
    app.connect("build-finished", finish)
