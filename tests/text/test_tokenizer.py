from rag.text.tokenizer import tokenize


def test_question_words_and_punctuation_are_dropped():
    toks = tokenize("本次展览共展出多少件作品？")
    assert "多少" not in toks and "？" not in toks
    assert {"展览", "展出", "作品"} <= set(toks)


def test_search_mode_splits_compounds_and_keeps_numbers_and_latin():
    toks = tokenize("北京市总工会举办GPT-4o讲座，共计596名选手，投入3.5亿元")
    assert {"北京", "北京市", "总工会", "北京市总工会"} <= set(toks)
    assert {"gpt", "4o", "596", "3.5"} <= set(toks)


def test_on_demand_lexicon_cuts_exactly_like_the_full_dictionary():
    """jieba on the bucketed lexicon (rag.text.jieba_lexicon) gives the same cuts and
    part-of-speech tags as jieba with its whole dictionary loaded."""
    import jieba
    import jieba.posseg as pseg

    from conftest import SAMPLE
    from rag.text.jieba_lexicon import Lexicon

    tokenize("预热")  # installs the lexicon (made once) into jieba's default tokenizer
    assert isinstance(jieba.dt.FREQ, Lexicon)
    assert pseg.dt.word_tag_tab is jieba.dt.FREQ.tags  # posseg did not parse dict.txt
    full = jieba.Tokenizer()
    full.initialize()
    assert isinstance(full.FREQ, dict) and full.total == jieba.dt.total
    full_pos = pseg.POSTokenizer(full)  # parses dict.txt for the tags, as jieba does
    texts = SAMPLE.read_text("utf-8").splitlines() + [
        "本次展览共展出多少件作品？", "北京市总工会举办GPT-4o讲座，共计596名选手，投入3.5亿元",
        "温暖基金会爱心互助行动的时间是什么时候？", "张良一边观看展览，一边与同行的劳模代表亲切交谈。"]
    texts = [t for t in texts if t.strip()]
    assert len(texts) > 20
    for text in texts:
        assert list(jieba.cut_for_search(text)) == list(full.cut_for_search(text)), text
        assert list(jieba.cut(text, HMM=False)) == list(full.cut(text, HMM=False)), text
        assert [tuple(p) for p in pseg.cut(text)] == [tuple(p) for p in full_pos.cut(text)], text


def test_the_first_cut_anywhere_starts_jieba_on_the_lexicon(tmp_path):
    """A fresh process whose first cut is an answering rule's (not a search) (a name's tags, a word's
    frequency) still gives jieba the on-demand lexicon: every module cuts through rag.text.tokenizer."""
    import os
    import subprocess
    import sys

    probe = ("import jieba\n"
             "from rag.answering.answer_type import frequency\n"
             "from rag.text.sentences import names\n"
             "names('张良一边观看展览，一边与劳模代表交谈。')\n"
             "frequency('武汉')\n"
             "print(type(jieba.dt.FREQ).__name__)\n")
    env = dict(os.environ, NEWSRAG_CACHE=str(tmp_path))  # no lexicon made yet
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["Lexicon"]
    assert list((tmp_path / "jieba").glob("lexicon-*.bin"))


def test_bigrams_find_a_name_however_jieba_cut_it():
    """毛军发: jieba cuts the sentence 毛军 / 发出 (the name is gone from its words),
    the bigrams still hold 毛军 and 军发, which the question's bigrams look up."""
    from rag.text.tokenizer import char_bigrams, document_terms, query_terms

    sentence = "上海交通大学教授毛军发出席会议"
    words = tokenize(sentence)
    assert "军发" not in words
    doc = document_terms(" ".join(words), "毛军发当选院士", sentence)
    question = query_terms("毛军发是哪所大学的教授？")
    assert {"毛军", "军发"} <= set(doc) & set(question)
    assert char_bigrams("在2024年,GDP增长5.2%") == ["在", "2024", "年", "gdp", "增长", "5.2"]


def test_question_words_give_no_bigrams():
    """多少 / 什么 / 哪些 say nothing about a passage: no bigram of them is looked up."""
    from rag.text.tokenizer import query_terms

    terms = query_terms("展览共展出多少件作品？")
    assert "多少" not in terms and "少件" not in terms and "出多" not in terms
    assert {"展览", "作品", "展出"} <= set(terms)
