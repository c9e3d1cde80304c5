"""Check every cited sentence of an answer against the passage it cites.

Used by all engines, so an LLM answer and an extractive one are held to the
same standard. The answer's markers are numbered already (`rag.answering.markers`);
`check` judges each claim (the text before a marker group) against each passage
it cites:

* numbers and names of the claim must occur in the cited passage (or title);
* its words must overlap the passage (coverage >= `COVERAGE_OK`) or its
  embedding must be close to one passage sentence (cosine >= `SIM_OK`).

The thresholds were set on the sample page: reworded sentences score
coverage .8-.9 and cosine .79-.95 against their own passage; against the
passages of the other articles, the best match of a sentence scores coverage
.45 / cosine .78 at the 95th percentile (.57 / .81 at most). Of 999 pairs
(74 sentence fragments x passages of other articles) 9 (0.9%) pass, all short
generic fragments such as "包括广大户外劳动者".
Numbers or names that occur in no retrieved passage at all are reported in
``flags``: they are what a model invents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.answering.events import REFUSAL
from rag.answering.markers import MARKER, MARKERS_ONLY, renumber
from rag.answering.sentence_vectors import passage_vectors
from rag.embedding.embedder import on_reference_scale
from rag.embedding.encoder import Encoder
from rag.text.chunking import split_sentences
from rag.text.sentences import Sentence, names, numbers, passage_sentences, terms
from rag.types import Citation, Hit

COVERAGE_OK = 0.5
SIM_OK = 0.85


# ---------------------------------------------------------------- claims
@dataclass
class Claim:
    text: str  # without markers
    numbers: list[int]  # citation numbers (1-based, after renumbering)


def claims(text: str) -> list[Claim]:
    """Split an answer into claims: the text before each marker group, within a sentence.

    A marker group placed after the full stop ("…形式。[1]") belongs to the
    sentence before it; text after the last marker of a sentence joins the
    last claim; sentences without markers are uncited claims.
    """
    out: list[Claim] = []
    for span in split_sentences(text):
        sent = text[span.start : span.end]
        if MARKERS_ONLY.match(sent):
            nums = [int(n) for m in MARKER.finditer(sent) for n in re.findall(r"\d+", m.group(1))]
            if out:
                out[-1].numbers.extend(n for n in nums if n not in out[-1].numbers)
            continue
        pos, parts = 0, []
        for group in re.finditer(r"(?:" + MARKER.pattern + r")+", sent):
            nums = [int(n) for n in re.findall(r"\d+", group.group())]
            if not sent[: group.start()].strip() and out:  # "…。[1]" split after the 。
                out[-1].numbers.extend(n for n in nums if n not in out[-1].numbers)
            else:
                parts.append(Claim(sent[pos : group.start()], nums))
            pos = group.end()
        tail = sent[pos:]
        if parts and tail.strip(" 。！？；.!?;，,"):
            parts[-1].text += tail
        elif not parts:
            parts.append(Claim(tail, []))
        out.extend(p for p in parts if p.text.strip(" 。！？；.!?;，,\n"))
    for c in out:
        c.text = MARKER.sub("", c.text).strip().lstrip("，,、；;：: ")
    return out


# ---------------------------------------------------------------- the check
@dataclass
class Verdict:
    supported: bool
    quote: Sentence | None
    score: float
    reason: str = ""


@dataclass
class CheckResult:
    text: str
    citations: list[Citation] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def judge(claim: str, hit: Hit, embedder: Encoder, *, shared: bool = False) -> Verdict:
    """Does ``hit`` support ``claim``? ``shared``: other passages cite the same claim,
    so this one needs to carry only part of it (one of its numbers, some of its words)."""
    sents = passage_sentences(hit) or [Sentence(hit.text, 0, len(hit.text))]
    context = f"{hit.title}\n{hit.text}"
    c_terms = terms(claim)
    coverage = len(c_terms & terms(context)) / len(c_terms) if c_terms else 1.0
    core = _squash(claim).rstrip("。！？!?；;，,")
    # a quoted sentence, or a short answer copied from the passage ("高丰", "70件"): no need to
    # embed, and word overlap would miss a name jieba cuts differently in context
    verbatim = [i for i, s in enumerate(sents) if len(core) >= 2 and core in _squash(s.text)]
    if verbatim:
        best, sim = verbatim[0], 1.0
        coverage = 1.0
    else:
        vecs = passage_vectors(embedder, [claim] + [s.text for s in sents])
        sims = on_reference_scale(vecs[1:] @ vecs[0], embedder.name, "passage")  # SIM_OK's scale
        local = [len(c_terms & terms(s.text)) / max(len(c_terms), 1) for s in sents]
        best, sim = int(np.argmax(sims + np.asarray(local))), float(sims.max())
    quote = _widen(hit.text, sents, best, numbers(claim))
    c_nums, p_nums = numbers(claim), numbers(context)
    missing_nums = sorted(c_nums - p_nums)
    missing_names = sorted(n for n in names(claim) if n not in context)
    if shared:
        ok = (not c_nums or bool(c_nums & p_nums)) and (coverage >= 0.3 or sim >= SIM_OK)
        missing_nums = [] if ok else missing_nums
        missing_names = [] if ok else missing_names
    else:
        ok = not missing_nums and not missing_names and (coverage >= COVERAGE_OK or sim >= SIM_OK)
    reason = ""
    if not ok:
        if missing_nums:
            reason = f"引用的资料中没有数字 {'、'.join(missing_nums)}"
        elif missing_names:
            reason = f"引用的资料中没有提到 {'、'.join(missing_names)}"
        else:
            reason = f"引用的资料与这句话不符（词语重合 {coverage:.0%}，语义相似度 {sim:.2f}）"
    return Verdict(ok, quote, coverage + sim, reason)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _widen(text: str, sents: list[Sentence], best: int, nums: set[str]) -> Sentence:
    """The best sentence, plus a neighbour when only the neighbour holds the claim's numbers."""
    s = sents[best]
    if nums and not nums <= numbers(s.text):
        for j in (best + 1, best - 1):
            if 0 <= j < len(sents) and (nums & numbers(sents[j].text)) - numbers(s.text):
                a, b = sents[min(best, j)].start, sents[max(best, j)].end
                return Sentence(text[a:b], a, b)
    return s


