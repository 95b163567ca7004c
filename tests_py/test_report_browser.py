"""The report in a real browser: Debian's headless chromium, driven over the Chrome DevTools protocol.

Runs on the warehouse named by $MICROCONV_REPORT_TEST_DB, which `make report-test` (part of `make test`)
sets to warehouse/test.duckdb right after `make dbt-test` built it from 20,000 generated events. Writes the
report and a full-page screenshot to reports/test/ (git-ignored): the test artifacts.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cli_helpers import REPO, run_script

CHROMIUM = Path("/usr/bin/chromium")
DB_ENV_VAR = "MICROCONV_REPORT_TEST_DB"
ARTIFACTS = REPO / "reports" / "test"
VIEWPORT_WIDTH = 1280
TIMEOUT_S = 90.0
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    f"--window-size={VIEWPORT_WIDTH},900",
)
# Text the user sees: headings, notes, table cells and the text plotly drew into the charts' SVG
# (never the JSON inside the page's scripts).
VISIBLE_TEXT_JS = (
    "Array.from(document.querySelectorAll('h1, h2, h3, p, td, .js-plotly-plot text'))"
    ".map(e => e.textContent).join('\\n')"
)


@dataclass
class DevTools:
    """A minimal Chrome DevTools protocol client: one websocket, commands to one page session."""

    socket: Any
    session_id: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 0

    def send(self, method: str, params: dict[str, Any] | None = None, *, page: bool = True) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if page and self.session_id:
            message["sessionId"] = self.session_id
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(f"no reply to {method}")

    def wait_for_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        for event in self.events:
            if event.get("method") == method:
                return event
        while time.monotonic() < deadline:
            event = json.loads(self.socket.recv())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise TimeoutError(f"no {method} event")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")


@pytest.fixture(scope="module")
def browser() -> Iterator[DevTools]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium; .ci/run does)"
        )
    websocket = pytest.importorskip("websocket", reason="websocket-client is pinned in requirements.txt")
    profile = Path(tempfile.mkdtemp(prefix="microconv-chromium-"))
    process = subprocess.Popen(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT_S
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start (exit code {process.poll()})")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=TIMEOUT_S, suppress_origin=True
        )
        tools = DevTools(socket)
        target = tools.send("Target.createTarget", {"url": "about:blank"}, page=False)
        attached = tools.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, page=False
        )
        tools.session_id = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable")
        yield tools
        socket.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def test_db() -> Path:
    db = os.environ.get(DB_ENV_VAR)
    if not db:
        pytest.skip(
            f"${DB_ENV_VAR} not set: `make report-test` (part of `make test`) runs this test on "
            "warehouse/test.duckdb right after `make dbt-test` built it"
        )
    path = Path(db)
    if not path.is_absolute():
        path = REPO / path
    assert path.is_file(), f"{path} not found: run `make dbt-test` first"
    return path


@dataclass(frozen=True)
class Expected:
    charts: int
    names: tuple[str, ...]


def expected_from(db: Path) -> Expected:
    """What the page must show, from the warehouse itself: one KPI chart, four charts per funnel (steps,
    by device, by channel, time to convert), one forest plot per macro goal in mart_goal_impact, the
    Sankey, the page groups and the readiness chart; every funnel's name, its steps' goal names and the
    macro goal names."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        funnels = [name for (name,) in con.execute("select funnel_name from config.funnels").fetchall()]
        macros = [
            name
            for (name,) in con.execute(
                """
                select g.goal_name from config.conversion_goals g
                where g.goal_id in (select macro_goal_id from marts.mart_goal_impact where grain = 'session')
                """
            ).fetchall()
        ]
        step_goals = [
            name
            for (name,) in con.execute(
                """
                select distinct g.goal_name from config.funnel_steps s
                join config.conversion_goals g using (goal_id)
                """
            ).fetchall()
        ]
    finally:
        con.close()
    return Expected(charts=1 + 4 * len(funnels) + len(macros) + 3, names=(*funnels, *step_goals, *macros))


def test_report_renders_in_chromium(test_db: Path, browser: DevTools) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / "microconv.html"
    screenshot = ARTIFACTS / "microconv.png"
    built = run_script(REPO / "scripts" / "report.py", "--db", test_db, "--out", page)
    assert built.returncode == 0, built.stderr
    expected = expected_from(test_db)

    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": VIEWPORT_WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.send("Page.navigate", {"url": page.resolve().as_uri()})
    browser.wait_for_event("Page.loadEventFired")
    deadline = time.monotonic() + TIMEOUT_S
    rendered = 0
    while time.monotonic() < deadline:
        rendered = browser.evaluate(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length ? "
            "document.querySelectorAll('.js-plotly-plot').length : 0"
        )
        if rendered >= expected.charts:
            break
        time.sleep(0.25)

    containers = browser.evaluate("document.querySelectorAll('div.chart').length")
    drawn = browser.evaluate(
        "Array.from(document.querySelectorAll('div.chart')).filter("
        "d => d.querySelector('.js-plotly-plot .main-svg')).length"
    )
    height = browser.evaluate("document.documentElement.scrollHeight")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": VIEWPORT_WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    time.sleep(1.0)  # responsive charts relayout to the new viewport
    shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    text = browser.evaluate(VISIBLE_TEXT_JS)
    browser.send("Runtime.evaluate", {"expression": "0"})  # flush pending console / network events

    errors = [
        json.dumps(event["params"])[:300]
        for event in browser.events
        if event.get("method") == "Runtime.exceptionThrown"
        or (
            event.get("method") == "Runtime.consoleAPICalled"
            and event["params"]["type"] in ("error", "assert")
        )
        or (event.get("method") == "Log.entryAdded" and event["params"]["entry"]["level"] == "error")
    ]
    fetched = [
        event["params"]["request"]["url"]
        for event in browser.events
        if event.get("method") == "Network.requestWillBeSent"
        and not event["params"]["request"]["url"].startswith(("file:", "data:", "about:"))
    ]
    assert containers == expected.charts, f"{containers} chart containers, expected {expected.charts}"
    assert drawn == expected.charts, f"{drawn} of {expected.charts} charts drawn by plotly"
    assert errors == [], errors
    assert fetched == [], f"the page fetched {fetched} (it must open offline)"
    missing = [name for name in expected.names if name not in text]
    assert missing == [], f"names of the data not shown: {missing}"
    assert screenshot.stat().st_size > 50_000
