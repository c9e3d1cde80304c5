"""Figures given "respectively" (分别): the one that belongs to what the question names.

Statistics news pairs several subjects with several figures in one clause: "韩国男女劳动者人均薪酬
分别为4884.9万韩元（约合人民币26.73万元）和2942.7万韩元". Asked about women, the reader may well
pick the first figure; the answer is the figure in the position of the subject the question names.
"""

from __future__ import annotations

import re

from rag.answering.answer_type import CURRENCY, MEASURES

_SENTENCE_END = "。！？；!?;\n"
_CLAUSE_START = "，,：:。！？；!?;\n"
# a figure: a number with its magnitude and unit (4884.9万韩元, 35.4%, 57位, 1.4万亿元)
_UNIT = rf"%|个百分点|人次|平方公里|公里|千米|米|千克|公斤|吨|小时|分钟|{CURRENCY}|[{MEASURES}个]"
_FIGURE = re.compile(rf"(?<![\d.])\d[\d,]*(?:\.\d+)?\s*(?:多|余)?\s*(?:万亿|[十百千万亿])*\s*(?:{_UNIT})?")
_ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")  # "（约合人民币26.73万元）": a conversion, not a figure
_PAIRS = {"男女": ("男", "女"), "中外": ("中", "外"), "城乡": ("城", "乡"), "进出口": ("进口", "出口")}


def _subjects(clause: str) -> list[str]:
    """The subjects a 分别 clause lists, in order: "男女…" → 男, 女; "北京、上海和广州的GDP" → 北京,
    上海, 广州."""
    for pair, parts in _PAIRS.items():
        if pair in clause:
            return list(parts)
    items = [s for s in re.split(r"[、和与及]", clause) if s]
    if len(items) < 2:
        return []
    items[-1] = items[-1].split("的")[0]
    return items


def respective(text: str, a: int, b: int, question: str) -> tuple[int, int]:
    """The span [a, b) moved to the figure of the subject ``question`` names, when it is one of
    the figures a 分别 clause gives in order; unchanged otherwise."""
    start = max(text.rfind(c, 0, a) for c in _SENTENCE_END) + 1
    at = text.rfind("分别", start, a)
    if at == -1:
        return a, b
    end = min((i for c in _CLAUSE_START if (i := text.find(c, b)) != -1), default=len(text))
    clause = text[max(text.rfind(c, start, at) for c in _CLAUSE_START) + 1:at]
    subjects = _subjects(clause)
    named = [i for i, s in enumerate(subjects) if s in question]
    if len(named) != 1:
        return a, b
    asides = [m.span() for m in _ASIDE.finditer(text, at, end)]
    figures = [m.span() for m in _FIGURE.finditer(text, at, end)
               if not any(x <= m.start() < y for x, y in asides)]
    if len(figures) != len(subjects):
        return a, b
    mine = [i for i, (x, y) in enumerate(figures) if x < b and a < y]
    if len(mine) != 1 or mine[0] == named[0]:
        return a, b
    return figures[named[0]]
