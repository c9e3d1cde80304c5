"""Feeds and article URLs against a real HTTP server on 127.0.0.1: a feed and its pages, a
page that fails, a path robots.txt forbids, a feed that changes between two runs."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT
from rag.ingest.fetch import fetch

PAGE = """<html><head><title>{title}</title><meta property="article:published_time" content="{date}">
</head><body><article><h1>{title}</h1><p>本报讯 {text}</p>
<p>有关部门表示，相关工作将持续推进，确保各项措施落实到位。</p></article></body></html>"""
ARTICLES = {
    "/news/library.html": ("青松市图书馆新馆开放", "2024-03-05", "青松市图书馆新馆今天开放，共有藏书583万册。"),
    "/news/bridge.html": ("城南大桥通车", "2024-03-06", "全长1280米的城南大桥今天正式通车。"),
    "/news/canteen.html": ("金桥社区食堂开业", "2024-03-07", "金桥社区食堂每天供应午餐460份。"),
    "/private/secret.html": ("内部通知", "2024-03-07", "这是一则不允许抓取的内部通知。"),
}


def rss(links: list[str]) -> str:
    items = "".join(f"<item><title>{ARTICLES.get(link, ('坏页面',))[0]}</title><link>{link}</link>"
                    f"<pubDate>Tue, 05 Mar 2024 08:00:00 +0800</pubDate></item>" for link in links)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>青松日报</title><link>/</link>{items}</channel></rss>")


class Site:
    """The served site; ``feed`` is what /feed.xml lists now."""

    def __init__(self):
        self.feed = ["/news/library.html", "/news/broken.html", "/private/secret.html"]
        self.hits: Counter = Counter()
        self.times: list[tuple[str, float]] = []


@pytest.fixture
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def do_GET(self):
            state.hits[self.path] += 1
            state.times.append((self.path, time.monotonic()))
            if self.path == "/robots.txt":
                return self._send(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
            if self.path == "/feed.xml":
                etag = f'"{len(state.feed)}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return None
                return self._send(200, rss(state.feed), "application/rss+xml", etag)
            if self.path in ARTICLES:
                title, date, text = ARTICLES[self.path]
                return self._send(200, PAGE.format(title=title, date=date, text=text), "text/html")
            return self._send(500, "boom", "text/plain")

        def _send(self, code, body, kind, etag=None):
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()


def test_feed_pages_robots_failures_and_a_second_run(site, tmp_path):
    feed = site.base + "/feed.xml"
    report = fetch([feed], tmp_path, delay=0.2, retries=1)
    assert len(report.saved) == 1 and report.saved[0].read_text("utf-8").count("583万册") == 1
    failed = dict(report.failed)
    assert failed[site.base + "/news/broken.html"] == "HTTP 500 Internal Server Error"
    assert "robots.txt" in failed[site.base + "/private/secret.html"]
    assert site.hits["/news/broken.html"] == 2  # retried once
    assert site.hits["/private/secret.html"] == 0 and site.hits["/robots.txt"] == 1
    times = [t for _, t in site.times]
    assert all(b - a >= 0.19 for a, b in zip(times, times[1:]))  # one site: 0.2 s apart

    again = fetch([feed], tmp_path, delay=0.2, retries=1)  # unchanged feed: a 304
    assert again.saved == [] and again.unchanged == 1 and site.hits["/news/library.html"] == 1

    site.feed = site.feed + ["/news/bridge.html", "/news/canteen.html"]  # the feed changed
    third = fetch([feed], tmp_path, delay=0.2, retries=1)
    assert len(third.saved) == 2 and site.hits["/news/library.html"] == 1  # not fetched again
    assert fetch(["ftp://x/y"], tmp_path).failed == [("ftp://x/y", "not an http(s) URL")]
    # an app served to the network must not fetch from the machines behind it
    assert fetch([feed], tmp_path, private=False).failed == [
        (feed, "a private or local address (not fetched by a shared app)")]


@pytest.mark.slow
def test_cli_fetch_builds_an_index_that_answers(site, tmp_path):
    site.feed = ["/news/library.html", "/news/bridge.html"]
    run = subprocess.run([sys.executable, "-m", "rag.cli.main", "fetch", site.base + "/feed.xml",
                          site.base + "/news/canteen.html", "--into", str(tmp_path / "fetched"),
                          "--index", str(tmp_path / "index"), "--delay", "0"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "fetched: 3 new article(s)" in run.stdout and "3 added" in run.stdout
    assert "skipped" not in run.stdout  # the folder holds the articles only, no state file
    import rag

    idx = rag.Index.load(tmp_path / "index")
    answer = rag.answer("金桥社区食堂每天供应多少份午餐？", index=idx)
    assert "460" in answer.text and answer.citations[0].hit.date == "2024-03-07"
    hit = rag.search("城南大桥全长多少米", index_dir=tmp_path / "index")[0]
    assert hit.metadata["url"] == site.base + "/news/bridge.html" and hit.source == "青松日报"

    site.feed = site.feed + ["/private/secret.html"]  # watch: one more round, nothing new allowed
    run = subprocess.run([sys.executable, "-m", "rag.cli.main", "watch", site.base + "/feed.xml",
                          "--into", str(tmp_path / "fetched"), "--index", str(tmp_path / "index"),
                          "--delay", "0", "--every", "0.01", "--rounds", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "fetched: 0 new article(s), 2 unchanged, 1 failed" in run.stdout
    assert "0 added" in run.stdout and "robots.txt" in run.stdout


@pytest.mark.slow
def test_the_app_fetches_a_feed_from_its_url_field(site, app, browser):
    from playwright.sync_api import expect

    from conftest import ask

    site.feed = ["/news/bridge.html", "/news/broken.html"]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app[0])
    page.locator("#nr-url textarea, #nr-url input").first.fill(site.base + "/feed.xml")
    page.locator("#nr-fetch").click()
    log = page.locator("#nr-upload-log textarea")
    expect(log).to_have_value(re.compile("索引已更新"), timeout=120_000)
    said = log.input_value().split("\n")
    assert "✓ 城南大桥通车：已索引 1 篇文章" in said
    assert f"✗ {site.base}/news/broken.html：网站返回错误（HTTP 500）" in said
    expect(ask(page, app[0], "城南大桥全长多少米？")).to_contain_text("1280")
    source = page.locator("#nr-chat details.nr-src summary").first
    expect(source).to_contain_text("城南大桥通车 · 2024-03-06 · 青松日报")  # title, date, outlet
    page.close()
