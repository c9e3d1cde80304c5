"""The time a question names, and evidence that speaks of another (`rag.answering.asked_time`)."""

from rag.answering.asked_time import (asked_time, bare_days, names_year, other_time, other_year, relative_years,
                                     said_days)
from rag.types import Hit


def hit(text: str, date: str | None = None, title: str = "") -> Hit:
    return Hit("d", "c", title, date, "s", text, 1.0, 0, len(text))


def test_what_a_question_names():
    t = asked_time("2024年8月2日在哪场比赛中中国选手夺得金牌？")
    assert (t.years, t.months, t.days) == ({"2024"}, set(), {(8, 2)})
    t = asked_time("2020年2月，哪个国家与科索沃签署了恢复交通连接的协议？")
    assert (t.years, t.months, t.days) == ({"2020"}, {2}, set())
    assert not asked_time("训练营的时长是多久？")
    assert not asked_time("为期3个月的培训有多少人参加？")  # a length, not a month
    t = asked_time("2024年2月以来，A股上市公司共发布了多少单回购计划？")  # a period opened, not a month
    assert (t.years, t.months, t.days) == ({"2024"}, set(), set())
    assert asked_time("2022春运发送旅客多少人次？").years == {"2022"}
    assert not asked_time("卖出2000万辆").years  # a count, not a year
    # a time compared with is not the time asked about
    assert not asked_time("有些房租比2022年涨了多少？")
    assert asked_time("2023年上半年GDP比2022年同期增长多少？").years == {"2023"}
    assert asked_time("与2022年相比，2023年增长多少？").years == {"2023"}
    assert asked_time("2023年8月的CPI较7月上涨多少？").months == {8}
    assert asked_time("2022年和2023年分别增长了多少？").years == {"2022", "2023"}


def test_evidence_of_another_year_is_told_apart():
    """The same event in another year is the commonest wrong answer: the evidence's own
    years decide, 今年/去年 count in a dated article, the passage decides otherwise."""
    assert other_year("德约科维奇夺得2023年澳网男单冠军。", hit("…2022年…"), {"2022"})
    assert not other_year("纳达尔夺得2022年澳网男单冠军。", hit("…"), {"2022"})
    last_year = "去年年底，他决定重新开发游戏。"
    assert not other_year(last_year, hit(last_year + "2023年11月上线。", "2024-03-01"), {"2023"})
    assert other_year(last_year, hit(last_year, "2022-03-01"), {"2023"})
    assert not other_year("冠军是他。", hit("冠军是他。", None, "2023年赛事回顾"), {"2023"})
    assert not other_year("冠军是他。", hit("冠军是他。"), {"2023"})  # no year at all: no verdict


def test_a_plan_for_next_year_is_that_year():
    """明年 in an article of 2023 is 2024: "就明年在北京举办第二届论坛" answers a question about 2024."""
    plan = "25日，双方就明年在北京举办第二届中俄图书馆论坛举行会谈。"
    assert relative_years(plan, "2023-07-27") == {"2024"} and relative_years(plan, None) == set()
    assert not other_year(plan, hit(plan, "2023-07-27"), {"2024"})
    assert other_year(plan, hit(plan, "2023-07-27"), {"2023"})


def test_evidence_of_another_day_is_told_apart():
    """A question naming its day: a sentence about another day of the same year is the
    wrong report ("8月10日…夺得金牌" for "8月2日…"), one naming no day gets no verdict."""
    asked = asked_time("2024年8月2日在哪场比赛中中国选手夺得金牌？")
    passage = hit("2024年8月2日，巴黎奥运会羽毛球混双决赛中，中国选手夺得金牌。", "2024-08-10")
    assert other_time("2024年8月10日凌晨，巴黎奥运会女子50公斤级拳击比赛中，中国选手吴愉夺得金牌。",
                      passage, asked)
    assert not other_time("2024年8月2日，巴黎奥运会羽毛球混双决赛中，中国选手夺得金牌。", passage, asked)
    assert not other_time("中国选手夺得金牌。", passage, asked)  # no day named: no verdict
    assert not other_time("8月，中国选手在巴黎夺得多枚金牌。", passage, asked)  # its month
    assert other_time("9月，中国选手在杭州夺得多枚金牌。", passage, asked)
    # another day, with the asked month only in passing: still another day
    assert other_time("2024年8月10日，中国选手夺得的金牌数较8月初翻了一番。", passage, asked)
    month = asked_time("2024年2月，哪个前美国总统对法院的裁决提出上诉？")
    assert other_time("2024年3月8日，美国前总统特朗普向纽约联邦法院提出上诉。", passage, month)
    assert not other_time("2024年2月7日，上诉法院驳回特朗普的申诉。", passage, month)
    assert other_time("2023年2月7日，上诉法院驳回申诉。", passage, month)  # the year still counts


def test_a_dateline_dates_no_event_and_a_bare_day_takes_its_month():
    """"中国侨网厦门7月20日电…19日上午…到访": the visit was on 7月19日, the report filed on the 20th;
    a bare day takes the month named before it, else the article's (the month before when the
    day is later than the article's own)."""
    sentence = "中国侨网厦门7月20日电据海沧区侨联消息，19日上午，槟城同安金厦公会一行8人到访海沧。"
    asked = asked_time("槟城同安金厦公会7月19日到访海沧，代表团有多少人？")
    assert not other_time(sentence, hit(sentence, "2023-07-20"), asked)
    assert other_time(sentence, hit(sentence, "2023-07-20"), asked_time("7月18日到访的代表团有多少人？"))
    assert said_days(sentence, "2023-07-20") == [(7, 19)]
    assert said_days("8月2日至5日在京举行", None) == [(8, 2), (8, 5)]
    assert said_days("31日晚抵达", "2023-08-01") == [(7, 31)]
    assert said_days("兑换2019日元", "2023-08-01") == []
    assert said_days("新华社北京24日电", "2023-08-24") == []


def test_a_year_named_and_days_without_their_month():
    assert names_year("2022年，营收达100亿元") and names_year("回顾去年，华为发布鸿蒙3")
    assert not names_year("初步统计，上半年，净利润同比增长2.6%") and not names_year("卖出2000万辆")
    assert bare_days("普京2日将与埃尔多安通电话") == {2}
    assert bare_days("新华社北京24日电 8月19日，兑换2019日元") == set()
