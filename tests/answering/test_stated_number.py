"""A number a yes/no question states, compared with its evidence as a quantity."""

import pytest

from rag.answering.stated_number import number_holds, ordinal_holds

AID = "美国和英国分别向乌克兰提供了超过400亿美元和40亿美元的安全援助。"
PORTS = "海运航线覆盖全球160多个国家和地区的300多个港口，国际机场开通航线250余条，形成了航线网络。"


@pytest.mark.parametrize("question,evidence,verdict", [
    # the question's 300 is in the sentence, but counts ports; the routes are 250余条
    ("大连国际机场开通的航线是否超过了300条？", PORTS, False),
    ("大连国际机场开通的航线是否超过了200条？", PORTS, True),
    ("大连港的航线是否覆盖了300多个港口？", PORTS, True),
    ("比赛一共有800名选手吗？", "比赛共有596名选手参赛。", False),
    ("参赛选手超过500人吗？", "共有600余名选手参赛。", True),  # 名 counts people as 人 does
    ("营业收入利润率是否超过了10%？", "营业收入利润率为8.06%，比上年同期提高1.67个百分点。", False),
    ("工业增加值能耗累计下降了6.9%，是吗？", "工业增加值能耗累计下降6.9%。", True),
    ("观众是否超过1万人？", "展览共吸引观众1.2万人次。", True),  # magnitudes compared, not digits
    ("投资是否不到5亿元？", "项目总投资6.3亿元。", False),
    # figures given 分别: only the subject asked about counts (英国's 40亿, not 美国's 400亿)
    ("英国向乌克兰提供的援助是否超过了100亿美元？", AID, False),
    ("美国向乌克兰提供的援助是否超过了100亿美元？", AID, True),
])
def test_a_stated_quantity_is_compared_in_its_measure_word(question, evidence, verdict):
    assert number_holds(question, evidence) is verdict


@pytest.mark.parametrize("question,evidence", [
    ("明天会下雨吗？", "明天有大雨。"),  # no quantity stated
    ("航线是否超过了300条？", "大连港货物吞吐量达3亿吨。"),  # nothing counted in 条: no verdict
])
def test_no_verdict_without_quantities_to_compare(question, evidence):
    assert number_holds(question, evidence) is None


@pytest.mark.parametrize("question,evidence,verdict", [
    # small counts written in Chinese are quantities too; 统一 and 唯一 are not counts
    ("是否建立省、市、县三级监管平台？", "推动建立省、县两级农村生活污水治理监管平台。", False),
    ("是否建立省、县两级监管平台？", "推动建立省、县两级农村生活污水治理监管平台。", True),
    ("现场是否有两艘美国驱逐舰？", "当时只有一艘美国海岸警卫队的巡逻艇在现场。", False),
])
def test_counts_written_in_chinese_are_compared_as_numbers(question, evidence, verdict):
    assert number_holds(question, evidence) is verdict


def test_a_word_with_one_inside_is_no_count():
    assert number_holds("是否建立统一平台？", "建立统一监管平台，提高监管能力。") is None


@pytest.mark.parametrize("question,evidence,verdict", [
    ("这是否是特朗普卸任以来第二次面临刑事指控？", "这是特朗普自2021年卸任以来第三次面临刑事指控。", False),
    ("这是否是特朗普卸任以来第三次面临刑事指控？", "这是特朗普自2021年卸任以来第三次面临刑事指控。", True),
    ("这是否是两人6月底以来的首次通话？", "这是两人自6月底以来的首次通话。", True),
    ("中国女足是否在小组赛首轮战胜了海地队？", "小组赛D组第二轮比赛中，中国女足以1：0战胜海地队。", False),
    ("这是否是两人的第二次通话？", "两人通话约一小时。", None),  # no ordinal to compare
    ("这是第三届论坛吗？", "这是他第三次来华。", None),  # another measure word: 届 is not 次
])
def test_ordinals_are_compared_in_their_measure_word(question, evidence, verdict):
    assert ordinal_holds(question, evidence) is verdict
