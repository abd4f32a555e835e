"""What a person sees, checked in a real browser (the system's Chromium, driven by selenium).

(a) The report site: built from a real run of notebook 05 into a temporary build folder (a partial run: its site
in ``build/unpublished/site``), opened from a web server and from ``file://``: the front page lists every finding,
reads in 30 seconds at 1366 px (the summary and the verdict table within four screens, no word broken, verdict
badges with words), every image on it and on the notebook page has loaded, and the browser console shows no error.
(b) JupyterLab, started on localhost with a token from the project's own environment: it opens notebook 02,
runs all cells, and the finding card appears with no error output and no traceback.

Screenshots go to ``build/screenshots/``. Without Chromium and chromedriver (a developer's laptop) the tests
are skipped with that reason; CI installs them (``.ci/run``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import REAL_MIRROR, REPO

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = REPO / "build" / "screenshots"

if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip(
        "Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver; "
        ".ci/run does this)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look for a driver on the network
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1100",
        "--disable-extensions",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, seconds: float = 60) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def images_loaded(driver) -> tuple[int, list[str]]:
    """(how many images, the sources of those that did not load)."""
    images = driver.find_elements("tag name", "img")
    broken = [
        img.get_attribute("src")
        for img in images
        if not driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
    ]
    return len(images), broken


def shot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(max(height, 1100), 6000))
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1100)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A report site from a real run of notebook 05 (the real mirror when it is there, else the synthetic
    world), in a temporary build folder."""
    root = tmp_path_factory.mktemp("site")
    env = dict(os.environ, WIJKSTUDIE_FIGURES_DIR=str(root / "figures"), MPLBACKEND="Agg")
    if REAL_MIRROR is not None:
        env["WIJKSTUDIE_MIRROR"] = str(REAL_MIRROR)
    env.pop("WIJKSTUDIE_DATA", None)  # the main command chooses, as it does for a user
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wijkstudie.reproduce",
            str(REPO / "notebooks" / "05_vreewijk.ipynb"),
            "--build",
            str(root / "build"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return root / "build" / "unpublished" / "site"  # a partial run: its own site, never the published one


@pytest.fixture(scope="module")
def served(site):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/index.html")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def test_the_front_page_lists_every_finding_and_loads_cleanly(browser, served):
    from wijkstudie.study import findings

    browser.get(f"{served}/index.html")
    text = browser.find_element("tag name", "body").text
    for key in findings.registry()["findings"]:
        assert f"{key}:" in text, key
    assert browser.find_element("id", "data-kind").text.startswith("Produced on")
    count, broken = images_loaded(browser)
    assert not broken
    assert not console_errors(browser)
    shot(browser, "site-index")


BROKEN_WORDS = """
const broken = [];
for (const cell of document.querySelectorAll('td, th')) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    const words = /[^\\s\\-\u2010-\u2015\\/]+/g;  // a break at a space, a hyphen, a dash or a slash is fine
    let m;
    while ((m = words.exec(text)) !== null) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
}
return broken;
"""


def test_the_front_page_reads_in_30_seconds_at_1366_px(browser, served):
    """At a laptop's 1366 x 768: the summary sentence and the verdict table end within four screens, no table cell
    breaks a word or a number, and every verdict is a badge with its words (readable without colour)."""
    browser.set_window_size(1366, 768)
    try:
        browser.get(f"{served}/index.html")
        summary = browser.find_element("id", "summary").text
        assert summary.startswith("Of 7 claims: ") and "not testable with these data" in summary, summary
        end = browser.execute_script(
            "return document.querySelector('table.glance').getBoundingClientRect().bottom + window.scrollY"
        )
        assert end <= 4 * 768, end
        assert browser.execute_script(BROKEN_WORDS) == []
        badges = browser.find_elements("css selector", "table.glance .badge")
        assert len(badges) >= 7
        for badge in badges:
            words = badge.text.strip()
            colour = badge.value_of_css_property("background-color")
            assert words and badge.get_attribute("title") in words, words  # the verdict in words, not colour alone
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), words
        words = {"supported", "contradicted", "mixed", "inconclusive", "not testable with these data"}
        verdicts = {b.get_attribute("title") for b in badges}
        assert all(v in words or v.startswith("not run in this build (notebooks ") for v in verdicts), verdicts
        assert not console_errors(browser)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "site-index-1366.png"))
    finally:
        browser.set_window_size(1400, 1100)


def test_a_notebook_page_shows_its_figures_and_finding_card(browser, served):
    browser.get(f"{served}/notebooks/05_vreewijk.html")
    count, broken = images_loaded(browser)
    assert count >= 1 and not broken, broken
    body = browser.find_element("tag name", "body").text
    assert "Finding Vreewijk" in body and "Traceback" not in body
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "figcaption a")]
    assert {h.rsplit(".", 1)[-1] for h in links} == {"png", "svg", "pdf"}
    assert not console_errors(browser)
    shot(browser, "site-notebook-05")


