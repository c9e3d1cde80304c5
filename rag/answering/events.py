"""The typed values that flow out of engines and out of `rag.answer_stream`.

An engine's stream yields text pieces (``str``) and, when the passages do not answer
the question, a `Refusal` — so the pipeline never has to guess a refusal from the
words of the text. `rag.answer_stream` yields `TextPiece` items while the answer is
written and then the finished `rag.Answer` itself; callers dispatch on the type::

    for item in rag.answer_stream(question):
        match item:
            case rag.TextPiece():
                print(item, end="")
            case rag.Answer():
                show(item)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from rag.types import Answer

#: What every engine says when the passages do not answer the question.
REFUSAL = "资料中没有找到相关信息。"


@dataclass(frozen=True)
class Refusal:
    """An engine's explicit "these passages do not answer it".

    ``text`` is shown in place of an answer: `REFUSAL`, or a reason (the archive ends
    before the period asked about); empty when the engine has already streamed its
    refusal as text (an LLM knows only once it has written it).
    """

    text: str = REFUSAL


class TextPiece(str):
    """A piece of the answer text as it is written, citation markers already final.

    A ``str`` subclass so that the stream is typed and still the stream of earlier
    releases: callers that print or join the pieces, or test ``isinstance(item, Answer)``
    for the end, keep working; new callers match on ``TextPiece`` / ``Answer``.
    """

    __slots__ = ()


#: What `rag.answer_stream` yields: text pieces, then the finished, checked `Answer`
#: (whose text may replace the streamed one, with `Answer.note` saying why).
AnswerEvent = Union[TextPiece, Answer]


def engine_text(pieces: Iterable[str | Refusal]) -> tuple[str, bool]:
    """(the text an engine's stream wrote, whether it refused), for callers that need the
    whole answer at once rather than its pieces."""
    parts, refused = [], False
    for piece in pieces:
        if isinstance(piece, Refusal):
            refused, piece = True, piece.text
        parts.append(piece)
    return "".join(parts), refused
