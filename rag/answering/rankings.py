"""Who holds a first place, and which medal, event or rank goes with whom, in a yes/no claim.

Ways the news contradicts a claim without a wrong number or name in it:

* the first place is someone else's: "获得席位最多的是为泰党吗" against "远进党…获得席位最多，为泰党
  次之" — 为泰党 is in the sentence, but not in the clause that says 最多;
* the grade goes with another event of a list: "男子3米板单人项目上拿的是金牌吗" against "斩获男子
  3米板双人金牌、单人银牌" — 单人 stands with 银牌, 金牌 with 双人;
* what is claimed of a person is said of another in the same sentence: "李贺参加的是男子三级跳远吗"
  against "李贺将参加女子4×100米接力赛，黄华锋的参赛项目为男子三级跳远";
* another rank: "是长江源区第二大的沼泽湿地吗" against "查旦湿地是长江源区最大的沼泽湿地";
* the other way of a comparison, or a minority claimed to be the majority ("3名自由派大法官" of 9).
"""

from __future__ import annotations

import re

from rag.text.sentences import terms
from rag.text.tokenizer import word_tag, words as cut

# a first place the question gives someone: "获得席位最多的是为泰党吗", "票房最高的是《X》吗"
_FIRST = r"最[多高大少低快早强好长]|第一|榜首|首位"
_ASKED_HOLDER = re.compile(rf"({_FIRST})的?(?:是|为)?([^，。？?、]{{2,14}}?)(?:吗|么|呢)?[？?]?$")
_CLAUSES = re.compile(r"[，,；;。！!？?]")
# grades that exclude each other: a medal, a prize, a place
_GRADES = (("金牌", "银牌", "铜牌"), ("金奖", "银奖", "铜奖"), ("冠军", "亚军", "季军"),
           ("一等奖", "二等奖", "三等奖"))
_ITEMS = re.compile(r"[、，,；;]|和|及|与")


def other_holder(asked: str, sentence: str) -> bool:
    """The sentence gives the first place the question asks about to another: the clause that
    says it (with the question's words before 最…) leaves out whom the question names, who is
    named elsewhere in the sentence ("为泰党次之")."""
    m = _ASKED_HOLDER.search(asked)
    if not m:
        return False
    first, holder = m.group(1), m.group(2).strip()
    about = terms(asked[:m.start()])
    if not about or holder not in sentence:
        return False
    return any(first in c and about & terms(c) and holder not in c for c in _CLAUSES.split(sentence))


def other_grade(asked: str, sentence: str) -> bool:
    """The sentence lists events with their grades and gives the question's event another one:
    the word right before a grade ("单人" of "单人银牌") is the event it goes with, and the events
    the question names are given only grades other than the one it asks."""
    for grades in _GRADES:
        wanted = [g for g in grades if g in asked]
        if len(wanted) != 1:
            continue
        words, given = terms(asked), set()
        for item in _ITEMS.split(sentence):
            for g in grades:
                if (at := item.find(g)) > 0 and (before := cut(item[:at])) and before[-1] in words:
                    given.add(g)
        if given and wanted[0] not in given:
            return True
    return False


def other_partner(asked: str, sentence: str) -> bool:
    """The clause naming the question's person leaves out what the question claims of them, and
    another clause of the sentence says exactly that of another person."""
    from rag.answering.answer_type import people
    from rag.text.sentences import names

    clauses = [c for c in _CLAUSES.split(sentence) if c]
    for name in (n for n in names(asked) if n in sentence and people(n)):
        own = [c for c in clauses if name in c]
        if len(own) != 1:
            continue
        claim = asked[asked.find(name) + len(name):]
        claimed = terms(claim) - terms(own[0])  # all of it said of the other, things among it
        if not _things(claim) & claimed:
            continue
        if any(name not in c and claimed <= terms(c) and any(people(n) for n in names(c) - names(asked))
               for c in clauses):
            return True
    return False


def _things(text: str) -> set[str]:
    """The words of ``text`` that name things, not acts (三级跳远, not 参加: "参赛" says 参加 too)."""
    return {t for t in terms(text) if len(t) >= 2 and not word_tag(t, "n").startswith(("v", "d", "u", "p", "c", "r"))}


_NTH_RANK = re.compile(r"第([二三四五六七八九十\d]+)([大多高长深快])")


def other_rank(asked: str, sentence: str) -> bool:
    """"第二大" asked, "最大" said of the same words (or "第三大"): another rank."""
    m = _NTH_RANK.search(asked)
    if not m:
        return False
    after = terms(asked[m.end():])
    for said in re.finditer(rf"(最|第[一二三四五六七八九十\d]+){m.group(2)}", sentence):
        if said.group(1) != f"第{m.group(1)}" and after & terms(sentence[said.end():said.end() + 12]):
            return True
    return False


_MORE, _LESS = "高多快大强增涨升超", "低少慢小弱减降跌"
# "是否低于全国工业投资": the question's comparison and what it compares with
_ASKED_COMPARE = re.compile(r"(高于|多于|快于|大于|强于|超过|低于|少于|慢于|小于|弱于|不及|不如)([^，,。？?]{2,12})")
# "较全国工业投资高3.5个百分点", "比上年增长", "高于全国平均水平": the sentence's comparison
_SAID_COMPARE = re.compile(rf"(?:较|比)([^，,。；;]{{2,14}}?)([{_MORE}{_LESS}])|([{_MORE}{_LESS}])于([^，,。；;]{{2,12}})")


def other_direction(asked: str, sentence: str) -> bool:
    """"是否低于全国工业投资" against "较全国工业投资高3.5个百分点": the sentence compares with the
    same thing the other way."""
    m = _ASKED_COMPARE.search(asked)
    if not m:
        return False
    up = m.group(1)[0] in _MORE  # 超过 too; 不及/不如 are lower
    against = terms(m.group(2))
    for said in _SAID_COMPARE.finditer(sentence):
        what, way = (said.group(1), said.group(2)) if said.group(1) else (said.group(4), said.group(3))
        if against & terms(what) and (way in _MORE) != up:
            return True
    return False


_MAJORITY = re.compile(r"占多数|过半|超过半数|超过一半|一半以上|半数以上|占大多数")
_COUNTED = re.compile(r"(\d+)\s*[名个位家人]([^，,。；;、\d]{0,8})")


def minority(asked: str, sentence: str) -> bool:
    """"自由派大法官是否占多数？" against "9名大法官中，有6名保守派大法官，3名自由派大法官": the
    group asked (the words that set its count apart from the total's) is no more than half."""
    if not _MAJORITY.search(asked):
        return False
    counts = [(int(n), after) for n, after in _COUNTED.findall(sentence)]
    if len(counts) < 2:
        return False
    total, whole = max(counts)
    own = terms(asked)
    group = [n for n, after in counts if n < total and own & (terms(after) - terms(whole))]
    return bool(group) and 2 * group[0] <= total
