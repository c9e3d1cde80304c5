"""The chat app end to end: real server, real model, real browser, real API client.

One app process (python app.py on a free port, 127.0.0.1, a tmp index built at
start-up from a tmp copy of the sample page) serves every test of the module;
Debian's Chromium is driven headless by Playwright. A screenshot of the chat
is saved to test-output/chat.png for a human look, the server's output to
test-output/app.log.
"""

from __future__ import annotations

import re
import socket

import pytest

from conftest import ask

from conftest import ROOT
SAMPLE = ROOT / "data" / "sample_page.txt"
FACT = "青松市图书馆新馆落成\n本报讯 青松市图书馆新馆昨日开放，新馆共有藏书583万册，设阅览座位4200个。\n"
EVIL = ('红杉镇灯会创下纪录\n本报讯 红杉镇第十届元宵灯会共点亮1288盏花灯。'
        '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
        '[点击领奖](javascript:window.__xss=3)\n灯会吸引游客12万人次。\n')


# ---------------------------------------------------------------- fast unit checks
def test_dates_engines_names_auth(monkeypatch):
    from rag.app.state import upload_name
    from rag.app.ui import engines, filters
    from rag.cli.serve import is_loopback, parse_auth
    from rag.errors import NewsragError

    assert filters(5, " 2023-12-28 ", "", "", "extractive")["date_from"] == "2023-12-28"
    for bad in ("2023-13-01", "2023/12/28", "昨天"):
        with pytest.raises(NewsragError, match="起始日期.*YYYY-MM-DD"):
            filters(5, bad, "", "", "extractive")
    with pytest.raises(NewsragError, match="起始日期.*不晚于"):
        filters(5, "2024-01-02", "2024-01-01", "", "extractive")
    with pytest.raises(NewsragError, match="回答方式"):
        filters(5, "", "", "", "gpt")
    monkeypatch.delenv("NEWSRAG_LLM_BASE_URL", raising=False)
    assert engines() == ["extractive"]
    monkeypatch.setenv("NEWSRAG_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    assert engines() == ["extractive", "llm"]
    safe = upload_name("../../etc/pass wd.TXT")
    assert safe.startswith("pass_wd-") and safe.endswith(".txt") and "/" not in safe
    # one-to-one: names that differ only in unsafe characters stay two files;
    # the same name again replaces its earlier upload
    assert upload_name("报告 一.txt") != upload_name("报告_一.txt") == "报告_一.txt"
    assert upload_name("报告 一.txt") == upload_name("报告 一.txt")
    assert upload_name("a/b.md") == "b.md" and upload_name("..txt").startswith("upload-")
    assert parse_auth("ann:s3:cret") == ("ann", "s3:cret")
    monkeypatch.setenv("NEWSRAG_AUTH", "bob:pw")
    assert parse_auth(None) == ("bob", "pw")
    with pytest.raises(NewsragError):
        parse_auth("nopassword")
    assert is_loopback("127.0.0.1") and not is_loopback("0.0.0.0")


# ---------------------------------------------------------------- the live app (conftest)
@pytest.mark.slow
def test_builds_on_start_and_binds_loopback_only(app):
    url, launched, lines, tmp = app
    out = "".join(lines)
    assert "building it from" in out and "6 added" in out  # index built from --data first
    assert launched.rstrip("/") == url  # 127.0.0.1, nothing else, by default
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # this host's LAN address
        try:
            s.connect(("10.255.255.255", 1))
            lan = s.getsockname()[0]
        except OSError:
            lan = "127.0.0.1"
    if not lan.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((lan, int(url.rsplit(":", 1)[1])), timeout=2).close()


@pytest.mark.slow
def test_chat_streams_answer_and_opens_cited_source(app, browser):
    from playwright.sync_api import expect

    url = app[0]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    answer = ask(page, url, "本次展览共展出多少件作品？")
    expect(answer).to_contain_text("70")
    expect(page.locator("#nr-chat details.nr-src mark").first).to_be_hidden()
    answer.locator("a.nr-cite").first.click()  # open the cited source
    mark = page.locator("#nr-chat details.nr-src[open] mark").first
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("70件作品")
    expect(page.locator("#nr-status")).to_contain_text("6 篇文章")
    (ROOT / "test-output").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-output" / "chat.png"), full_page=True)
    page.close()


@pytest.mark.slow
def test_upload_then_ask_and_documents_render_as_text(app, browser, tmp_path):
    from playwright.sync_api import expect

    url = app[0]
    files = [tmp_path / "qingsong_library.txt", tmp_path / "xss_lantern.txt", tmp_path / "slides.pptx",
             tmp_path / "empty.txt", tmp_path / "records.jsonl"]
    files[0].write_text(FACT, encoding="utf-8")
    files[1].write_text(EVIL, encoding="utf-8")
    files[2].write_bytes(b"%PDF-1.4 not an article")
    files[3].write_text(" \n", encoding="utf-8")
    files[4].write_text('{"title": "不完整", "text": "半条记录\n{"text": 5}\n', encoding="utf-8")
    import docx

    word = docx.Document()
    word.add_heading("白塔寺修缮完工", level=1)
    word.add_paragraph("白塔寺修缮工程历时两年，共修复彩画420平方米。")
    files.append(tmp_path / "白塔寺.docx")
    word.save(files[-1])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.locator("#nr-upload input[type=file]").set_input_files([str(f) for f in files])
    log = page.locator("#nr-upload-log textarea")
    expect(log).to_have_value(re.compile("索引已更新"), timeout=120_000)
    said = log.input_value().split("\n")
    # one line per file, in Chinese, without the server's paths
    assert "✗ slides.pptx：不支持的文件类型（只接受 .txt, .md, .json, .jsonl, .html, .docx, .pdf）" in said
    assert "✗ empty.txt：未索引——文件是空的" in said
    assert "✓ qingsong_library.txt：已索引 1 篇文章" in said
    assert "✓ 白塔寺.docx：已索引 1 篇文章" in said
    assert any(ln.startswith("✗ records.jsonl：未索引——第 1 行：JSON 格式错误") for ln in said), said
    assert sum("empty.txt" in ln for ln in said) == 1 and str(app[3]) not in log.input_value()
    assert (app[3] / "data" / "uploads" / "qingsong_library.txt").is_file()
    expect(page.locator("#nr-status")).to_contain_text("9 篇文章")

    answer = ask(page, url, "青松市图书馆新馆共有藏书多少册？")
    expect(answer).to_contain_text("583")
    expect(page.locator("#nr-chat details.nr-src summary").first).to_contain_text("qingsong_library.txt")
    expect(ask(page, url, "白塔寺修缮工程共修复彩画多少平方米？")).to_contain_text("420")

    answer = ask(page, url, "红杉镇元宵灯会共点亮多少盏花灯？")
    expect(answer).to_contain_text("1288")
    src = page.locator("#nr-chat details.nr-src", has_text="xss_lantern.txt").first
    src.locator("summary").click()
    passage = src.locator(".nr-passage")
    expect(passage).to_contain_text('<script>window.__xss=1</script><img src=x onerror="window.__xss=2">')
    expect(passage).to_contain_text("[点击领奖](javascript:window.__xss=3)")
    assert page.locator("#nr-chat img[src=x], #nr-chat a[href^=javascript]").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.close()


@pytest.mark.slow
def test_api_returns_answer_with_citations_and_errors_as_messages(app):
    from gradio_client import Client

    client = Client(app[0], verbose=False)
    html, data = client.predict("本次展览共展出多少件作品？", api_name="/chat")
    assert "70" in data["text"] and 'class="nr-cite"' in html
    cite = data["citations"][0]
    assert cite["number"] == 1 and "70" in cite["quote"] and cite["supported"] is True
    assert cite["quote"] in cite["hit"]["text"] and cite["hit"]["title"]
    assert client.predict(question="本次展览共展出多少件作品？", api_name="/ask")["citations"]
    html, data = client.predict("展出多少件？", 5, "2023-13-40", "", "", "extractive", api_name="/chat")
    assert "nr-error" in html and "YYYY-MM-DD" in data["error"]
    html, data = client.predict("   ", api_name="/chat")
    assert "nr-error" in html and "问题为空" in data["error"]


@pytest.mark.slow
def test_as_of_defaults_to_today_and_reaches_the_answer(app, browser):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from gradio_client import Client
    from playwright.sync_api import expect

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    page = browser.new_page()
    page.goto(app[0])
    expect(page.locator("#nr-as-of textarea, #nr-as-of input").first).to_have_value(today.isoformat())
    page.close()
    client = Client(app[0], verbose=False)
    q = "昨天北京市总工会和中央美术学院举办了什么活动？"
    data = client.predict(question=q, as_of="2023-12-28", api_name="/ask")
    assert data["query"].startswith("2023年12月27日") and "劳动颂" in data["citations"][0]["hit"]["title"]
    data = client.predict(question=q, api_name="/ask")  # empty: today where the newsroom is
    y = today - timedelta(days=1)
    assert data["query"].startswith(f"{y.year}年{y.month}月{y.day}日")
    html, data = client.predict(q, 5, "", "", "", "extractive", "2023-02-30", api_name="/chat")
    assert "nr-error" in html and "提问日期" in data["error"]


@pytest.mark.slow
@pytest.mark.parametrize("width", [1400, 390])
def test_page_speaks_chinese_in_an_english_browser(app, browser, width, tmp_path):
    """Chromium set to en-US, desktop and phone width: every word shown is Chinese except
    proper names, and the header does not cover the first chat line."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900})
    page = context.new_page()
    answer = ask(page, app[0], "本次展览共展出多少件作品？")
    expect(answer).to_contain_text("70")
    # Gradio announces the finished request to screen readers; with no text of its own for
    # it, the raw key "common.complete" was read out (and failed this test when it won a race)
    expect(page.locator(".sr-only[role=status]").first).to_have_text("完成", timeout=15_000)
    shown = page.locator("body").inner_text()
    allowed = {"newsrag", "API", "m3e", "small", "sample_page", "txt", "md", "json", "jsonl",
               "html", "docx", "pdf", "MB", "YYYY", "MM", "DD"}
    english = set(re.findall(r"[A-Za-z][A-Za-z_]+", shown)) - allowed
    assert not english, f"English words on the page at {width}px: {sorted(english)}"
    header = page.locator("h2", has_text="newsrag").bounding_box()
    first = page.locator("#nr-chat .message").first.bounding_box()
    assert header["y"] + header["height"] <= first["y"], (header, first)
    if width == 1400:  # Gradio's progress line while an upload is indexed
        records = tmp_path / "many.jsonl"
        records.write_text("\n".join(
            f'{{"title": "测试{i}", "text": "{f"第{i}篇测试文章的正文，内容各不相同，编号{i}。" * 12}"}}'
            for i in range(150)), encoding="utf-8")
        page.locator("#nr-upload input[type=file]").set_input_files(str(records))
        seen = set()
        for _ in range(600):
            text = page.locator("body").inner_text()
            seen |= {w for w in ("processing", "queue:", "处理中", "排队", "段落 |") if w in text}
            if "索引已更新" in page.locator("#nr-upload-log textarea").input_value():
                break
            page.wait_for_timeout(100)
        assert seen and not seen & {"processing", "queue:"}, seen  # shown, and in Chinese
    context.close()


@pytest.mark.slow
def test_a_followup_reads_the_earlier_answer_from_the_session(sample_index, loaded_index,
                                                              tmp_path):
    """The chat keeps each answer's text beside the HTML it showed; 他 in a follow-up is the
    person only that answer names — found through the session, never through the markup."""
    from rag.app.state import SharedIndex
    from rag.app.ui import make_chat

    chat = make_chat(SharedIndex(sample_index, tmp_path, loaded_index))
    question = "展览开放日上美团外卖骑手说了什么？"
    *_, (shown, data, answers) = chat(question, [], answers={})
    assert answers == {shown: data["text"]} and "高丰" in data["text"]
    assert "高丰" not in question
    history = [{"role": "user", "content": question},
               {"role": "assistant", "content": [{"type": "text", "text": shown}]}]
    *_, (_, followup, _) = chat("他还说了什么？", history, answers=answers)
    assert "高丰还说了什么" in followup["query"]
    *_, (_, unknown, _) = chat("他还说了什么？", history, answers={})  # nothing recorded
    assert "高丰" not in unknown["query"]
