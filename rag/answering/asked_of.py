"""What a question's count or day is *of*, and whether the evidence speaks of it.

"胆囊结石的患病率是多少" measures 患病率, "多少名队员参加" counts 队员, "报名截止日期是哪天" dates 截止:
a sentence that gives a figure or a day but never names what it is of gives another figure
("正在火热报名中" is no deadline). The span ranker marks such evidence ("measure_missing").
"""

from __future__ import annotations

import re

from rag.answering.answer_type import ASKED_UNIT, CURRENCY, MEASURES, SAME_UNIT
from rag.text.sentences import in_other_length
from rag.text.tokenizer import tagged, word_tag, words

# "胆囊结石的患病率是多少": 患病率 is what is measured; "人均薪酬是多少韩元" too
_HOW_MUCH_END = re.compile(rf"(?:大约|大概|一共|总共|共|约|至少|最多|起码)?(?:是|为|有|达到?)?多少"
                           rf"(?:[{MEASURES}]|[万亿]*(?:{CURRENCY}))?(?:来着|呢|啊|了)?[？?]?$")
# "多少名队员参加", "多少位是两院院士": the thing counted follows the measure word
_COUNTED = re.compile(rf"多少[{MEASURES}]是?")
_NOUN_TAGS = ("n", "l", "j")  # jieba's dictionary tags of nouns, idioms-as-nouns, abbreviations


def measured(query: str) -> str | None:
    """The noun a "…是多少" question measures (患病率, 余额, 票房), which the evidence must name
    (`speaks_of`); or None."""
    m = _HOW_MUCH_END.search(query)
    return _nouns(reversed(words(query[max(0, m.start() - 8):m.start()])), prepend=True) if m else None


# "报名截止日期是哪天", "开幕式是什么时候": what the day asked is the day of
_WHEN_END = re.compile(r"(?:是|为|定在|在)?(?:哪一?天|几号|几月几[日号]|什么时候|何时|什么日子)(?:来着|呢|啊)?[？?]?$")
# "将于哪一天生效", "何时起施行": the act the day is asked of comes after it
_WHEN_ACT = re.compile(r"(?:哪一?天|几号|几月几[日号]|什么时候|何时)(?:起|开始)?([\u4e00-\u9fff]{2,4}?)(?:的|了)?(?:呢|啊)?[？?]?$")
_DAY_WORDS = {"日期", "时间", "日子", "时候", "具体", "大概", "大约"}  # the day itself
# what any dated thing does: not what sets this day apart ("开始时间" is the start of a range)
_EVENT_WORDS = {"举办", "举行", "召开", "开展", "进行", "开始", "结束", "起止", "活动", "正式", "这次", "此次", "本次"}


def dated(query: str) -> str | None:
    """What a "…是哪天" question dates, by the word nearest the day (截止 of "报名截止日期是哪天",
    开幕式), or the act asked after the day (生效 of "将于哪一天生效"), which the evidence must
    speak of (`speaks_of`): a day said of something else (the day a contest opened, "正在火热报名中";
    the day a law was signed) is not the day asked; or None."""
    m = _WHEN_END.search(query)
    if not m:
        act = _WHEN_ACT.search(query)
        first = tagged(act.group(1))[0] if act else None
        if first is None or not first.flag.startswith(("v", "n")) or len(first.word) < 2:
            return None
        return None if first.word in _EVENT_WORDS else first.word
    head, last = "", ""
    for w in reversed(tagged(query[max(0, m.start() - 10):m.start()])):
        if w.word in _DAY_WORDS:
            continue
        if not w.flag.startswith(("n", "v", "j", "l")) or w.word in ("是", "有") or len(head) + len(w.word) > 6:
            break
        if w.word not in _EVENT_WORDS:
            head, last = w.word + head, last or w.word
    return (last if len(last) >= 2 else head) if len(head) >= 2 else None


def counted(query: str) -> str | None:
    """What a "多少名…" question counts (队员, 两院院士, 车站), which the evidence must name
    (`names_counted`); or None. There is no such check for the role of "…的会长是谁": readers
    name roles in their own words (党首 for 领导人)."""
    m = _COUNTED.search(query)
    return _nouns(words(query[m.end():m.end() + 8])) if m else None


def _nouns(cut, prepend: bool = False) -> str | None:
    """The nouns at the start of the words ``cut`` joined (装机规模, not 规模 alone), by the dictionary's
    tags; 参赛-like words are verbs whatever the dictionary says."""
    noun = ""
    for w in cut:
        tag = word_tag(w, "n" if re.fullmatch(r"[\u4e00-\u9fff]{2,}", w) else "x")
        if not tag.startswith(_NOUN_TAGS) or re.fullmatch("参.", w) or len(noun) + len(w) > 6:
            break
        noun = w + noun if prepend else noun + w
    return noun if len(noun) >= 2 else None


def speaks_of(word: str, text: str) -> bool:
    """``text`` names ``word`` or a close form of it (two characters of it together: 装机容量 for
    装机规模, 发病率 for 患病率 — not 发病风险; or its abbreviation: 高校 for 高等院校)."""
    return (any(word[i:i + 2] in text for i in range(len(word) - 1)) or bool(in_other_length({word}, text))
            or _dimension_said(word, text))


# a size named by a generic word ("代表团规模是多少人", "参会人数是多少人"): the count in the asked
# measure word says it ("率团一行8人")
_SIZE = re.compile(r"(?:规模|数量|总数|人数|数目)$")


def size_counted(word: str, query: str, text: str) -> bool:
    """``word`` is a size by a generic word and ``text`` counts in the measure word asked."""
    m = ASKED_UNIT.search(query)
    if not (m and _SIZE.search(word)):
        return False
    units = SAME_UNIT.get(m.group(1), m.group(1))
    return bool(re.search(rf"\d\s*(?:多|余)?\s*[万千百]?\s*[{units}]", text))


def _dimension_said(word: str, text: str) -> bool:
    """A 长度/高度/速度 named by its character at a figure: 全长约23.3公里 speaks of 线路总长度."""
    m = re.search(r"([长高宽深厚速])度$", word)
    return bool(m) and bool(re.search(rf"{m.group(1)}[约达为近逾超过了至]{{0,2}}\d", text))


def names_counted(word: str, text: str) -> bool:
    """``text`` names what is counted: `speaks_of` it, or the head of a two-character noun
    alone (设站37座 for 车站; 额 of 出口额 is no 金额 measured: not for `measured` nouns)."""
    return speaks_of(word, text) or (len(word) == 2 and word[1] in text)
