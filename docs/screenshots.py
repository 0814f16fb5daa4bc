"""Screenshot every demo's interactive page at 1280 x 720 for the docs.

    python docs/screenshots.py            # writes docs/img/demo-<world>.png

Each demo runs at its defaults (seed 0) into a temporary folder; its
``demo.html`` is opened in headless Chromium (Debian's ``chromium`` package,
driven by Playwright), stepped to the middle of the episodes and captured.
Needs the test extra (``pip install ".[test]"``) and ``chromium`` on PATH.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from studies.demos import demo_names, run_demo

VIEWPORT = {"width": 1280, "height": 720}
OUT = Path(__file__).resolve().parent / "img"


def _browser(playwright):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        sys.exit("no chromium on PATH: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])


def _capture(page, html: Path, target: Path) -> None:
    page.goto(html.resolve().as_uri())
    # the middle of the longest episode shown: the path so far and the running returns
    page.eval_on_selector(
        "#slider",
        "s => { s.value = Math.floor(Number(s.max) / 2); s.dispatchEvent(new Event('input')); }",
    )
    page.screenshot(path=str(target))


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    quiet = Console(quiet=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        for name in demo_names():
            folder = Path(tmp) / name
            run_demo(name, out_dir=folder, console=quiet, gif=False)
            target = OUT / f"demo-{name}.png"
            _capture(page, folder / "demo.html", target)
            print(f"wrote {target}")
        browser.close()


if __name__ == "__main__":
    main()
