"""Relative dates: every expression, word boundaries, month/year ends, leap days (fast)."""

from __future__ import annotations

import pytest

from rag.answering.dates import date_in_text, parse_as_of, resolve_dates, to_int

TODAY = "2024-11-12"  # a Tuesday

CASES = [
    # question, rewritten, from, to
    ("今天发生了什么？", "2024年11月12日发生了什么？", "2024-11-12", "2024-11-12"),
    ("今日要闻", "2024年11月12日要闻", "2024-11-12", "2024-11-12"),
    ("昨天谁当选？", "2024年11月11日谁当选？", "2024-11-11", "2024-11-11"),
    ("前天发生了什么", "2024年11月10日发生了什么", "2024-11-10", "2024-11-10"),
    ("大前天的比赛", "2024年11月9日的比赛", "2024-11-09", "2024-11-09"),
    ("明天有什么活动", "2024年11月13日有什么活动", "2024-11-13", "2024-11-13"),
    ("本周有什么活动", "2024年11月11日至17日有什么活动", "2024-11-11", "2024-11-17"),
    ("上周的比赛", "2024年11月4日至10日的比赛", "2024-11-04", "2024-11-10"),
    ("上上周的比赛", "2024年10月28日至11月3日的比赛", "2024-10-28", "2024-11-03"),
    ("下周天气", "2024年11月18日至24日天气", "2024-11-18", "2024-11-24"),
    ("上个星期的发布会", "2024年11月4日至10日的发布会", "2024-11-04", "2024-11-10"),
    ("上周五的比赛", "2024年11月8日的比赛", "2024-11-08", "2024-11-08"),
    ("这周日有什么活动", "2024年11月17日有什么活动", "2024-11-17", "2024-11-17"),
    ("下星期三开会", "2024年11月20日开会", "2024-11-20", "2024-11-20"),
    ("上个星期天谁赢了", "2024年11月10日谁赢了", "2024-11-10", "2024-11-10"),
    ("上周一共发生几起", "2024年11月4日至10日一共发生几起", "2024-11-04", "2024-11-10"),  # 一共
    ("本月新增多少", "2024年11月新增多少", "2024-11-01", "2024-11-30"),
    ("上个月哪些证券公司", "2024年10月哪些证券公司", "2024-10-01", "2024-10-31"),
    ("上上个月的数据", "2024年9月的数据", "2024-09-01", "2024-09-30"),
    ("下个月的计划", "2024年12月的计划", "2024-12-01", "2024-12-31"),
    ("今年的冠军", "2024年的冠军", "2024-01-01", "2024-12-31"),
    ("去年的GDP", "2023年的GDP", "2023-01-01", "2023-12-31"),
    ("前年的票房", "2022年的票房", "2022-01-01", "2022-12-31"),
    ("明年的目标", "2025年的目标", "2025-01-01", "2025-12-31"),
    ("5天前的事故", "2024年11月7日的事故", "2024-11-07", "2024-11-07"),
    ("三天前的事故", "2024年11月9日的事故", "2024-11-09", "2024-11-09"),
    ("两周前的会议", "2024年10月28日至11月3日的会议", "2024-10-28", "2024-11-03"),
    ("3个月前的数据", "2024年8月的数据", "2024-08-01", "2024-08-31"),
    ("十个月前", "2024年1月", "2024-01-01", "2024-01-31"),
    ("三年前谁被任命", "2021年谁被任命", "2021-01-01", "2021-12-31"),
    ("十二年前", "2012年", "2012-01-01", "2012-12-31"),
    ("三年前的今天发生了什么", "2021年11月12日发生了什么", "2021-11-12", "2021-11-12"),
    ("四年前的这个月，哪位官员", "2020年11月，哪位官员", "2020-11-01", "2020-11-30"),
    ("去年这个时候拜仁", "2023年11月拜仁", "2023-11-01", "2023-11-30"),
    ("今年7月谁当选", "2024年7月谁当选", "2024-07-01", "2024-07-31"),
    ("去年6月26日晚上", "2023年6月26日晚上", "2023-06-26", "2023-06-26"),
    ("三年前四月谁被任命", "2021年4月谁被任命", "2021-04-01", "2021-04-30"),
    ("四年前的8月，哪条高铁", "2020年8月，哪条高铁", "2020-08-01", "2020-08-31"),
    ("今年上半年GDP", "2024年上半年GDP", "2024-01-01", "2024-06-30"),
    ("去年下半年", "2023年下半年", "2023-07-01", "2023-12-31"),
    ("去年年底", "2023年底", "2023-11-01", "2023-12-31"),
    ("今年初", "2024年初", "2024-01-01", "2024-02-28"),
    ("第一季度营收", "2024年第一季度营收", "2024-01-01", "2024-03-31"),
    ("去年第四季度", "2023年第四季度", "2023-10-01", "2023-12-31"),
    ("去年7月底", "2023年7月底", "2023-07-21", "2023-07-31"),
    # the baseline of a change stays as written (articles say 比上年同期 too); the period asked is kept
    ("今年上半年利润比去年同期多了多少", "2024年上半年利润比去年同期多了多少", "2024-01-01", "2024-06-30"),
]


