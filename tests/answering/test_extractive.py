"""The default engine on the sample page: short answers first, proven by a cited sentence.

Real index (m3e-small), the real shipped reader; two or more questions per article,
asked the way a reader would, each with the short answer a person expects.
"""

from __future__ import annotations

import pytest

from conftest import CONTEST, EXHIBITION, TEACHERS, TRAINING, WARMTH
from rag.answering.pipeline import answer
from rag.answering.extractive import ExtractiveEngine
from rag.answering.yes_no import is_yes_no

pytestmark = pytest.mark.slow

BTBU = "北京工商大学"

# (question, the short answer expected, the article that must be cited)
SHORT = [
    ("本次展览共展出多少件作品？", "70件", EXHIBITION),
    ("这次劳动主题展览是在什么地方办的？", "中央美术学院校史馆西厅", EXHIBITION),
    ("站在自己塑像旁边发言的外卖小哥叫什么名字？", "高丰", EXHIBITION),
    # the reader's own spans are 2024年 / 元旦春节 ("…将在2024年元旦春节期间开展…"): the day
    # is found in another sentence of the passage it chose
    ("暖·2024爱心互助行动从哪天开始到哪天结束？", "2023年12月22日至2024年2月15日", WARMTH),
    ("爱心互助行动的活动对象分为几类？", "三类", WARMTH),
    ("北京市教育工会主席是谁？", "宋丽静", TEACHERS),
    ("首开集团的工会主席叫什么？", "李晓莉", TEACHERS),
    ("北京工商大学教职工之家有多大？", "500平方米", BTBU),
    ("心理减压室累计开展了多少次心理咨询？", "80余次", BTBU),
    ("技能竞赛设置了哪几个赛道？", "数据分析、云计算、大数据、人工智能", CONTEST),
    ("海淀工匠杯竞赛共有多少名选手参赛？", "596名", CONTEST),
    ("八里庄街道基层工会干部培训班有多少人参加？", "100余名", TRAINING),
    ("八里庄街道培训班采取什么方式学习？", "专题授课", TRAINING),
    # lists: every item, also where the reader found one item or the count ("三类：一是…二是…")
    ("爱心互助行动针对哪几类人？", "困难职工群体、企业职工群体、参与灾后恢复重建职工", WARMTH),
    ("高校青年教师参观了哪些地方？", "国家速滑馆“冰丝带”、奥林匹克塔、首开书院", TEACHERS),
]


def short_answer(text: str) -> str:
    head, sep, _ = text.partition("\n\n")
    assert sep, f"no short answer before the evidence: {text!r}"
    return head.replace("[1]", "").strip()


@pytest.mark.parametrize("question,expected,title", SHORT,
                         ids=[(q.values if hasattr(q, "values") else q)[0][:8] for q in SHORT])
def test_short_answer_first_then_the_cited_sentence(loaded_index, question, expected, title):
    a = answer(question, index=loaded_index)
    assert not a.refused, a.text
    short = short_answer(a.text)
    # the answer itself, possibly with its measure word or a few words of context
    assert expected in short and len(short) <= len(expected) + 12, a.text
    c = a.citations[0]
    assert c.supported and title in c.hit.title and expected.split("、")[0] in c.quote
    article = loaded_index.article_text(c.hit.doc_id)
    assert article[c.quote_start:c.quote_end] == c.quote  # highlight offsets hold


# the same facts asked in spoken words (`rag.text.spoken` puts them the way articles write them)
SPOKEN = [
    ("这次劳动主题展览是在哪儿办的？", "中央美术学院校史馆西厅", EXHIBITION),
    ("首开集团的工会主席叫啥？", "李晓莉", TEACHERS),
    ("北京市教育工会主席是谁啊？", "宋丽静", TEACHERS),
    ("暖·2024爱心互助行动啥时候结束？", "2024年2月15日", WARMTH),
]


@pytest.mark.parametrize("question,expected,title", SPOKEN, ids=[q[0][:8] for q in SPOKEN])
def test_spoken_questions_get_the_same_short_answer(loaded_index, question, expected, title):
    a = answer(question, index=loaded_index)
    assert not a.refused and expected in short_answer(a.text), a.text
    assert title in a.citations[0].hit.title and a.question == question  # the user's own words


