"""A report's timestamp, dateline and bylines are no answers (`rag.answering.report_marks`)."""

import pytest

from rag.answering.report_marks import of_the_report

TEXT = ("2023-07-31 08:30:17，正文：新华社北京7月30日电（记者/刘灏）当日，武汉三镇队战胜青岛海牛队。"
        "青岛海牛队球员王建明在比赛中错失进攻机会。新华社记者 肖艺九 摄")


def span(s: str) -> tuple[int, int]:
    return TEXT.index(s), TEXT.index(s) + len(s)


@pytest.mark.parametrize("piece,question,mark", [
    ("2023-07-31", "比赛是哪天举行的？", True),  # the timestamp
    ("2023-07-31", "这篇报道是哪天发布的？", False),  # asked about the report itself
    ("新华社", "比赛在哪里举行？", True),  # the dateline's agency and place
    ("北京", "比赛在哪里举行？", True),
    ("7月30日", "比赛是哪天举行的？", True),
    ("刘灏", "谁战胜了青岛海牛队？", True),  # a byline
    ("肖艺九", "谁战胜了青岛海牛队？", True),  # a photo credit
    ("肖艺九", "这张照片的摄影记者是谁？", False),
    ("武汉三镇队", "谁战胜了青岛海牛队？", False),
    ("王建明", "哪位球员错失了进攻机会？", False),
])
def test_what_the_report_says_of_itself(piece, question, mark):
    assert of_the_report(TEXT, *span(piece), question) is mark
