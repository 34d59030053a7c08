"""A headless Chromium for the tests that need a real browser (selenium with Debian's driver).

Selenium cannot download a driver here, so the one Debian's ``chromium-driver`` installs is
given to it. The tests that use the ``browser`` fixture are skipped only where Chromium or its
driver is absent; CI installs both (``.ci/run``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver"
)


def _options(tmp: Path, width: int, height: int):  # noqa: ANN202 - selenium is imported late
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        # The machine's network is closed: no background connections that would be refused.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--window-size={width},{height}",
        f"--user-data-dir={tmp}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return options


def start(tmp: Path, width: int = 1280, height: int = 900):  # noqa: ANN201
    """A new headless Chromium with its own profile in ``tmp``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    return webdriver.Chrome(
        service=Service(executable_path=CHROMEDRIVER), options=_options(tmp, width, height)
    )


def console_errors(driver) -> list[str]:  # noqa: ANN001
    """The page's console messages at the level SEVERE (errors), since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


# The browser's own pages (its new tab, which it opens before the page and which asks for parts
# of itself: chrome-untrusted://new-tab-page/... in Chromium 150), never the page's requests.
BROWSER_OWN = ("chrome:", "chrome-untrusted:")


def requested_urls(driver) -> list[str]:  # noqa: ANN001
    """Every URL the page asked the network for, from the performance log; not the browser's
    own (``BROWSER_OWN``)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(BROWSER_OWN):
                urls.append(url)
    return urls


@pytest.fixture
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless Chromium (1280×900) for one test; skipped where Chromium is absent."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver")
    driver = start(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()
