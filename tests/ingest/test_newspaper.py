"""Newspaper-page handling on the real sample page and on small made-up pages."""

from __future__ import annotations

import pytest

from conftest import SAMPLE
from rag.ingest.article_header import date_from_header, parse_byline
from rag.ingest.newspaper import repair_lines, split_page
from rag.ingest.readers import read_paths

TITLES = [
    "“劳动颂——首都职工纪念改革开放45周年主题创作展”开放日活动举办",
    "市温暖基金会“两节”期间将开展爱心互助行动",
    "20多所高校青年教师开展学习实践活动",
    "北京工商大学工会聚焦教职工身边的“微实事”开展工作",
    "海淀区总工会召开数字经济领域技能竞赛座谈会",
    "八里庄街道基层工会干部培训班开班",
]
BANNERS = ["深入学习贯彻党的二十大精神", "奋力开拓首都工会工作新局面", "贯彻落实工会十八大精神"]
# (article index, word the page layout cut across a paragraph break)
CUT_WORDS = [
    (0, "中央美术学院党委书记"),
    (0, "有的承担我国国产汽车"),
    (0, "张良一边观看展览"),
    (0, "雕塑、水墨、素描"),
    (1, "三是参与灾后恢复重建"),
    (1, "向擅长书法的志愿者募集爱心春联"),
    (2, "大家来到奥林匹克塔参观"),
    (3, "工作做到职工群众的心坎上"),
    (3, "进一步促进学校精神文明建设，每周一个主题活动"),
    (4, "神策网络科技（北京）有限公司、华为云计算"),
    (5, "有助于提高我们今后工作能力与水平"),
]


@pytest.fixture(scope="module")
def page():
    return split_page(SAMPLE.read_text(encoding="utf-8"))


def test_sample_page_has_exactly_the_six_titles(page):
    assert [a.title for a in page] == TITLES
    assert [a.position for a in page] == [1, 2, 3, 4, 5, 6]


def test_subtitle_of_fourth_article(page):
    assert page[3].subtitle == "依托教职工之家提供精准贴心服务"
    assert "依托教职工之家提供精准贴心服务\n" not in page[3].text
    assert all(a.subtitle == "" for i, a in enumerate(page) if i != 3)


def test_banners_are_not_titles_or_text(page):
    for a in page:
        for banner in BANNERS:
            assert banner not in a.title and banner not in a.subtitle and banner not in a.kicker
        assert not a.text.rstrip().endswith("贯彻落实工会十八大精神")
        assert BANNERS[0] not in a.text


def test_bodies_start_with_byline_and_exclude_title(page):
    for a in page:
        assert a.text.startswith("本报讯（记者")
        assert a.title not in a.text.split("\n")


@pytest.mark.parametrize("index,word", CUT_WORDS)
def test_words_cut_by_layout_are_rejoined(page, index, word):
    assert word in page[index].text


def test_real_paragraph_breaks_stay(page):
    assert [len(a.text.split("\n")) for a in page] == [5, 4, 3, 9, 2, 3]
    first = page[0].text.split("\n")
    assert first[1].startswith("展览选取改革开放以来")
    assert first[-1] == "北京市总工会、北京市劳动人民文化宫、中央美术学院相关部门负责同志参加活动。"


def test_bylines_of_sample_articles(page):
    assert parse_byline(page[0].text) == {"reporters": ["盛丽"], "correspondents": []}
    assert parse_byline(page[2].text) == {"reporters": ["任洁"], "correspondents": ["张莹"]}
    assert parse_byline(page[4].text) == {"reporters": ["宗晓畅"], "correspondents": ["李欣"]}


def test_no_date_invented_for_sample():
    articles, problems = read_paths([SAMPLE])
    assert problems == []
    assert [a.title for a in articles] == TITLES
    assert all(a.date is None for a in articles)  # "12月27日" has no year; 2023年12月22日 is an event date
    assert articles[2].metadata["reporters"] == ["任洁"]
    assert articles[3].metadata["subtitle"] == "依托教职工之家提供精准贴心服务"
    dated, _ = read_paths([SAMPLE], default_date="2023-12-28")
    assert {a.date for a in dated} == {"2023-12-28"}


def test_other_page_shapes_split_by_the_same_rules():
    page = "\n".join(
        [
            "2024年3月5日 星期二",
            "第4版 综合新闻",
            "春风行动进行时",
            "我市举办大型招聘会",
            "——提供岗位两万余个",
            "本报讯（记者 李明）3月4日，我市2024年“春风行动”大型招聘会在市会展中心举行，共有300余家企业参加，吸引求职",
            "者一万余人次进场。",
            "据了解，招聘会将持续到本月底。",
            "国家统计局发布最新数据",
            "新华社北京3月4日电（记者王小二、赵六）国家统计局4日发布数据，1至2月份全国规模以上工业增加值同比增长。",
            "专家认为，经济运行开局良好。",
            "（完）",
        ]
    )
    arts = split_page(page)
    assert [(a.kicker, a.title, a.subtitle) for a in arts] == [
        ("春风行动进行时", "我市举办大型招聘会", "提供岗位两万余个"),
        ("", "国家统计局发布最新数据", ""),
    ]
    assert "吸引求职者一万余人次进场。" in arts[0].text
    assert "2024年3月5日" not in arts[0].text and "第4版" not in arts[0].text
    assert parse_byline(arts[1].text) == {"reporters": ["王小二", "赵六"], "correspondents": []}
    assert date_from_header(page, datelines=False) == "2024-03-05"
    assert date_from_header(arts[1].text) is None  # "3月4日电" has no year


def test_single_article_and_plain_paragraphs():
    [one] = split_page("市总工会召开全委会\n\n近日，市总工会召开全委会，部署明年工作。\n\n会议强调，要抓好落实。")
    assert one.title == "市总工会召开全委会"
    assert one.text == "近日，市总工会召开全委会，部署明年工作。\n会议强调，要抓好落实。"
    [plain] = split_page("今天天气很好，我们去公园散步。\n\n公园里人很多。")
    assert plain.title == "" and plain.text.count("\n") == 1
    assert split_page("  \n\n ") == []


def test_repair_keeps_headings_and_indented_paragraphs():
    text = "标题一行\n\n本报讯（记者 张三）近日，某单位召开会议，研究部署相关工作并听取了各部门的汇报和建议，会议由\n\n主任主持。\n\n\u3000\u3000另起一段，这一段是缩进的新段落而不是上一段的延续部分所以不能合并到上一段里\n\n\u3000\u3000新的段落。"
    assert repair_lines(text).split("\n") == [
        "标题一行",
        "本报讯（记者 张三）近日，某单位召开会议，研究部署相关工作并听取了各部门的汇报和建议，会议由主任主持。",
        "另起一段，这一段是缩进的新段落而不是上一段的延续部分所以不能合并到上一段里",
        "新的段落。",
    ]
