"""The course as a website (docs/site/conf.py), built as `make site` builds it and read in headless Chromium.

    make site-test                              # installs the site extra and the browser tools, runs this
    .venv/bin/python -m pytest -q tests/site

1. The build: Sphinx with -W (any warning fails it), from the stored outputs only. Every lecture notebook and
   exercise has its page, the solutions only when GANKIT_SITE_SOLUTIONS=1 (a second build), and no page holds
   widget JSON or an object repr, or TeX in its prose that the math parser did not take.
2. Three pages in Chromium, served from 127.0.0.1 with every other host unreachable: a lecture notebook with a
   stored widget, an exercise, and the syllabus (README's page while docs/syllabus.md does not exist). On each:
   every math element is typeset by MathJax (no TeX error; no `$$`, `\\(` or `$...$` left in the text), every
   image has loaded, every stored figure of the notebook is on the page, no widget JSON, widget repr or object
   repr is visible, a notebook page carries the "open in Colab" link made from gankit.notebooks.REPO and the
   `make lab` hint, and the browser asked for nothing outside the site (MathJax and its fonts come with it).
   Screenshots: tests/artifacts/site-<page>-*.png (git-ignored).

What it needs: the `site` extra (Sphinx, myst-nb, the book theme, MathJax's files) and Debian's chromium,
chromium-driver and selenium, installed by `make site-test`. Where they are missing the test skips on a
developer's machine and fails under CI (tests/browser_tools.py, shared with tests/browser).
"""
import functools
import html as html_lib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from browser_tools import chrome, fresh_artifacts, missing
from browser_tools import screenshot as save_screenshot
from gankit.notebooks import WIDGET_VIEW, colab_url

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "`make site-test` (the site extra, Debian's chromium and chromium-driver, selenium)"
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"   # Chromium reaches no host but this one
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
# In any page's text: a widget's JSON or repr, an object's repr. In what a reader sees beside the code (the prose and
# the outputs): also a widget's class repr and the messages of a widget that failed to render.
PAGE_FAILURES = [re.compile(p) for p in (r"application/vnd\.jupyter\.widget", r'"model_id"', r"interactive\(children=",
                                         r"<[^<>\n]* at 0x[0-9a-fA-F]+>")]
VISIBLE_FAILURES = PAGE_FAILURES + [re.compile(p) for p in (r"\b\w*(Slider|Box|Output)\(", r"Loading widget",
                                                            r"Error displaying widget")]
TEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}")   # \mu, \frac...: in a page's prose only when the math parser missed it
RAW_MATH = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\$[^$\s][^$\n]{0,200}\$")


def notebook_pages(folder):
    return sorted((ROOT / folder).glob("*.ipynb"))


def stored(path):
    """The notebook as the site renders it: its outputs, widget views aside."""
    outs = [o for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", [])]
    return {"widgets": sum(WIDGET_VIEW in o.get("data", {}) for o in outs),
            "figures": sum(any(m in o.get("data", {}) for m in IMAGE_MIMES) and WIDGET_VIEW not in o.get("data", {})
                           and "text/html" not in o.get("data", {}) for o in outs)}


def _lecture():
    with_widget = [p for p in notebook_pages("notebooks") if stored(p)["widgets"]]
    return (with_widget or notebook_pages("notebooks"))[0]


SYLLABUS = ROOT / "docs" / "syllabus.md"
PAGES = {"lecture": _lecture(), "exercise": notebook_pages("exercises")[0],
         "syllabus" if SYLLABUS.exists() else "readme": SYLLABUS if SYLLABUS.exists() else ROOT / "README.md"}


# --------------------------------------------------------------------------------------------------------
# The build


def build(out, solutions=False):
    """`make site`'s command into ``out``: returns the html folder, the wall time and Sphinx's output."""
    for module, what in (("sphinx", "Sphinx"), ("myst_nb", "myst-nb"), ("sphinx_book_theme", "sphinx-book-theme"),
                         ("mathjax", "django-static-mathjax")):
        try:
            __import__(module)
        except ImportError:
            missing(f"{what} (the site extra: pip install -e '.[site]')", INSTALL)
    env = dict(os.environ, GANKIT_SITE_SOLUTIONS="1" if solutions else "")
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-c",
                          str(ROOT / "docs" / "site"), "-d", str(out / "doctrees"), str(ROOT), str(out / "html")],
                         env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    log = run.stdout + run.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert run.returncode == 0 and not warnings, f"the site build failed or warned:\n" + "\n".join(warnings or [log[-3000:]])
    return out / "html", seconds