def check(text: str, cited: list[Hit], hits: list[Hit], embedder: Encoder) -> CheckResult:
    """Judge ``text`` (markers already numbered 1..len(cited)) and build its citations."""
    verdicts: dict[int, list[Verdict]] = {n: [] for n in range(1, len(cited) + 1)}
    flags: list[str] = []
    everything = "\n".join(f"{h.title}\n{h.text}" for h in hits)
    all_nums = numbers(everything)
    for c in claims(text):
        if REFUSAL.rstrip("。") in c.text:
            continue
        valid = [n for n in c.numbers if 1 <= n <= len(cited)]
        for n in valid:
            verdicts[n].append(judge(c.text, cited[n - 1], embedder, shared=len(valid) > 1))
        unknown = sorted(numbers(c.text) - all_nums) + sorted(
            x for x in names(c.text) if x not in everything)
        if unknown:
            short = c.text if len(c.text) <= 40 else c.text[:40] + "…"
            flags.append(f"“{short}”中的 {'、'.join(unknown)} 在检索到的资料中找不到")
    citations = []
    for n, hit in enumerate(cited, 1):
        vs = verdicts[n]
        if not vs:  # cited only inside a refusal or an empty claim
            vs = [Verdict(False, None, 0.0, "没有可核对的句子")]
        failed = [v for v in vs if not v.supported]
        quote = _merge_quotes(hit, [v.quote for v in sorted(vs, key=lambda v: -v.score) if v.quote])
        citations.append(Citation(
            number=n, hit=hit, quote=quote.text if quote else "", supported=not failed,
            quote_start=hit.start + quote.start if quote else hit.start,
            quote_end=hit.start + quote.end if quote else hit.start,
            reason=failed[0].reason if failed else "",
        ))
    return CheckResult(text, citations, flags)


def _merge_quotes(hit: Hit, quotes: list[Sentence]) -> Sentence | None:
    """One contiguous quote: the best claim's sentence, stretched over the others when close by."""
    if not quotes:
        return None
    start, end = quotes[0].start, quotes[0].end
    for q in quotes[1:]:
        lo, hi = min(start, q.start), max(end, q.end)
        if hi - lo <= 300:
            start, end = lo, hi
    return Sentence(hit.text[start:end], start, end)


def check_answer(text: str, hits: list[Hit], embedder: Encoder) -> CheckResult:
    """Renumber raw markers (hit positions) and check: the one call for a finished answer."""
    text, order = renumber(text, len(hits))
    return check(text, [hits[i] for i in order], hits, embedder)
