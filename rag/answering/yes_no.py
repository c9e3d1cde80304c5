"""是 or 否 for a yes/no question, from the sentence that speaks of what it asks.

The engine (`rag.answering.extractive`) finds the sentence; this module decides. A yes/no question
in the news is mostly a claim with one detail that may be wrong, so the answer is 是 only when the
sentence says the same with the same polarity and contradicts none of its details:

* a negation on one side only ("是否出席" against "未出席");
* a quantity, compared in its measure word and magnitude (`rag.answering.stated_number`), an
  ordinal ("第二次" against "第三次") or a level counted in Chinese ("三级" against "两级");
* a time: another year, month or day (`rag.answering.asked_time`);
* a name the question states that its article never mentions;
* another place where the question says where ("是否位于湖北境内" against "位于广东境内的4家洗钱金店"),
  or of the same rank before the same words ("首尔市一家…设施" against "蔚山市一家…设施");
* the opposite change ("环比是否上涨" against "环比下降0.2%"), the other way of a comparison
  ("是否低于全国" against "较全国高3.5个百分点"), a group of no more than half asked whether it is
  the majority ("3名自由派大法官" of 9), another role ("由A主办吗" against "由A指导，B主办")
  or another person ("致辞的是不是吴恳" against "吴俊辉少将在招待会上致辞"), or a post taken away, not
  given ("是否被任命为行政审判庭庭长" against "免去其…行政审判庭庭长职务", `rag.answering.roles`);
* only something else ("是否派出驱逐舰跟踪" against "当时只有一艘美国海岸警卫队的巡逻艇在现场");
* a first place held by another, or another grade for the event asked ("单人项目上拿的是金牌吗"
  against "双人金牌、单人银牌", `rag.answering.rankings`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answering.answer_type import DATES
from rag.answering.asked_time import BASELINE, asked_time, bare_days, names_year, other_time
from rag.answering.rankings import (minority, other_direction, other_grade, other_holder, other_partner,
                                    other_rank)
from rag.answering.roles import asked_person, asked_role, other_person, post_taken, role_holds
from rag.answering.sentence_scorer import clean_sentence
from rag.answering.stated_number import number_holds, ordinal_holds
from rag.text.sentences import in_other_length, names, numbers, passage_sentences, terms
from rag.text.tokenizer import tagged, word_spans
from rag.types import Hit

_A_NOT_A = r"是不是|有没有|会不会|能不能|对不对|可不可以|要不要|该不该|需不需要|用不用|算不算"
_YES_NO = re.compile(rf"(?:吗|么|嘛)\s*[？?]?\s*$|是否|能否|可否|{_A_NOT_A}")
#: words that ask for something other than 是/否 (…有多少人吗 asks for a number)
WH = re.compile(r"什么|谁|哪|多少|几[个位次家名年月日号天]|何时|何地|为何|为什么|怎么|如何|多大|多久|多长")
# negation words, read as jieba's words so 谭克非, 未来, 不断, 非洲 and 无人机 are none
_NEG_CHARS = frozenset("不没未无非别勿")
_NEG_WORDS = ("没有", "尚未", "未能", "未获", "未被", "未曾", "不是", "不能", "不会", "不再", "不得", "不予",
              "不必", "不曾", "不符", "不可", "无法", "无需", "无须", "从未", "从不", "绝不", "并未", "并不",
              "并非", "毫无", "没能")
_ASKING_NEG = re.compile(rf"是否|{_A_NOT_A}")
# changes and outcomes whose words say the opposite of each other
_OPPOSITES = (("上涨", "下降"), ("上涨", "下跌"), ("增长", "下降"), ("增长", "减少"), ("上升", "下降"),
              ("提高", "降低"), ("增加", "减少"), ("扩大", "缩小"), ("盈利", "亏损"), ("战胜", "不敌"),
              ("战胜", "负于"), ("战胜", "输给"), ("承认", "否认"))


def is_yes_no(question: str) -> bool:
    """…吗？/是否/是不是… without a wh-word. The last clause asks: "讲甲亢怎么吃的那篇文章里，
    甲亢的人要不要忌口海蜇？" is a yes/no question."""
    last = re.split(r"[，,；;]", question.strip())[-1]
    if len(last.strip("？?！! ")) <= 5:  # a tag ("…，对吗？", "…，你知道吗？") asks about the whole
        last = question
    return bool(_YES_NO.search(last)) and not WH.search(_ASKING_NEG.sub("", last))


