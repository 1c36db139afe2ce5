"""A real browser, Debian's Chromium driven by Playwright, against the live server and a real
Celery worker. `.ci/run` installs Chromium when it is missing; without it these tests skip.

Each test step saves a screenshot at 375 px and 1280 px wide under a temporary folder (or under
BROWSER_SCREENSHOTS, if set) and checks that the page does not scroll sideways at either width.
"""

import os
import re
from pathlib import Path

import pytest

# The real-worker fixtures of the end-to-end tests.
from tests.e2e.conftest import mail_folder, worker  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's hosts at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PHONE, DESKTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Playwright's sync API keeps an event loop running in this
    thread while it is open, so Django's guard against ORM calls from async code is lifted for
    that time (the calls are synchronous all the same) and only for it."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport=PHONE, locale="de-DE", accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screens(tmp_path_factory, request):
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder = folder / re.sub(r"\W+", "-", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    steps = []

    def shoot(page, step: str, *, ours: bool = True) -> None:
        """Screenshots at phone and desktop width; our own pages must not scroll sideways."""
        steps.append(step)
        for name, size in (("375", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=folder / f"{len(steps):02d}-{step}-{name}.png", full_page=True)
            if ours:
                overflow = page.evaluate(
                    "document.scrollingElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, f"{step} scrolls {overflow} px sideways at {name} px"
        page.set_viewport_size(PHONE)

    shoot.folder = folder
    yield shoot
    print(f"screenshots: {folder}")
