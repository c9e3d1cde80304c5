"""newsrag: Chinese news retrieval with cited answers.

The public API is small and keyword-based; everything else is internal.
"""

from .build import build_index
from .config import Config
from .errors import NewsragError
from .index import Index, search
from .types import BuildReport, Hit

__all__ = ["BuildReport", "Config", "Hit", "Index", "NewsragError", "build_index", "search"]
