"""The role a yes/no question gives an organisation, against the one its evidence gives it."""

import pytest

from rag.answering.roles import asked_person, other_person, post_taken, role_holds

EVENT = "活动由共青团中央青年发展部指导，中国青年报社主办，厦门国贸凤凰国际展览有限公司承办。"
FORUM = "论坛由中国国家图书馆与俄罗斯国立图书馆联合主办。"


@pytest.mark.parametrize("question,evidence,verdict", [
    ("活动是否由共青团中央青年发展部主办？", EVENT, False),  # it guided the event
    ("活动是否由中国青年报社主办？", EVENT, True),
    ("活动是不是由厦门国贸凤凰国际展览有限公司承办的？", EVENT, True),
    ("中国青年报社是否是这次活动的主办方？", EVENT, True),
    ("共青团中央青年发展部是不是活动的承办单位？", EVENT, False),
    ("论坛由俄罗斯国立图书馆主办吗？", FORUM, True),  # 联合主办 is a way of hosting
    ("论坛由中国国家图书馆主办吗？", FORUM, True),  # named first, hosting with a partner
])
def test_the_role_after_the_organisation_decides(question, evidence, verdict):
    assert role_holds(question, evidence) is verdict


@pytest.mark.parametrize("question,evidence", [
    ("活动是否由北京大学主办？", EVENT),  # the organisation is not named: other checks decide
    ("活动是否在北京举行？", EVENT),  # no role asked
    ("活动是否由中国青年报社主办？", "中国青年报社记者报道了这次活动。"),  # named without a role
])
def test_no_verdict_without_a_role_to_compare(question, evidence):
    assert role_holds(question, evidence) is None


ATTACHE = "中国驻德国大使馆国防武官吴俊辉少将在招待会上致辞。"
ORDER = "印度马哈拉施特拉邦首席部长埃克纳特·欣德13日责令成立调查委员会。"


@pytest.mark.parametrize("question,evidence,other", [
    ("在招待会上致辞的国防武官是不是吴恳？", ATTACHE, True),  # another person did it
    ("在招待会上致辞的国防武官是不是吴俊辉？", ATTACHE, False),
    ("下令成立调查委员会的，是不是该邦卫生部长萨万特？", ORDER, True),  # a foreign name with ·
    ("下令成立调查委员会的是否是欣德？", ORDER, False),
    ("在招待会上致辞的是不是吴恳？", "国防武官在招待会上致辞。", False),  # nobody else named
    ("活动是否由中国青年报社主办？", "活动由中国青年报社主办。", False),  # no person asked
    ("致辞的是不是吴恳？", "中新社柏林7月27日电(记者马秀秀)大使馆举行招待会。", False),  # the reporter
])
def test_another_person_named_for_the_act(question, evidence, other):
    assert other_person(question, evidence) is other


def test_a_name_jieba_cuts_into_a_surname_and_a_word_is_still_the_person_asked():
    assert asked_person("会上讲话的团北京市委书记是孙新军吗？") == "孙新军"  # 孙/nr + 新军
    assert asked_person("会议是不是在孙中山故居举行？") is None
    assert other_person("会上讲话的团北京市委书记是孙新军吗？", "会上，团北京市委书记郑晓博表示，青联要强化政治引领。")


APPOINTED = "任命李莉荣为武汉市中级人民法院审判监督庭庭长，免去其武汉市中级人民法院行政审判庭庭长职务。"


@pytest.mark.parametrize("question,taken", [
    ("李莉荣是否被任命为武汉市中级人民法院行政审判庭庭长？", True),  # named only where it is taken away
    ("李莉荣是否被任命为武汉市中级人民法院审判监督庭庭长？", False),
    ("李莉荣是否出席了会议？", False),  # no post asked
])
def test_a_post_named_only_where_it_is_taken_away(question, taken):
    assert post_taken(question, APPOINTED) is taken
