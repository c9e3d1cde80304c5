"""Turn a follow-up question into a standalone query (relative dates: `rag.answering.dates`).

Retrieval sees one query, not the conversation, so "那这次培训有多少人参加？"
must become "八里庄街道基层工会干部培训班开班，培训有多少人参加？" before
searching. The rules here serve the extractive engine (the LLM engine asks
the model, with these rules as the fallback):

* a question is a follow-up when it leans on context: 那/那么/还有/另外 at
  the start, a deictic (这次, 此次, 该, 这个, 上述 …), a pronoun (他/她),
  fewer than two content words of its own, or when it names nothing of its
  own (no person, place, organisation, number) yet shares a word with the
  previous topic ("培训内容有哪些？");
* 他/她 become the last person named in the previous answer (or question);
* the previous turn's standalone query, minus its question words, is the
  topic carried in front of the follow-up.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from rag.text.sentences import names, numbers, terms
from rag.text.tokenizer import tagged

_LEAD = re.compile(r"^(?:那么|那请问|那(?![些个里儿样])|还有|另外|此外|然后|再问一下|再问)[，,、\s]*")
_DEICTIC = re.compile(r"这次|此次|本次|这个|那个|这项|这场|这些|那些|上述|(?<!应)该|这一|此事|这件事|"
                      r"(?<![其吉])它(?!们)")
_HE = re.compile(r"(?<![其吉])[他她](?![们人国乡])")
_QUESTION_WORDS = re.compile(
    r"有哪些|有多少|什么时候|什么时间|多少|哪些|哪个|哪里|哪儿|哪位|为什么|怎么样|怎样|如何|是谁|是什么|什么|几[个位次家名]?|"
    r"谁|吗|呢|吧|请问|[？?！!。]"
)
_MAX_TOPIC = 40
_MAX_TURNS = 5  # older turns rarely hold what a pronoun refers to


def normalize_history(history: Iterable[Any] | None) -> list[tuple[str, str]]:
    """(user, assistant) pairs from pairs or from Gradio's {"role", "content"} messages."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for item in history or []:
        if isinstance(item, dict):
            role, text = item.get("role"), _content_text(item.get("content"))
            if role == "user":
                if pending is not None:
                    pairs.append((pending, ""))
                pending = text
            elif role == "assistant":
                if pending is None:
                    if pairs:  # a second assistant message (e.g. a status line) extends the last
                        pairs[-1] = (pairs[-1][0], (pairs[-1][1] + "\n" + text).strip())
                    continue
                pairs.append((pending, text))
                pending = None
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            pairs.append((_content_text(item[0]), _content_text(item[1])))
        else:
            raise ValueError(
                "history must be (user, assistant) pairs or {'role', 'content'} messages, "
                f"got {type(item).__name__}"
            )
    if pending is not None:
        pairs.append((pending, ""))
    return [(u, a) for u, a in pairs if u.strip()]


def _content_text(content: Any, depth: int = 0) -> str:
    """Message content as text: a string, or parts like {"type": "text", "text": …}.

    Parts nest at most a few levels in any real chat format; deeper nesting is
    ignored rather than recursed into (a hostile history must not exhaust the stack).
    """
    if content is None or depth > 4:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return _content_text(content.get("text") or content.get("content") or "", depth + 1)
    if isinstance(content, (list, tuple)):
        return "".join(_content_text(c, depth + 1) for c in content)
    return str(content)


def is_followup(question: str) -> bool:
    return bool(_LEAD.match(question) or _DEICTIC.search(question) or _HE.search(question)
                or len(terms(question)) < 2)


def continues(question: str, topic: str) -> bool:
    """Names no person, place, organisation or number of its own, but shares a word with the topic
    ("培训内容有哪些？" after a question about the 八里庄 training course)."""
    return not names(question) and not numbers(question) and bool(terms(question) & terms(topic))


_ASKS = re.compile(r"什么|哪|谁|多少|几|吗|呢|如何|怎么|为什么|为何|是否|有没有|多大|多久|多长|多高|何时|何地")


def topic_of(query: str) -> str:
    """What the conversation is about: the words before the question's first question word
    ("暖·2024爱心互助行动从哪天开始到哪天结束" -> "暖·2024爱心互助行动"), or, when the
    question word comes first, the query without its question words."""
    text = _strip_markers(query)
    m = _ASKS.search(text)
    head = re.sub(r"(?:[从在于是的有了将会要被把和与，,、\s])+$", "", text[:m.start()]) if m else ""
    if len(head) >= 4:
        return head[:_MAX_TOPIC]
    topic = _QUESTION_WORDS.sub("", text)
    topic = re.sub(r"[，,、\s]+$", "", re.sub(r"\s+", " ", topic)).strip("，, ")
    return topic[:_MAX_TOPIC]  # the front holds the original subject of a chain


def _strip_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)


def last_person(texts: Iterable[str]) -> str | None:
    """The last person name (jieba tag nr) in the first text that has one."""
    for text in texts:
        found = [w.word for w in tagged(_strip_markers(text))
                 if w.flag in ("nr", "nrfg", "nrt") and 2 <= len(w.word) <= 4]
        if found:
            return found[-1]
    return None


def rewrite_rules(question: str, history: Iterable[Any] | None) -> str:
    """The standalone form of ``question`` given the conversation so far (rule-based)."""
    pairs = normalize_history(history)[-_MAX_TURNS:]
    question = question.strip()
    if not pairs:
        return question
    prev_user, prev_answer = pairs[-1]
    prev_query = rewrite_rules(prev_user, pairs[:-1])
    topic = topic_of(prev_query)
    if not (is_followup(question) or continues(question, topic)):
        return question
    q = question
    if _HE.search(q):
        person = last_person([prev_answer, prev_query])
        if person:
            q = _HE.sub(person, q, count=1)
    q = _DEICTIC.sub("", _LEAD.sub("", q)).strip()
    if not topic or all(t in q for t in terms(topic)):
        return q or question
    return f"{topic}，{q}"
