"""The live app when users and builds meet: colliding upload names, a build run
beside the app, an upload during that build, markup in a question, and a huge
question asked next to a normal one. Same app process and browser as test_app
(session fixtures in conftest)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import pytest

from conftest import ROOT, ask

pytestmark = pytest.mark.slow
QUESTION = "本次展览共展出多少件作品？"


def fact(title: str, sentence: str) -> str:
    return f"{title}\n本报讯 {sentence}\n"


def test_uploads_whose_names_collide_both_stay_answerable(app, browser, tmp_path):
    from playwright.sync_api import expect

    url = app[0]
    one, two = tmp_path / "报告 一.txt", tmp_path / "报告_一.txt"
    one.write_text(fact("白鹭湖公园改造完工", "白鹭湖公园改造后新增步道3200米。"), encoding="utf-8")
    two.write_text(fact("金桥社区食堂开业", "金桥社区食堂每天供应午餐460份。"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.locator("#nr-upload input[type=file]").set_input_files([str(one), str(two)])
    log = page.locator("#nr-upload-log textarea")
    expect(log).to_have_value(re.compile("索引已更新"), timeout=120_000)
    assert "✓ 报告 一.txt：已索引 1 篇文章" in log.input_value()
    assert "✓ 报告_一.txt：已索引 1 篇文章" in log.input_value()
    assert str(app[3]) not in log.input_value()  # no server paths in messages
    cached = [p.name for p in (app[3] / "gradio-cache").rglob("*.txt")]
    assert one.name not in cached and two.name not in cached  # Gradio's copies are deleted
    expect(ask(page, url, "白鹭湖公园改造后新增步道多少米？")).to_contain_text("3200")
    expect(ask(page, url, "金桥社区食堂每天供应午餐多少份？")).to_contain_text("460")
    page.close()


def test_a_build_made_beside_the_app_is_served_without_a_restart(app, browser, tmp_path):
    from playwright.sync_api import expect

    url, _, _, tmp = app
    article = tmp_path / "outside.txt"
    article.write_text(fact("青石桥修缮完成", "青石桥修缮工程共更换石板1760块。"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "rag.cli.main", "build", str(article),
                           "--index", str(tmp / "index")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = browser.new_page()
    expect(ask(page, url, "青石桥修缮工程共更换石板多少块？")).to_contain_text("1760")
    page.close()


def test_an_upload_during_an_outside_build_waits_and_is_indexed(app, tmp_path):
    from gradio_client import Client, handle_file

    from rag.store.folder_versions import build_lock

    url, _, _, tmp = app
    article = tmp_path / "waiting.txt"
    article.write_text(fact("松林小学新校舍启用", "松林小学新校舍设有教室36间。"), encoding="utf-8")
    client, result = Client(url, verbose=False), {}

    def upload() -> None:
        result["out"] = client.predict([handle_file(str(article))], api_name="/add_articles")

    with build_lock(tmp / "index"):  # held the way `newsrag build` holds it, for 3 s
        worker = threading.Thread(target=upload)
        worker.start()
        time.sleep(3)
        assert worker.is_alive()  # waiting for the build, not failed
    worker.join(120)
    assert "索引已更新" in result["out"][1], result["out"][1]
    data = client.predict(question="松林小学新校舍设有教室多少间？", api_name="/ask")
    assert "36" in data["text"]


def test_markup_in_a_question_is_shown_as_text(app, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    question = '<svg id="nr-q-svg"><circle r="9"></circle></svg><b id="nr-q-b">请问</b>' + QUESTION
    ask(page, app[0], question)
    bubble = page.locator("#nr-chat .message.user, #nr-chat [data-testid=user]").last
    expect(bubble).to_contain_text('<svg id="nr-q-svg">')
    assert page.locator("#nr-q-svg, #nr-q-b").count() == 0
    page.close()


def test_a_huge_question_is_cut_and_does_not_hold_a_normal_one(app):
    """A 100,000-character question is cut to its first 500 characters, and its answer says
    so: its work is bounded by the cut, not by its length. A normal question asked while it
    runs is answered right, and before the huge one's answer is waited for. (How long either
    takes under load is a benchmark's business, not a test's.)"""
    from gradio_client import Client

    from rag.params import truncated_note

    url = app[0]
    normal, other = Client(url, verbose=False), Client(url, verbose=False)
    huge: dict = {}
    worker = threading.Thread(target=lambda: huge.update(
        other.predict(question="展览作品" * 25_000, api_name="/ask")))
    worker.start()
    time.sleep(0.3)
    assert "70" in normal.predict(question=QUESTION, api_name="/ask")["text"]
    worker.join(120)
    assert not worker.is_alive()
    assert truncated_note(500) in huge["note"], huge["note"]
    assert len(huge["question"]) == 500
