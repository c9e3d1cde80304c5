"""Follow-up questions and relative dates: rules, then end to end on real indexes."""

from __future__ import annotations

import pytest

from rag.answering.followup import is_followup, normalize_history, rewrite_rules

TRAINING_TURN = ("八里庄街道基层工会干部培训班什么时候开班？",
                 "近日，朝阳区八里庄街道基层工会干部培训班开班。[1]")
RIDER_TURN = ("展览开放日上美团外卖骑手说了什么？",
              "来自美团外卖骑手高丰站在自己的塑像旁激动地说：“感谢作者将这个作品做得这么惟妙惟肖。”[1]")


def test_history_accepts_pairs_and_gradio_messages():
    pairs = [TRAINING_TURN]
    messages = [
        {"role": "user", "content": TRAINING_TURN[0]},
        {"role": "assistant", "content": [{"type": "text", "text": TRAINING_TURN[1]}]},
    ]
    assert normalize_history(pairs) == normalize_history(messages) == [TRAINING_TURN]
    assert normalize_history(None) == []
    with pytest.raises(ValueError, match="history"):
        normalize_history(["just a string"])


def test_followup_detection():
    assert is_followup("那这次培训有多少人参加？")
    assert is_followup("他还说了什么？")
    assert is_followup("还有呢？")
    assert not is_followup("北京工商大学教职工之家有多大？")


def test_elliptical_question_carries_the_topic():
    q = rewrite_rules("那这次培训有多少人参加？", [TRAINING_TURN])
    assert "八里庄街道基层工会干部培训班" in q and "多少人参加" in q
    assert "这次" not in q and not q.startswith("那")


def test_pronoun_becomes_the_person_of_the_previous_answer():
    q = rewrite_rules("他还说了什么？", [RIDER_TURN])
    assert "高丰还说了什么" in q and "他" not in q


def test_standalone_question_is_left_alone():
    q = "海淀工匠杯竞赛共有多少名选手参赛？"
    assert rewrite_rules(q, [TRAINING_TURN]) == q
    assert rewrite_rules("那这次培训有多少人参加？", []) == "那这次培训有多少人参加？"


def test_chained_followups_keep_the_original_topic():
    history = [TRAINING_TURN, ("培训内容有哪些？", "培训内容包括《工会法理与实务》等方面内容。[1]")]
    q = rewrite_rules("那这次有多少人参加？", history)
    assert "八里庄" in q and "参加" in q


@pytest.mark.slow
def test_followup_end_to_end_finds_the_participants(loaded_index):
    from rag.answering.pipeline import answer

    a = answer("那这次培训有多少人参加？", index=loaded_index, history=[TRAINING_TURN])
    assert "八里庄" in a.query and a.question == "那这次培训有多少人参加？"
    assert not a.refused and "100余名" in a.text
    assert "八里庄" in a.citations[0].hit.title and a.citations[0].supported


@pytest.mark.slow
def test_followup_with_gradio_messages_and_pronoun(loaded_index):
    from rag.answering.pipeline import answer

    history = [{"role": "user", "content": RIDER_TURN[0]},
               {"role": "assistant", "content": RIDER_TURN[1]}]
    a = answer("他还说了什么？", index=loaded_index, history=history)
    assert "高丰" in a.query and not a.refused
    assert any("劳动颂" in c.hit.title for c in a.citations)


@pytest.mark.slow
def test_relative_date_resolves_against_as_of(tmp_path):
    """"昨天" is the day before the question's date; a date after the archive is said plainly."""
    from rag import build_index
    from rag.answering.pipeline import answer

    (tmp_path / "a.txt").write_text(
        "市图书馆举办古籍修复展\n\n本报讯 12月27日，市图书馆举办古籍修复展，共展出古籍36册。\n",
        encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index([tmp_path / "a.txt"], index_dir, date="2023-12-28", show_progress=False)
    a = answer("昨天图书馆展出了多少册古籍？", index_dir=index_dir, as_of="2023-12-28")
    assert a.query == "2023年12月27日图书馆展出了多少册古籍？"
    assert not a.refused and "36册" in a.text
    later = answer("昨天图书馆展出了多少册古籍？", index_dir=index_dir)  # today: after the archive
    assert later.refused and "已收录的新闻截至 2023-12-28" in later.text


def test_history_nested_without_end_is_read_without_exhausting_the_stack():
    deep = "深"
    for _ in range(5000):
        deep = [deep]
    pairs = normalize_history([{"role": "user", "content": [{"type": "text", "text": "展览在哪里？"}]},
                               {"role": "assistant", "content": deep}])
    assert pairs == [("展览在哪里？", "")]
