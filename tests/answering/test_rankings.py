"""A first place held by another, and a grade that goes with another event (`rag.answering.rankings`)."""

from rag.answering.rankings import other_grade, other_holder, other_partner, other_rank

SEATS = "远进党在5月14日举行的国会下议院选举中获得席位最多，为泰党次之，泰自豪党排名第三。"


def test_the_first_place_is_read_from_the_clause_that_says_it():
    assert other_holder("获得席位最多的是为泰党吗？", SEATS)
    assert not other_holder("获得席位最多的是远进党吗？", SEATS)
    assert not other_holder("获得席位最多的是民主党吗？", SEATS)  # not named: other checks decide
    assert not other_holder("远进党是否获得席位？", SEATS)  # no first place asked


def test_a_grade_goes_with_the_event_right_before_it():
    medals = "斩获男子3米板双人金牌、单人银牌。"
    assert other_grade("男子3米板单人项目拿的是金牌吗？", medals)
    assert not other_grade("男子3米板双人项目拿的是金牌吗？", medals)
    assert not other_grade("男子3米板单人项目拿的是银牌吗？", medals)
    assert not other_grade("他在东京奥运会上拿的是金牌吗？", medals)  # no event asked: no verdict
    assert other_grade("她在团体赛中获得冠军吗？", "她获得团体赛亚军和个人赛冠军。")


def test_what_is_claimed_of_a_person_is_said_of_another():
    events = "其中，余宗达将参加男子100米蛙泳，李贺将参加女子4×100米接力赛，黄华锋的参赛项目为男子三级跳远。"
    assert other_partner("李贺参加的是男子三级跳远吗？", events)
    assert not other_partner("黄华锋参加的是男子三级跳远吗？", events)  # 参赛 says 参加: acts are not compared
    assert not other_partner("李贺参加的是女子4×100米接力赛吗？", events)
    assert not other_partner("李贺参加的是男子跳高吗？", events)  # said of nobody: other checks decide


def test_another_rank_of_the_same_thing():
    assert other_rank("是长江源区第二大的沼泽湿地吗？", "查旦湿地是长江源区最大的沼泽湿地。")
    assert other_rank("是第二大的沼泽湿地吗？", "它是第三大的沼泽湿地。")
    assert not other_rank("是第二大的沼泽湿地吗？", "它是第二大的沼泽湿地。")
    assert not other_rank("是第二大的沼泽湿地吗？", "它是最大的城市之一。")  # not the same thing
