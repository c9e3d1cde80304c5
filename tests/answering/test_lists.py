"""Every item when a list is asked (`rag.answering.lists`; no model)."""

from __future__ import annotations

from rag.answering.lists import LIST_SLACK, asked_head, items_across, named_list, whole_item
from rag.answering.span_ranker import Candidate
from rag.types import Hit


def test_list_items_named_in_separate_sentences_of_one_article_are_joined():
    def hit(doc: str, start: int) -> Hit:
        return Hit(doc, f"{doc}{start}", "", None, "s", "…", 1.0, start, start + 100)

    def cand(short: str, passage: int, ok: float = 1.0) -> Candidate:
        return Candidate(short, f"在{short}求学。", passage, 0, len(short), {"type_ok": ok})

    hits = [hit("a", 300), hit("b", 0), hit("a", 0)]
    found = [(cand("英国布里斯托大学", 0), 0.3), (cand("美国西点军校", 2), 0.1),
             (cand("哈佛大学", 1), 0.2),  # another article
             (cand("学位", 2, ok=0.0), 0.2),  # another kind
             (cand("布里斯托大学", 2), 0.2),  # the same item again
             (cand("纽约大学", 2), 0.3 - LIST_SLACK - 0.1)]  # too far below the best
    assert [c.short for c in items_across(found, hits)] == ["美国西点军校", "英国布里斯托大学"]  # article order
    clause = cand("武汉三镇队主场以1比0战胜青岛海牛队", 0)  # a clause is no item to join others to
    assert items_across([(clause, 0.3), (cand("马尔康", 2), 0.3)], hits) == [clause]


def test_a_clause_cut_short_is_no_list_item():
    """Items joined across sentences are items: not a piece of a clause ending on a verb
    ("满足没有直达车、或者有"), while a name jieba cuts apart (黄溪/连) still is one."""
    assert not whole_item("满足没有直达车、或者有") and not whole_item("为满足旅客出行需求而有")
    assert whole_item("中转换乘服务") and whole_item("候补购票功能") and whole_item("黄溪连")


def test_what_a_list_is_asked_of():
    assert asked_head("支教队给孩子们开了哪些兴趣课程？") == "兴趣课程"
    assert asked_head("有哪些研究团队或企业参与？") == "研究团队"
    assert asked_head("她原本要去的是哪几个国家？") is None  # too general to single a sentence out
    assert asked_head("展览在哪里举办？") is None


def test_a_sentence_naming_what_is_asked_gives_its_enumeration():
    """"国防教育课、…、科学实验课……两周时间，支教队组织开展了一系列兴趣课程": the enumeration
    trails off, and the next sentence says what it lists."""
    text = ("刚一落脚，村委会就送来了物资。国防教育课、消防“坝坝课”、非遗课堂、田野思政课、科学实验课……"
            "两周时间，支教队组织开展了一系列兴趣课程。队员们还走访了村里的老人、孩子和留守妇女。")
    hit = Hit("d0", "c0", "", "2023-08-12", "s", text, 1.0, 0, len(text))
    other = Hit("d1", "c1", "", "2023-08-12", "s", "兴趣课程包括音乐课、黏土课。", 1.0, 0, 15)
    items, sentence, no = named_list("支教队给孩子们开了哪些兴趣课程？", [other, hit], "d0")
    assert items == "国防教育课、消防“坝坝课”、非遗课堂、田野思政课、科学实验课" and no == 1
    assert sentence.endswith("一系列兴趣课程。")
    assert named_list("支教队走访了哪些村民群体？", [hit], "d0") is None  # no sentence names it
    assert named_list("支教队给孩子们开了哪些兴趣课程？", [other], "d0") is None  # another article
