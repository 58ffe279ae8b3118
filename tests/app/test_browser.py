"""The app in a real browser: `streamlit run` on a free local port, headless Chromium.

The server listens on 127.0.0.1 only, the basemap is off (no tile requests), and everything is
bounded in time. Screenshots of each page go to the test's folder, and to docs/ with
EMOB_SIM_SCREENSHOTS=docs (how the README's pictures are made).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sweeps_root(tmp_path_factory):
    """A folder holding one small sweep (3 x 2 variants x 2 seeds)."""
    import yaml

    from emob_sim.batch import sweep
    from emob_sim.config import bundled_path

    root = tmp_path_factory.mktemp("sweeps")
    spec = {
        "name": "adoption-and-wait",
        "base": str(bundled_path("configs/zemgale/baseline.yaml")),
        "seeds": 2,
        "grid": {"fleet.ev_share": [0.02, 0.04, 0.06], "charging.max_wait_min": [10, 30]},
    }
    (root / "sweep.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    sweep(root / "sweep.yaml", root / "adoption", workers=2)
    return root


@pytest.fixture(scope="module")
def server(sweeps_root):
    port = _free_port()
    env = {**os.environ, "EMOB_SIM_BASEMAP": "off", "EMOB_SIM_SWEEPS": str(sweeps_root)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "apps" / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {proc.communicate(timeout=10)[0][-2000:]}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1440,1100",
        "--enable-unsafe-swiftshader",
        "--use-angle=swiftshader",
        "--disable-background-networking",
        "--no-first-run",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _wait(driver, css: str, *, text: str | None = None, timeout: float = 120.0):
    """The first element matching `css` (and holding `text`) and its text, read together.

    Streamlit redraws elements while a page reruns, so an element found a moment ago may be
    gone (stale): such an element is skipped and the search goes on until the deadline.
    """
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for element in driver.find_elements(By.CSS_SELECTOR, css):
            try:
                found = element.text
            except StaleElementReferenceException:
                continue
            if text is None or text in found:
                return element, found
        time.sleep(0.5)
    raise AssertionError(f"no {css!r} with {text!r} after {timeout} s")


def _canvas_size(
    driver, css: str, timeout: float = 60.0, *, min_height: int = 300
) -> tuple[int, int]:
    """Width and height of a map canvas or a chart's svg once it has drawn (it starts small:
    until it is taller than ``min_height``), redraws allowed."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + timeout
    size = (0, 0)
    while time.monotonic() < deadline:
        try:
            canvas, _ = _wait(driver, css, timeout=max(deadline - time.monotonic(), 1.0))
            size = (canvas.size["width"], canvas.size["height"])
        except StaleElementReferenceException:
            continue
        if size[1] > min_height:
            break
        time.sleep(0.5)
    return size


def _shot(driver, tmp_path: Path, name: str, *, docs: bool = True) -> Path:
    """A screenshot of the window as `app-NAME.png` (also to docs/ when asked and `docs`)."""
    time.sleep(1.5)  # let charts and the map finish drawing
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    path = tmp_path / f"app-{name}.png"
    driver.save_screenshot(str(path))
    if docs and os.environ.get("EMOB_SIM_SCREENSHOTS") == "docs":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(path, ROOT / "docs" / path.name)
    return path


def _click(driver, css: str, text: str) -> None:
    """Click the element matching `css` with `text`, finding it again if it was redrawn."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        element, _ = _wait(driver, css, text=text)
        try:
            element.click()
            return
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise AssertionError(f"could not click {css!r} with {text!r}: it kept being redrawn")


def _scroll_to(driver, css: str) -> None:
    """Scroll the element matching `css` into view (its bottom at the window's), found again if
    it was redrawn."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        element, _ = _wait(driver, css)
        try:
            driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", element)
            return
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise AssertionError(f"could not scroll to {css!r}: it kept being redrawn")


def _open_page(driver, title: str) -> None:
    _click(driver, '[data-testid="stSidebarNavLink"]', title)


def test_the_default_scenario_runs_through_the_page(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    import emob_sim
    from emob_sim.display import format_value

    kpis = emob_sim.run(emob_sim.load_scenario()).kpis  # what the command gives
    browser.get(server)
    _click(browser, "button", "Run")
    _, card = _wait(browser, '[data-testid="stMetric"]', text="Trips stranded")
    assert format_value("trips_stranded", kpis["trips_stranded"]) in card.splitlines()
    assert _shot(browser, tmp_path, "scenario").stat().st_size > 10_000

    _open_page(browser, "Results")
    _, card = _wait(browser, '[data-testid="stMetric"]', text="Mean wait")
    assert format_value("mean_wait_min", kpis["mean_wait_min"]) in card
    _wait(browser, '[data-testid="stMetric"]', text="Electric cars")  # the last card
    assert len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')) >= 10
    load = '[data-testid="stVegaLiteChart"]'  # the first chart: the load at the car sites
    _scroll_to(browser, load)
    width, height = _canvas_size(browser, f"{load} svg.marks", min_height=150)  # vega draws svg
    assert width > 300 and height > 150  # drawn, not an empty frame
    _shot(browser, tmp_path, "results")

    _scroll_to(browser, '[data-testid="stDataFrame"]')  # the sites table
    _shot(browser, tmp_path, "results-sites", docs=False)

    _open_page(browser, "Map")
    width, height = _canvas_size(browser, '[data-testid="stDeckGlJsonChart"] canvas')
    assert width > 300 and height > 300
    _shot(browser, tmp_path, "map")
    _scroll_to(browser, '[data-testid="stVegaLiteChart"]')  # one site's load and waits
    _shot(browser, tmp_path, "map-site", docs=False)

    _open_page(browser, "Compare layouts")
    _wait(browser, '[data-testid="stDataFrame"]', timeout=180)
    _shot(browser, tmp_path, "compare-table", docs=False)
    _wait(browser, '[data-testid="stDeckGlJsonChart"] canvas')
    maps = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDeckGlJsonChart"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", maps[0])
    _canvas_size(browser, '[data-testid="stDeckGlJsonChart"] canvas')
    _shot(browser, tmp_path, "compare")

    _open_page(browser, "Sweeps")
    _, card = _wait(browser, '[data-testid="stMetric"]', text="Runs completed")
    assert "12" in card  # 3 x 2 variants x 2 seeds
    chart, _ = _wait(browser, '[data-testid="stVegaLiteChart"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
    assert _shot(browser, tmp_path, "sweeps").stat().st_size > 10_000

    _open_page(browser, "Plan")
    _click(browser, "button", "Run the plan")
    _wait(browser, '[data-testid="stDataFrame"]', timeout=300)
    _wait(browser, '[data-testid="stVegaLiteChart"]', timeout=120)
    assert _shot(browser, tmp_path, "plan").stat().st_size > 10_000
    chart, _ = _wait(browser, '[data-testid="stVegaLiteChart"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", chart)
    _shot(browser, tmp_path, "plan-charts", docs=False)

    _open_page(browser, "Scenario")  # the README's example uploaded: what to write instead
    example = tmp_path / "ev20.yaml"
    example.write_text("extends: ../base.yaml\nname: zemgale-ev20\nfleet:\n  ev_share: 0.20\n")
    _wait(browser, '[data-testid="stFileUploader"] input[type="file"]')[0].send_keys(str(example))
    _, alert = _wait(browser, '[data-testid="stAlert"]', text="emob-sim:configs/base.yaml")
    assert "ev20.yaml: extends: ../base.yaml" in alert and "emob-sim-app-" not in alert
