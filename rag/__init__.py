"""newsrag: Chinese news retrieval with cited answers.

The public API is small and keyword-based; everything else is internal.
"""

from rag.answering.events import TextPiece
from rag.answering.pipeline import answer, answer_stream
from rag.build import build_index
from rag.config import Config
from rag.errors import NewsragError
from rag.retrieval.index import Index, search
from rag.params import ParamError
from rag.types import Answer, BuildReport, Citation, Hit

__all__ = ["Answer", "BuildReport", "Citation", "Config", "Hit", "Index", "NewsragError",
           "ParamError", "TextPiece", "answer", "answer_stream", "build_index", "search"]
