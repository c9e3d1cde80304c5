"""Bylines and dates read from article headers (`rag.ingest.article_header`)."""

from __future__ import annotations

import pytest

from rag.ingest.article_header import date_from_filename, date_from_header, parse_byline, parse_date


@pytest.mark.parametrize(
    "text,expected",
    [
        ("本报讯（记者 盛丽）为纪念", (["盛丽"], [])),
        ("新华社北京7月28日电（记者刘仲华、张慧中）日前", (["刘仲华", "张慧中"], [])),
        ("本报记者 张三 李四\n正文。", (["张三", "李四"], [])),
        ("记者 张三 李四 报道 近日，", (["张三", "李四"], [])),
        ("（通讯员 王五，赵六）近日，", ([], ["王五", "赵六"])),
        ("记者近日从北京工商大学工会了解到，张三说。", ([], [])),
        ("近日，记者（张三）采访了他。", ([], [])),
    ],
)
def test_parse_byline(text, expected):
    got = parse_byline(text)
    assert (got["reporters"], got["correspondents"]) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2023-07-20 10:02", "2023-07-20"),
        ("2023年7月20日", "2023-07-20"),
        ("2023/7/5", "2023-07-05"),
        ("20230720", "2023-07-20"),
        ("2023-07-20T23:30:00Z", "2023-07-20"),
        (1689818520, "2023-07-20"),
        ("1689818520", "2023-07-20"),
        (1689818520000, "2023-07-20"),
        ("Thu, 20 Jul 2023 10:02:00 +0800", "2023-07-20"),
        ("July 20, 2023", "2023-07-20"),
        ("12月27日", None),
        ("2023-13-01", None),
        ("", None),
        (None, None),
        (True, None),
        (2023, None),  # a year alone is not a timestamp
        (float("nan"), None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2023年12月28日 星期四\n标题\n正文。", "2023-12-28"),
        ("2023-07-20 10:02，正文：某某召开会议。", "2023-07-20"),
        ("标题\n本报北京2023年12月27日电（记者 王明）近日，", "2023-12-27"),
        ("2023年7月20日，市总工会召开会议。", "2023-07-20"),  # opening date = the dateline
        ("标题\n2019年7月23日晚间，某地发生地震。", "2019-07-23"),
        ("标题\n会议指出，2023年7月20日以来各地…", None),  # a date inside a sentence
        ("标题\n此次活动时间为2023年12月22日至2024年2月15日。", None),
        ("标题\n本报讯 12月27日，市总工会召开会议。", None),
    ],
)
def test_date_from_header(text, expected):
    assert date_from_header(text) == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        ("2023-12-28_page.txt", "2023-12-28"),
        ("20231228.txt", "2023-12-28"),
        ("page_2023_12_28.txt", "2023-12-28"),
        ("2023-1-5.md", "2023-01-05"),
        ("page12.txt", None),
        ("20231399.txt", None),
    ],
)
def test_date_from_filename(name, expected):
    assert date_from_filename(name) == expected
