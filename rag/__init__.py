"""newsrag: Chinese news retrieval with cited answers.

The public API is small and keyword-based; everything else is internal.
"""

from .answer import answer, answer_stream
from .build import build_index
from .config import Config
from .errors import NewsragError
from .index import Index, search
from .params import ParamError
from .types import Answer, BuildReport, Citation, Hit

__all__ = ["Answer", "BuildReport", "Citation", "Config", "Hit", "Index", "NewsragError",
           "ParamError", "answer", "answer_stream", "build_index", "search"]
