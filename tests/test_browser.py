"""Real-browser test: Playwright driving Debian's Chromium against the app on a loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from app.config import PROJECT_ROOT, Settings
from app.main import create_app

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Launch Debian's Chromium (never a downloaded browser), headless and offline-friendly."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_url(settings: Settings, extractor: Any) -> Iterator[str]:
    """The app, seeded, served by uvicorn in a thread on a free loopback port."""
    app = create_app(settings.model_copy(update={"load_seeds": True}), extractor=extractor)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _shot(page: Any, name: str) -> None:
    if os.environ.get("CITAT_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_search_permalink_and_upload(page: Any, live_url: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(live_url + "/")
    assert page.locator(".latest .quote-item").count() >= 5

    # Home -> search "hjälp"
    page.fill(".big-search input[name=q]", "hjälp")
    page.click(".big-search button")
    page.wait_for_url("**/search?q=*")
    assert "hjälp" in page.locator("mark.hit").first.inner_text().lower()
    _shot(page, "search.png")

    # Open a Trump quote
    trump = page.locator(".results .quote-item", has=page.locator(".speaker",
                                                                  has_text="Donald Trump"))
    assert trump.count() >= 1
    quote_text = trump.first.locator("blockquote").inner_text().strip("”")
    trump.first.locator("blockquote a").click()
    page.wait_for_url("**/q/*")
    assert page.locator(".the-quote").inner_text().strip().strip("”") == quote_text
    assert page.locator(".attribution .speaker").inner_text() == "Donald Trump"
    og_url = page.locator("meta[property='og:url']").get_attribute("content")
    assert og_url == page.url
    assert page.locator("meta[property='og:type']").get_attribute("content") == "article"
    assert page.locator("meta[property='og:title']").get_attribute("content").startswith(
        "Donald Trump: ")
    assert page.locator(".context mark.quote").inner_text() == quote_text
    _shot(page, "quote.png")

    # Speaker page
    page.click(".attribution .speaker")
    page.wait_for_url("**/speakers/donald-trump")
    assert page.locator("h1.speaker-name").inner_text() == "Donald Trump"
    _shot(page, "speaker.png")

    # Upload a short Swedish article through the form (a real file through the real form)
    article = tmp_path / "bron.txt"
    article.write_text(
        "Kommunalrådet Eva Lind invigde bron på lördagen.\n"
        "”Det här är en stor dag för hela Umeå”, sade Lind.", encoding="cp1252")
    page.goto(live_url + "/upload")
    page.set_input_files("input[name=file]", str(article))
    page.fill("input[name=title]", "Bron invigd")
    page.fill("input[name=source]", "Lokaltidningen")
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == "Bron invigd"
    quote = page.locator(".article-body a.quote")
    assert quote.count() == 1
    assert quote.inner_text() == "Det här är en stor dag för hela Umeå"
    assert page.locator(".article-quotes .speaker").first.inner_text() == "Eva Lind"
