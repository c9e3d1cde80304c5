from rag.text.chunking import chunk_article, split_sentences
from rag.types import Article


def test_sentences_end_at_chinese_punctuation_and_keep_closing_quotes():
    text = "他说：“我很高兴。”随后离开了！真的吗？是的；好……结束"
    parts = [text[s.start:s.end] for s in split_sentences(text)]
    assert parts == ["他说：“我很高兴。”", "随后离开了！", "真的吗？", "是的；", "好……", "结束"]


def test_chunks_respect_size_overlap_and_offsets():
    sents = [f"第{i}句话讲的是一件很重要的事情，内容比较长一些。" for i in range(40)]
    text = "".join(sents)
    art = Article(key="k", text=text, title="标题")
    chunks = chunk_article(art, "d1", size=100, overlap=1)
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start:c.end] == c.text  # offsets point at the exact span
        assert len(c.text) <= 100 + len(sents[0])
        assert c.text.endswith("。")
    # one sentence of overlap between neighbours
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end and a.text.endswith(text[b.start:a.end])
    # every sentence is covered
    assert chunks[0].start == 0 and chunks[-1].end == len(text)


def test_overlong_sentence_is_cut_at_commas():
    text = "，".join(["这是一个没有句号的很长的分句"] * 60) + "。"
    chunks = chunk_article(Article(key="k", text=text), "d", size=120, overlap=0)
    assert all(len(c.text) <= 120 for c in chunks)
    assert "".join(c.text for c in chunks) == text
