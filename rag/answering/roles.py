"""Whether the role a yes/no question gives an organisation (or the person it names) is the one
its evidence gives.

"活动是否由共青团中央青年发展部主办？" against "活动由共青团中央青年发展部指导，中国青年报社主办，
…承办": every word of the question is in the sentence, and no negation differs, yet the answer is
否 — the department *guided* the event, another body *hosted* it. News names such roles with a
small closed set of verbs right after the organisation, so the verb that follows the organisation
in the evidence decides. In the same way "致辞的国防武官是不是吴恳？" is answered 否 by "国防武官吴俊辉
少将在招待会上致辞": the evidence gives the act to another person (`other_person`).
"""

from __future__ import annotations

import re

from rag.text.tokenizer import tagged

# the roles an organisation takes in an event, longest first so 联合主办 is read whole
_ROLES = ("联合主办", "共同主办", "主办", "承办", "协办", "指导", "主管", "支持", "赞助", "发起",
          "牵头", "组织", "举办", "主持", "策划", "出品", "冠名")
_ROLE = "|".join(_ROLES)
# "由X主办", "X是否是…的主办方/主办单位": the organisation and the role the question gives it
_ASKED = (re.compile(rf"由\s*([^，,。？?、\s]{{2,30}}?)\s*(?:联合|共同|负责)?({_ROLE})"),
          re.compile(rf"^(?:.*?[，,])?\s*([^，,。？?、\s]{{2,30}}?)\s*(?:是否|是不是)(?:是|为)?[^，,。？?]{{0,20}}?的?"
                     rf"({_ROLE})(?:方|单位|机构|者)"))


def _core(role: str) -> str:
    return role[-2:]  # 联合主办 is a way of 主办


def role_holds(question: str, evidence: str) -> bool | None:
    """True when the evidence names the organisation with the asked role; False when it names
    it right before another role and not the asked one; None when the question gives no role
    or the evidence does not name the organisation with one."""
    for pattern in _ASKED:
        m = pattern.search(question)
        if m:
            break
    else:
        return None
    org, asked = m.group(1), _core(m.group(2))
    org = re.sub(r"^(?:是否|是不是|否|是)?由?", "", org)
    given = []
    for at in [i.start() for i in re.finditer(re.escape(org), evidence)]:
        after = re.match(rf"\s*(?:和|与|及|、)?[^，,。；;？?]{{0,12}}?(?:联合|共同|负责)?({_ROLE})",
                         evidence[at + len(org):])
        if after and not re.search(r"[，,。；;]", after.group(0)):
            given.append(_core(after.group(1)))
    if not given:  # "由司法分局牵头" asked "由政务服务中心牵头吗": the role is another's
        other = re.search(rf"由\s*([^，,。；;？?、\s]{{2,30}}?)\s*(?:联合|共同|负责)?(?:{_ROLE})", evidence)
        return False if other and _core(re.search(_ROLE, evidence[other.end(1):]).group()) == asked \
            and org not in evidence else None
    return asked in given


# "…的，是不是卫生部长萨万特？", "…是否是吴恳": the person a question ends by asking about
_FOCUS = re.compile(r"(?:是不是|是否是|是否为|是否|就是|是)\s*([^，,。？?是]{2,24}?)\s*(?:吗|呢|么)?\s*[？?]?\s*$")


def asked_person(question: str) -> str | None:
    """The person a "…是不是吴恳？" question ends by asking about (its last two or three
    characters: 萨万特 of "卫生部长萨万特"), or None."""
    from rag.answering.answer_type import people

    question = question.strip()
    m = _FOCUS.search(question)
    focus = m.group(1) if m else ""
    found = next((focus[-n:] for n in (3, 2) if len(focus) >= n and people(focus[-n:])), None)
    return found or (_split_name(question[:m.end(1)]) if m else None)


def _split_name(text: str) -> str | None:
    """A name at the end of ``text`` that jieba cuts into a surname and a word (孙 + 新军): the
    surname alone, tagged a person in the question's context, then a word of one or two
    characters."""
    from rag.answering.answer_type import SURNAMES

    words = tagged(text)
    if len(words) >= 2 and words[-2].word in SURNAMES and words[-2].flag == "nr" and len(words[-1].word) <= 2:
        return words[-2].word + words[-1].word
    return None


def asked_role(question: str) -> str:
    """The words just before a "…是不是吴恳？" question's asking word: the act or role the person
    is asked about ("招待会上致辞的国防武官")."""
    question = question.strip()
    m = _FOCUS.search(question)
    return question[max(0, m.start() - 12):m.start()] if m else ""


def other_person(question: str, evidence: str) -> bool:
    """The question asks whether someone is a given person, and the evidence names another
    person (not the reporter of its byline) and never that one."""
    from rag.answering.answer_type import ORDINARY, frequency

    name = asked_person(question)
    if name is None or name[-2:] in evidence:
        return False
    said = {w.word for w in tagged(evidence)  # jieba tags 柏林 nr too: a known word is no name here
            if w.flag in ("nr", "nrfg", "nrt") and len(w.word) >= 2 and frequency(w.word) < ORDINARY}
    said |= set(re.findall(r"[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,6}", evidence))
    return any(p not in question and not re.search(rf"记者\s*{re.escape(p)}", evidence) for p in said)


# "是否被任命为X庭长": a post given; "免去其X庭长职务" takes it away
_GIVEN = re.compile(r"(?:被|获)?(?:任命|提名|聘任|选举|当选|出任|担任)(?:为)?\s*([^，,。？?]{2,30}?)\s*(?:吗|呢|么)?\s*[？?]?\s*$")
_TAKEN = re.compile(r"免去|免职|辞去|不再担任|撤销")


def post_taken(question: str, evidence: str) -> bool:
    """The question asks whether someone was given a post, and the evidence names that post
    only where it is taken away ("免去其武汉市中级人民法院行政审判庭庭长职务")."""
    m = _GIVEN.search(question.strip())
    post = m.group(1).strip() if m else ""
    at = [i.start() for i in re.finditer(re.escape(post), evidence)] if len(post) >= 2 else []
    clause = lambda i: re.split(r"[，,；;。]", evidence[:i])[-1]  # noqa: E731 — the clause before it
    return bool(at) and all(_TAKEN.search(clause(i)) for i in at)
