"""Whether a number a yes/no question states holds by its evidence, compared as quantities.

"大连国际机场开通的航线是否超过了300条？" against "海运航线覆盖…300多个港口，国际机场开通航线250余条":
the 300 of the question is found in the sentence, but as 300多个 (ports); the quantity counted in
the question's measure word is 250余条, which does not exceed 300. Numbers are therefore compared
with their measure word (or one that counts the same things: 名/人/位), their magnitude (万/亿)
and the question's comparison (超过, 不到, 至少 …); a sentence with no number in that measure word
gives no verdict and the caller's other checks decide. Small numbers written in Chinese count too
("省、市、县三级" against "省、县两级"), and so do ordinals ("第二次" against "第三次", 首轮 = 第一轮).
"""

from __future__ import annotations

import operator
import re

from rag.answering.answer_type import SAME_UNIT
from rag.answering.dates import to_int
from rag.answering.respectively import respective

# the comparison a question makes, and what the evidence's quantity must then be against its own
_COMPARE = {"超过": operator.gt, "超出": operator.gt, "多于": operator.gt, "高于": operator.gt,
            "大于": operator.gt, "突破": operator.gt, "不少于": operator.ge, "不低于": operator.ge,
            "至少": operator.ge, "达到": operator.ge, "达": operator.ge, "不到": operator.lt,
            "少于": operator.lt, "低于": operator.lt, "不足": operator.lt, "未满": operator.lt,
            "不超过": operator.le, "最多": operator.le}
_WORDS = "|".join(sorted(_COMPARE, key=len, reverse=True))
_MAGNITUDE = {"": 1, "千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12, "千万": 1e7, "百万": 1e6}
_QUANTITY = re.compile(r"(?<![第\d.])(\d[\d,]*(?:\.\d+)?)\s*(多|余)?\s*(万亿|千万|百万|[千万亿])?\s*(多|余)?\s*"
                       r"(%|[\u4e00-\u9fff])")
_ASKED = re.compile(rf"({_WORDS})?了?\s*" + _QUANTITY.pattern)
# a small count written in Chinese, before a measure word: "三级", "两艘", "十二项" (not 统一, 唯一…)
_MEASURE = "级个名人位次条项家所座种类届批轮场艘架辆台枚件只头支队组天周"
_CN_COUNT = re.compile(rf"(?<![第统唯之万其初逐专单同])([一二两三四五六七八九十]{{1,3}})(?=[{_MEASURE}])")
_ORDINAL = re.compile(rf"第\s*(\d+|[一二两三四五六七八九十]{{1,3}})\s*([{_MEASURE}]|季度)")


def _in_digits(text: str) -> str:
    """Chinese counts before a measure word written as digits: "三级" -> "3级"."""
    return _CN_COUNT.sub(lambda m: str(n) if (n := to_int(m.group(1))) is not None else m.group(1), text)


def _ordinals(text: str) -> dict[str, set[int]]:
    """{measure word: the ordinals said in it}: "第三次…首次" -> {"次": {3, 1}}."""
    found: dict[str, set[int]] = {}
    for m in _ORDINAL.finditer(re.sub(rf"首(?=[{_MEASURE}])", "第1", text)):  # 首轮 = 第一轮
        if (n := to_int(m.group(1))) is not None:
            found.setdefault(m.group(2), set()).add(n)
    return found


def ordinal_holds(question: str, evidence: str) -> bool | None:
    """Whether the ordinal a question states ("第二次面临刑事指控") is the evidence's: False
    when the evidence gives another in the same measure word ("第三次") and not it; None when
    the question states none or the evidence has none in that word to compare."""
    said = _ordinals(evidence)
    verdicts = [bool(said[w] & ns) for w, ns in _ordinals(question).items() if w in said]
    return all(verdicts) if verdicts else None


def _value(number: str, magnitude: str | None) -> float:
    return float(number.replace(",", "")) * _MAGNITUDE[magnitude or ""]


def _same(unit: str) -> str:
    return SAME_UNIT.get(unit, unit)


def number_holds(question: str, evidence: str, context: str = "") -> bool | None:
    """True when a quantity of ``evidence`` in the question's measure word satisfies what the
    question states of it (equal to it, or above/below it as the question compares), False
    when the evidence has quantities in that measure word and none does; None when the
    question states no quantity or the evidence has none to compare. A question stating
    several is judged on each; one that ``context`` (the passage) states as written is
    background ("化解4亿元借款纠纷，是否省下了200余万元诉讼费？"), not the claim."""
    question, evidence, context = _in_digits(question), _in_digits(evidence), _in_digits(context)
    judged = [(m, v) for m in _ASKED.finditer(question) if (v := _holds(m, question, evidence)) is not None]
    if not judged:
        return None
    claims = [v for m, v in judged if not (len(judged) > 1 and m.group().lstrip("了") in context
                                           and m.group() not in evidence)]
    return all(claims) if claims else True


def _holds(m: re.Match, question: str, evidence: str) -> bool | None:
    """One stated quantity (a match of `_ASKED`) against the evidence's quantities."""
    word, number, more, magnitude, more2, unit = m.groups()
    asked = _value(number, magnitude)
    spans = [q for q in _QUANTITY.finditer(evidence) if q.group(5) in _same(unit)]
    # "美国和英国分别提供了超过400亿美元和40亿美元", asked about 英国: only its own figure counts
    own = {respective(evidence, q.start(), q.end(), question)[0] for q in spans}
    if own != {q.start() for q in spans}:
        spans = [q for q in spans if q.start() in own]
    found = [(_value(q.group(1), q.group(3)), bool(q.group(2) or q.group(4))) for q in spans]
    if not found:
        return None
    compare = _COMPARE.get(word or "")
    if compare is None:  # "是300条吗": the same quantity (an approximate "300多条" is 300 too)
        return any(v == asked for v, _ in found)
    # "250余条" is a little over 250: above 250 when compared, never equal to it
    return any(compare(v, asked) or (approx and compare is operator.gt and v == asked)
               for v, approx in found)
