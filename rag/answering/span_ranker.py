"""Which of the reader's spans answers the question: the candidates and a small learned ranker.

The reader (`rag.answering.reader`) reads one passage at a time, so its margin cannot say
that another retrieved passage is more about the question, that three passages agree on
the same answer, or that a 谁 question got a number back. Each candidate span is therefore
described by a few features — the reader's margin; how much of the question its passage and
its sentence miss; how far search ranked its passage below the first; evidence of another
year, month or day than the one asked (`rag.answering.asked_time`); how many other passages
give the same answer; whether its type fits what the question asks (a number for 多少, a date
for 何时, a name for 谁, a place for 哪里, an organisation for 哪家); whether it merely repeats
the question — and a linear ranker weighs them.

The weights live in ``rag/models/reader/ranker.json``. ``scripts/train_ranker.py`` fits them
on CMRC 2018 questions the reader never saw, asked of a real newsrag index over the
reading-comprehension paragraphs (with and without the paragraph that answers, so the score
also says when to refuse); never on the news sets the benchmarks report.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.answering.asked_time import asked_time, other_time
from rag.answering.injection import is_instruction
from rag.answering.sentence_scorer import clean_sentence
from rag.answering.span_shape import shape
from rag.errors import NewsragError
from rag.text.sentences import names, numbers, passage_sentences, terms
from rag.types import Hit

RANKER_FILE = Path(__file__).resolve().parents[1] / "models" / "reader" / "ranker.json"
FEATURES = ("margin", "passage_missing", "sentence_missing", "passage_missing_idf",
            "sentence_missing_idf", "name_missing", "search_gap", "other_time", "rank", "span_rank",
            "margin_gap", "agree", "echo", "type_ok", "type_miss", "short_len", "near")

# measure words a count is asked in ("多少名", "几幅"): the answer must be counted in the same word
_MEASURES = "位名件次人家所座条项种支岁台辆张只架艘枚场届篇部本天周户亩吨幅首份间栋幢颗棵株头匹批期轮款门节处道"

# what the question asks for — as a question (多少, 谁, 哪里 …) or, typed like a search, as the
# thing it names last ("开幕时间", "起售价", "男单冠军", "举办地") — and what a span of that type holds
_ASKS = {
    "time": re.compile(r"何时|什么时候|时间|日期|哪一?年|哪一?天|哪个月|几月|几号|几日|哪一?年代"),
    "number": re.compile(rf"多少|几[个{_MEASURES}万亿千百倍成]|多大|多高|多长|多远|多重|多久|"
                         r"百分之几|数量|人数|票房|销量|增长率|增速|涨幅|占比|震级|点数"),
    "money": re.compile(r"多少钱|价格|价钱|售价|票价|费用|收费|金额|"  # an amount of money named as such:
                        r"(?:收入|收益|营收|利润|销售额|营业额|成交额|投资额|融资额|总额|余额|进出口额|贸易额|"
                        r"交易额|市值|罚款|罚金|赔偿金?|"
                        r"奖金|工资|薪资|补贴)(?:是|为|有|达|约|共计?|至少|预计)?(?:多少|几)"),  # 收益是多少, not 营收增长了多少
    "person": re.compile(r"谁|哪位|什么人|哪个人|哪一位|导演|主教练|创始人|得主|作者|董事长|总统|总理"),
    "place": re.compile(r"哪里|哪儿|什么地方|地点|在哪|何地|举办地|举行地|哪[个座一]?(?:国家|城市|省|地区|国)"),
    "organization": re.compile(r"哪[家支所]|哪一?个?(?:公司|企业|机构|单位|部门|组织|球队|队伍|俱乐部|银行|医院|"
                               r"学校|大学|平台|品牌|媒体|使馆|法院|政府|委员会|协会)|"
                               r"什么(?:公司|企业|机构|组织|单位|部门|球队|银行|品牌|媒体)"),
}
_HAS = {
    "time": re.compile(r"\d{2,4}年|\d{1,2}月|\d{1,2}[日号]|[一二三四五六七八九十〇零]{2,4}年|世纪|年代|"
                       r"时期|期间|今年|去年|明年|上午|下午|晚上|凌晨|春|夏|秋|冬|朝"),
    "number": re.compile(r"\d|[一二两三四五六七八九十百千万亿半]"),
    "place": re.compile(r"[省市县区镇乡村州国洲岛山河湖海港路街馆园场站]|中心|大厦|大学"),
    "organization": re.compile(r"(?:公司|集团|银行|[球战]?队|局|部|院|会|委|所|中心|协会|大学|学校|学院|医院|"
                               r"机构|组织|企业|俱乐部|航空|平台|台|社|报|网|厂|馆|府)$"),
    "money": re.compile(r"\d[\d.,]*\s*(?:多|余)?\s*[万亿千百]?\s*(?:元|块|美元|欧元|英镑|日元|港元|港币|韩元)|"
                        r"免费|[$¥￥]\s*\d"),
}
# a date is no answer to 多少 ("不良贷款余额是多少" is not "7月27日"); a length ("3年") still is
_DATES = re.compile(r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{4}\s*年|\d{1,2}\s*[日号]")
# "多少名选手" asks for a count in 名: a number in another measure word ("70件") is the wrong answer
_ASKED_UNIT = re.compile(rf"(?:多少|几)([{_MEASURES}])(?!民币)")  # 多少人民币 asks money
_SAME_UNIT = {"人": "人名位", "名": "名人位", "位": "位名人"}


@dataclass(frozen=True)
class Candidate:
    """One answer span: the short answer, the sentence(s) proving it, and its features."""

    short: str
    evidence: str
    passage: int  # index into the hits
    start: int  # the short answer's offsets in the passage text
    end: int
    features: dict


def candidates(query: str, hits: list[Hit], spans) -> list[Candidate]:
    """The reader's spans (``Reader.spans`` over title + text of each hit) as candidates,
    shaped into short answers with their evidence; instructions and sentences that are
    themselves questions are dropped."""
    heads = [len(_head(h)) for h in hits]
    asked = asked_time(query)
    q_terms = terms(query)
    weight = {t: _idf(t) for t in q_terms}
    q_names = names(query) | numbers(query)
    top = hits[0].score if hits else 0.0
    out, per_passage, seen = [], {}, {}
    for span in spans:
        hit, head = hits[span.passage], heads[span.passage]
        a, b = span.start - head, span.end - head
        if span.start < head:  # in the title: the passage must say it too
            a = hit.text.find(span.text.strip())
            if a < 0:
                continue
            b = a + len(span.text.strip())
        a, b = shape(hit.text, a, b, query)
        if span.passage not in seen:  # the passage's sentences and words, once per passage
            whole = f"{hit.title}\n{hit.text}"
            seen[span.passage] = (passage_sentences(hit), terms(whole), whole)
        sentences, in_passage, whole = seen[span.passage]
        evidence = [s for s in sentences if s.end > a and s.start < b]
        text = clean_sentence(hit.text[evidence[0].start:evidence[-1].end]) if evidence else ""
        if not text or is_instruction(text) or _echoes_question(text, query):
            continue
        short = tidy(hit.text[a:b])
        if not short:
            continue
        nth = per_passage[span.passage] = per_passage.get(span.passage, -1) + 1
        f = dict.fromkeys(FEATURES, 0.0)
        f |= {"margin": span.margin, "rank": float(span.passage), "span_rank": float(nth),
              "search_gap": max(0.0, 1 - hit.score / top) if top > 0 else 0.0,
              "other_time": float(bool(asked) and other_time(text, hit, asked)),
              "short_len": math.log1p(len(short))}
        if q_terms:
            in_sentence = terms(text)
            f["passage_missing"] = len(q_terms - in_passage) / len(q_terms)
            f["sentence_missing"] = len(q_terms - in_sentence) / len(q_terms)
            total = sum(weight.values())
            f["passage_missing_idf"] = sum(weight[t] for t in q_terms - in_passage) / total
            f["sentence_missing_idf"] = sum(weight[t] for t in q_terms - in_sentence) / total
            window = hit.text[max(0, a - 40):b + 40]
            f["near"] = len(q_terms & terms(window)) / len(q_terms)
            s_terms = terms(short)
            f["echo"] = len(s_terms & q_terms) / len(s_terms) if s_terms else 0.0
        if q_names:
            f["name_missing"] = sum(name not in whole for name in q_names) / len(q_names)
        f.update(_type_fit(query, short, _organizer(hit.text, a, b)))
        out.append(Candidate(short, text, span.passage, a, b, f))
    best = max((c.features["margin"] for c in out), default=0.0)
    keys = [_key(c.short) for c in out]
    for c, k in zip(out, keys):
        c.features["margin_gap"] = best - c.features["margin"]
        c.features["agree"] = float(min(3, len({o.passage for o, ko in zip(out, keys)
                                               if o.passage != c.passage and _same(k, ko)})))
    return out


def snapshot(query: str, hits: list[Hit], spans) -> dict:
    """What `candidates` was given, as JSON-able data: rankers are fitted and compared on
    these (`scripts/train_ranker.py`, `bench/candidates.py`) without running the reader again."""
    return {"query": query,
            "hits": [{"title": h.title, "text": h.text, "score": h.score, "date": h.date,
                      "id": str(h.metadata.get("id") or h.title)} for h in hits],
            "spans": [[s.passage, s.start, s.end, s.text, s.margin] for s in spans]}


def from_snapshot(record: dict) -> list[Candidate]:
    """The candidates of a `snapshot`, with features as computed now."""
    from rag.answering.reader import Span

    hits = [Hit(doc_id=h["id"], chunk_id=h["id"], title=h["title"], date=h["date"], source="",
                text=h["text"], score=h["score"], start=0, end=len(h["text"]),
                metadata={"id": h["id"]}) for h in record["hits"]]
    return candidates(record["query"], hits, [Span(*s) for s in record["spans"]])


class Ranker:
    """Logistic weights over `FEATURES`; `score` is the log-odds that a candidate is right."""

    def __init__(self, path: Path = RANKER_FILE):
        try:
            meta = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise NewsragError(f"the answer ranker's weights {path} are missing or damaged "
                               f"({e}): reinstall newsrag (they ship inside the package)") from e
        self.weights = dict(zip(meta["features"], meta["weights"]))
        self.bias = float(meta["bias"])
        self.threshold = float(meta["threshold"])
        self.meta = meta

    def score(self, features: dict) -> float:
        """The log-odds of a candidate with these `FEATURES` (a `Candidate.features`)."""
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())


@lru_cache(maxsize=1)
def get_ranker() -> Ranker:
    return Ranker()


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict, float]:
    """jieba's bundled IDF table (general Chinese text): rare words say more about what a
    question is about than common ones; words it lacks (names, numbers) count as rare.

    Read straight from its file (0.2 s), with the median jieba's own loader computes:
    importing ``jieba.analyse`` for it cost 0.8 s before a process' first answer."""
    import jieba

    table: dict[str, float] = {}
    with open(Path(jieba.__file__).parent / "analyse" / "idf.txt", encoding="utf-8") as f:
        for line in f:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def warm_up() -> None:
    """Load what the first answer would otherwise wait for (the reader, the ranker's
    weights and the IDF table); the app calls it in the background at start."""
    from rag.answering.reader import get_reader

    get_reader()
    get_ranker()
    _idf_table()


