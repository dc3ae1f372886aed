"""A real browser for the few named browser tests: the app under waitress, Debian's Chromium.

Chromium logs every request (DevTools performance log) and console message, so a test can
say which hosts the page talked to.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import waitress
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--window-size=1400,1000",
    "--lang=en-US",
]


def chromium_available() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


@contextmanager
def serve(app):
    """Serve a Dash app with waitress on a free loopback port; yield its base URL.

    The app runs under its production Content Security Policy; when the block ends without
    an error, every violation a browser reported to the app fails the test.
    """
    server = waitress.create_server(app.server, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def run():  # waitress's own run() loops until its sockets are closed under it (EBADF)
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.1, map=server._map, count=1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
        time.sleep(0.2)  # a report sent by the last page is on its way
        assert csp_violations(app) == [], "Content Security Policy violations reported"
    finally:
        # the request threads finish first (the loop still sends what they write), then the
        # loop stops, then the sockets close: none is closed while the loop selects on it
        server.task_dispatcher.shutdown()
        stopping.set()
        thread.join(timeout=5)
        for channel in list(server._map.values()):  # the browser's kept-alive connections,
            if channel not in (server, server.trigger):  # with their output buffers (a file
                channel.handle_close()  # past 1 MB: the full plotly bundle, when tiles are on)
        server.close()


def csp_violations(app) -> list[dict]:
    """The CSP violations browsers reported to `app` (see dashboard.security)."""
    from dashboard.security import csp_reports

    return csp_reports(app)


@contextmanager
def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


class PageLog:
    """Requests and console messages seen by a driver (logs are drained when read)."""

    def __init__(self, driver):
        self.driver = driver
        self.requests: list[str] = []
        self.console: list[dict] = []

    def read(self) -> PageLog:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
        self.console.extend(self.driver.get_log("browser"))
        return self

    def outside_requests(self, origin: str) -> list[str]:
        """Requests to any origin but `origin` (blob: and data: URLs are local)."""
        own = urlsplit(origin).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(url).netloc != own
        ]

    def errors(self) -> list[dict]:
        return [entry for entry in self.console if entry["level"] == "SEVERE"]

    def csp_violations(self) -> list[dict]:
        """Console messages of scripts, styles or requests the Content Security Policy blocked."""
        return [entry for entry in self.console if "Content Security Policy" in entry["message"]]


def emulate(driver, width: int, height: int, touch: bool = False, mobile: bool | None = None):
    """Make the page's window `width`×`height` CSS px (pixel ratio 1), with touch input, and a
    mobile viewport (as a phone's browser lays out; default: when touch). A mobile viewport
    set on a page already drawn zooms out to its former width: pass mobile=False to narrow a
    window in place."""
    metrics = {
        "width": width,
        "height": height,
        "deviceScaleFactor": 1,
        "mobile": touch if mobile is None else mobile,
    }
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": touch})


def wait_for(driver, script: str, timeout: float = 20):
    """Wait until a JavaScript expression is truthy; return its value."""
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.execute_script(f"try {{ return {script} }} catch (e) {{ return false }}")
    )


#: Dash's callback queue is empty (requested, prioritized, blocked, executing, watched and
#: executed), read from the renderer's store as dash.testing's own waits read it
DASH_IDLE = (
    "window.store && Object.entries(window.store.getState().callbacks)"
    ".every(([key, queue]) => ['stored', 'completed'].includes(key) || queue.length === 0)"
)


def wait_until_idle(driver, timeout: float = 30) -> None:
    """Wait until Dash has answered and applied every callback: before checking that
    something is absent, so that it is absent from the finished page."""
    wait_for(driver, DASH_IDLE, timeout)
    driver.set_script_timeout(timeout)  # then two frames: React and plotly have painted
    driver.execute_async_script(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done))"
    )


def settle(seconds: float = 1.0) -> None:
    time.sleep(seconds)
