from rag.tokenizer import tokenize


def test_question_words_and_punctuation_are_dropped():
    toks = tokenize("本次展览共展出多少件作品？")
    assert "多少" not in toks and "？" not in toks
    assert {"展览", "展出", "作品"} <= set(toks)


def test_search_mode_splits_compounds_and_keeps_numbers_and_latin():
    toks = tokenize("北京市总工会举办GPT-4o讲座，共计596名选手，投入3.5亿元")
    assert {"北京", "北京市", "总工会", "北京市总工会"} <= set(toks)
    assert {"gpt", "4o", "596", "3.5"} <= set(toks)