def pages(html):
    """The content pages (the search and index pages and the index.html redirect aside)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not p.relative_to(html).parts[0].startswith("_")
                  and p.name not in ("search.html", "genindex.html", "index.html"))


def prose(page_html):
    """A built page's text outside math, code and scripts: where TeX the math parser missed would show raw."""
    article = page_html[page_html.find('<article'):page_html.rfind('</article>')]
    for tag in ("script", "style", "pre", "code"):
        article = re.sub(rf"<{tag}\b.*?</{tag}>", " ", article, flags=re.S)
    article = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', "", article, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", article))


def sidebar(page):
    """The HTML of a page's sidebar (the theme's main navigation)."""
    text = page.read_text()
    start = text.index('<nav class="bd-links bd-docs-nav"')
    return text[start:text.index("</nav>", start)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build(tmp_path_factory.mktemp("site"))


def test_build_without_warnings_has_every_page_and_no_solutions(site, record_property):
    html, seconds = site
    built = pages(html)
    expected = ["README.html"] + (["docs/syllabus.html"] if SYLLABUS.exists() else [])
    expected += [f"{d}/{p.stem}.html" for d in ("notebooks", "exercises") for p in notebook_pages(d)]
    assert set(expected) <= set(built), f"pages missing from the site: {sorted(set(expected) - set(built))}"
    assert not any(p.startswith("solutions/") for p in built), "solutions published without GANKIT_SITE_SOLUTIONS=1"
    assert not (html / "_sources" / "solutions").exists(), "the solutions' sources were copied into the site"
    nav = sidebar(html / "README.html")
    order = [nav.find(f'href="{p}"') for p in expected[1:]]
    assert -1 not in order and order == sorted(order), "the sidebar does not list the pages in course order"
    assert 'url=README.html' in (html / "index.html").read_text()
    faults = []   # every page, not only the three opened in the browser; all faults reported at once
    for page in built:
        text = (html / page).read_text()
        bad = [p.pattern for p in PAGE_FAILURES if p.search(html_lib.unescape(re.sub(r"<[^>]+>", " ", text)))]
        if bad:
            faults.append(f"{page} holds widget JSON or a repr in its text: {bad}")
        if "jupyter-widgets" in text or "require.min.js" in text:
            faults.append(f"{page} loads widget JavaScript")
        raw = RAW_MATH.findall(prose(text)) + TEX_COMMAND.findall(prose(text))
        if raw:
            faults.append(f"{page}: TeX the math parser did not take (a $$ block not on lines of its own?): {raw[:3]}")
    assert not faults, "\n".join(faults)
    record_property("summary", f"build (no solutions, -W): {seconds:.1f} s, {len(built)} pages: {', '.join(built)}")


def test_solutions_flag_adds_the_solutions(tmp_path, record_property):
    if not (ROOT / "solutions").is_dir():
        pytest.skip("the student release (gankit.release) has no solutions/")
    html, seconds = build(tmp_path, solutions=True)
    built = pages(html)
    wanted = [f"solutions/{p.stem}.html" for p in notebook_pages("solutions")]
    assert wanted and set(wanted) <= set(built), f"solution pages missing: {sorted(set(wanted) - set(built))}"
    nav = sidebar(html / "README.html")
    assert all(f'href="{p}"' in nav for p in wanted), "the solutions are not in the sidebar"
    record_property("summary", f"build with GANKIT_SITE_SOLUTIONS=1: {seconds:.1f} s, {len(built)} pages")


# --------------------------------------------------------------------------------------------------------
# In Chromium


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                                     {"log_message": lambda *a: None}), directory=str(site[0]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    d = chrome(tmp_path_factory.mktemp("chromium"), INSTALL, flags=[OFFLINE],
               logs={"performance": "ALL", "browser": "ALL"})
    d.set_script_timeout(60)
    yield d
    d.quit()


PAGE_JS = """
const article = document.querySelector('.bd-article');
const maths = Array.from(article.querySelectorAll('.math'));
const plain = article.cloneNode(true);   // the prose: no code, no typeset math
plain.querySelectorAll('pre, code, mjx-container, script, style').forEach(e => e.remove());
const seen = article.cloneNode(true);    // what a reader sees beside the code: the prose and the outputs
seen.querySelectorAll('.cell_input, script, style').forEach(e => e.remove());
const imgs = Array.from(article.querySelectorAll('img'));
const run = document.querySelector('.gankit-run');
const colab = document.querySelector('a.gankit-colab');
return {
  math: maths.length, typeset: maths.filter(m => m.querySelector('mjx-container')).length,
  tex_errors: article.querySelectorAll('mjx-merror').length,
  text: plain.textContent, visible: seen.textContent,
  imgs: imgs.length, loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
  broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
  figures: article.querySelectorAll('.cell_output img').length,
  widget_notes: article.querySelectorAll('.gankit-widget-note').length,
  run: run ? run.innerText : null, colab: colab ? colab.href : null,
};
"""


def shoot(driver, name, selector=None):
    """Scroll the first element matching ``selector`` (if any) to the middle, save tests/artifacts/<name>.png."""
    if selector and not driver.execute_script(
            "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({block: 'center'}); return !!e;",
            selector):
        return None
    time.sleep(0.3)
    return save_screenshot(driver, name)


def requests(driver):
    """Every address the page asked for since the last call (Chromium's network log)."""
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_in_chromium(kind, driver, server, record_property):
    source = PAGES[kind]
    rel = source.relative_to(ROOT).with_suffix(".html").as_posix()
    fresh_artifacts(f"site-{kind}")
    requests(driver)   # forget the previous page's
    try:
        driver.get(f"{server}/{rel}")
        driver.execute_script("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        ready = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const imgs = () => Array.from(document.images).every(i => i.complete);
            const wait = t => (window.MathJax && MathJax.startup && MathJax.startup.promise && imgs()) ? 
                MathJax.startup.promise.then(() => done('ok'), e => done('MathJax failed: ' + e)) :
                (t > 400 ? done('MathJax did not start or images did not load') : setTimeout(() => wait(t + 1), 100));
            wait(0);""")
        assert ready == "ok", f"{rel}: {ready}"
        page = driver.execute_script(PAGE_JS)
        shots = [shoot(driver, f"site-{kind}-top")]
        shots += [shoot(driver, f"site-{kind}-figure", ".bd-article .cell_output img, .bd-article img"),
                  shoot(driver, f"site-{kind}-widget", ".gankit-widget-note"),
                  shoot(driver, f"site-{kind}-math", ".bd-article div.math")]
        shots = [s for s in shots if s]
    except BaseException:
        shoot(driver, f"site-{kind}-failure")
        raise

    # math: every element typeset, no TeX error, nothing left raw in the prose
    assert page["math"] > 0, f"{rel}: no math on the page (the check would prove nothing)"
    assert page["typeset"] == page["math"], f"{rel}: {page['math'] - page['typeset']} of {page['math']} math elements not typeset"
    assert page["tex_errors"] == 0, f"{rel}: MathJax shows {page['tex_errors']} TeX errors"
    raw = RAW_MATH.findall(page["text"])
    assert not raw, f"{rel}: TeX left untypeset in the text: {raw[:5]}"

    # figures: every image loaded; a notebook's page shows each stored figure
    assert not page["broken"], f"{rel}: images not loaded: {page['broken']}"
    if source.suffix == ".ipynb":
        want = stored(source)
        assert page["figures"] == want["figures"], f"{rel}: {page['figures']} figures shown, {want['figures']} stored"
        assert page["widget_notes"] == want["widgets"], f"{rel}: {want['widgets']} widgets stored, {page['widget_notes']} replaced"
        assert page["colab"] == colab_url(source.relative_to(ROOT).as_posix()), f"{rel}: Colab link {page['colab']}"
        assert "make lab" in page["run"] and source.relative_to(ROOT).as_posix() in page["run"], f"{rel}: no `make lab` hint"

    # no widget JSON, widget repr or object repr visible
    bad = [m.group(0) for p in VISIBLE_FAILURES for m in [p.search(page["visible"])] if m]
    assert not bad, f"{rel}: visible on the page: {bad}"

    # nothing from another server: MathJax and its fonts come from the site itself
    urls = requests(driver)
    outside = [u for u in urls if re.match(r"(https?|wss?|ftp)://", u) and not u.startswith(server)]   # chrome:// is the browser's own
    assert not outside, f"{rel}: the page asked for addresses outside the site: {outside}"
    assert any(u.endswith("/_static/mathjax/tex-mml-chtml.js") for u in urls), f"{rel}: MathJax not loaded from the site"

    record_property("summary", (
        f"{kind} ({rel}): {page['math']} math elements typeset, {page['imgs']} images loaded"
        + (f" ({page['figures']} stored figures; {page['widget_notes']} widgets shown as their stored figure)"
           if source.suffix == ".ipynb" else "")
        + f", {len(urls)} requests, all to the site; screenshots in tests/artifacts/: {', '.join(shots)}"))