def test_the_site_opens_from_a_file_url(browser, site):
    browser.get((site / "sources.html").as_uri())
    assert "Sources" in browser.find_element("tag name", "h1").text
    browser.get((site / "notebooks" / "05_vreewijk.html").as_uri())
    count, broken = images_loaded(browser)
    assert count >= 1 and not broken
    assert not console_errors(browser)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on localhost, with a token, serving a copy of notebook 02 (the checkout is never written)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(REPO / "notebooks" / "02_home_ownership.ipynb", root)
    token, port = secrets.token_hex(16), free_port()
    env = dict(
        os.environ,
        WIJKSTUDIE_FIGURES_DIR=str(root / "figures"),
        JUPYTER_CONFIG_DIR=str(root / ".config"),
        JUPYTER_RUNTIME_DIR=str(root / ".runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"),
        JUPYTER_DATA_DIR=str(Path(sys.prefix) / "share" / "jupyter"),
    )
    settings = root / ".settings"  # a fresh user's settings, minus the prompts a test cannot answer
    for name, values in {
        "notebook-extension/tracker": {"autoStartDefaultKernel": True},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        (settings / "@jupyterlab" / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / "@jupyterlab" / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    if REAL_MIRROR is not None:
        env["WIJKSTUDIE_MIRROR"] = str(REAL_MIRROR)
        env.pop("WIJKSTUDIE_DATA", None)  # a user with a mirror: real data, as the notebook will say
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--allow-root",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/status?token={token}", seconds=90)
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_all_cells(browser, attempts: int = 5) -> None:
    """Run > Run All Cells, as a user would; again if the click came before the notebook's session was ready
    (the item is disabled then, or the click does nothing), until a cell has started."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    def started(driver):
        return any(
            p.text.strip() not in ("", "[ ]:")
            for p in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")
        )

    for _ in range(attempts):
        browser.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Notebook").click()
        browser.find_element(By.XPATH, "//div[contains(@class,'lm-MenuBar-itemLabel') and text()='Run']").click()
        item = WebDriverWait(browser, 20).until(
            lambda d: d.find_element(By.XPATH, "//li[contains(@class,'lm-Menu-item')][.//div[text()='Run All Cells']]")
        )
        if "lm-mod-disabled" in (item.get_attribute("class") or ""):
            browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        else:
            item.click()
            try:
                WebDriverWait(browser, 20, poll_frequency=0.5).until(started)
                return
            except TimeoutException:
                pass
        time.sleep(3)
    pytest.fail(f"Run All Cells did not start notebook 02 in {attempts} attempts")


def cell_errors(driver) -> list[str]:
    """The errors shown in the notebook's cells (an exception's output: its last line, the one-line message), each
    with the cell's prompt."""
    from selenium.webdriver.common.by import By

    found = []
    for cell in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell"):
        for output in cell.find_elements(
            By.CSS_SELECTOR, ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ):
            lines = [line for line in output.text.strip().splitlines() if line.strip()]
            if lines and ("Traceback" in output.text or re.match(r"^\w*(Error|Exception)\b", lines[-1])):
                prompt = cell.find_element(By.CSS_SELECTOR, ".jp-InputPrompt").text.strip()
                found.append(f"cell {prompt}: {lines[-1][:300]}")
    return found


def test_jupyterlab_runs_notebook_02_to_its_finding_card(browser, jupyterlab):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, token = jupyterlab
    browser.get(f"{url}/lab/tree/02_home_ownership.ipynb?token={token}")
    wait = WebDriverWait(browser, 120)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell")))
    wait.until(lambda d: "Idle" in d.find_element(By.CSS_SELECTOR, "#jp-main-statusbar").text)  # kernel ready
    for dialog in browser.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept"):
        dialog.click()  # a kernel prompt, if the settings above did not keep it away: answer as a user would
    run_all_cells(browser)

    def finished(driver):
        if cell_errors(driver):  # a cell failed: the cells after it never run, so say which and why at once
            return True
        prompts = [p.text.strip() for p in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
        return prompts and all(p.startswith("[") and p[1:-2].isdigit() for p in prompts)

    try:
        WebDriverWait(browser, 300, poll_frequency=1).until(finished)
        failed = cell_errors(browser)
        if failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(SCREENSHOTS / "jupyterlab-02-error.png"))
            pytest.fail(f"a cell of notebook 02 failed: {failed[0]}")
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "jupyterlab-02-timeout.png"))
        prompts = [p.text.strip() for p in browser.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
        pytest.fail(f"the cells did not all finish in 300 s; prompts {prompts}; see {SCREENSHOTS}")
    text = browser.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel").text
    origin = browser.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-OutputArea-output")[0].text
    expected = "Real open data" if REAL_MIRROR is not None else "SYNTHETIC DATA"
    assert origin.startswith(expected), origin  # the notebook says which data it ran on
    errors = browser.find_elements(
        By.CSS_SELECTOR, ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    )
    tracebacks = [e.text[:300] for e in errors if "Traceback" in e.text or "Error" in e.text.split("\n")[0]]
    assert not tracebacks, tracebacks
    assert "Traceback" not in text
    card = browser.find_elements(
        By.XPATH, "//*[contains(@class,'jp-RenderedMarkdown')]//h2[starts-with(normalize-space(.), 'F3:')]"
    )
    assert card, "the finding card of F3 did not appear"
    browser.execute_script("arguments[0].scrollIntoView()", card[0])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "jupyterlab-02.png"))
