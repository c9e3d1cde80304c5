"""Citation markers: recognised in every form a model writes, renumbered by first use.

Markers refer to retrieved passages by 1-based position (``[3]`` = third hit).
`Renumberer` drops numbers that do not exist and renumbers the rest in order of first
use — incrementally, so a streamed answer already shows the final numbers.
"""

from __future__ import annotations

import re

# [1] [1][2] [1,2] [1、2] 【1】 [^1]: all normalised to [n]
MARKER = re.compile(r"[\[【]\^?\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
MARKERS_ONLY = re.compile(r"^(?:\s|" + MARKER.pattern + r")*$")


class Renumberer:
    """Rewrite markers in streamed text: valid numbers renumbered by first use, others dropped.

    ``feed`` returns the text that is safe to show; a possibly unfinished
    marker at the end of a piece is held back until the next piece.
    """

    def __init__(self, n_passages: int):
        self.n = n_passages
        self.order: list[int] = []  # order[i] = 0-based passage index of new number i+1
        self._buf = ""

    def _replace(self, m: re.Match) -> str:
        out = []
        for part in re.split(r"\s*[,，、]\s*", m.group(1)):
            k = int(part)
            if not 1 <= k <= self.n:
                continue
            if k - 1 not in self.order:
                self.order.append(k - 1)
            tag = f"[{self.order.index(k - 1) + 1}]"
            if tag not in out:
                out.append(tag)
        return "".join(out)

    def feed(self, piece: str) -> str:
        text = self._buf + piece
        cut = max(text.rfind("["), text.rfind("【"))
        if cut != -1 and not re.search(r"[\]】]", text[cut:]) and len(text) - cut < 16:
            text, self._buf = text[:cut], text[cut:]
        else:
            self._buf = ""
        return MARKER.sub(self._replace, text)

    def flush(self) -> str:
        text, self._buf = self._buf, ""
        return MARKER.sub(self._replace, text)


def renumber(text: str, n_passages: int) -> tuple[str, list[int]]:
    """A finished text renumbered at once: (text, order) as `Renumberer` leaves them."""
    r = Renumberer(n_passages)
    out = r.feed(text) + r.flush()
    return re.sub(r"[ \t]{2,}", " ", out), r.order