def _idf(word: str) -> float:
    table, median = _idf_table()
    return table.get(word, median)


def _head(hit: Hit) -> str:
    """The title line the reader sees in front of a passage that does not start with it."""
    return f"{hit.title}\n" if hit.title and not hit.text.startswith(hit.title) else ""


def reader_input(hit: Hit) -> str:
    return _head(hit) + hit.text


# "由北京市总工会联合中央美术学院举办的展览": who held it, not where
_BY = re.compile(r"由$")
_HELD = re.compile(r"^(?:联合|共同)?(?:举办|主办|承办|协办|举行|发起|组织|牵头|指导)")


def _organizer(text: str, a: int, b: int) -> bool:
    """The span is the agent of 由…举办 (an organiser), whatever place words it holds."""
    return bool(_BY.search(text[max(0, a - 1):a]) and _HELD.search(text[b:b + 4]))


def _type_fit(query: str, short: str, organizer: bool = False) -> dict:
    """type_ok / type_miss: the question asks for a time, number, person, place or
    organisation (哪家 / 哪支球队: a name, or a word like 公司 队 银行 at its end), and the
    short answer holds one (or not). An organiser (``organizer``: 由X举办) is no place."""
    asked = [t for t, rx in _ASKS.items() if rx.search(query)]
    if organizer and "place" in asked:  # 由X举办: X held it, it is not where
        asked.remove("place")
        if not asked:
            return {"type_ok": 0.0, "type_miss": 1.0}
    if "money" in asked:  # 多少钱 asks for a price, not any number
        asked = [t for t in asked if t != "number"]
    if not asked:
        return {"type_ok": 0.0, "type_miss": 0.0}
    ok = any(names(short) if t == "person" else
             (_HAS[t].search(short) or names(short)) if t in ("place", "organization") else
             _HAS["number"].search(_DATES.sub("", short)) and _unit_fits(query, short)
             if t == "number" else
             _HAS[t].search(short) for t in asked)
    return {"type_ok": float(bool(ok)), "type_miss": float(not ok)}


