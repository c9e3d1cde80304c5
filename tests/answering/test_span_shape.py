"""Repairs of the reader's span: dates, counts and lists as a person expects them (no model)."""

from __future__ import annotations

import pytest

from rag.answering.span_shape import (asked_nth, asks_day, counted_list, enumeration, list_in_passage, nth_items,
                                      ordinal_items, shape)

TEACHERS = ("组织北京20多所高校的青年教师代表和部分高校工会主席赴北京冬奥会国家速滑馆“冰丝带”、"
            "奥林匹克塔、首开书院学习实践，并在首开书院与市教育工会座谈。")
ROOMS = "装修一新的教职工之家设有母婴关爱室、心理减压室、健身房、休息室、文创室、阅览室等多重空间，可满足需求。"
TRACKS = "共开展数据分析、云计算、大数据、人工智能四个赛道，共计596名选手参与竞赛。"
FORMS = "据了解，本次展览共展出70件作品，囊括油画、雕塑、水墨、素描、水彩等艺术形式。"
GROUPS = ("活动对象为三类：一是困难职工群体。二是企业职工群体，包括广大户外劳动者；长期在艰苦行业岗位工作的"
          "一线职工。三是参与灾后恢复重建职工，包括在2023年夏季强降雨中参与救援的职工。")


def cut(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0]:span[1]]


@pytest.mark.parametrize("text,item,whole", [
    (ROOMS, "健身房", "母婴关爱室、心理减压室、健身房、休息室、文创室、阅览室"),  # verb before, 等 after
    (TEACHERS, "奥林匹克塔", "北京冬奥会国家速滑馆“冰丝带”、奥林匹克塔、首开书院"),  # 赴 before, 学习 after
    (FORMS, "雕塑", "油画、雕塑、水墨、素描、水彩"),
    # no verb introduces it: the first item is about as long as the others, ending on a whole word
    ("担心中国制造的无人机通信、镜头、无线电传输与操作系统等零部件存在漏洞", "镜头", "无人机通信、镜头、无线电传输与操作系统"),
    ("提供用于“爱国者”防空系统、“海马斯”火箭炮系统的弹药", "“海马斯”火箭炮系统", "“爱国者”防空系统、“海马斯”火箭炮系统"),
])
def test_an_item_of_an_enumeration_widens_to_every_item(text, item, whole):
    i = text.index(item)
    assert cut(text, enumeration(text, i, i + len(item))) == whole


def test_ends_the_reader_already_placed_stay():
    text = "李尚福代表党中央、国务院、中央军委在招待会上致辞。"
    i = text.index("党中央")  # the whole list already: nothing to widen, the clause head stays out
    assert enumeration(text, i, text.index("在招待会")) is None


def test_a_clause_that_lists_nothing_is_no_enumeration():
    i = FORMS.index("70件")
    assert enumeration(FORMS, i, i + 3) is None  # its clause (…共展出70件作品) has no 、
    assert enumeration(TEACHERS, 2, 6) is None  # "北京20多所…" lies before the list's first item


def test_list_questions_get_the_whole_list_and_other_questions_keep_the_span():
    i = FORMS.index("油画")
    assert cut(FORMS, shape(FORMS, i, i + 2, "展览囊括了哪些艺术形式？")) == "油画、雕塑、水墨、素描、水彩"
    assert cut(FORMS, shape(FORMS, i, i + 2, "展览有油画吗？")) == "油画"
    i = TRACKS.index("四个赛道")  # a count after its items: the items and the count
    assert cut(TRACKS, shape(TRACKS, i, i + 4, "技能竞赛设置了哪几个赛道？")) == "数据分析、云计算、大数据、人工智能四个赛道"


GAMES = "从2001年北京大运会、2011年深圳大运会到2023年成都大运会，在国干网运维一线，“在岗一分钟”。"
BUSES = "8月1日起，武汉公交246路、389路、H98路试点运行“拉铃公交”响应式停靠站服务。"


def test_a_range_of_items_runs_to_the_item_after_dao():
    i = GAMES.index("深圳")  # the reader stopped inside the last item, after 到
    assert cut(GAMES, shape(GAMES, i, GAMES.index("成都"), "运维一线经历过哪几届大运会？")) == (
        "从2001年北京大运会、2011年深圳大运会到2023年成都大运会")


@pytest.mark.parametrize("text,item,whole", [
    (BUSES, "389路", "246路、389路、H98路"),  # codes with one suffix: exact bounds, no "公交" or "试点"
    ("地铁3号线、5号线和12号线将延长运营。", "5号线", "3号线、5号线和12号线"),
])
def test_items_that_are_codes_are_cut_by_their_shape(text, item, whole):
    i = text.index(item)
    assert cut(text, enumeration(text, i, i + 1)) == whole


