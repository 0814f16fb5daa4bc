"""One headless Chromium for the whole session (Debian's ``chromium``,
driven by Playwright); every test here is skipped, with the reason, when
either is missing."""

import os
import shutil

import pytest

#: where Debian's chromium package puts the browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; the browser is Debian's chromium)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


MISSING = _missing()


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium, closed at the end of the session."""
    if MISSING:
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
