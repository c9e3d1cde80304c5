"""The 是/否 verdict on a sentence: what it contradicts of the question (no model)."""

from __future__ import annotations

import pytest

from rag.answering.yes_no import claim_terms, verdict
from rag.types import Hit

SHOPS = "湖北咸宁市公安局温泉分局28日通报，成功打掉位于广东境内的4家洗钱金店、1家洗钱商行。"
PATROL = ("去年9月，由7艘军舰组成的中俄海军舰队也曾前往阿拉斯加阿留申群岛附近巡航，"
          "当时只有一艘美国海岸警卫队的巡逻艇在现场。")
HOSTS = "活动由共青团中央青年发展部指导，中国青年报社主办，厦门国贸凤凰国际展览有限公司承办。"
PARCEL = "据韩媒报道，该国蔚山市一家残疾人福利设施本月20日首次举报收到疑似含有毒气体的包裹。"
DEVICES = ("余承东说，回顾去年，华为发布鸿蒙3，一年之后，鸿蒙4正式发布，他透露，截至目前，"
           "鸿蒙生态设备已达7亿台。")

SEATS = "据此前报道，远进党在5月14日举行的国会下议院选举中获得席位最多，为泰党次之，泰自豪党排名第三。"
LEAD = "围绕企业诉求，由司法分局牵头，推行“浙丽经开法治管家”政企衔接法治百人团。"
PROFIT = "初步统计，上半年，商业银行累计实现净利润1.3万亿元，同比增长2.6%，增速较去年同期下降4.5个百分点。"
EVENTS = "其中，余宗达将参加男子100米蛙泳，李贺将参加女子4×100米接力赛，黄华锋的参赛项目为男子三级跳远。"
MEDALS = "王宗源2021年东京奥运会斩获男子3米板双人金牌、单人银牌。"


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
    ("国防部是否表示已向日方提出严正交涉？",  # 谭克非 is a name, no negation
     "国防部新闻发言人谭克非就日本防卫白皮书表示，已向日方提出严正交涉。", True),
    ("厂商是否计划扩大产能？", "厂商计划未来三年扩大产能。", True),  # 未来 negates nothing
    ("厂商是否计划扩大产能？", "厂商并未计划扩大产能。", False),
    ("投资增速是否低于全国工业投资？", "投资增长12.4%，较全国工业投资高3.5个百分点。", False),  # the other way
    ("投资增速是否高于全国工业投资？", "投资增长12.4%，较全国工业投资高3.5个百分点。", True),
    ("致辞的国防武官是不是吴恳？", "国防武官吴俊辉少将在招待会上致辞。", False),  # another person
    ("自由派大法官是否占多数？", "9名大法官中，有6名保守派大法官，3名自由派大法官。", False),  # 3 of 9
    ("保守派大法官是否占多数？", "9名大法官中，有6名保守派大法官，3名自由派大法官。", True),
    ("最早举报的是首尔市一家残疾人福利设施吗？", PARCEL, False),  # another city before the same words
    ("最早举报的是蔚山市一家残疾人福利设施吗？", PARCEL, True),
    ("活动是否在社区服务中心举行？", "活动在街道社区服务中心举行。", True),  # 社区 ranks no place
    ("2023年大会上是否称鸿蒙生态设备已达7亿台？", DEVICES, True),  # 截至目前 dates it, not 去年
    ("2023年该公司营收是否达100亿元？", "2022年，该公司营收达100亿元，同比增长8%。", False),
    ("今年7月6日是否成了有记录以来最热的一天？",  # the record broken dates nothing
     "全球平均地表气温于2023年7月6日达到单日最高值，刷新2016年8月13日的最高纪录，这一天因此成为有记录以来最热的一天。",
     True),
    ("物业经理德奥利维拉8月15日在联邦法院出庭，是他第一次出庭吗？",  # the last clause of the claim dates it
     "新起诉书还将海湖庄园的物业经理卡洛斯·德奥利维拉列为被告，其将于31日在迈阿密出庭。", False),
    ("法治百人团是由政务服务与大数据中心牵头推行的吗？", LEAD, False),  # another body leads
    ("法治百人团是由司法分局牵头推行的吗？", LEAD, True),
    ("白俄罗斯军方承认了这次越境吗？", "白俄罗斯军方否认有任何此类的领空侵犯行为。", False),
    ("上半年商业银行净利润同比增长了2.6%吗？", PROFIT, True),  # 去年同期 is compared with, not when
    ("李贺参加的是男子三级跳远吗？", EVENTS, False),  # said of 黄华锋
    ("黄华锋参加的是男子三级跳远吗？", EVENTS, True),
    ("查旦湿地是长江源区第二大的沼泽湿地吗？", "查旦湿地是长江源区最大的沼泽湿地，平均海拔超过4500米。", False),
    ("获得席位最多的是为泰党吗？", SEATS, False),  # the first place is another party's
    ("获得席位最多的是远进党吗？", SEATS, True),
    ("男子3米板单人项目上拿的是金牌吗？", MEDALS, False),  # 金牌 goes with 双人
    ("男子3米板双人项目上拿的是金牌吗？", MEDALS, True),
    ("男子3米板单人项目上拿的是银牌吗？", MEDALS, True),
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


