"""Every caller-supplied parameter is checked here, once, with one kind of message.

`Index.search`, `rag.search`, `rag.answer`/`rag.answer_stream`, the CLI and the app
take the same k, dates, source, as_of, mode … Checked in one place, an invalid value
fails the same way everywhere — a `ValueError` naming the parameter and what is
expected — before it reaches SQLite, jieba or Milvus, where it used to become a
``ProgrammingError``, "LIKE pattern too complex", a ``TypeError`` from the tokenizer,
or was silently taken (``k=0`` returned every candidate, ``source='%'`` matched all).

Bounds (also in the docstrings of the entry points):

* ``k``: a whole number from 1 to 100 (``5.0`` is taken, ``1.5``/``nan``/``True`` are not);
* ``date_from``/``date_to``: ``YYYY-MM-DD`` of a real day (or a `datetime.date`),
  ``date_from`` on or before ``date_to``; None or "" means no limit;
* ``as_of``: a `datetime.date` or ``YYYY-MM-DD`` (a timestamp ``YYYY-MM-DDTHH:MM`` gives its day);
* ``source``: text of at most 200 characters, matched as a plain substring
  (``%`` and ``_`` are characters, not wildcards);
* ``mode``: hybrid, dense or keyword; ``per_article``: True or False;
* ``prefer``: a pair of dates (from, to), in order;
* ``query``/``question``: non-empty text (a `str`); lone surrogates are replaced by
  U+FFFD, and text beyond ``Config.max_query_chars`` is cut off (`truncate`).

`ParamError` is a ``ValueError`` (callers catching ValueError keep working) that also
knows its parameter, so the CLI names its option (``-k``, ``--date-from``; `render`)
and the app says it in Chinese (`ParamError.zh`).
"""

from __future__ import annotations

import math
import numbers
import re
import reprlib
from datetime import date
from typing import Any, Iterable, Mapping

from rag.ingest.encoding import fix_surrogates

K_MIN, K_MAX = 1, 100
MAX_SOURCE_CHARS = 200
MODES = ("hybrid", "dense", "keyword")
ENGINES = ("extractive", "llm")
TRUNCATED_NOTE = "问题过长，只使用了前 {limit} 个字。"

#: the parameters' names in the app's Chinese messages
ZH_NAMES = {"k": "参考段落数", "date_from": "起始日期", "date_to": "结束日期", "source": "来源",
            "as_of": "提问日期", "question": "问题", "query": "检索词", "engine": "引擎",
            "mode": "检索方式", "per_article": "每篇只取一段", "prefer": "优先时段",
            "history": "对话历史"}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ZH_DATE = "YYYY-MM-DD 格式的真实日期，如 2023-07-20"


class ParamError(ValueError):
    """An invalid parameter: which one, what it must be, what was given."""

    def __init__(self, param: str, expected: str, got: Any, zh_expected: str = "", *,
                 problem: str = "", zh_problem: str = ""):
        self.param, self.expected, self.got, self.zh_expected = param, expected, got, zh_expected
        self.problem, self.zh_problem = problem, zh_problem  # said instead, e.g. "is empty"
        super().__init__(self.render())

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """The message with parameters spelled as ``names`` says (the CLI: -k, --date-from)."""
        names = _Names(names or {})
        if self.problem:
            return f"{names[self.param]} {self.problem}"
        return (f"{names[self.param]} must be {self.expected.format_map(names)} "
                f"(got {shown(self.got)})")

    def zh(self) -> str:
        """The message in Chinese, for the app."""
        name = ZH_NAMES.get(self.param, self.param)
        if self.zh_problem:
            return f"{name}{self.zh_problem}"
        expected = (self.zh_expected or self.expected).format_map(_Names(ZH_NAMES))
        return f"{name}应为{expected}（收到 {shown(self.got)}）"


class _Names(dict):
    def __missing__(self, key: str) -> str:
        return key


def shown(value: Any) -> str:
    """A short repr: a 100,000-character value must not become a 100,000-character message."""
    if isinstance(value, (str, bytes)) and len(value) > 40:
        return f"{value[:30]!r}… ({len(value)} characters)"
    text = reprlib.repr(value)  # a huge list is not rendered whole first
    return text if len(text) <= 60 else text[:50] + "…"


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (a JSON "\\ud83d" or a broken paste) replaced by U+FFFD
    and surrogate pairs joined, so jieba, the model and SQLite all accept it."""
    return fix_surrogates(text)[0]


def check_text(value: Any, param: str = "query") -> str:
    """A question or query: non-empty text, cleaned (`clean_text`) and stripped."""
    if not isinstance(value, str):
        raise ParamError(param, "text (a str)", value, "文字")
    text = clean_text(value).strip()
    if not text:
        what = "type a question about the indexed news" if param == "question" else "give keywords"
        raise ParamError(param, "non-empty text", value, "非空的文字", problem=f"is empty: {what}",
                         zh_problem="为空，请输入问题")
    return text


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """(``text`` cut to ``limit`` characters, whether it was cut): bounded work per request."""
    return (text[:limit], True) if len(text) > limit else (text, False)


def truncated_note(limit: int) -> str:
    """The notice an answer carries when its question was cut (`truncate`)."""
    return TRUNCATED_NOTE.format(limit=limit)


def check_k(value: Any, param: str = "k") -> int:
    """``k``: a whole number from K_MIN to K_MAX (5.0 counts as 5; bool is no number)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and not isinstance(value, numbers.Integral):
        ok = math.isfinite(value) and float(value).is_integer()
    if not ok or not K_MIN <= value <= K_MAX:
        raise ParamError(param, f"a whole number from {K_MIN} to {K_MAX}", value,
                         f"{K_MIN} 到 {K_MAX} 之间的整数")
    return int(value)