def _unit_fits(query: str, short: str) -> bool:
    """A count asked in a measure word ("多少名", "几枚") is answered in that word."""
    m = _ASKED_UNIT.search(query)
    if not m:
        return True
    units = _SAME_UNIT.get(m.group(1), m.group(1)) + "个"  # 个 counts anything ("12个" for 多少支)
    if re.fullmatch(r"[约近超逾]?[\d.,]+\s*(?:多|余)?\s*[万亿]", short.strip()):
        return True  # "10.51亿" for 多少人: the count with its unit left to the question
    return bool(re.search(rf"[\d一二两三四五六七八九十百千万亿]\s*(?:多|余)?\s*[{units}]", short))


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _key(short: str) -> str:
    return _PUNCT.sub("", short).lower()


def _same(a: str, b: str) -> bool:
    """The same answer written in two passages: equal, or one inside the other."""
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a)))


def tidy(span: str) -> str:
    """One line, without trailing commas or an opening quote left unmatched."""
    text = re.sub(r"\s+", " ", span).strip().strip("，,、；;：:")
    for a, b in ("“”", "《》", "（）", "()", "「」"):
        if text.count(a) > text.count(b) and text.startswith(a):
            text = text[1:]
        if text.count(b) > text.count(a) and text.endswith(b):
            text = text[:-1]
    return text


def _echoes_question(sentence: str, query: str) -> bool:
    """A sentence that is itself a question ("…是谁？") never answers one."""
    return sentence.rstrip("”’」』）)").endswith(("？", "?")) and bool(terms(sentence) & terms(query))
