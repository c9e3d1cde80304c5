"""Shape the reader's span into the short answer a person expects.

The reader picks a span by its start and end scores alone, so it sometimes stops a
token early or late: "80余" without its 次, "2023年" of "2023年12月22日至2024年2月15日",
"四个赛道" without the four tracks listed just before it, or a whole clause ending in the
place a 哪里 question asks for. These functions repair exactly those cuts, using the
passage text around the span and what the question asks; they never invent text.
"""

from __future__ import annotations

import re

from rag.answering.answer_type import ASKS, MEASURES
from rag.answering.dates import to_int
from rag.answering.respectively import respective
from rag.answering.sentence_scorer import complete_number
from rag.text.chunking import split_sentences
from rag.text.sentences import terms
from rag.text.tokenizer import tagged, word_spans

# 截至 asks a deadline ("报名截至哪天") unless a time follows it ("截至6月末，余额是多少")
_UNTIL = r"截[止至](?!\s*[\d一二三四五六七八九十今去明本上下前目当年月日底末])"
_DAY_Q = re.compile(rf"哪天|哪一天|几号|几日|几月几|日期|起止|开始.{{0,8}}结束|从.{{0,6}}到|{_UNTIL}|什么时候|何时|"
                    r"什么时间")
_EXACT_DAY_Q = re.compile(rf"哪天|哪一天|几号|几日|几月几|日期|起止|开始|结束|{_UNTIL}|从.{{0,6}}到")
_LIST_Q = re.compile(r"哪些|哪几|包括什么|包括哪|有什么|分别是|都有")
_PLACE_Q = re.compile(r"哪里|哪儿|什么地方|什么地点|在哪|何地|地点")
# a date written out, possibly a range: 2023年12月22日至2024年2月15日, 12月22日—25日
_PART = r"(?:末|底|初(?![步次])|[上中下]旬)?"  # 2024年5月末; not the 初 of 初步
_DATE_RUN = re.compile(rf"(?:\d{{4}}年)?(?:\d{{1,2}}月)?(?:\d{{1,2}}[日号])?{_PART}"
                       rf"(?:(?:至|到|—|－|-|~|～)(?:\d{{4}}年)?(?:\d{{1,2}}月)?(?:\d{{1,2}}[日号])?{_PART})?")
# how sure a count is, said before or after it: "超过10万人", "20万人次左右"
_ABOUT_BEFORE = re.compile(r"(?:超过|超出|不到|不足|将近|接近|大约|约|近|逾|超)$")
_COUNT_ONLY = re.compile(r"[\d.,]+\s*(?:余|多)?[万亿千百]*\s*[^\d\s，。、]{0,2}")
_ABOUT_AFTER = re.compile(r"左右|以上|以下|上下")  # matched at the span end
_DAY = re.compile(r"\d{1,2}月\d{1,2}[日号]|\d{4}-\d{1,2}-\d{1,2}")
# an enumeration "X、Y、Z": what introduces its first item, and what follows its last
_LIST_INTRO = re.compile(r"包括|包含|囊括|涵盖|设有|设置|设立|开展|分为|分别是|分别为|主要有|共有|还有|赴|来到|前往|"
                         r"参观了?|走进|涉及|覆盖|例如|比如|诸如|联合|携手|会同|针对|来自|代表|用于")
_LIST_TAIL = re.compile(r"等|学习|参观|进行|开展|举行|活动|在内|共计|的")
_CLAUSE_END = "，。；：！？!?;\n"
_FROM_TO = re.compile(r"到|至")  # "从X、Y到Z": the last item of a range of items
_COUNTED = re.compile(r"[一二两三四五六七八九十\d]+[个项类种条门方面点批]+")  # "三类", "4个方面"
_NTH_ASKED = re.compile(r"第([一二三四五六七八九十])(?:条|点|项|个方面|方面|个)")
# "一是…二是…": an ordinal marking an item (not 第三是 or 十三是)
_ORDINAL_MARK = r"(?<![第十一二三四五六七八九])({})是"
_ORDINAL_ITEM = re.compile(_ORDINAL_MARK.format("[一二三四五六七八九十]") + r"([^，。；、：]{1,30})")


def asks_day(question: str) -> bool:
    return bool(_DAY_Q.search(question))


def asks_exact_day(question: str) -> bool:
    """A day or the ends of a period, not just "when" ("什么时候举行" may be "元旦春节期间")."""
    return bool(_EXACT_DAY_Q.search(question))


def has_day(text: str) -> bool:
    return bool(_DAY.search(text))


def day_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The longest written date naming a day in ``text[start:end]`` — a range
    ("2023年12月22日至2024年2月15日") is one run — or None."""
    best = max(_day_runs(text, start, end), key=lambda m: m.end() - m.start(), default=None)
    return (best.start(), best.end()) if best else None


def _day_runs(text: str, start: int, end: int) -> list[re.Match]:
    """The written dates naming a day in ``text[start:end]``, a range as one run."""
    return [m for m in _DATE_RUN.finditer(text, start, end)
            if m.end() > m.start() and _DAY.search(m.group())]


def sentence_day(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The one written date naming a day in the sentence around ``text[a:b]`` ("7月24日中央政治局
    会议对资本市场工作作出重要部署…" around "资本市场工作…"), or None when it states none or several."""
    around = [s for s in split_sentences(text) if s.end > a and s.start < b]
    days = _day_runs(text, around[0].start, around[-1].end) if around else []
    return (days[0].start(), days[0].end()) if len(days) == 1 else None


