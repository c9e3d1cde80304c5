"""Whether the role a yes/no question gives an organisation is the one its evidence gives it.

"活动是否由共青团中央青年发展部主办？" against "活动由共青团中央青年发展部指导，中国青年报社主办，
…承办": every word of the question is in the sentence, and no negation differs, yet the answer is
否 — the department *guided* the event, another body *hosted* it. News names such roles with a
small closed set of verbs right after the organisation, so the verb that follows the organisation
in the evidence decides.
"""

from __future__ import annotations

import re

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
    if not given:
        return None
    return asked in given
