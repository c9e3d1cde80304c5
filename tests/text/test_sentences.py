"""A passage's sentences as the answer engine quotes them (`rag.text.sentences.passage_sentences`),
and question words a passage writes in another length (`in_other_length`)."""

import pytest

from rag.answering.sentence_scorer import clean_sentence
from rag.text.sentences import MAX_JOINED, in_other_length, passage_sentences
from rag.types import Hit

# one phrase per line, as articles copied from social media are written
PHRASES = ("此时\n一名被困车内的小女孩\n因呛水身体不适\n辅警康安友将她托举过肩\n在齐胸的水中\n"
           "小心翼翼将她转移到安全区域\n康安友，好样的！\n为参与救援的民警和辅警点赞！")


def hit(text: str) -> Hit:
    return Hit("d", "c", "", None, "s", text, 1.0, 0, len(text))


def test_phrase_lines_without_a_full_stop_are_one_sentence():
    h = hit(PHRASES)
    sents = passage_sentences(h)
    assert all(h.text[s.start:s.end] == s.text for s in sents)  # offsets a citation highlights
    holding = next(s for s in sents if "在齐胸的水中" in s.text)
    assert "一名被困车内的小女孩" in holding.text and "托举过肩" in holding.text
    assert len(holding.text) <= MAX_JOINED
    assert sents[-1].text == "为参与救援的民警和辅警点赞！"  # after a line that ends a sentence
    # quoted as one line, the phrases kept apart by a space rather than run together
    assert clean_sentence(holding.text).startswith("此时 一名被困车内的小女孩 因呛水身体不适")
    assert clean_sentence("展览开幕。\n共展出70件作品") == "展览开幕。共展出70件作品。"  # two sentences


def test_sentences_and_long_lines_keep_their_own_breaks():
    text = ("展览于12月22日开幕。\n共展出70件作品\n"
            "这一行很长，写的是一整句话，只是排版时没有句号，所以它自己就是一句，不与下一行合并\n下一行")
    sents = [s.text for s in passage_sentences(hit(text))]
    assert sents[0] == "展览于12月22日开幕。"  # a full stop ends a sentence
    assert sents[1] == "共展出70件作品"  # the next line is a sentence of its own (over 40 characters)
    assert sents[2].startswith("这一行很长") and sents[2].endswith("不与下一行合并")
    assert sents[-1] == "下一行"
    assert [s.text for s in passage_sentences(hit("第一句。第二句！"))] == ["第一句。", "第二句！"]


@pytest.mark.parametrize("word,text,found", [
    ("高等院校", "黑河学院与18所高校签订了协议", True),  # the long form asked, the short one written
    ("北理工", "北京理工大学工会联合首开集团", True),  # the short form asked, the long one written
    ("北航", "北京理工大学工会联合首开集团", False),
    ("签约", "黑河学院与18所高校签订了协议", False),  # another word, not another length
])
def test_a_word_written_in_another_length_is_found(word, text, found):
    assert in_other_length({word}, text, rare={word}) == ({word} if found else set())