def check_date(value: Any, param: str) -> str | None:
    """A date filter as ISO ``YYYY-MM-DD`` of a real day; None or "" is no limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):  # a datetime too: its day
        return value.isoformat()[:10]
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass  # 2023-02-30
    raise ParamError(param, "a date written YYYY-MM-DD, such as 2023-07-20", value, _ZH_DATE)


def check_range(date_from: Any, date_to: Any) -> tuple[str | None, str | None]:
    """Both dates checked, and in order."""
    lo, hi = check_date(date_from, "date_from"), check_date(date_to, "date_to")
    if lo and hi and lo > hi:
        raise ParamError("date_from", f"on or before {{date_to}} ({hi})", lo,
                         f"不晚于{{date_to}}（{hi}）的日期")
    return lo, hi


def check_as_of(value: Any) -> date | None:
    """"Today" for relative dates: a date, ``YYYY-MM-DD`` or a timestamp; None/"": not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        day = text[:10] if len(text) > 10 and text[10] in "T " else text
        if _ISO_DAY.fullmatch(day):
            try:
                return date.fromisoformat(day)
            except ValueError:
                pass
    raise ParamError("as_of", "a date written YYYY-MM-DD, such as 2024-08-16", value, _ZH_DATE)


def check_prefer(value: Any) -> tuple[str, str] | None:
    """A preferred period: (from, to), both ISO dates, in order; None: no preference."""
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2 or None in value:
        raise ParamError("prefer", "a pair of dates (from, to) written YYYY-MM-DD", value,
                         "一对 YYYY-MM-DD 日期（起，止）")
    lo, hi = check_date(value[0], "prefer"), check_date(value[1], "prefer")
    if not lo or not hi or lo > hi:
        raise ParamError("prefer", "a pair of dates (from, to) with from on or before to", value,
                         "一对日期（起，止），起不晚于止")
    return lo, hi


def check_source(value: Any) -> str | None:
    """The source filter: plain text matched as a substring of source, path or URL."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_SOURCE_CHARS:
        raise ParamError("source", f"text of at most {MAX_SOURCE_CHARS} characters", value,
                         f"不超过 {MAX_SOURCE_CHARS} 个字的文字")
    return clean_text(value).strip() or None


def check_mode(value: Any) -> str:
    if not isinstance(value, str) or value not in MODES:
        raise ParamError("mode", "one of " + ", ".join(MODES), value, "、".join(MODES) + " 之一")
    return value


def check_flag(value: Any, param: str) -> bool:
    """A switch such as ``per_article``: True or False, nothing that merely looks truthy."""
    if not isinstance(value, bool):
        raise ParamError(param, "True or False", value, "True 或 False")
    return value


def check_engine(value: Any) -> Any:
    """None, "extractive", "llm", or an engine object with a ``.stream()`` method."""
    if value is None or (isinstance(value, str) and value in ENGINES):
        return value
    if not isinstance(value, (str, bytes)) and callable(getattr(value, "stream", None)):
        return value
    raise ParamError("engine", "'extractive', 'llm' or an object with a .stream() method "
                     "(see rag.answering.pipeline.Engine)", value, "extractive 或 llm")


def check_history(value: Any) -> Any:
    """History: None or a list of (question, answer) pairs / {"role", "content"} messages
    (each item is checked by `rag.answering.followup.normalize_history`)."""
    if value is None or (isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict))):
        return value
    raise ParamError("history", "a list of (question, answer) pairs or {{'role', 'content'}} "
                     "messages", value, "（问题，回答）对或消息的列表")


def search_args(*, k: Any = 5, date_from: Any = None, date_to: Any = None, source: Any = None,
                per_article: Any = False, mode: Any = "hybrid", as_of: Any = None,
                prefer: Any = None) -> dict:
    """The options of `Index.search`, checked and normalised (the query: `check_text`)."""
    lo, hi = check_range(date_from, date_to)
    return {"k": check_k(k), "date_from": lo, "date_to": hi, "source": check_source(source),
            "per_article": check_flag(per_article, "per_article"), "mode": check_mode(mode),
            "as_of": check_as_of(as_of), "prefer": check_prefer(prefer)}


def answer_args(*, k: Any = 5, date_from: Any = None, date_to: Any = None, source: Any = None,
                as_of: Any = None, engine: Any = None) -> dict:
    """The options of `rag.answer` (and of the app's form), checked and normalised."""
    lo, hi = check_range(date_from, date_to)
    return {"k": check_k(k), "date_from": lo, "date_to": hi, "source": check_source(source),
            "as_of": check_as_of(as_of), "engine": check_engine(engine)}
