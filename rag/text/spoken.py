"""Spoken Chinese in a question, said the way news articles say it.

Readers type questions as they speak them: "海底捞估计今年头六个月的纯利起码有多少？",
"展览在哪儿办的？", "啥时候结束？". The articles say 预计, 上半年, 净利润, 至少, 哪里,
什么时候 — and everything downstream keys on the written words: the keyword leg
matches words, the reader was trained on written questions, the answer type is read from
question words (啥时候 asks for a date only once it is 什么时候), and `rag.answering.dates`
knows 上半年 but not 头六个月. Measured on the sample above: the spoken question was answered
with a figure from another sentence, the written one with 22亿元.

`formal` rewrites only what is unambiguous: spoken question words, spoken names of periods
and weekdays, and a few money words (纯利 is always 净利润). Words with a written sense too
are left alone (做礼拜 keeps its 礼拜; 估计值 stays), and nothing inside 《》 or quotation
marks is touched — a title or a quoted phrase is searched as written. The user's own words
stay in `Answer.question`; the rewritten query is `Answer.query`.
"""

from __future__ import annotations

import re

# (spoken pattern, written replacement), in this order: longer forms first, and the
# question words first
_YEAR = r"(今年|去年|前年|明年|本年|[0-9]{2,4}年)(?:的)?"  # 头六个月 of a year, not of a baby
_TABLE: tuple[tuple[str, str], ...] = (
    # question words
    (r"啥时候|啥时|多会儿|几时", "什么时候"),
    (r"(?:干嘛|干吗|干啥)要", "为什么要"),
    (r"为啥", "为什么"),
    (r"干嘛|干吗|干啥", "做什么"),
    (r"咋样", "怎么样"),
    (r"咋回事", "怎么回事"),
    (r"咋", "怎么"),
    (r"啥子|啥", "什么"),
    (r"哪旮旯|哪疙瘩|哪嘎达|哪儿", "哪里"),
    (r"谁家", "哪家"),
    (r"几多", "多少"),
    (r"多大岁数|多大年纪", "多少岁"),
    (r"(终年|享年|时年|年仅)多大", r"\1多少岁"),  # an age: 多大 of a person's years, not a size
    (r"名儿", "名字"),
    (r"(?<=[\u4e00-\u9fff])[那这](?:件|个)?事儿", "一事"),  # 警察误杀科尔那事儿 → …一事
    (r"[，,]?\s*是?(?:真的假的|是真是假|是不是真的)(?=[？?]?\s*$)", "，是真的吗"),
    (r"开张", "开业"),
    (r"算完事儿?|完事儿", "结束"),
    (r"(?<=[跟和与同])([^，。？]{1,12}?)通气", r"\1沟通"),  # 跟哪些部门通气: confer, not ventilate
    (r"(?<![制确决约预签])定了个", "制定了"),
    (r"后半场", "下半场"),
    (r"前半场", "上半场"),
    # periods and days
    (_YEAR + r"(?:头|前)(?:六|6)个月", r"\1上半年"),
    (_YEAR + r"(?:后|最后)(?:六|6)个月", r"\1下半年"),
    (_YEAR + r"(?:头|前)(?:三|3)个月", r"\1一季度"),
    (_YEAR + r"头([0-9一二两三四五七八九十]{1,3})个月", r"\1前\2个月"),  # 今年头五个月
    (r"头半年|前半年|上半拉年", "上半年"),
    (r"后半年|下半拉年", "下半年"),
    (r"去年这个时候|去年这时候|去年此时", "去年同期"),
    (r"上个礼拜|上礼拜|上个星期", "上周"),
    (r"下个礼拜|下礼拜|下个星期", "下周"),
    (r"这个礼拜|这礼拜|本礼拜", "本周"),
    (r"(?<!做)礼拜(?=[一二三四五六日天])", "星期"),
    (r"(?<=月)([0-9]{1,2}|[一二三四五六七八九十]{1,3})号(?![线楼院机])", r"\1日"),  # 7月6号 → 7月6日
    (r"今儿个|今儿", "今天"),
    (r"昨儿个|昨儿", "昨天"),
    (r"明儿个|明儿", "明天"),
    (r"大年三十", "除夕"),
    (r"大年初一", "春节"),
    # amounts
    (r"最起码|起码", "至少"),
    (r"估摸着|估摸|估计(?![值数])", "预计"),
    (r"纯利润|(?<!单)纯利(?![用益])|净赚了?|净挣了?|纯赚了?", "净利润"),
    (r"(?:上)?涨了?(?:大概|大约|差不多)?几个(?:百分)?点", "增长了多少"),  # percentage points
    (r"(?:下)?(?:降|跌)了?(?:大概|大约|差不多)?几个(?:百分)?点", "下降了多少"),
    (r"(?:赚|挣)了?多少钱?", "盈利多少"),
    (r"亏了?多少钱?", "亏损多少"),
    (r"卖多少钱|卖啥价|卖什么价", "售价多少"),
    (r"老外", "外国人"),
    (r"玩意儿?|东东", "东西"),
    (r"(?:一起|一块儿?|共同)搞", "联合开展"),  # 跟首开集团一起搞的活动
    (r"搞(?=了?的?(?:活动|比赛|培训))", "开展"),
    (r"迷住了?|迷上了?", "吸引"),
)
_RULES = [(re.compile(p), w) for p, w in _TABLE]
# particles a spoken question ends with: 啊 呀 哈 呗 嘞 咧 撒, and 来着 ("叫啥来着"; 呢, 吗 and 嘛
# carry meaning: "是真的嘛？" asks yes or no)
_TAIL = re.compile(r"(?:来着|[啊呀哈呗嘞咧撒])+(?=[？?！!。\s]*$)")
# a title or a quotation is searched as written
_QUOTED = re.compile(r"《[^《》]*》|“[^“”]*”|「[^「」]*」|\"[^\"]*\"")


def formal(question: str) -> str:
    """``question`` with its spoken words in written form (unchanged when it has none)."""
    out, last = [], 0
    for m in _QUOTED.finditer(question):
        out += [_rewrite(question[last:m.start()]), m.group()]
        last = m.end()
    out.append(_TAIL.sub("", _rewrite(question[last:])))
    return "".join(out) or question


def _rewrite(text: str) -> str:
    for rule, written in _RULES:
        text = rule.sub(written, text)
    return text
