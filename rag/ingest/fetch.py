"""News feeds (RSS/Atom) and article URLs into article files the build indexes.

``newsrag fetch URL…`` and the app's URL field call :func:`fetch`. A URL is read as a
feed when feedparser finds entries in it (each entry's page is then fetched), else as
an article page. Each article becomes one JSON record file under ``out_dir/<host>/``
(title, text, date, url, author, source, the feed's own date and link), so the index is
built from files exactly as for everything else, and rebuilding needs no network.

Polite and incremental, as a newsroom's scheduled job must be:

* an article URL already saved is not fetched again (its page is what the index holds);
* feeds are asked with ``If-None-Match`` / ``If-Modified-Since`` from the last visit, so an
  unchanged feed costs a 304;
* robots.txt is read once per site and obeyed for every URL;
* requests to one site wait ``delay`` seconds after each other; every request has a
  timeout and is retried (``retries`` times, growing waits) on network errors and 5xx;
* what failed is reported with its URL and a reason, never raised.

State (ETags, dates, the URLs saved) lives in the cache (``~/.cache/newsrag/fetch/``), one file
per ``out_dir``, so the article folder holds only articles.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse

AGENT = "newsrag/1.0 (+https://github.com/newsrag)"


@dataclass
class FetchReport:
    saved: list[Path] = field(default_factory=list)
    unchanged: int = 0  # feeds answered 304, articles already saved
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)

    def summary(self) -> str:
        lines = [f"fetched: {len(self.saved)} new article(s), {self.unchanged} unchanged, "
                 f"{len(self.failed)} failed"]
        lines += [f"  - {url}: {why}" for url, why in self.failed]
        return "\n".join(lines)


class Fetcher:
    """One polite HTTP client: robots.txt, a per-site delay, timeouts and retries."""

    def __init__(self, delay: float = 1.0, timeout: float = 15.0, retries: int = 2):
        self.delay, self.timeout, self.retries = delay, timeout, retries
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last: dict[str, float] = {}

    def allowed(self, url: str) -> bool:
        site = "{0.scheme}://{0.netloc}".format(urlparse(url))
        if site not in self._robots:
            rp = urllib.robotparser.RobotFileParser()
            try:
                status, _, body = self.get(urljoin(site, "/robots.txt"), check_robots=False)
                rp.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])
            except OSError:
                rp.parse([])  # no robots.txt reachable: nothing is forbidden
            self._robots[site] = rp
        return self._robots[site].can_fetch(AGENT, url)

    def get(self, url: str, headers: dict | None = None, *, check_robots: bool = True
            ) -> tuple[int, dict, bytes]:
        """(status, headers, body); 304 comes back as a status, other HTTP errors raise OSError."""
        if check_robots and not self.allowed(url):
            raise PermissionError("robots.txt of the site forbids it")
        host = urlparse(url).netloc
        for attempt in range(self.retries + 1):
            wait = self._last.get(host, 0) + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last[host] = time.monotonic()
            req = urllib.request.Request(url, headers={"User-Agent": AGENT, **(headers or {})})
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return resp.status, dict(resp.headers), resp.read()
            except urllib.error.HTTPError as exc:
                if exc.code == 304:
                    return 304, dict(exc.headers), b""
                if exc.code < 500 or attempt == self.retries:
                    raise OSError(f"HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt == self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise OSError(f"cannot connect ({reason})") from None
            time.sleep(0.5 * (attempt + 1))
        raise OSError("no response")  # not reached


def fetch(urls: list[str], out_dir: str | Path, *, delay: float = 1.0, timeout: float = 15.0,
          retries: int = 2, private: bool = True) -> FetchReport:
    """Fetch ``urls`` (feeds or article pages) into article files under ``out_dir``.

    ``private=False`` refuses URLs whose host is a loopback, private or link-local address
    (the app served to a network must not become a way into the machines behind it)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state_file = _state_file(out_dir)
    state = json.loads(state_file.read_text("utf-8")) if state_file.is_file() else {}
    feeds, pages = state.setdefault("feeds", {}), state.setdefault("pages", {})
    client, report = Fetcher(delay, timeout, retries), FetchReport()
    for url in urls:
        if urlparse(url).scheme not in ("http", "https"):
            report.failed.append((url, "not an http(s) URL"))
            continue
        if not private and _private_host(url):
            report.failed.append((url, "a private or local address (not fetched by a shared app)"))
            continue
        try:
            entries = _feed_entries(client, url, feeds, report)
        except OSError as exc:
            report.failed.append((url, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a malformed answer must not stop the others
            report.failed.append((url, f"could not be read ({type(exc).__name__})"))
            continue
        for link, extra in entries:
            if link in pages:
                report.unchanged += 1
                continue
            try:
                path = _save_article(client, link, extra, out_dir)
            except (OSError, ValueError) as exc:
                report.failed.append((link, str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - an odd page must not stop the others
                report.failed.append((link, f"could not be read ({type(exc).__name__})"))
                continue
            pages[link] = path.name
            report.saved.append(path)
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, state_file)
    return report


def _private_host(url: str) -> bool:
    host = urlparse(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # unresolvable: the request itself will fail and say so
    return any(not ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos)


def _state_file(out_dir: Path) -> Path:
    """The fetch state of ``out_dir``, kept in the cache: the article folder holds articles only."""
    from rag.config import cache_dir

    key = hashlib.sha1(str(out_dir.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    folder = cache_dir() / "fetch"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.json"


def _feed_entries(client: Fetcher, url: str, feeds: dict, report: FetchReport
                  ) -> list[tuple[str, dict]]:
    """[(article URL, what the feed says of it)] — or [(url, {})] when it is not a feed."""
    import feedparser

    known = feeds.get(url, {})
    headers = {k: v for k, v in (("If-None-Match", known.get("etag")),
                                 ("If-Modified-Since", known.get("modified"))) if v}
    status, resp_headers, body = client.get(url, headers)
    if status == 304:
        report.unchanged += 1
        return []
    parsed = feedparser.parse(body)
    if not parsed.entries:
        return [(url, {"_page": body})]
    feeds[url] = {"etag": resp_headers.get("ETag"), "modified": resp_headers.get("Last-Modified")}
    title = parsed.feed.get("title", "")
    out = []
    for e in parsed.entries:
        stamp = e.get("published_parsed") or e.get("updated_parsed")
        if e.get("link"):
            out.append((urljoin(url, e.link), {
                "feed": url, "feed_title": title,
                "feed_date": time.strftime("%Y-%m-%d", stamp) if stamp else None}))
    return out


def _save_article(client: Fetcher, url: str, extra: dict, out_dir: Path) -> Path:
    """Fetch (unless the feed step already did) and extract one page; write its record."""
    import trafilatura

    from rag.ingest.article_header import parse_date

    body = extra.pop("_page", None)
    if body is None:
        _, _, body = client.get(url)
    doc = trafilatura.extract(body.decode("utf-8", "replace"), output_format="json",
                              with_metadata=True, url=url, favor_precision=True,
                              date_extraction_params={"extensive_search": False})
    doc = json.loads(doc) if doc else {}
    if not (doc.get("text") or "").strip():
        raise ValueError("no article text found on the page")
    date = parse_date(doc.get("date")) or extra.get("feed_date")
    record = {"title": doc.get("title") or "", "text": doc["text"], "date": date, "url": url,
              "author": doc.get("author") or "", "source": extra.get("feed_title") or
              doc.get("sitename") or urlparse(url).netloc,
              **{k: v for k, v in extra.items() if k in ("feed", "feed_date") and v}}
    folder = out_dir / (urlparse(url).netloc.replace(":", "_") or "site")
    folder.mkdir(exist_ok=True)
    path = folder / f"{hashlib.sha1(url.encode()).hexdigest()[:16]}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return path