@pytest.mark.parametrize("question,rewritten,lo,hi", CASES, ids=[c[0] for c in CASES])
def test_expressions_resolve(question, rewritten, lo, hi):
    r = resolve_dates(question, TODAY)
    assert (r.query, r.date_from, r.date_to) == (rewritten, lo, hi)


@pytest.mark.parametrize("question", [
    "三年前天津市发生了什么",  # 三年前 + 天津市, not 前天
    "四年前天猫双11的成交额",
    "以前天气很好",  # 以前 + 天气
    "几年前7月底中美在哪里磋商",  # no date said
    "多年前的事",
    "过去年份的数据",
    "2023年前三季度的GDP",  # a year, not "2023 years ago"
])
def test_no_day_word_inside_other_words(question):
    r = resolve_dates(question, TODAY)
    assert not any("前天" in f for f in r.found)
    if question.startswith("三年前"):
        assert r.query == "2021年天津市发生了什么"
    elif question.startswith("四年前"):
        assert r.query == "2020年天猫双11的成交额"
    elif question.startswith("2023年前"):  # its own period, words unchanged
        assert r.query == question and (r.date_from, r.date_to) == ("2023-01-01", "2023-09-30")
    else:
        assert r.query == question and r.date_from is None


def test_month_and_year_ends_and_leap_days():
    assert resolve_dates("一年前的今天", "2024-02-29").date_from == "2023-02-28"
    assert resolve_dates("上个月", "2024-03-31").date_to == "2024-02-29"
    assert resolve_dates("1个月前", "2024-03-31").query == "2024年2月"
    assert resolve_dates("下个月", "2024-12-15").query == "2025年1月"
    assert resolve_dates("昨天", "2024-01-01").date_from == "2023-12-31"
    assert resolve_dates("上周", "2024-01-03").date_from == "2023-12-25"
    assert resolve_dates("去年2月29日", "2025-05-01").date_from == "2024-02-29"
    assert resolve_dates("去年2月29日", "2024-05-01").date_from is None  # no such day: left alone


def test_an_explicit_year_keeps_its_words_and_gives_its_period():
    r = resolve_dates("2022年上半年，西藏经济增长了多少？", TODAY)
    assert r.query == "2022年上半年，西藏经济增长了多少？"
    assert (r.date_from, r.date_to) == ("2022-01-01", "2022-06-30")
    assert resolve_dates("2023一季度GDP", TODAY).date_to == "2023-03-31"
    # a bare 年底 later in the question is that year's, not this year's
    r = resolve_dates("2021年国家邮政局计划在年底达到多少个循环快递箱？", TODAY)
    assert r.query == "2021年国家邮政局计划在2021年底达到多少个循环快递箱？"
    assert (r.date_from, r.date_to) == ("2021-11-01", "2021-12-31")


def test_recent_words_prefer_the_last_month_without_rewriting():
    r = resolve_dates("近日发布了什么新规？", TODAY)
    assert r.query == "近日发布了什么新规？" and r.recent
    assert (r.date_from, r.date_to) == ("2024-10-13", "2024-11-12")


def test_nothing_is_resolved_without_a_date():
    r = resolve_dates("昨天发布了哪些新闻？", None)
    assert r.query == "昨天发布了哪些新闻？" and r.date_from is None


def test_several_expressions_cover_one_period():
    r = resolve_dates("去年和今年的冠军", TODAY)
    assert r.query == "2023年和2024年的冠军" and (r.date_from, r.date_to) == ("2023-01-01", "2024-12-31")


@pytest.mark.parametrize("bad", ["2024/08/16", "yesterday", "2023-02-30", "", "2024-13-01"])
def test_bad_as_of_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="as_of must be a date written YYYY-MM-DD"):
        parse_as_of(bad)


def test_numbers_and_dates_in_text():
    assert [to_int(x) for x in ("3", "十", "十二", "二十三", "两", "一百")] == [3, 10, 12, 23, 2, None]
    assert str(date_in_text("据报道，2019年7月23日，COTODAMA推出")[0]) == "2019-07-23"
    assert date_in_text("2023年8月的销量")[1] == "month"
    assert date_in_text("没有日期") is None
