"""The typed values that flow out of engines and out of `rag.answer_stream`.

An engine's stream yields text pieces (``str``) and, when the passages do not answer
the question, a `Refusal` — so the pipeline never has to guess a refusal from the
words of the text. `rag.answer_stream` yields `TextPiece` events while the answer is
written and one `AnswerDone` at the end; callers dispatch on the type::

    for event in rag.answer_stream(question):
        match event:
            case rag.TextPiece(text):
                print(text, end="")
            case rag.AnswerDone(answer):
                show(answer)
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


@dataclass(frozen=True)
class TextPiece:
    """A piece of the answer text as it is written, citation markers already final."""

    text: str


@dataclass(frozen=True)
class AnswerDone:
    """The last event: the finished, checked `Answer` (it may replace the streamed text)."""

    answer: Answer


AnswerEvent = Union[TextPiece, AnswerDone]


def engine_text(pieces: Iterable[str | Refusal]) -> tuple[str, bool]:
    """(the text an engine's stream wrote, whether it refused), for callers that need the
    whole answer at once rather than its pieces."""
    parts, refused = [], False
    for piece in pieces:
        if isinstance(piece, Refusal):
            refused, piece = True, piece.text
        parts.append(piece)
    return "".join(parts), refused
