"""The dashboard page at / in headless Chromium (Debian's ``chromium`` package, driven with
Playwright's Python package; never a browser that Playwright downloads itself).

The API runs with uvicorn on a free loopback port against an index of the sample archive. The
test types a query, checks the results, the highlights and that the timeline chart changed,
splits the chart by entity, opens an entity page, and saves screenshots to ``artifacts/``
(``dashboard.png``, ``dashboard-entity.png``). The page may reach nothing but this server:
any other request fails the test.

When chromium (or a font with Japanese glyphs) is missing, the test installs it with apt-get
when it runs as root, and otherwise FAILS with the command to run: it never skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import REPO, SAMPLES, SEED_FULL, SEED_SHORT, served

CHROMIUM = Path(os.environ.get("AIPOSTS_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "artifacts"
PACKAGES = ("chromium", "fonts-noto-cjk")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
QUERY = "モデル福祉"
TIMEOUT_MS = 30_000


def _has_japanese_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(
        ["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=False
    ).stdout
    return bool(out.strip())


def _apt_install(packages: list[str]) -> str:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "not root or no apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log = []
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", *packages],
    ):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200, check=False)
        log.append(f"$ {' '.join(cmd)} -> {done.returncode}\n{done.stderr[-2000:]}")
    return "\n".join(log)


@pytest.fixture(scope="module")
def browser_ready() -> Path:
    """Debian's chromium and a Japanese font, installed when missing (as root), else a failure."""
    missing = [
        p for p, ok in (("chromium", CHROMIUM.exists()), ("fonts-noto-cjk", _has_japanese_font())) if not ok
    ]
    detail = ""
    if missing:
        detail = _apt_install(missing)
    if not CHROMIUM.exists():
        pytest.fail(
            f"no chromium at {CHROMIUM}: install Debian's package with "
            f"`apt-get install -y {' '.join(PACKAGES)}` (as root), or set AIPOSTS_CHROMIUM\n{detail}",
            pytrace=False,
        )
    if not _has_japanese_font():
        pytest.fail(
            "no font with Japanese glyphs: `apt-get install -y fonts-noto-cjk` (as root)\n" + detail,
            pytrace=False,
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        pytest.fail("the Python package playwright is missing: pip install -e '.[dev]'", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def server(
    es: Elasticsearch, index_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("dashboard")
    ensure_index(es, index_settings.index)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_settings.index, rejects, workers=1).run([SAMPLES, SEED_FULL, SEED_SHORT])
    assert summary.rejected == 0
    with served(index_settings, start_timeout=60) as url:
        yield url


def test_page_and_static_files_are_served(server: str) -> None:
    with httpx.Client(base_url=server) as c:
        page = c.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<script src="/static/app.js">' in page.text and "://" not in page.text.split("<body>")[0]
        for path, kind in (("/static/app.js", "javascript"), ("/static/style.css", "text/css")):
            r = c.get(path)
            assert r.status_code == 200 and kind in r.headers["content-type"], path
            text = r.text.replace("http://www.w3.org/2000/svg", "")  # a namespace name, never fetched
            assert "http://" not in text and "https://" not in text, path
        assert c.get("/static/nothing.js").status_code == 404


async def _wait_loaded(page: Any, before: int) -> int:
    await page.wait_for_function(
        "n => Number(document.body.dataset.loads || 0) > n && document.body.dataset.state === 'ready'",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    return int(await page.evaluate("Number(document.body.dataset.loads)"))


async def test_dashboard_in_chromium(browser_ready: Path, server: str) -> None:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    api = httpx.AsyncClient(base_url=server)
    expected = (await api.get("/v1/search", params={"q": QUERY, "size": 1})).json()
    timeline = (await api.get("/v1/trends/timeline", params={"q": QUERY, "interval": "month"})).json()
    assert expected["total"] > 0
    outside: list[str] = []
    problems: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(browser_ready), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ja-JP")
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on(
                "console",
                lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
            )

            async def only_this_server(route: Any) -> None:
                host = urlparse(route.request.url).hostname
                if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
                    await route.continue_()
                else:
                    outside.append(route.request.url)
                    await route.abort()

            await page.route("**/*", only_this_server)
            await page.goto(server + "/")
            loads = await _wait_loaded(page, 0)
            chart = page.locator("#chart svg")
            before_sum = await chart.get_attribute("data-sum")
            before_path = await page.locator("#chart path[data-key]").first.get_attribute("d")
            assert int(await page.locator("#results > li").count()) == 10

            # type a query: results, highlights and the chart follow
            await page.fill("#q", QUERY)
            await page.press("#q", "Enter")
            loads = await _wait_loaded(page, loads)
            assert f"{expected['total']} found" in await page.locator("#result-count").inner_text()
            titles = await page.locator("#results .title").all_inner_texts()
            assert len(titles) == min(10, expected["total"])
            assert any("モデル福祉" in t for t in titles)
            marks = await page.locator("#results mark").all_inner_texts()
            assert QUERY in marks
            assert await chart.get_attribute("data-sum") == str(sum(b["count"] for b in timeline["buckets"]))
            assert await chart.get_attribute("data-sum") != before_sum
            assert await page.locator("#chart path[data-key]").first.get_attribute("d") != before_path
            assert await chart.get_attribute("data-buckets") == str(len(timeline["buckets"]))
            assert await page.locator("#top-entities li a").count() > 0
            assert await page.locator("#facets [data-facet=entities] li").count() > 0

            # split the timeline by entity: several series and a legend
            await page.select_option("#split", "entity")
            loads = await _wait_loaded(page, loads)
            assert int(await chart.get_attribute("data-series") or 0) > 1
            assert await page.locator("#legend span").count() > 1
            await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            # open an entity from the top list
            first = page.locator("#top-entities li a").first
            name = await first.inner_text()
            key = await page.locator("#top-entities li").first.get_attribute("data-key")
            await first.click()
            loads = await _wait_loaded(page, loads)
            assert await page.locator("#entity-view").is_visible()
            assert not await page.locator("#search-view").is_visible()
            profile = (await api.get(f"/v1/entities/{key}")).json()
            assert await page.locator("#entity-name").inner_text() == profile["name"] == name
            assert int(await page.locator("#entity-chart svg").get_attribute("data-sum") or 0) > 0
            assert await page.locator("#co-entities tr[data-key]").count() > 0
            assert await page.locator("#entity-posts li").count() == len(profile["recent_posts"])
            await page.screenshot(path=str(ARTIFACTS / "dashboard-entity.png"), full_page=True)

            # back to the search, as it was
            await page.click("#back")
            loads = await _wait_loaded(page, loads)
            assert await page.locator("#q").input_value() == QUERY

            # how many words a post needs: the selector changes the result like the API's match=
            words = "welfare agents"
            want = {
                m: (await api.get("/v1/search", params={"q": words, "match": m, "size": 1})).json()["total"]
                for m in ("best", "all")
            }
            assert 0 < want["all"] < want["best"]
            await page.fill("#q", words)
            await page.press("#q", "Enter")
            loads = await _wait_loaded(page, loads)
            count = page.locator("#result-count")
            assert re.search(rf"(^|\D){want['best']} found", await count.inner_text())
            await page.select_option("#match", "all")
            loads = await _wait_loaded(page, loads)
            assert re.search(rf"(^|\D){want['all']} found", await count.inner_text())
            assert "match=all" in page.url
        finally:
            await browser.close()
            await api.aclose()
    assert not outside, f"the page tried to reach other hosts: {outside}"
    assert not problems, problems
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