def claim_terms(question: str) -> set[str]:
    """The words of what a yes/no question claims: those after its 是否/是不是 ("特等奖是否是一个
    独立的奖励等级" claims 独立/奖励/等级; what comes before sets the scene), or of the last clause of
    a "…，…吗" question, less the words the clauses before it use — or, when it asks
    whether someone is a given person, the act or role just before ("招待会上致辞的国防武官是不是
    吴恳": the sentence of who gave the speech, not any sentence naming 吴恳)."""
    if asked_person(question):
        return terms(asked_role(question))
    asking = list(_ASKING_NEG.finditer(question))
    if asking:
        return _longest(terms(question[asking[-1].end():]))
    clauses = _clauses(question)
    return _longest(terms(clauses[-1]) - terms("".join(clauses[:-1]))) if len(clauses) >= 2 else set()


def claim_text(question: str) -> str:
    """What a yes/no question claims, as written: after its last 是否/是不是, else its last clause
    ("约140所大学…的劳资纠纷中，…是否表示会给教师加薪": 140所 sets the scene, it is no count claimed)."""
    asking = list(_ASKING_NEG.finditer(question))
    return question[asking[-1].end():] if asking else _clauses(question)[-1] if _clauses(question) else question


def _clauses(question: str) -> list[str]:
    """"…，白俄罗斯军方承认了这次越境吗？": the last clause claims, the ones before set the scene (a tag
    clause such as "对吧" is none)."""
    return [c for c in re.split(r"[，,；;]", question) if len(c.strip("？?！! ")) > 5]


def _longest(words: set[str]) -> set[str]:
    """The words not inside a longer one (华中科技大学, not also 华中 and 科技): each counts once."""
    return {w for w in words if not any(w != o and w in o for o in words)}


def verdict(question: str, sentence: str, hit: Hit, article: str = "") -> tuple[bool, str]:
    """(是?, the evidence to show): ``sentence`` of ``hit`` judged against ``question``; ``article``
    is the rest of its article that was found (a name the question sets the scene with may be
    in another passage). The evidence is the sentence, or the passage's sentence with the
    ordinal that decides."""
    asked = _ASKING_NEG.sub("", question)
    shared = [t for t in terms(asked) if t in sentence]
    q_neg = bool(negations(asked))
    said = negations(sentence)
    s_neg = any(i - 4 <= at < i for t in shared for i in [sentence.find(t)] if i >= 0 for at in said)
    ordinal = sentence
    if ordinal_holds(asked, ordinal) is None:  # the passage's sentence with an ordinal proves it
        ordinal = next((clean_sentence(x.text) for x in passage_sentences(hit)
                        if ordinal_holds(asked, x.text) is not None), sentence)
    whole = f"{hit.title}\n{hit.text}\n{article}"
    other = (_other_number(asked, sentence, whole)
             or _other_day(asked, sentence, hit) or _unnamed(asked, whole)
             or role_holds(asked, sentence) is False or other_person(question, sentence)
             or post_taken(asked, sentence)
             or _opposite(asked, sentence) or other_direction(asked, sentence)
             or minority(asked, sentence)
             or _other_place(asked, sentence) or _other_place_of_rank(asked, sentence)
             or _only_other(asked, sentence)
             or other_holder(asked, sentence) or other_grade(asked, sentence)
             or other_partner(asked, sentence) or other_rank(asked, sentence))
    wrong_ordinal = ordinal_holds(asked, ordinal) is False
    contradicted = wrong_ordinal or other
    # the ordinal's sentence is shown when it decides, or nothing else does ("第七届…第一次全体会议"
    # sets the scene of "讲话的书记是孙新军吗"; the sentence naming 郑晓博 decides)
    evidence = ordinal if wrong_ordinal or not other else sentence
    return q_neg == s_neg and not contradicted, evidence


def negations(text: str) -> list[int]:
    """Where ``text``'s negation words start."""
    return [at for word, at, _ in word_spans(text)
            if word in _NEG_CHARS or word.startswith(_NEG_WORDS)]


def _other_number(asked: str, sentence: str, passage: str) -> bool:
    """Quantities are compared in their measure word ("超过300条" against "航线250余条"), other
    numbers as written; dates are left to `_other_day`."""
    undated = DATES.sub("", asked)
    holds = number_holds(undated, sentence, passage)
    if holds is not None:
        return not holds
    return bool(numbers(undated) - numbers(sentence)) and bool(numbers(sentence))


# a time the clauses after it are said at: a year, a month or day, or now
_TIME_SAID = re.compile(r"(?:19|20)\d{2}|[今去前明后]年|\d{1,2}\s*[月日号]|目前|如今|现在|当前|至今|日前|近日")


def claim_clauses(asked: str, sentence: str) -> str:
    """The part of ``sentence`` that states the claim: up to the last clause sharing the claim's
    words, from the nearest clause before it that says when ("回顾去年，华为发布鸿蒙3，…，截至
    目前，鸿蒙生态设备已达7亿台": 截至目前 dates the 7亿台, not 去年; "普京2日将与埃尔多安通电话，
    这是两人自6月底以来的首次通话": 2日 does)."""
    clauses = re.split(r"(?<=[，,；;：:])", sentence)
    claim = terms(asked)
    scores = [len(claim & terms(c)) for c in clauses]
    if len(clauses) < 2 or not max(scores):
        return sentence
    end = max(i for i, n in enumerate(scores) if n)
    start = next((i for i in range(end, -1, -1) if _says_when(clauses[i])), 0)
    return "".join(clauses[start:end + 1])


