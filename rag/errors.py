"""Errors a user can act on. Each message names the problem and the fix.

The CLI and the app catch `NewsragError` and show its message without a
traceback; anything else is a bug.
"""


class NewsragError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class IndexNotFoundError(NewsragError):
    pass


class IndexCorruptError(NewsragError):
    pass


class IndexMismatchError(NewsragError):
    pass


class ConfigError(NewsragError):
    pass
