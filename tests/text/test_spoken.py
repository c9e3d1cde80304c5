"""Spoken words in a question put the way articles write them (fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.text.spoken import formal

CASES = [
    ("海底捞估计今年头六个月的纯利起码有多少？", "海底捞预计今年上半年的净利润至少有多少？"),
    ("营收同比涨了几个点？", "营收同比增长了多少？"),  # percentage points
    ("CPI降了几个百分点？", "CPI下降了多少？"),
    ("盾构机最后挖到哪里算完事儿？", "盾构机最后挖到哪里结束？"),
    ("让学校多跟哪些部门通气配合？", "让学校多跟哪些部门沟通配合？"),
    ("检察官给他量身定了个什么方案？", "检察官给他量身制定了什么方案？"),
    ("她后半场状态有没有回来？", "她下半场状态有没有回来？"),
    ("展览在哪儿办的？", "展览在哪里办的？"),
    ("那它啥时候结束啊？", "那它什么时候结束？"),
    ("外长叫啥名儿？", "外长叫什么名字？"),
    ("他们今年头五个月食品出口一共卖了几多钱？", "他们今年前五个月食品出口一共卖了多少钱？"),
    ("2023年头三个月营收多少", "2023年一季度营收多少"),
    ("7月6号气温是多少度呀？", "7月6日气温是多少度？"),
    ("上礼拜五发生了啥", "上周五发生了什么"),
    ("去年这时候房价咋样", "去年同期房价怎么样"),
    ("公司净赚了多少", "公司净利润多少"),
    ("那家店去年亏了多少钱", "那家店去年亏损多少"),
    ("为啥延期", "为什么延期"),
    ("7月6日是有记录以来最热的一天，真的假的？", "7月6日是有记录以来最热的一天，是真的吗？"),
    ("这消息是真的假的？", "这消息，是真的吗？"),
    ("干嘛要涨价", "为什么要涨价"),
    ("北理工工会跟哪家企业一起搞的活动？", "北理工工会跟哪家企业联合开展的活动？"),
    ("工会搞了什么活动", "工会搞了什么活动"),  # 搞 before 什么 is left alone
    ("那个小伙子到底被啥中国玩意儿迷住了？", "那个小伙子到底被什么中国东西吸引？"),
    ("警察误杀科尔那事儿，替警员辩护的局长叫啥来着？", "警察误杀科尔一事，替警员辩护的局长叫什么？"),
    ("那个比赛是啥时候办的来着？", "那个比赛是什么时候办的？"),
    ("被误杀的男子终年多大？", "被误杀的男子终年多少岁？"),  # an age
    ("这事儿是真的吗？", "这事儿是真的吗？"),  # no event before it to name
    ("展馆面积有多大？", "展馆面积有多大？"),  # a size stays a size
]


@pytest.mark.parametrize("spoken,written", CASES, ids=[c[0][:10] for c in CASES])
def test_spoken_words_become_written(spoken, written):
    assert formal(spoken) == written
    assert formal(written) == written  # once is enough: the written form is left alone


@pytest.mark.parametrize("question", [
    "《啥是佩奇》什么时候上映？",  # a title is searched as written
    "他说“咋整”是什么意思？",  # so is a quotation
    "孩子出生头六个月要注意什么",  # the first months of a life, not of a year
    "单纯利用数据",  # 纯利 only as a word
    "估计值是多少",
    "教堂每周做礼拜几次",
    "7月6号线什么时候开通？",  # line 6, not the 6th
    "房间要定期通气吗？",  # ventilation: nobody to confer with
    "他们确定了个方案", "预定了个房间",  # 定了个 inside another verb
    "展览是免费的嘛？",  # 嘛 asks yes or no here
    "这次劳动主题展览是在什么地方办的？",
])
def test_written_senses_and_quotes_are_kept(question):
    assert formal(question) == question


def test_the_public_questions_are_left_as_they_are():
    """Written questions (the first CRUD and RGB-style questions of the sample tests) pass
    through unchanged: the rewrite only touches spoken words."""
    written = ["本次展览共展出多少件作品？", "暖·2024爱心互助行动从哪天开始到哪天结束？",
               "北京市教育工会主席是谁？", "技能竞赛设置了哪几个赛道？", "2022年特斯拉交付量",
               "哪个城市发放了体育类电子消费券？", "市民可以在多少家体育场馆使用这些消费券？"]
    assert [formal(q) for q in written] == written


def test_the_benchmark_questions_are_well_formed():
    """bench/spoken.py's questions: every line complete, the answer not in the question."""
    rows = [json.loads(line) for line in
            (Path(__file__).resolve().parents[2] / "bench" / "data" / "spoken_crud.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 80 and {r["style"] for r in rows} == {"colloquial", "paraphrase"}
    for r in rows:
        assert r["answer"] and r["answer"] not in r["question"], r