def shape(text: str, a: int, b: int, question: str) -> tuple[int, int]:
    """The span [a, b) of ``text`` repaired for what ``question`` asks."""
    b = complete_number(text, b)
    m = _DATE_RUN.match(text, a)
    if re.match(r"\d", text[a:b]) and m and m.end() > b:  # a date cut short
        b = m.end()
    if _COUNT_ONLY.fullmatch(text[a:b]) and not _DATE_RUN.fullmatch(text[a:b]):  # a count, not a date
        if before := _ABOUT_BEFORE.search(text, max(0, a - 2), a):
            a = before.start()
        if after := _ABOUT_AFTER.match(text, b):
            b = after.end()
        a, b = respective(text, a, b, question)  # "男女…分别为X和Y" asked about women: Y
    if asks_list(question) and (whole := enumeration(text, a, b)):  # "…四个赛道": the four too
        a, b = whole
    if asks_list(question) and "、" in text[a:b]:
        b = _before_echo(text, a, b, question)
    a = _partner(text, a, b, question)
    if _PLACE_Q.search(question) and b - a > 12:  # "…活动在中央美术学院校史馆西厅"
        cut = text.rfind("在", a, b)
        if cut != -1 and b - cut - 1 >= 2:
            a = cut + 1
    if ASKS["place"].search(question) and text[a:a + 1] in ("在", "于") and b - a >= 3:
        a += 1  # "在北京" for 哪座城市: the place, not the preposition
    return a, b


def _before_echo(text: str, a: int, b: int, question: str) -> int:
    """"王小洪、张军、应勇出席会议" for "有哪些人出席": the list ends where the question's own
    verb and words follow its last item (a verb of the question, then only its words)."""
    asked = terms(question)
    verbs = {t for t in asked if len(t) >= 2 and all(w.flag.startswith("v") for w in tagged(t))}
    for at in range(text.rfind("、", a, b) + 3, b - 1):  # the last item keeps two characters
        tail = text[at:b]
        if any(tail.startswith(v) for v in verbs) and terms(tail) - {tail} <= asked:
            return at
    return b


_PARTNER = re.compile(r"联合|携手|会同|协同|与|和|同")


def _partner(text: str, a: int, b: int, question: str) -> int:
    """Asked which organisation did something with one the question names, the span "北京理工大学
    工会联合首开集团" starts at the partner: "首开集团" (the one named is not the answer)."""
    if not ASKS["organization"].search(question):
        return a
    for m in _PARTNER.finditer(text, a, b):  # the question is cut into words only if a partner word is met
        if m.start() - a >= 2 and b - m.end() >= 2 and terms(text[a:m.start()]) & terms(question):
            return m.end()
    return a


def asks_list(question: str) -> bool:
    return bool(_LIST_Q.search(question))


def is_count(short: str) -> bool:
    """A count and nothing else ("三类", "4个方面"): a list question's items may follow it."""
    return bool(_COUNTED.fullmatch(short))