@pytest.mark.parametrize("text,question,listed", [
    ("王小洪、张军、应勇出席会议。", "全体会议有哪些人出席？", "王小洪、张军、应勇"),  # the question's verb follows
    ("张三、李四出席并讲话。", "有哪些人出席？", "张三、李四出席并讲话"),  # 讲话 is not asked: kept
    ("签约高校包括黑河学院、俄罗斯阿穆尔国立大学。", "哪些大学参加了签约？", "黑河学院、俄罗斯阿穆尔国立大学"),
])
def test_a_list_stops_where_the_questions_own_verb_follows_it(text, question, listed):
    i = text.index(listed[:2])
    end = text.index("。")
    assert cut(text, shape(text, i, end, question)) == listed


def test_a_count_in_a_title_finds_the_items_the_text_lists():
    assert cut(BUSES, counted_list(BUSES, "三条线路")) == "246路、389路、H98路"
    assert counted_list(BUSES, "四条线路") is None and counted_list(BUSES, "线路") is None


def test_an_item_named_in_another_sentence_finds_its_enumeration():
    text = "随后，大家来到奥林匹克塔参观。" + TEACHERS
    assert cut(text, list_in_passage(text, "奥林匹克塔")) == "北京冬奥会国家速滑馆“冰丝带”、奥林匹克塔、首开书院"
    assert list_in_passage(text, "冬奥会火炬") is None and list_in_passage(text, "") is None


def test_a_count_followed_by_ordinal_items_gives_the_items():
    end = GROUPS.index("三类") + 2
    items, stop = ordinal_items(GROUPS, end)
    assert items == ["困难职工群体", "企业职工群体", "参与灾后恢复重建职工"]
    assert GROUPS[:stop].endswith("三是参与灾后恢复重建职工")
    assert ordinal_items("共三类。其一为…", 3) is None  # no colon introducing them
    assert ordinal_items("三类：一是甲。三是丙。", 2) is None  # one item in order is no list


def test_a_word_inside_an_item_does_not_stand_for_the_list():
    assert list_in_passage(TEACHERS, "首开书院") is not None  # an item
    assert list_in_passage(TEACHERS, "北京") is None  # a word of "北京冬奥会国家速滑馆“冰丝带”"


def test_the_item_a_question_asks_by_its_ordinal():
    assert asked_nth("谢锋提了几条要求，第三条说的是什么？") == "三"
    assert asked_nth("第二个方面是什么？") == "二" and asked_nth("三是什么意思？") is None
    text = "他提出要求：一是缩短负面清单。二是拉长正面清单；三是把支持的人请出来。第十三是别的。"
    assert [text[a:b] for a, b in nth_items(text, "二")] == ["拉长正面清单"]
    assert [text[a:b] for a, b in nth_items(text, "三")] == ["把支持的人请出来"]  # not "第十三是…"
    assert nth_items("这三是指哪些？", "四") == []
    two = "障碍来自于：一是互信不足，二是渠道太少。要求：一是缩短清单。二是拉长清单。"
    assert [two[a:b] for a, b in nth_items(two, "二")] == ["渠道太少", "拉长清单"]  # every list


@pytest.mark.parametrize("question,day", [
    ("报名截至哪天？", True),
    ("征集活动截止到什么时候？", True),
    ("截至6月末，我国结构性货币政策工具余额是多少？", False),  # a time the question sets, not asks
    ("截至目前有多少人报名？", False),
])
def test_a_deadline_is_asked_only_when_no_time_follows(question, day):
    assert asks_day(question) is day


@pytest.mark.parametrize("text,span,question,shaped", [
    ("保交楼贷款支持计划延续实施至2024年5月末。", "2024年5月", "要延续到什么时候？", "2024年5月末"),
    ("那颗原子弹夺走了超过10万人的生命。", "10万人", "夺走了多少人的生命？", "超过10万人"),
    ("虹桥站日均发送旅客20万人次左右。", "20万人次", "日均发送旅客多少？", "20万人次左右"),
    ("增速为5%以上。", "5%", "增速是多少？", "5%以上"),
    ("2023年以上海为主。", "2023年", "哪一年？", "2023年"),  # a date takes no 以上
    ("2023年初步统计显示", "2023年", "哪一年？", "2023年"),  # nor the 初 of 初步
    ("3名选手以上海队为主。", "3名选手", "多少名选手？", "3名选手"),  # nor a count with a noun
    ("设计最高运行速度为120公里/小时，", "120公里", "最高能跑多快？", "120公里/小时"),  # a speed whole
    ("全长约23.3公里/设车站7座", "23.3公里", "全长多少？", "约23.3公里"),  # no time after the slash
])
def test_a_count_keeps_how_sure_it_is_and_a_month_its_part(text, span, question, shaped):
    i = text.index(span)
    assert cut(text, shape(text, i, i + len(span), question)) == shaped


def test_a_place_asked_drops_the_preposition_before_it():
    text = "25日，双方就明年在北京举办第二届中俄图书馆论坛举行会谈。"
    i = text.index("在北京")
    assert cut(text, shape(text, i, i + 3, "第二届论坛打算明年放在哪座城市办？")) == "北京"
    assert cut(text, shape(text, i, i + 3, "第二届论坛打算明年怎么办？")) == "在北京"  # no place asked