def test_relative_dates_stay_beside_their_dates_for_undated_articles(loaded_index):
    """The sample page has no date: its 今年 is the question's 今年, whatever today is."""
    q = "展览中有多少件作品是中央美术学院的艺术家今年创作的？"
    for as_of in ("2023-12-28", "2026-12-01"):
        a = answer(q, index=loaded_index, as_of=as_of)
        assert f"{as_of[:4]}年（今年）" in a.query and short_answer(a.text) == "27件", (a.query, a.text)


def test_list_questions_get_every_item(loaded_index):
    a = answer("八里庄街道培训班的培训内容有哪些？", index=loaded_index, k=5)
    for course in ("《中国工会十八大及职工权益保障》", "《工会法理与实务》", "《民主管理与集体协商》",
                   "《工会经费收支规范化管理》"):
        assert course in a.text, a.text


def test_follow_up_asks_for_the_end_of_the_range(loaded_index):
    first = answer("暖·2024爱心互助行动从哪天开始到哪天结束？", index=loaded_index)
    a = answer("那它什么时候结束？", index=loaded_index, history=[(first.question, first.text)])
    assert not a.refused and "2024年2月15日" in a.text.partition("\n\n")[0], a.text


@pytest.mark.parametrize("question,verdict", [
    ("海淀区的技能竞赛共有596名选手参加吗？", "是"),
    ("北京工商大学的教职工之家是在良乡主校区建立的吗？", "是"),
    ("北京工商大学的教职工之家没有设心理减压室吗？", "否"),
    ("海淀区的技能竞赛共有800名选手参加吗？", "否"),
], ids=["contest", "campus", "negated", "other-number"])
def test_yes_no_questions_answer_with_evidence(loaded_index, question, verdict):
    a = answer(question, index=loaded_index)
    assert a.text.startswith(verdict + "。") and a.citations and a.citations[0].supported, a.text


def test_the_engine_of_earlier_releases_stays_one_setting_away(loaded_index):
    a = answer("本次展览共展出多少件作品？", index=loaded_index,
               engine=ExtractiveEngine(use_reader=False))
    assert a.text == "据了解，本次展览共展出70件作品，囊括油画、雕塑、水墨、素描、水彩等艺术形式。[1]"


@pytest.mark.parametrize("question,expected", [
    ("展览是免费的吗？", True), ("是否已经结束？", True), ("他有没有获奖？", True),
    ("有多少人参加吗？", False), ("本次展览共展出多少件作品？", False), ("谁是主席吗？", False),
    ("甲亢患者要不要忌口海蜇？", True), ("可不可以带宠物入场", True), ("该不该延期？", True),
    ("哪些人需不需要登记？", False),
    # the last clause asks, unless it is only a tag on the rest
    ("讲甲亢怎么吃的那篇文章里，甲亢的人要不要忌口海蜇？", True), ("展览共展出70件作品，对吗？", True),
    ("这次比赛有多少人参加，你知道吗？", False),
])
def test_yes_no_detection(question, expected):
    assert is_yes_no(question) is expected


@pytest.mark.slow
def test_the_nth_item_of_a_list_is_read_from_the_list_the_question_names(tmp_path):
    """"第三条要求是什么？" is answered with what follows 三是 in the list of 要求, not with the
    second item of another list in the same article."""
    from rag import build_index

    from samples import write_article

    write_article(tmp_path, "a.txt", "大使对美方提出三点要求",
                  "大使在论坛上说，当前合作的最大障碍来自于：一是互信不足，二是沟通渠道太少。"
                  "大使向美方提出要求：一是缩短负面清单，停止制裁企业。二是拉长正面清单，为互访提供便利。"
                  "三是把支持合作的人找出来，一起发声出力。")
    build_index([tmp_path / "a.txt"], tmp_path / "index", show_progress=False)
    a = answer("大使提了几条要求，第三条说的是什么？", index_dir=tmp_path / "index")
    assert "把支持合作的人找出来" in a.text.partition("\n\n")[0], a.text  # the item (or its sentence)
    assert a.citations and a.citations[0].supported
    b = answer("大使提出的第二条要求是什么？", index_dir=tmp_path / "index")
    assert "拉长正面清单" in b.text and "沟通渠道" not in b.text.partition("\n\n")[0], b.text
    c = answer("大使提出的第四条要求是什么？", index_dir=tmp_path / "index")  # there are three
    assert c.refused, c.text
