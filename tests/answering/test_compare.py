"""Questions in time on a small dated corpus: comparisons, "当天", relative dates, as_of.

Real index and model; the corpus is six short articles on known days (one undated).
"""

from __future__ import annotations

import json

import pytest

from rag.answering.compare import plan, split_events

EVENTS = [
    ("a1", "2021-03-05", "某市地铁5号线开通运营", "2021年3月5日，某市地铁5号线正式开通运营，全长30公里，设站20座。"),
    ("a2", "2021-08-20", "某市图书馆新馆开放", "2021年8月20日，某市图书馆新馆正式对外开放，藏书300万册。"),
    ("a3", "2023-03-05", "某市马拉松鸣枪开跑", "2023年3月5日，某市马拉松鸣枪开跑，3万名选手参赛。"),
    ("a4", "2023-03-05", "某市遭遇强降雨", "2023年3月5日，某市普降暴雨，最大降雨量120毫米，部分道路积水。"),
    ("a5", None, "某县新建小学", "某县今年新建5所小学，新增学位8000个，秋季学期投入使用。"),
    ("a6", "2023-03-05", "某市航展闭幕", "2023年3月5日，某市航展闭幕，组委会宣布明年在北京举办第二届航展。"),
]


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    from rag import Index, build_index

    folder = tmp_path_factory.mktemp("dated")
    with open(folder / "events.jsonl", "w", encoding="utf-8") as fh:
        for id_, day, title, text in EVENTS:
            rec = {"id": id_, "title": title, "text": text, **({"time": day} if day else {})}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    build_index([folder / "events.jsonl"], folder / "index", show_progress=False)
    idx = Index.load(folder / "index")
    yield idx
    idx.close()


@pytest.mark.parametrize("question,kind,events", [
    ("地铁5号线开通和图书馆新馆开放哪个先发生？", "order", ["地铁5号线开通", "图书馆新馆开放"]),
    ("马拉松、暴雨和图书馆开放，这三个事件中哪个最晚？", "order", ["马拉松", "暴雨", "图书馆开放"]),
    ("以下事件哪一个最早发生：马拉松开跑、地铁开通？", "order", ["马拉松开跑", "地铁开通"]),
    ("地铁开通与马拉松是同一年发生的吗？", "same", ["地铁开通", "马拉松"]),
    ("马拉松开跑，暴雨，这两件事发生在同一个月吗？", "same", ["马拉松开跑", "暴雨"]),
    ("地铁开通和图书馆开放分别是什么时候？", "each", ["地铁开通", "图书馆开放"]),
    ("马拉松开跑当天，某市最大降雨量是多少？", "on", ["马拉松开跑"]),
    ("地铁开通之后多久图书馆开放？", "gap", ["地铁开通", "图书馆开放"]),
    ("地铁开通和图书馆开放相隔多少天？", "gap", ["地铁开通", "图书馆开放"]),
])
def test_plans(question, kind, events):
    p = plan(question)
    assert p is not None and p.kind == kind and p.events == events
    assert p.latest == ("最晚" in question)


@pytest.mark.parametrize("question", ["本次展览共展出多少件作品？", "谁当选为新总理？",
                                      "培训内容有哪些？", "他和她是同一个人吗？",
                                      "昂山素季是在当地时间哪天晚上被转移到内比都的？"])  # 晚上 compares nothing
def test_ordinary_questions_have_no_plan(question):
    assert plan(question) is None


def test_split_events_balances_and_and():
    assert split_events("中美和解与贸易谈判") == ["中美和解", "贸易谈判"]
    assert split_events("A事件、B事件和C事件") == ["A事件", "B事件", "C事件"]


@pytest.mark.slow
@pytest.mark.parametrize("question,starts,numbers", [
    ("地铁5号线开通和图书馆新馆开放哪个先发生？", "地铁5号线开通更早", ["2021年3月5日", "2021年8月20日"]),
    ("马拉松开跑和图书馆新馆开放哪个更晚？", "马拉松开跑更晚", ["2023年3月5日", "2021年8月20日"]),
    ("图书馆新馆开放和地铁5号线开通是同一年吗？", "是", ["2021年8月20日", "2021年3月5日"]),
    ("地铁5号线开通和马拉松开跑是同一年吗？", "否", ["2021年3月5日", "2023年3月5日"]),
    ("马拉松开跑和强降雨是同一天发生的吗？", "是", ["2023年3月5日"]),
    ("地铁5号线开通之后多久图书馆新馆开放？", "相隔168天", ["2021年3月5日", "2021年8月20日"]),
])
def test_comparisons_answer_with_both_dates_cited(dated_index, question, starts, numbers):
    from rag.answering.pipeline import answer

    a = answer(question, index=dated_index, as_of="2024-01-01")
    assert a.text.startswith(starts) and all(n in a.text for n in numbers), a.text
    assert len(a.citations) >= 2 - ("同一天" in question) and all(c.supported for c in a.citations)


