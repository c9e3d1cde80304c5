"""是 or 否 for a yes/no question, from the sentence that speaks of what it asks.

The engine (`rag.answering.extractive`) finds the sentence; this module decides. A yes/no question
in the news is mostly a claim with one detail that may be wrong, so the answer is 是 only when the
sentence says the same with the same polarity and contradicts none of its details:

* a negation on one side only ("是否出席" against "未出席");
* a quantity, compared in its measure word and magnitude (`rag.answering.stated_number`), an
  ordinal ("第二次" against "第三次") or a level counted in Chinese ("三级" against "两级");
* a time: another year, month or day (`rag.answering.asked_time`);
* a name the question states that its article never mentions;
* another place where the question says where ("是否位于湖北境内" against "位于广东境内的4家洗钱金店");
* the opposite change ("环比是否上涨" against "环比下降0.2%") or another role ("由A主办吗" against
  "由A指导，B主办", `rag.answering.roles`);
* only something else ("是否派出驱逐舰跟踪" against "当时只有一艘美国海岸警卫队的巡逻艇在现场").
"""

from __future__ import annotations

import re

from rag.answering.answer_type import DATES
from rag.answering.asked_time import asked_time, other_time
from rag.answering.roles import role_holds
from rag.answering.sentence_scorer import clean_sentence
from rag.answering.stated_number import number_holds, ordinal_holds
from rag.text.sentences import names, numbers, passage_sentences, terms
from rag.types import Hit

_A_NOT_A = r"是不是|有没有|会不会|能不能|对不对|可不可以|要不要|该不该|需不需要|用不用|算不算"
_YES_NO = re.compile(rf"(?:吗|么|嘛)\s*[？?]?\s*$|是否|能否|可否|{_A_NOT_A}")
#: words that ask for something other than 是/否 (…有多少人吗 asks for a number)
WH = re.compile(r"什么|谁|哪|多少|几[个位次家名年月日号天]|何时|何地|为何|为什么|怎么|如何|多大|多久|多长")
_NEG = re.compile(r"并非|不是|没有|尚未|未能|不|没|未|无(?![人锡])|非(?![洲法常遗])")  # not 非洲, 无人机
_ASKING_NEG = re.compile(rf"是否|{_A_NOT_A}")
# changes and outcomes whose words say the opposite of each other
_OPPOSITES = (("上涨", "下降"), ("上涨", "下跌"), ("增长", "下降"), ("增长", "减少"), ("上升", "下降"),
              ("提高", "降低"), ("增加", "减少"), ("扩大", "缩小"), ("盈利", "亏损"), ("战胜", "不敌"),
              ("战胜", "负于"), ("战胜", "输给"))


def is_yes_no(question: str) -> bool:
    """…吗？/是否/是不是… without a wh-word. The last clause asks: "讲甲亢怎么吃的那篇文章里，
    甲亢的人要不要忌口海蜇？" is a yes/no question."""
    last = re.split(r"[，,；;]", question.strip())[-1]
    if len(last.strip("？?！! ")) <= 5:  # a tag ("…，对吗？", "…，你知道吗？") asks about the whole
        last = question
    return bool(_YES_NO.search(last)) and not WH.search(_ASKING_NEG.sub("", last))


def verdict(question: str, sentence: str, hit: Hit) -> tuple[bool, str]:
    """(是?, the evidence to show): ``sentence`` of ``hit`` judged against ``question``. The
    evidence is the sentence, or the passage's sentence with the ordinal that decides."""
    asked = _ASKING_NEG.sub("", question)
    shared = [t for t in terms(asked) if t in sentence]
    q_neg = bool(_NEG.search(asked))
    s_neg = any(_NEG.search(sentence[max(0, i - 4):i]) for t in shared for i in [sentence.find(t)] if i >= 0)
    evidence = sentence
    if ordinal_holds(asked, evidence) is None:  # the passage's sentence with an ordinal proves it
        evidence = next((clean_sentence(x.text) for x in passage_sentences(hit)
                         if ordinal_holds(asked, x.text) is not None), evidence)
    whole = f"{hit.title}\n{hit.text}"
    contradicted = (_other_number(asked, sentence, whole) or ordinal_holds(asked, evidence) is False
                    or _other_day(asked, sentence, hit) or _unnamed(asked, whole)
                    or role_holds(asked, sentence) is False or _opposite(asked, sentence)
                    or _other_place(asked, sentence) or _only_other(asked, sentence))
    return q_neg == s_neg and not contradicted, evidence


def _other_number(asked: str, sentence: str, passage: str) -> bool:
    """Quantities are compared in their measure word ("超过300条" against "航线250余条"), other
    numbers as written; dates are left to `_other_day`."""
    undated = DATES.sub("", asked)
    holds = number_holds(undated, sentence, passage)
    if holds is not None:
        return not holds
    return bool(numbers(undated) - numbers(sentence)) and bool(numbers(sentence))


def _other_day(asked: str, sentence: str, hit: Hit) -> bool:
    """Dates compared as times: "8月2日的通话…吗" is not contradicted by "普京2日将…通电话", but
    8月5日 is; "自6月底以来" in both is no contradiction."""
    when = asked_time(asked)
    shared = set(DATES.findall(asked)) & set(DATES.findall(sentence))
    days_only = {int(d) for d in re.findall(r"(?<![月\d])(\d{1,2})[日号]", sentence)}  # "普京2日将…"
    return (not shared and other_time(sentence, hit, when)) or bool(
        days_only and when.days and not days_only & {d for _, d in when.days})


def _unnamed(asked: str, whole: str) -> bool:
    """A name the question states that the passage (title and text) never mentions (广东省 is
    mentioned as 广东)."""
    return any(n not in whole and re.sub(r"(?<=..)[省市县区州]$", "", n) not in whole for n in names(asked))


def _opposite(asked: str, sentence: str) -> bool:
    """"环比是否上涨？" against "环比下降0.2%": the opposite change, not a negation."""
    return any(x in asked and y in sentence and x not in sentence
               for a, b in _OPPOSITES for x, y in ((a, b), (b, a)))


_WHERE = re.compile(r"(位于|地处|坐落于|坐落在|设在|落户)")
_ONLY = re.compile(r"只有|仅有|唯有|只剩")


def _place_after(text: str, at: int) -> str | None:
    """The place name (jieba ns) that starts right after ``at``, if any."""
    import jieba.posseg as pseg

    first = next(iter(pseg.cut(text[at:at + 12])), None)
    return first.word if first is not None and first.flag == "ns" else None


def _other_place(asked: str, sentence: str) -> bool:
    """"…是否位于湖北境内" against "位于广东境内的…": the sentence puts it in another place, and
    nowhere in the asked one."""
    m = _WHERE.search(asked)
    place = _place_after(asked, m.end()) if m else None
    if not place or f"{m.group(1)}{place}" in sentence:
        return False
    said = [_place_after(sentence, w.end()) for w in re.finditer(m.group(1), sentence)]
    return any(p and not (p.startswith(place) or place.startswith(p)) for p in said)  # 广东 is 广东省


def _only_other(asked: str, sentence: str) -> bool:
    """The sentence says only something else was there ("当时只有一艘美国海岸警卫队的巡逻艇在现场")
    and never names the thing the question asks about (驱逐舰)."""
    if not _ONLY.search(sentence) or _ONLY.search(asked):
        return False
    import jieba.posseg as pseg

    things = {w.word for w in pseg.cut(asked) if w.flag in ("n", "nz") and len(w.word) >= 2}
    return any(t not in sentence for t in things)
