"""The role a yes/no question gives an organisation, against the one its evidence gives it."""

import pytest

from rag.answering.roles import role_holds

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
