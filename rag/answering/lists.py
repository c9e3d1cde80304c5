"""Every item when a list is asked (哪些/哪几/包括什么), not the one the reader spanned.

The reader proposes one span; a reader of the news asking "技能竞赛设置了哪几个赛道？" wants all
four. The engine completes a list from what the passages say: the enumeration the spanned item
belongs to, the items a count introduces ("三类：一是…二是…"), items the article names in separate
sentences, or — when the reader spans none of them — the enumeration of a sentence that names
what the question asks a list of ("国防教育课、消防“坝坝课”、非遗课堂…两周时间，支教队组织开展了一系列
兴趣课程" for "开了哪些兴趣课程").
"""

from __future__ import annotations

import re

from rag.answering.answer_type import people
from rag.answering.sentence_scorer import clean_sentence
from rag.answering.span_ranker import Candidate
from rag.answering.span_shape import enumeration, is_count, list_in_passage, ordinal_items
from rag.text.sentences import passage_sentences
from rag.text.tokenizer import tagged
from rag.types import Hit

LIST_SLACK = 1.0  # log-odds below the best span within which items of other sentences are joined


def whole_list(hit: Hit, best: Candidate) -> tuple[str, str] | None:
    """Asked for a list (哪些/哪几…) and given one item or a count: (every item, the sentences
    naming them) from the same passage — the enumeration the item belongs to ("奥林匹克塔" ->
    "国家速滑馆“冰丝带”、奥林匹克塔、首开书院"), or the items a count introduces ("三类：一是…
    二是…三是…"); None when the passage lists nothing more."""
    text = hit.text
    ordinal = ordinal_items(text, best.end) if is_count(best.short) else None
    if ordinal:
        items, end = ordinal
        short, a, b = f"{best.short}：{'、'.join(items)}", best.start, end
    else:
        found = list_in_passage(text, best.short)
        if found is None:
            return None
        a, b = found
        short = text[a:b]
    sents = [s for s in passage_sentences(hit) if s.end > a and s.start < b]
    return (short, clean_sentence(text[sents[0].start:sents[-1].end])) if sents else None


_ITEM = 16  # characters: longer spans are clauses, not items of a list


def items_across(found: list[tuple[Candidate, float]], hits: list[Hit]) -> list[Candidate]:
    """Asked for a list whose items the article names in separate sentences ("前往美国西点军校
    就读…在英国布里斯托大学取得博士学位"): the best span and the others of the same article and
    kind that score within `LIST_SLACK` of it, in the article's order (at most six)."""
    (best, top), doc = found[0], hits[found[0][0].passage].doc_id
    if len(best.short) > _ITEM:  # a clause, not an item
        return [best]
    items = [best]
    for c, score in found[1:]:
        if (score >= top - LIST_SLACK and hits[c.passage].doc_id == doc and len(c.short) <= _ITEM
                and c.features["type_ok"] == best.features["type_ok"]
                and not any(c.short in i.short or i.short in c.short for i in items) and whole_item(c.short)):
            items.append(c)
    return sorted(items[:6], key=lambda c: (hits[c.passage].start, c.start))


def whole_item(short: str) -> bool:
    """An item (or items), not a broken clause: not ending on a verb or a particle
    ("满足没有直达车、或者有" is cut out of a clause)."""
    words = tagged(short)
    return bool(words) and (
        words[-1].flag not in ("v", "u", "uj", "ul", "c", "p", "d", "r", "y") or people(short))  # 黄溪/nr 连/u


def distinct_evidence(items: list[Candidate]) -> list[Candidate]:
    """One candidate per evidence sentence, so a sentence naming two items is quoted once."""
    seen: set[str] = set()
    return [c for c in items if not (c.evidence in seen or seen.add(c.evidence))]


# "开了哪些兴趣课程", "有哪几家合作企业": what the question asks a list of
_ASKED_OF = re.compile(r"(?:哪些|哪几[个位类种项家所条款场支]?|包括什么|包括哪些)")
_ENUM_END = ("…", "……", "等")


def asked_head(query: str) -> str | None:
    """The noun a list question asks for, three characters or more (兴趣课程; not 国家 or 功能,
    which any enumeration of the article may seem to answer)."""
    m = _ASKED_OF.search(query)
    if not m:
        return None
    head = ""
    for w in tagged(query[m.end():m.end() + 10]):
        if not w.flag.startswith(("n", "vn")) or len(head) + len(w.word) > 8:
            break
        head += w.word
    return head if len(head) >= 3 else None


def named_list(query: str, hits: list[Hit], doc_id: str) -> tuple[str, str, int] | None:
    """(the items, their sentence(s), the passage's index) of the first enumeration of the article
    ``doc_id`` whose sentence — or the next one, when the enumeration trails off ("……") — names
    what the question asks a list of; None when no sentence does."""
    head = asked_head(query)
    if not head:
        return None
    for no, hit in enumerate(hits):
        if hit.doc_id != doc_id:
            continue
        sents = passage_sentences(hit)
        for i, s in enumerate(sents):
            sep = hit.text.find("、", s.start, s.end)
            whole = enumeration(hit.text, sep + 1, sep + 2) if sep != -1 else None
            if not whole:
                continue
            around = s.text + (sents[i + 1].text if i + 1 < len(sents) and s.text.rstrip("。").endswith(_ENUM_END)
                               else "")
            if head in around:
                items = re.split(r"…|(?<=.)等(?=[^、]{0,2}$)", hit.text[whole[0]:whole[1]])[0]  # "…科学实验课……两周"
                return items, clean_sentence(around), no
    return None