@pytest.mark.slow
def test_an_event_the_news_lacks_is_said_plainly(dated_index):
    from rag.answering.pipeline import answer

    a = answer("地铁5号线开通和火星载人登陆哪个先发生？", index=dated_index, as_of="2024-01-01")
    assert "火星载人登陆" in a.text and "没有找到" in a.text, a.text


@pytest.mark.slow
def test_on_the_day_of_an_event(dated_index):
    from rag.answering.pipeline import answer

    a = answer("马拉松鸣枪开跑当天，某市最大降雨量是多少？", index=dated_index, as_of="2024-01-01")
    assert a.text.startswith("120毫米"), a.text
    assert {c.hit.title for c in a.citations} >= {"某市遭遇强降雨", "某市马拉松鸣枪开跑"}


@pytest.mark.slow
@pytest.mark.parametrize("question,as_of,title", [
    ("三年前的今天，某市哪条地铁开通运营？", "2024-03-05", "某市地铁5号线开通运营"),
    ("上个月开放的某市图书馆新馆藏书多少册？", "2021-09-10", "某市图书馆新馆开放"),
    ("去年3月某市举行了什么比赛？", "2024-06-01", "某市马拉松鸣枪开跑"),
])
def test_relative_dates_through_the_api(dated_index, question, as_of, title):
    from rag.answering.pipeline import answer

    a = answer(question, index=dated_index, as_of=as_of)
    assert not a.refused and a.citations[0].hit.title == title, a.text


@pytest.mark.slow
def test_an_undated_article_still_answers_a_relative_question(dated_index):
    from rag.answering.pipeline import answer

    a = answer("今年某县新建了几所小学？", index=dated_index, as_of="2023-06-01")
    assert "5所" in a.text and a.citations[0].hit.date is None, a.text


@pytest.mark.slow
def test_a_period_after_the_archive_is_said_plainly(dated_index):
    from rag.answering.pipeline import answer

    a = answer("昨天某市发生了什么？", index=dated_index, as_of="2026-11-30")
    assert a.refused and "已收录的新闻截至 2023-03-05" in a.text and "2026-11-29" in a.text


@pytest.mark.slow
def test_a_plan_for_a_period_after_the_archive_is_answered_from_its_announcement(dated_index):
    from rag.answering.pipeline import answer

    a = answer("第二届航展打算明年在哪座城市举办？", index=dated_index, as_of="2023-06-01")
    assert a.text.startswith("北京") and a.citations[0].hit.title == "某市航展闭幕", a.text
    a = answer("明年航展在哪座城市举办？", index=dated_index, as_of="2023-06-01")  # no plan asked
    assert a.refused and "已收录的新闻截至 2023-03-05" in a.text


@pytest.mark.slow
def test_as_of_through_search_and_the_cli(dated_index, capsys):
    from rag.cli.main import main

    hits = dated_index.search("三年前的今天发生了什么", 2, as_of="2024-03-05")
    assert hits[0].title == "某市地铁5号线开通运营"
    with pytest.raises(ValueError, match="as_of must be a date written YYYY-MM-DD"):
        dated_index.search("昨天", 2, as_of="昨天")
    index_dir = str(dated_index.index_dir)
    assert main(["ask", "上个月开放的某市图书馆新馆藏书多少册？", "--index", index_dir,
                 "--as-of", "2021-09-10"]) == 0
    out = capsys.readouterr().out
    assert "300万册" in out and "2021年8月" in out  # the answer, and the query as resolved
    assert main(["search", "三年前的今天", "--index", index_dir, "--as-of", "2024-03-05", "-k", "1"]) == 0
    assert "地铁5号线" in capsys.readouterr().out
    assert main(["ask", "昨天", "--index", index_dir, "--as-of", "2024/03/05"]) == 1
    assert "--as-of must be a date written YYYY-MM-DD" in capsys.readouterr().err  # the option named
