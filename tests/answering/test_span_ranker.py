"""The answer candidates' features and the shipped ranker, with hand-built hits and the real
reader (fast tier: no embedding model)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from sample_passages import passage

from rag.answering.reader import Span, get_reader
from rag.answering.span_ranker import (FEATURES, RULES, Candidate, Ranker, candidates,
                                       get_ranker, reader_input)
from rag.errors import NewsragError
from rag.types import Hit


def cands(question: str, hits: list[Hit]) -> list[Candidate]:
    spans = get_reader().spans(question, [reader_input(h) for h in hits], per_passage=3)
    return candidates(question, hits, spans)


def test_every_candidate_has_every_feature_and_its_evidence_holds_the_answer():
    hits = [passage("2023年12月22日"), passage("本次展览共展出70件作品")]
    found = cands("本次展览共展出多少件作品？", hits)
    assert found and all(set(c.features) == set(FEATURES) | set(RULES) for c in found)
    best = max(found, key=lambda c: get_ranker().score(c.features))
    assert best.short == "70件" and best.passage == 1
    assert best.short in best.evidence and hits[1].text[best.start:best.end] == "70件"
    assert best.features["type_ok"] == 1.0 and best.features["type_miss"] == 0.0


def test_evidence_lacking_the_names_and_rare_words_asked_is_marked():
    question = "海淀区的技能竞赛共有多少名选手参加？"
    found = cands(question, [passage("本次展览共展出70件作品"), passage("596名选手")])
    on_topic = next(c for c in found if c.passage == 1)
    off_topic = next(c for c in found if c.passage == 0)
    assert on_topic.features["name_missing"] == 0.0  # 海淀区 is in the contest report
    assert off_topic.features["name_missing"] == 1.0
    # rare words weigh more than common ones: the share of the weight missing exceeds the
    # share of the words missing when the rare ones (海淀区, 技能竞赛) are the ones absent
    assert off_topic.features["passage_missing_idf"] >= off_topic.features["passage_missing"] - 0.05
    assert on_topic.features["passage_missing_idf"] < off_topic.features["passage_missing_idf"]


def test_the_same_answer_in_two_passages_counts_as_agreement():
    exhibition = passage("本次展览共展出70件作品")
    copy = replace(exhibition, doc_id="copy", chunk_id="copy-0", score=0.9)
    found = cands("本次展览共展出多少件作品？", [exhibition, copy, passage("2023年12月22日")])
    seventy = [c for c in found if c.short == "70件"]
    assert {c.passage for c in seventy} == {0, 1}
    assert all(c.features["agree"] == 1.0 for c in seventy)
    assert all(c.features["agree"] == 0.0 for c in found if c.passage == 2)


def test_a_span_of_the_wrong_type_is_marked():
    hits = [passage("本次展览共展出70件作品")]
    seventy = next(c for c in cands("本次展览共展出多少件作品？", hits) if c.short == "70件")
    head = len(reader_input(hits[0])) - len(hits[0].text)
    span = Span(0, head + seventy.start, head + seventy.end, "70件", 1.0)
    (who,) = candidates("谁参观了本次展览？", hits, [span])
    assert who.short == "70件" and who.features["type_miss"] == 1.0


def test_an_organiser_is_no_place():
    """由X联合Y举办的展览: X and Y held it; asked where, they are the wrong type even though
    the span holds place words (市, 学院)."""
    text = "由北京市总工会联合中央美术学院举办的展览在中央美术学院校史馆西厅举行。"
    who, where = "北京市总工会联合中央美术学院", "中央美术学院校史馆西厅"
    hit = replace(passage("本次展览共展出70件作品"), text=text)
    head = len(reader_input(hit)) - len(text)
    spans = [Span(0, head + text.index(s), head + text.index(s) + len(s), s, 1.0) for s in (who, where)]
    found = {c.short: c.features for c in candidates("展览是在哪里办的？", [hit], spans)}
    assert found[who]["type_miss"] == 1.0 and found[where]["type_ok"] == 1.0
    # the same span in "在北京市…举办" is where it was held: no organiser there
    text2 = text.replace("由", "在")
    hit2 = replace(hit, text=text2)
    (near, _) = candidates("展览是在哪里办的？", [hit2], spans)
    assert near.short == who and near.features["type_ok"] == 1.0


def test_the_ranker_prefers_covered_evidence_and_refuses_what_misses_the_question():
    ranker = get_ranker()
    base = dict.fromkeys(FEATURES, 0.0) | {"margin": 5.0, "short_len": 1.5}
    good = Candidate("70件", "…", 0, 0, 3, base)
    missing = ("passage_missing", "sentence_missing", "passage_missing_idf",
               "sentence_missing_idf", "name_missing")
    off_topic = Candidate("70件", "…", 0, 0, 3, base | dict.fromkeys(missing, 1.0))
    wrong_type = Candidate("70件", "…", 0, 0, 3, base | {"type_miss": 1.0})
    assert ranker.score(good.features) > ranker.score(wrong_type.features)
    assert ranker.score(good.features) > ranker.score(off_topic.features)
    assert ranker.score(off_topic.features) < ranker.threshold
    assert ranker.meta["features"] == list(FEATURES)
    unit = Candidate("70件", "…", 0, 0, 3, base | {"type_miss": 1.0, "unit_miss": 1.0})  # "多少幅" → 70件
    assert ranker.score(unit.features) < ranker.threshold < ranker.score(good.features)


def test_damaged_weights_give_a_clear_error(tmp_path):
    bad = tmp_path / "ranker.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(NewsragError, match="ranker.json.*reinstall"):
        Ranker(bad)
    bad.write_text(json.dumps(get_ranker().meta), "utf-8")
    assert Ranker(bad).threshold == get_ranker().threshold


def test_the_idf_table_read_from_its_file_is_jiebas_own():
    """The table is parsed directly (no ``jieba.analyse`` import at answer time); the
    ranker's weights were fitted on jieba's loader, so both must agree exactly."""
    from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

    from rag.answering.span_ranker import _idf_table, warm_up

    warm_up()
    table, median = _idf_table()
    jieba_own = IDFLoader(DEFAULT_IDF)
    assert table == jieba_own.idf_freq and median == jieba_own.median_idf


def test_evidence_about_another_day_than_asked_is_marked():
    """`other_time` reaches the ranker: the same report from another day is marked, the
    asked day's is not (hand-built spans, so only the wiring is under test)."""
    texts = ["2024年8月10日，中国选手在拳击决赛中夺得金牌。", "2024年8月2日，中国选手在羽毛球混双决赛中夺得金牌。"]
    hits = [Hit(f"d{i}", f"c{i}", "", "2024-08-11", "s", t, 1.0, 0, len(t)) for i, t in enumerate(texts)]
    spans = [Span(i, t.index("在") + 1, t.index("中夺"), t[t.index("在") + 1:t.index("中夺")], 5.0)
             for i, t in enumerate(texts)]
    found = {c.passage: c for c in candidates("2024年8月2日在哪场比赛中中国选手夺得金牌？", hits, spans)}
    assert found[0].short == "拳击决赛" and found[0].features["other_time"] == 1.0
    assert found[1].short == "羽毛球混双决赛" and found[1].features["other_time"] == 0.0