def enumeration(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The span [a, b) widened to the whole enumeration "X、Y、Z" of its clause when it holds only
    some of the items: to the verb that introduces the first ("设有母婴关爱室、…" ->
    "母婴关爱室、…") and to what follows the last ("…、首开书院学习实践" -> "…、首开书院"), or an
    item's length where no such word marks the end. An end the span already reaches past the
    first or last 、 stays where the reader put it, except in "从X、Y到Z", whose last item runs
    to the clause's end. None when the clause lists nothing."""
    lo = max(text.rfind(c, 0, a) for c in _CLAUSE_END) + 1
    hi = min((i for c in _CLAUSE_END if (i := text.find(c, b)) != -1), default=len(text))
    seps = [i for i in range(lo, hi) if text[i] == "、"]
    if not seps or b < seps[0] - 1:  # nothing, or the span ends before the first item does
        return None
    first, last = seps[0], seps[-1]
    inner = [q - p - 1 for p, q in zip(seps, seps[1:])]
    item = max(inner) + 2 if inner else max(b - a, 4)  # how long an item may be
    start = a
    if a > first:
        intro = list(_LIST_INTRO.finditer(text, max(lo, first - 3 * item), first))
        start = intro[-1].end() if intro else _word_start(text, lo, max(lo, first - item))
        while start > lo and text[start - 1] in "“《「『（(":  # the item's opening quote too
            start -= 1
    end = b
    if (coded := _coded_items(text, lo, hi, seps)) and (a > first or b <= last):  # "246路、389路、H98路"
        return min(coded[0], a), max(coded[1], b)
    to = _FROM_TO.search(text, last + 2, hi) if "从" in text[lo:first] else None
    if to:  # "从2001年北京大运会、2011年深圳大运会到2023年成都大运会，…": the item after 到 is the last
        tail = _LIST_TAIL.search(text, to.end() + 2, hi)
        end = max(b, tail.start() if tail else hi)
    elif b <= last:
        tail = _LIST_TAIL.search(text, last + 2, hi)
        end = tail.start() if tail else _word_end(text, hi, min(hi, last + 1 + item))
    if (start, end) == (a, b) or b <= start or a >= end:
        return None
    return min(start, a), max(end, b)


_CODE = r"[A-Za-z]{0,3}\d+[A-Za-z]{0,3}"


def _coded_items(text: str, lo: int, hi: int, seps: list[int]) -> tuple[int, int] | None:
    """Items that are codes with one suffix ("246路、389路、H98路", "3号线、5号线"): the list's
    exact bounds, read from the shape of its inner items, not guessed from their length."""
    inner = [text[p + 1:q] for p, q in zip(seps, seps[1:])]
    suffix = (re.fullmatch(_CODE + r"([\u4e00-\u9fff]{1,2})", inner[0]) if inner else
              re.search(rf"(?<![A-Za-z\d]){_CODE}([\u4e00-\u9fff]{{1,2}})$", text[lo:seps[0]]))
    if not suffix or not all(re.fullmatch(_CODE + re.escape(suffix.group(1)), x) for x in inner):
        return None
    item = _CODE + re.escape(suffix.group(1))
    head = re.search(f"{item}$", text[lo:seps[0]])
    tail = re.match(rf"{item}(?:(?:和|及|与){item})?", text[seps[-1] + 1:hi])
    return (lo + head.start(), seps[-1] + 1 + tail.end()) if head and tail else None


def _word_start(text: str, lo: int, i: int) -> int:
    """``i`` moved back to the start of the jieba word it falls in ("无人机", not "人机")."""
    for _, a, b in word_spans(text[lo:i + 8]):
        if a <= i - lo < b:
            return lo + a
    return i


def _word_end(text: str, hi: int, i: int) -> int:
    """``i`` moved on to the end of the jieba word it falls in."""
    start = max(0, i - 8)
    for _, a, b in word_spans(text[start:hi]):
        if a < i - start < b:
            return start + b
    return i


def list_in_passage(text: str, item: str) -> tuple[int, int] | None:
    """The first enumeration of ``text`` that names ``item`` as one of its items ("奥林匹克塔"
    -> "国家速滑馆“冰丝带”、奥林匹克塔、首开书院"), or None."""
    i = text.find(item) if item else -1
    while i != -1:
        whole = enumeration(text, i, i + len(item))
        if whole and _is_item(text[whole[0]:whole[1]], item):
            return whole
        i = text.find(item, i + 1)
    return None


def _is_item(listed: str, item: str) -> bool:
    """``item`` is one of the items of "X、Y、Z" (most of one), not a word inside an item."""
    parts = listed.split("、")
    return len(parts) >= 2 and any(item in p and 2 * len(item) >= len(p) for p in parts)


def counted_list(text: str, count: str) -> tuple[int, int] | None:
    """The first enumeration of ``text`` with as many items as ``count`` says ("三条线路" of a
    title -> "246路、389路、H98路" of the text), or None."""
    m = re.match(rf"([一二两三四五六七八九十\d]+)(?=[{MEASURES}个类种])", count)
    n = to_int(m.group(1)) if m else None
    if not n or n < 2:
        return None
    for sep in re.finditer("、", text):
        whole = enumeration(text, sep.end(), sep.end() + 1)
        if whole and len(re.split(r"、|和|及|与|以及", text[whole[0]:whole[1]])) == n:
            return whole
    return None


def ordinal_items(text: str, end: int) -> tuple[list[str], int] | None:
    """"三类：一是困难职工群体。二是企业职工群体，…三是…" after a counted answer ending at
    ``end``: (the items, where the last one ends), or None unless at least two follow in order."""
    if not text.startswith(("：", ":", "，分别是", "，即", "，包括"), end):
        return None
    items, pos = [], end
    for want in "一二三四五六七八九十":
        m = _ORDINAL_ITEM.search(text, pos, pos + 400)
        if not m or m.group(1) != want:
            break
        items.append(m.group(2))
        pos = m.end()
    return (items, pos) if len(items) >= 2 else None


def asked_nth(question: str) -> str | None:
    """The ordinal a question asks about ("…提了几条要求，第三条说的是什么？" -> "三"), or None."""
    m = _NTH_ASKED.search(question)
    return m.group(1) if m else None


def nth_items(text: str, nth: str) -> list[tuple[int, int]]:
    """Where item ``nth`` of an enumeration "一是…二是…三是…" is said in ``text`` (after its
    "三是", up to the end of its clause group: 。 or ；), for every list of the text."""
    out = []
    for m in re.finditer(_ORDINAL_MARK.format(nth), text):
        ends = [i for c in "。；;" if (i := text.find(c, m.end())) != -1]
        end = min(ends, default=len(text))
        if end - m.end() >= 2:
            out.append((m.end(), end))
    return out