def test_a_name_the_rest_of_the_article_gives_or_abbreviates_is_no_contradiction():
    said = "中方呼吁避免采取任何可能危及扎波罗热核电站的行为。"
    question = "中方在安理会审议乌克兰问题时，是否呼吁避免危及扎波罗热核电站的行为？"
    assert not judge(question, said)[0]  # 安理会 named nowhere: not this event
    hit = Hit("d0", "c0", "", "2023-07-27", "s", said, 1.0, 0, len(said))
    assert verdict(question, said, hit, "联合国安全理事会26日审议乌克兰问题。")[0]  # abbreviated
    assert verdict(question, said, hit, "安理会26日审议乌克兰问题。")[0]


def test_an_ordinal_that_only_sets_the_scene_is_not_shown_over_the_deciding_sentence():
    scene = "7月31日，东城区青年联合会召开第七届委员会第一次全体会议。"
    speaker = "会上，团北京市委书记郑晓博表示，东城青联要强化政治引领。"
    question = "东城青联第七届委员会第一次全体会议上讲话的团北京市委书记是孙新军吗？"
    assert judge(question, speaker, scene + speaker) == (False, speaker)


def test_an_undated_passages_other_years_do_not_date_the_claim():
    """A passage with no date whose other sentences name 2022: the claim's sentence names no year,
    so "2023年7月27日的发布会…吗" is not contradicted by another year."""
    text = "2022年，商业银行净利润增长7.1%。初步统计，上半年，商业银行累计实现净利润1.3万亿元，同比增长2.6%。"
    sentence = "初步统计，上半年，商业银行累计实现净利润1.3万亿元，同比增长2.6%。"
    hit = Hit("d0", "c0", "", None, "s", text, 1.0, 0, len(text))
    assert verdict("据2023年7月27日的发布会，上半年商业银行净利润同比增长了2.6%吗？", sentence, hit)[0]
    dated = Hit("d0", "c0", "", "2022-07-28", "s", text, 1.0, 0, len(text))
    assert not verdict("据2023年7月27日的发布会，上半年商业银行净利润同比增长了2.6%吗？", sentence, dated)[0]


def test_the_claim_of_a_question_without_shifou_is_its_last_clause():
    assert claim_terms("波兰指责白俄罗斯军用直升机侵犯领空后，白俄罗斯军方承认了这次越境吗？") >= {"承认", "越境"}
    assert "波兰" not in claim_terms("波兰指责白俄罗斯军用直升机侵犯领空后，白俄罗斯军方承认了这次越境吗？")
    assert claim_terms("华中科技大学的李贺参加的是男子三级跳远吗？") == set()  # one clause: no scene to leave out
    assert "华中" not in claim_terms("在成都，华中科技大学的李贺参加的是男子三级跳远吗？")  # counted once, whole
