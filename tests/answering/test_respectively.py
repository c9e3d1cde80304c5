"""Figures given 分别 (respectively): the one in the position of the subject asked about."""

import pytest

from rag.answering.respectively import respective

PAY = ("其中，韩国男女劳动者人均薪酬分别为4884.9万韩元（约合人民币26.73万元）和2942.7万韩元（约合人民币"
       "16.10万元），两者之间的差距达1942.2万韩元。")
GDP = "上半年，北京、上海和广州的GDP分别为2万亿元、2.2万亿元和1.4万亿元。"


def moved(text: str, figure: str, question: str) -> str:
    a = text.index(figure)
    x, y = respective(text, a, a + len(figure), question)
    return text[x:y]


@pytest.mark.parametrize("text,picked,question,answer", [
    (PAY, "4884.9万韩元", "2021年韩国女性劳动者的人均薪酬是多少韩元？", "2942.7万韩元"),  # 女 is second
    (PAY, "2942.7万韩元", "韩国男性劳动者的人均薪酬是多少？", "4884.9万韩元"),
    (PAY, "4884.9万韩元", "韩国男性劳动者的人均薪酬是多少？", "4884.9万韩元"),  # already right
    (GDP, "2万亿元", "上半年上海的GDP是多少？", "2.2万亿元"),  # the converted amounts are no figures
    (GDP, "1.4万亿元", "上半年北京的GDP是多少？", "2万亿元"),
])
def test_the_figure_of_the_subject_asked_is_taken(text, picked, question, answer):
    assert moved(text, picked, question) == answer


@pytest.mark.parametrize("text,picked,question", [
    (PAY, "4884.9万韩元", "韩国劳动者的人均薪酬是多少？"),  # no subject named: no choice made
    (GDP, "2万亿元", "北京和上海的GDP是多少？"),  # two subjects named
    ("全市共有学校120所，学生分别增长了5%。", "5%", "学生增长了多少？"),  # one subject, one figure
])
def test_nothing_moves_without_one_subject_asked(text, picked, question):
    assert moved(text, picked, question) == picked
