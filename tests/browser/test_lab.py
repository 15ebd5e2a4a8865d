"""The kit in a real browser: JupyterLab started as README's `make lab` does, driven by headless Chromium.

    make browser-test                                                    # every notebook with a widget
    .venv/bin/python -m pytest -q tests/browser --notebook notebooks/03_wgan_clipping_vs_gp.ipynb

The test serves a copy of notebooks/ (stored outputs stripped, so that every figure and widget it sees comes
from this run) from a temporary folder, with GANKIT_QUICK=1, on 127.0.0.1 without a token. Chromium opens
the notebook, runs Run > Run All Cells, waits for the kernel, and checks in the page that
  * every code cell ran, and no error output or "Error displaying widget" appeared,
  * every cell that calls plt.show() shows a PNG figure,
  * an ipywidgets slider rendered (not "Loading widget..."), and moving it redraws its figure.
It then saves the notebook in the browser and checks the saved file the same way (error outputs, PNGs).
Screenshots go to tests/artifacts/<notebook>-*.png (git-ignored), with the lab's and the browser's logs.

What it needs, Debian's `chromium` and `chromium-driver` and the `selenium` package, is installed at pinned
versions by `make browser-deps`; where they are missing the test skips on a developer's machine and fails under CI
(tests/browser_tools.py, shared with tests/site).
"""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

from browser_tools import ARTIFACTS, chrome, chromium_tools, fresh_artifacts, widget_notebooks
from browser_tools import screenshot as save_screenshot

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "`make browser-deps` (Debian's chromium and chromium-driver, selenium)"

LAB_START_TIMEOUT = 90     # seconds for the server to answer
PAGE_TIMEOUT = 90          # seconds for the notebook to render in the browser
RUN_TIMEOUT = 150          # seconds for Run All in quick mode
WIDGET_FAILURES = ("Loading widget", "Error displaying widget", "model not found")


# --------------------------------------------------------------------------------------------------------
# JupyterLab


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def stripped_copy(notebook, folder):
    """Copy the notebook's folder (notebooks/) into ``folder`` without stored outputs or widget state."""
    folder.mkdir()
    for path in notebook.parent.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, folder / path.name)
    return folder / notebook.name


def start_lab(tmp, notebooks_dir, log):
    """README's lab command (`python -m jupyter lab notebooks/`), tokenless on loopback, state kept in tmp."""
    port = free_port()
    for d in ("runtime", "config", "data", "settings", "workspaces", "ipython"):
        (tmp / d).mkdir()
    # user settings: no news request, no toast over the screenshots
    settings = tmp / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    env = dict(os.environ, GANKIT_QUICK="1", JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               IPYTHONDIR=str(tmp / "ipython"))
    cmd = [sys.executable, "-m", "jupyter", "lab", notebooks_dir.name, "--no-browser",
           "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={notebooks_dir}"]
    if os.name == "posix" and os.geteuid() == 0:
        cmd.append("--allow-root")   # CI machines run as root
    proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + LAB_START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"jupyter lab exited with code {proc.returncode}; see {log.name}"
        try:
            get_json(f"{base}/api/status", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise AssertionError(f"jupyter lab did not answer on {base} within {LAB_START_TIMEOUT} s; see {log.name}")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------------------------------------
# The page


def wait_for(what, condition, timeout, interval=0.25):
    """Poll ``condition()`` until it returns something true; return it, or fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


CELLS_JS = """
return Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')).map(c => ({
  code: c.classList.contains('jp-CodeCell'),
  prompt: (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
  pngs: Array.from(c.querySelectorAll('.jp-OutputArea-output img')).filter(i => i.src.startsWith('data:image/png')).map(i => i.src.length + ':' + i.src.slice(-64)),
  sliders: c.querySelectorAll('.jupyter-widgets .widget-slider').length,
  widgets: c.querySelectorAll('.jupyter-widgets').length,
  text: Array.from(c.querySelectorAll('.jp-OutputArea-output')).map(o => o.textContent).join('\\n'),
}));
"""


def cells(driver):
    return driver.execute_script(CELLS_JS)


def kernel_idle(base):
    kernels = get_json(f"{base}/api/kernels")
    return bool(kernels) and all(k["execution_state"] == "idle" for k in kernels)


def click_menu(driver, menu, label):
    """Open a top menu by its label and click its item ``label``, as a person does (Run > Run All Cells)."""
    from selenium.webdriver.common.by import By
    [item] = [i for i in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item") if i.text.strip() == menu]
    item.click()
    entries = wait_for(f"menu item {menu} > {label}", lambda: [
        e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-item")
        if e.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
        and e.find_element(By.CSS_SELECTOR, ".lm-Menu-itemLabel").text.strip() == label], 10)
    entries[0].click()


def scroll_to(driver, cell_index, inside=None, block="start"):
    """Scroll cell ``cell_index`` (or its first element matching the CSS selector ``inside``) into view."""
    driver.execute_script(
        "let e = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')[arguments[0]];"
        "if (e && arguments[1]) e = e.querySelector(arguments[1]) || e;"
        "if (e) e.scrollIntoView({block: arguments[2]});", cell_index, inside, block)
    time.sleep(0.7)


def screenshot(driver, name, cell_index=None, inside=None, block="start"):
    """Scroll to cell ``cell_index`` (if given) and save tests/artifacts/<name>.png; return the file's name."""
    if cell_index is not None:
        scroll_to(driver, cell_index, inside, block)
    return save_screenshot(driver, name)