def test_an_abbreviation_the_passage_writes_in_full_is_not_missing():
    hit = passage("北京理工大学工会联合首开集团")
    ours, other = (cands(q, [hit]) for q in ("北理工工会跟哪家企业一起开展的活动？",
                                              "北航工会跟哪家企业一起开展的活动？"))
    assert ours and other
    # 北理工 is found as 北京理工大学; 北航 (another university) is not
    assert ours[0].features["passage_missing_idf"] < other[0].features["passage_missing_idf"] - 0.1
    best = max(ours, key=lambda c: get_ranker().score(c.features))
    assert best.short == "首开集团"  # the partner, not the union the question names


def test_the_questions_own_words_in_the_wrong_kind_are_marked_and_a_year_is_named_by_the_date():
    """"日本《读卖新闻》" for a question about 读卖新闻's poll asking a percentage: echo_miss; a
    year the question names is found in a chunk that only its date gives (hand-built spans)."""
    text = "据日本《读卖新闻》报道，岸田内阁的不支持率升至52%。"
    hits = [Hit("d0", "c0", "", "2023-07-25", "s", text, 1.0, 0, len(text))]
    spans = [Span(0, text.index(s), text.index(s) + len(s), s, 5.0) for s in ("日本《读卖新闻》", "52%")]
    found = {c.short: c.features for c in candidates("2023年读卖新闻民调里岸田内阁的不支持率是多少？", hits, spans)}
    assert found["日本《读卖新闻》"]["echo_miss"] == 1.0 and found["52%"]["echo_miss"] == 0.0
    assert found["52%"]["name_missing"] == 0.0  # 2023 is the article's year
    score = get_ranker().score
    assert score(found["52%"]) > score(found["日本《读卖新闻》"])


@pytest.mark.parametrize("span,tidied", [
    ("31日在", "31日"),  # the next clause's preposition
    ("“海马斯”火箭炮系统的", "“海马斯”火箭炮系统"),  # a dangling 的
    ("3319对", "3319对"),  # 对 counts pairs here
    ("广州市海珠区人民法院，", "广州市海珠区人民法院"),
    ("“冰丝带", "冰丝带"),  # an opening quote left unmatched
])
def test_a_short_answer_is_tidied(span, tidied):
    from rag.answering.span_ranker import tidy

    assert tidy(span) == tidied


def test_the_timestamp_an_article_opens_with_is_no_answer_to_when_things_happened():
    text = "2023-08-07 15:13:55，正文：美国前情报官员在采访中称乌克兰为“脏水坑”。"
    hits = [Hit("d0", "c0", "", "2023-08-07", "s", text, 1.0, 0, len(text))]
    stamp = Span(0, 0, 10, "2023-08-07", 5.0)
    assert candidates("那期采访是哪一天播出的？", hits, [stamp]) == []
    assert [c.short for c in candidates("这篇报道是哪一天发布的？", hits, [stamp])] == ["2023-08-07"]


