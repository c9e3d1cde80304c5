"""The 是/否 verdict on a sentence: what it contradicts of the question (no model)."""

from __future__ import annotations

import pytest

from rag.answering.yes_no import verdict
from rag.types import Hit

SHOPS = "湖北咸宁市公安局温泉分局28日通报，成功打掉位于广东境内的4家洗钱金店、1家洗钱商行。"
PATROL = ("去年9月，由7艘军舰组成的中俄海军舰队也曾前往阿拉斯加阿留申群岛附近巡航，"
          "当时只有一艘美国海岸警卫队的巡逻艇在现场。")
HOSTS = "活动由共青团中央青年发展部指导，中国青年报社主办，厦门国贸凤凰国际展览有限公司承办。"


def judge(question: str, sentence: str, passage: str | None = None, title: str = "") -> tuple[bool, str]:
    text = passage or sentence
    return verdict(question, sentence, Hit("d0", "c0", title, "2023-08-01", "s", text, 1.0, 0, len(text)))


@pytest.mark.parametrize("question,sentence,yes", [
    ("洗钱金店是否位于湖北境内？", SHOPS, False),  # another place after 位于
    ("洗钱金店是否位于广东境内？", SHOPS, True),
    ("洗钱金店是否位于广东省？", SHOPS, True),  # 广东 is 广东省
    ("当时美国是否派出驱逐舰跟踪？", PATROL, False),  # only a patrol boat was there
    ("当时美国是否派出海岸警卫队的巡逻艇？", PATROL, True),
    ("活动是否由共青团中央青年发展部主办？", HOSTS, False),  # it guided the event
    ("活动是否由中国青年报社主办？", HOSTS, True),
    ("活动是否没有由中国青年报社主办？", HOSTS, False),  # a negation on one side only
    ("非洲多国代表是否出席了会议？", "非洲多国代表出席了会议。", True),  # 非洲 is no negation
    ("会议是否为期三天？", "会议为期两天，共有30国代表参加。", False),  # a count of days in Chinese
])
def test_the_verdict_follows_what_the_sentence_contradicts(question, sentence, yes):
    assert judge(question, sentence)[0] is yes


def test_an_ordinal_said_in_another_sentence_of_the_passage_decides_and_is_shown():
    first = "美国司法部特别检察官史密斯8月1日公开起诉书，前总统特朗普被提起刑事指控。"
    passage = first + "这是特朗普自2021年卸任以来第三次面临刑事指控。"
    yes, evidence = judge("这是否是特朗普卸任以来第二次面临刑事指控？", first, passage)
    assert not yes and evidence == "这是特朗普自2021年卸任以来第三次面临刑事指控。"
    assert judge("这是否是特朗普卸任以来第三次面临刑事指控？", first, passage)[0]


def test_a_figure_the_passage_states_elsewhere_is_background_not_the_claim():
    saved = "调解为企业节省诉讼费200余万元。"
    passage = "广州法院4亿元借款纠纷一日化解。" + saved
    assert judge("化解4亿元借款纠纷，是否为企业省下了200余万元诉讼费？", saved, passage)[0]
    assert not judge("化解4亿元借款纠纷，是否为企业省下了300余万元诉讼费？", saved, passage)[0]
    assert judge("化解4亿元借款纠纷，是否为企业省下了200余万元诉讼费？", saved, title="4亿元借款纠纷一日化解")[0]