# "刷新2016年8月13日16.80摄氏度的最高纪录": the record broken, a time compared with
_RECORD = re.compile(r"(?:刷新|打破|超过|超越)[^，,；;]*?[纪记]录")


def _says_when(clause: str) -> bool:
    """A time the clause is said at; "自6月底以来" opens a period and dates nothing, and a time
    compared with ("较去年同期", a record broken) is not when the claim holds."""
    if _RECORD.search(clause):
        return False
    clause = BASELINE.sub("", clause)
    return any(not re.match(r"\s*[底初末]?(?:以来|至今)", clause[m.end():])
               for m in _TIME_SAID.finditer(clause))


def _other_day(asked: str, sentence: str, hit: Hit) -> bool:
    """Dates compared as times: "8月2日的通话…吗" is not contradicted by "普京2日将…通电话", but
    8月5日 is; "自6月底以来" in both is no contradiction. The time is that of the clauses that
    state the claim (`claim_clauses`)."""
    sentence = claim_clauses(asked, sentence)
    when = asked_time(asked)
    if not hit.date and not names_year(sentence):
        when = replace(when, years=frozenset())  # an undated passage's other years are no time of the claim
    shared = set(DATES.findall(asked)) & set(DATES.findall(sentence))
    days_only = bare_days(sentence)  # "普京2日将…"
    return (not shared and other_time(sentence, hit, when)) or bool(
        days_only and when.days and not days_only & {d for _, d in when.days})


def _unnamed(asked: str, whole: str) -> bool:
    """A name the question states that the passage (title and text) never mentions (广东省 is
    mentioned as 广东, 安理会 as 安全理事会)."""
    return any(not _mentioned(n, whole) and not _mentioned(re.sub(r"(?<=..)[省市县区州]$", "", n), whole)
               for n in names(asked))


def _mentioned(name: str, text: str) -> bool:
    """``name`` is in ``text`` as written or, from three characters, as the short form of a name
    the text writes in full (安理会 of 安全理事会, 北交所 of 北京证券交易所: `in_other_length`)."""
    return name in text or (len(name) >= 3 and bool(in_other_length({name}, text, rare={name})))


def _opposite(asked: str, sentence: str) -> bool:
    """"环比是否上涨？" against "环比下降0.2%": the opposite change, not a negation."""
    return any(x in asked and y in sentence and x not in sentence
               for a, b in _OPPOSITES for x, y in ((a, b), (b, a)))


_WHERE = re.compile(r"(位于|地处|坐落于|坐落在|设在|落户)")
_ONLY = re.compile(r"只有|仅有|唯有|只剩")


def _place_after(text: str, at: int) -> str | None:
    """The place name (jieba ns) that starts right after ``at``, if any."""
    first = next(iter(tagged(text[at:at + 12])), None)
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


_RANK = "省市县区州镇乡村"
_NOT_A_NAME = re.compile(r"^[该本此全各每我其同这那原]|[，,。；;、“”\s]")


def _other_place_of_rank(asked: str, sentence: str) -> bool:
    """"是首尔市一家残疾人福利设施吗" against "蔚山市一家残疾人福利设施": the words after the
    asked place's 市/省/县… are in the sentence, after another place of the same rank, and the
    asked place is nowhere in the sentence (该市, 本省 name no other place)."""
    ends, at = set(), 0  # where a place word (广州市) or a lone rank (首尔/市) ends
    for w in tagged(asked):
        at += len(w.word)
        if w.word[-1] in _RANK and (len(w.word) == 1 or w.flag == "ns"):  # not 社区, 农村
            ends.add(at - 1)
    for at in sorted(ends):
        name = asked[max(0, at - 2):at]
        follow = re.match(r"[\u4e00-\u9fff]{3,4}", asked[at + 1:])
        if len(name) < 2 or not follow or name in sentence:
            continue
        for s in re.finditer(re.escape(asked[at] + follow.group()), sentence):
            said = sentence[max(0, s.start() - 2):s.start()]
            if len(said) == 2 and not _NOT_A_NAME.search(said) and said != name:
                return True
    return False


def _only_other(asked: str, sentence: str) -> bool:
    """The sentence says only something else was there ("当时只有一艘美国海岸警卫队的巡逻艇在现场")
    and never names the thing the question asks about (驱逐舰)."""
    if not _ONLY.search(sentence) or _ONLY.search(asked):
        return False
    things = {w.word for w in tagged(asked) if w.flag in ("n", "nz") and len(w.word) >= 2}
    return any(t not in sentence for t in things)