def test_a_dateline_is_no_answer_to_when_things_happened():
    text = "中新网7月29日电据国防部网站消息，国防部新闻发言人就日本政府通过防卫白皮书答记者问。"
    hits = [Hit("d0", "c0", "", "2023-07-29", "s", text, 1.0, 0, len(text))]
    dateline = Span(0, 0, 9, "中新网7月29日电", 5.0)
    assert candidates("日本政府是在哪一天的内阁会议上通过防卫白皮书的？", hits, [dateline]) == []
    assert candidates("这篇报道是哪一天发布的？", hits, [dateline]) != []


def test_asked_a_day_the_one_day_of_a_spans_sentence_is_a_candidate_too():
    """The reader found the sentence but spanned its topic: the day it states is offered before
    it, with its margin; a sentence with two days, or a question asking no day, adds nothing."""
    text = ("据证监会18日消息，7月24日中央政治局会议对资本市场工作作出重要部署。"
            "8月1日和8月3日，两家交易所先后发布通知。")
    hits = [Hit("d0", "c0", "", "2023-08-18", "s", text, 1.0, 0, len(text))]

    def span(s: str) -> Span:
        return Span(0, text.index(s), text.index(s) + len(s), s, 2.0)

    topic, notices = span("资本市场工作"), span("两家交易所")
    day = candidates("那个会议是哪天开的？", hits, [topic, notices])
    assert [c.short for c in day] == ["7月24日", "资本市场工作", "两家交易所"]
    assert day[0].features["margin"] == 2.0 and day[0].features["type_ok"] == 1.0
    assert [c.short for c in candidates("会议对什么工作作出部署？", hits, [topic])] == ["资本市场工作"]


def test_asked_a_day_a_long_span_holding_one_gives_that_date_too():
    """The reader spanned a date with half a sentence around it: the date is offered before it;
    a span that is its date or little more adds nothing."""
    text = "经中美双方商定，美国总统气候问题特使克里于7月16日至19日访华。中国气候变化事务特使解振华与克里会谈。"
    hits = [Hit("d0", "c0", "", "2023-07-21", "s", text, 1.0, 0, len(text))]
    long = "克里于7月16日至19日访华。中国气候变化事务特使解振华"
    span = Span(0, text.index(long), text.index(long) + len(long), long, -1.0)
    found = candidates("克里是几号到几号访华的？", hits, [span])
    assert [c.short for c in found][:1] == ["7月16日至19日"] and found[0].features["margin"] == -1.0
    short = "于7月16日至19日"
    tight = Span(0, text.index(short), text.index(short) + len(short), short, 1.0)
    assert len(candidates("克里是几号到几号访华的？", hits, [tight])) == 1


def test_a_datelines_agency_and_place_and_a_byline_are_no_answers():
    """"新华社北京7月20日电": who filed the report and from where; "（记者/刘灏）", "全媒记者马明玉":
    who wrote it — never what a question asks, unless it asks about the report."""
    text = "新华社北京7月20日电（记者/刘灏）生态环境部20日发布消息，中美应对气候变化对话在京举行。"
    hits = [Hit("d0", "c0", "", "2023-07-21", "s", text, 1.0, 0, len(text))]

    def span(s: str) -> Span:
        return Span(0, text.index(s), text.index(s) + len(s), s, 5.0)

    asked = "中美应对气候变化对话在北京哪个场所举行？"
    assert candidates(asked, hits, [span("新华社")]) == [] and candidates(asked, hits, [span("北京")]) == []
    assert candidates("对话由谁主持？", hits, [span("刘灏")]) == []
    assert [c.short for c in candidates("这篇报道的记者是谁？", hits, [span("刘灏")])] == ["刘灏"]
    assert [c.short for c in candidates("哪个部门发布了消息？", hits, [span("生态环境部")])] == ["生态环境部"]


def test_a_day_asked_of_a_deadline_is_not_given_by_another_days_sentence():
    """"报名截止日期是哪天": a sentence that never speaks of 截止 dates something else."""
    text = "大赛已于8月14日在广州南沙正式启动，正在火热报名中。报名截止日期为9月30日。"
    hits = [Hit("d0", "c0", "", "2023-08-18", "s", text, 1.0, 0, len(text))]

    def span(s: str) -> Span:
        return Span(0, text.index(s), text.index(s) + len(s), s, 2.0)

    found = {c.short: c.features["measure_missing"] for c in
             candidates("大赛的报名截止日期是哪天？", hits, [span("8月14日"), span("9月30日")])}
    assert found == {"8月14日": 1.0, "9月30日": 0.0}


def test_a_size_asked_in_a_measure_word_is_spoken_of_by_a_count_in_it():
    """"代表团规模是多少人": "率团一行8人" says the size; a sentence with no count in 人 does not."""
    text = "19日上午，公会主席周宴生率团一行8人到访海沧。代表团参观了青礁慈济祖宫。"
    hits = [Hit("d0", "c0", "", "2023-07-20", "s", text, 1.0, 0, len(text))]
    count = Span(0, text.index("8人"), text.index("8人") + 2, "8人", 5.0)
    assert candidates("来访的代表团规模是多少人？", hits, [count])[0].features["measure_missing"] == 0.0