def error_text(text):
    """A traceback or a widget failure in an output's text, or None."""
    if re.search(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", text, re.M):
        return text[-1500:]
    for failure in WIDGET_FAILURES:
        if failure in text:
            return text[-1500:]
    return None


# --------------------------------------------------------------------------------------------------------


def pytest_generate_tests(metafunc):
    if "notebook" in metafunc.fixturenames:
        chosen = [Path(p).resolve() for p in metafunc.config.getoption("--notebook")]
        if not chosen:
            chosen = widget_notebooks()
        metafunc.parametrize("notebook", chosen, ids=[p.stem for p in chosen])


def test_notebook_runs_in_jupyterlab(notebook, tmp_path, record_property):
    assert notebook.exists(), f"no notebook {notebook}"
    chromium_tools(INSTALL)   # skip (fail under CI) before starting anything when a tool is missing

    source = nbformat.read(notebook, as_version=4)
    n_cells = len(source.cells)
    show_cells = [i for i, c in enumerate(source.cells) if c.cell_type == "code" and "plt.show()" in c.source]
    stem = notebook.stem
    fresh_artifacts(stem)
    copy = stripped_copy(notebook, tmp_path / notebook.parent.name)
    timings, shots = {}, []

    t0 = time.monotonic()
    lab_log = open(ARTIFACTS / f"{stem}-lab.log", "w")
    lab, base = start_lab(tmp_path, copy.parent, lab_log)
    driver = None
    try:
        timings["lab answering"] = time.monotonic() - t0
        driver = chrome(tmp_path / "chromium-profile", INSTALL, logs={"browser": "ALL"},
                        driver_log=tmp_path / "chromedriver.log")
        from selenium.webdriver.common.keys import Keys
        driver.get(f"{base}/lab/tree/{copy.name}")

        # 1. the notebook rendered, with its kernel started
        wait_for(f"{n_cells} cells of {copy.name} in the page", lambda: len(cells(driver)) == n_cells, PAGE_TIMEOUT)
        timings["rendered notebook"] = time.monotonic() - t0
        wait_for("the kernel to be idle", lambda: kernel_idle(base), PAGE_TIMEOUT)
        timings["kernel ready"] = time.monotonic() - t0
        shots.append(screenshot(driver, f"{stem}-1-opened"))

        # 2. Run > Run All Cells, until every code cell has its execution count and the kernel is idle
        t_run = time.monotonic()
        click_menu(driver, "Run", "Run All Cells")

        def finished():
            cs = cells(driver)
            if any("*" in c["prompt"] for c in cs) or not kernel_idle(base):
                return None
            return cs
        wait_for("Run All to start", lambda: any("*" in c["prompt"] or re.search(r"\[\d+\]", c["prompt"])
                                                 for c in cells(driver) if c["code"]), 10)
        state = wait_for("Run All to finish", lambda: finished() and (time.sleep(1.5) or finished()), RUN_TIMEOUT, 1)
        timings["run all cells"] = time.monotonic() - t_run

        for i, c in enumerate(state):
            bad = error_text(c["text"])
            assert bad is None, f"cell {i} shows an error:\n{bad}"
        not_run = [i for i, c in enumerate(state) if c["code"] and not re.search(r"\[\d+\]", c["prompt"])]
        assert not not_run, f"code cells {not_run} did not run (prompts: {[state[i]['prompt'] for i in not_run]})"

        # 3. figures: every plt.show() cell shows a PNG
        no_png = [i for i in show_cells if not state[i]["pngs"]]
        assert not no_png, f"cells {no_png} call plt.show() but show no PNG figure"
        n_png = sum(len(c["pngs"]) for c in state)
        assert n_png >= 1, "no PNG figure in the notebook's outputs"
        first_fig = next(i for i, c in enumerate(state) if c["pngs"])
        shots.append(screenshot(driver, f"{stem}-2-figure", first_fig, ".jp-OutputArea-output img", "center"))

        # 4. a widget slider rendered; moving it redraws the figure beside it
        slider_cells = [i for i, c in enumerate(state) if c["sliders"]]
        assert slider_cells, ("no rendered ipywidgets slider (.widget-slider) in the page: is the "
                              "jupyterlab_widgets extension installed where the lab runs?")
        with_fig = [i for i in slider_cells if state[i]["pngs"]]
        s = with_fig[0] if with_fig else slider_cells[0]
        scroll_to(driver, s)
        handle = driver.execute_script(
            "return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')"
            "[arguments[0]].querySelector('.widget-slider .noUi-handle');", s)
        readout = lambda: driver.execute_script(  # noqa: E731
            "const r = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')"
            "[arguments[0]].querySelector('.widget-slider .widget-readout'); return r ? r.textContent : null;", s)
        before_value, before_pngs = readout(), state[s]["pngs"]
        handle.click()
        handle.send_keys(Keys.ARROW_RIGHT)
        if readout() == before_value:       # the slider was at its maximum
            handle.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
        wait_for("the slider's value to change", lambda: readout() != before_value, 10)
        if before_pngs:
            wait_for(f"cell {s}'s figure to be redrawn after moving the slider",
                     lambda: kernel_idle(base) and cells(driver)[s]["pngs"] not in ([], before_pngs), 60, 0.5)
        time.sleep(0.5)
        shots.append(screenshot(driver, f"{stem}-3-slider", s))
        state = cells(driver)
        for i, c in enumerate(state):
            bad = error_text(c["text"])
            assert bad is None, f"cell {i} shows an error after moving the slider:\n{bad}"
        shots.append(screenshot(driver, f"{stem}-4-end", n_cells - 1))

        # 5. save from the browser and check the file the lab wrote (in the temporary copy)
        mtime = copy.stat().st_mtime
        click_menu(driver, "File", "Save Notebook")
        wait_for("the notebook to be saved", lambda: copy.stat().st_mtime != mtime, 20)
        saved = wait_for("a readable saved notebook", lambda: _read(copy), 10)
        errors = [o for c in saved.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert not errors, f"error outputs in the saved notebook: {[e.ename + ': ' + e.evalue for e in errors]}"
        assert all(c.execution_count for c in saved.cells if c.cell_type == "code"), "saved with unrun cells"
        view = "application/vnd.jupyter.widget-view+json"
        widget_cells = [i for i, c in enumerate(saved.cells) if any(view in o.get("data", {}) for o in c.get("outputs", []))]
        assert widget_cells, "no widget view in the saved outputs"
        no_png = [i for i in show_cells if i not in widget_cells   # a widget's figures live in the widget's state
                  and not any("image/png" in o.get("data", {}) for o in saved.cells[i].outputs)]
        assert not no_png, f"saved cells {no_png} have no image/png output"

        record_property("summary", (
            f"{stem}: from the lab command, server answering {timings['lab answering']:.1f} s, notebook rendered "
            f"{timings['rendered notebook']:.1f} s, kernel ready {timings['kernel ready']:.1f} s; Run All (quick mode) "
            f"{timings['run all cells']:.1f} s; {n_png} PNG figures, sliders in cells {slider_cells} (moved one: "
            f"its figure redrew); screenshots in tests/artifacts/: {', '.join(shots)}"))
        (ARTIFACTS / f"{stem}-timings.json").write_text(json.dumps(
            {k: round(v, 1) for k, v in timings.items()} | {"png_figures": n_png, "screenshots": shots}, indent=1))
    except BaseException:
        if driver is not None:
            try:
                screenshot(driver, f"{stem}-failure")
            except Exception:
                pass
        raise
    finally:
        if driver is not None:
            try:
                logs = driver.get_log("browser")
                (ARTIFACTS / f"{stem}-browser.log").write_text(
                    "\n".join(f"{e['level']} {e['message']}" for e in logs))
            except Exception:
                pass
            driver.quit()
        stop(lab)
        lab_log.close()


def _read(path):
    try:
        return nbformat.read(path, as_version=4)
    except Exception:
        return None
