"""The malformed and adversarial inputs of test_malformed, generated into a folder.

Each good record carries a unique marker (MK0001…) that must reach the index;
each bad item is listed with the file, line and reason part the report must
show; ``odd`` lists inputs that are strange but fully valid (other encodings,
wrong-typed optional fields…), which must be read without a report.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

GOOD = "{m}号稿件：市民在公园里观看灯会，现场热闹非凡。"
HUGE_LINE = 1_500_000  # characters of one unpunctuated line: past the 2,000-chunk cap


def make_corpus(root: Path) -> "Corpus":
    c = Corpus(root)
    _jsonl_cases(c)
    _json_cases(c)
    _file_cases(c)
    _fs_cases(c)
    return c


class Corpus:
    """Files under ``root``, with what must be indexed and what must be reported."""

    def __init__(self, root: Path):
        self.root, self.data = root, root / "data"
        self.data.mkdir(parents=True)
        self.extra_roots: list[Path] = []  # bad paths given on the command line
        self.good: list[str] = []  # markers that must reach the index
        self.bad: list[tuple[str, int | None, str]] = []  # (file name, line, reason part)
        self.at_build: list[tuple[str, int | None, str]] = []  # reported by the build, not the readers
        self.no_escape: list[str] = []  # markers whose text must have lost its control codes
        self.odd: list[str] = []  # strange but valid inputs: read in full, nothing to report
        self.n = 0

    def mark(self) -> str:
        self.n += 1
        return f"MK{self.n:04d}"

    def good_text(self, keep: bool = True) -> tuple[str, str]:
        m = self.mark()
        if keep:
            self.good.append(m)
        return m, GOOD.format(m=m)

    def expect(self, name: str, line: int | None, reason: str) -> None:
        self.bad.append((name, line, reason))

    def write(self, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path


# ------------------------------------------------------------------ JSON Lines
def _jsonl_cases(c: Corpus) -> None:
    """One bad (or odd) line at a time, each between good records."""
    lines: list[str] = []

    def good() -> None:
        m, text = c.good_text()
        lines.append(json.dumps({"id": f"good-{m}", "title": "好记录", "text": text},
                                ensure_ascii=False))

    def add(raw: str, reason: str | None) -> None:
        good()
        lines.append(raw)
        if reason:
            c.expect("records.jsonl", len(lines), reason)
        else:
            c.odd.append(f"records.jsonl:{len(lines)}")

    def rec(reason: str | None, **fields) -> None:
        """A record whose text holds a marker: kept (repaired, if ``reason``)."""
        fields.setdefault("text", c.good_text()[1])
        add(json.dumps(fields, ensure_ascii=False), reason)

    def raw_rec(template: str, reason: str | None) -> None:
        """A hand-written record line; ``TEXT`` becomes a marked text (kept)."""
        add(template.replace("TEXT", c.good_text()[1]), reason)

    def lost(raw: str, reason: str) -> None:
        add(raw, reason)

    # lone surrogate escapes: kept with U+FFFD, reported once with the field
    raw_rec('{"title": "ok", "text": "TEXT\\ud83d孤立。"}', "lone surrogate escape in field 'text'")
    raw_rec('{"title": "标题\\ud83d", "text": "TEXT"}', "lone surrogate escape in field 'title'")
    raw_rec('{"author": "张\\udc00三", "text": "TEXT"}', "lone surrogate escape in field 'author'")
    raw_rec('{"id": "x\\ud800y", "text": "TEXT"}', "lone surrogate escape in field 'id'")
    raw_rec('{"tags": ["a", {"b": "\\udfff"}], "text": "TEXT"}', "lone surrogate escape in field 'tags'")
    raw_rec('{"k\\ud83d": 1, "text": "TEXT"}', "lone surrogate escape")
    raw_rec('{"url": "http://a/\\ud83d", "text": "TEXT"}', "lone surrogate escape in field 'url'")
    raw_rec('{"source": "\\ude00报", "text": "TEXT"}', "lone surrogate escape in field 'source'")
    raw_rec('{"date": "2023-07-20\\ud83d", "text": "TEXT"}', "lone surrogate escape in field 'date'")
    raw_rec('{"text": "TEXT\\ude00\\ud83d倒序"}', "lone surrogate escape in field 'text'")
    raw_rec('{"text": ["TEXT", "第二段\\ud83d"]}', "lone surrogate escape in field 'text'")
    raw_rec('{"text": "TEXT\\ud83d\\ude00成对的表情"}', None)  # a valid pair is fine
    # deep nesting: the record is skipped, its neighbours kept
    lost('{"text": "深", "meta": ' + "[" * 70 + "]" * 70 + "}", "nested too deeply")
    lost('{"text": "深", "meta": ' + "[" * 985 + "]" * 985 + "}", "nested too deeply")
    lost("[" * 100_000, "nested too deeply")
    lost('{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply")
    lost('{"text": ' + "[" * 200 + '"深"' + "]" * 200 + "}", "nested too deeply")
    # numbers past Python's int-str limit: kept as text
    raw_rec('{"id": ' + "7" * 5000 + ', "text": "TEXT"}', "5000-digit number in field 'id'")
    raw_rec('{"views": ' + "9" * 10000 + ', "text": "TEXT"}', "10000-digit number in field 'views'")
    raw_rec('{"n": -' + "1" * 4400 + ', "text": "TEXT"}', "digit number in field 'n'")
    raw_rec('{"f": 1e999999, "g": -1e999999, "h": NaN, "text": "TEXT"}', None)
    raw_rec('{"f": ' + "3" * 6000 + '.5, "text": "TEXT"}', None)
    # the text field of the wrong type: reported, not guessed
    for value in ("42", "4.2", "true", "null", "{}", '{"a": "b"}', "[1, 2]", "[]", '""',
                  '"   "', '[["嵌套"]]', '"\\u0000\\u0001"'):
        lost('{"title": "错类型", "text": ' + value + "}", "record has no usable text")
    lost('{"title": "只有标题"}', "no text")
    lost('{"body": 12}', "record has no usable text (field 'body' holds a number)")
    # every other field of the wrong type: the record is kept, the value stays metadata
    for field, value in (("title", 123), ("title", ["a"]), ("title", None), ("id", 1.5),
                         ("id", True), ("id", {"x": 1}), ("id", ""), ("url", []),
                         ("source", {}), ("date", []), ("date", {"y": 2023}), ("date", "不是日期"),
                         ("date", float("inf")), ("date", -1), ("date", 10**400),
                         ("published", "2023-02-30"), ("metadata", [None, True, 1.5])):
        rec(None, **{field: value})
    # not an object
    for value, kind in (("42", "a number"), ('"文本"', "text"), ("[1]", "a list"), ("null", "null"),
                        ("true", "true/false"), ("7" * 5000, "a number")):
        lost(value, f"record is not a JSON object (got {kind})")
    # broken JSON
    for raw in ('{"text": "未结束', '{"text": "a",}', "{'text': 'a'}", '{text: "a"}', "}",
                '{"text": "a"} 多余', '{"text": "a" "b"}', "{\"text\": \"\\x41\"}"):
        lost(raw, "invalid JSON")
    lost("\x1b[31m{}\x1b[0m", "record has no text")  # the colour codes go with the file's decoding
    # control characters escaped in JSON, a BOM, CRLF: kept, cleaned
    m, text = c.good_text()
    c.no_escape.append(m)
    add(json.dumps({"text": f"\x1b[31m{text}\x1b[0m\x07\x00"}), None)
    raw_rec('\ufeff{"text": "TEXT"}', None)
    raw_rec('{"text": "TEXT"}\r', None)
    # duplicate ids: both kept, the second keyed by position
    raw_rec('{"id": "dup", "text": "TEXT"}', None)
    raw_rec('{"id": "dup", "text": "TEXT"}', "duplicate id")
    good()
    c.write("records.jsonl", "\n".join(lines) + "\n")


# ------------------------------------------------------------------------ JSON
def _json_cases(c: Corpus) -> None:
    def recs(*marks: str) -> list[str]:
        return [json.dumps({"text": GOOD.format(m=m)}, ensure_ascii=False) for m in marks]

    def goods(n: int) -> list[str]:
        return [c.good_text()[0] for _ in range(n)]

    c.write("garbage.json", "[\n" + ",\n".join(recs(*goods(2))) + "\n]\ngarbage after the list\n")
    c.expect("garbage.json", 5, "unexpected text after the end of the JSON data")
    c.write("cut.json", "[\n" + ",\n".join(recs(*goods(2))) + ',\n{"text": "被截断')
    c.expect("cut.json", 4, "the rest of the file could not be read")
    c.write("unclosed.json", "[\n" + ",\n".join(recs(*goods(2))) + "\n")
    c.expect("unclosed.json", 4, "the JSON list is not closed")
    a, b = goods(2)
    c.write("bad_middle.json", "[\n" + recs(a)[0] + ',\n{"text": 未加引号},\n' + recs(b)[0] + "\n]")
    c.expect("bad_middle.json", 3, "reading resumed with the next record at line 4")
    a, b = goods(2)
    deep = '{"text": "深", "m": ' + "[" * 3000 + "]" * 3000 + "}"
    c.write("deep_middle.json", "[\n" + recs(a)[0] + ",\n" + deep + ",\n" + recs(b)[0] + "\n]")
    c.expect("deep_middle.json", 3, "nested too deeply")
    a, b = goods(2)
    shallow = '{"text": "深", "m": ' + "[" * 80 + "]" * 80 + "}"  # parses, then fails the depth check
    c.write("shallow_deep_middle.json", "[\n" + recs(a)[0] + ",\n" + shallow + ",\n" + recs(b)[0] + "\n]")
    c.expect("shallow_deep_middle.json", 3, "nested too deeply")
    c.write("non_objects.json", "[\n" + recs(*goods(1))[0] + ',\n1,\n"文本",\nnull\n]')
    for line, kind in ((3, "a number"), (4, "text"), (5, "null")):
        c.expect("non_objects.json", line, f"record is not a JSON object (got {kind})")
    c.write("obj_garbage.json", recs(*goods(1))[0] + "\n}}}\n")
    c.expect("obj_garbage.json", 2, "unexpected text after the end of the JSON data")
    c.write("lines_as.json", "\n".join(recs(*goods(3))) + "\n")  # JSON Lines named .json
    c.odd += ["lines_as.json", "bom.json"]
    c.write("empty_list.json", "[]")
    c.expect("empty_list.json", None, "no article text found")
    c.write("empty_obj.json", "{}")
    c.expect("empty_obj.json", 1, "no text")
    for name, value, kind in (("top_null.json", "null", "null"), ("top_str.json", '"文本"', "text"),
                              ("top_long.json", "8" * 5000, "a number")):
        c.write(name, value)
        c.expect(name, 1, f"record is not a JSON object (got {kind})")
    c.write("top_deep.json", "[" * 100_000)
    c.expect("top_deep.json", 1, "nested too deeply")
    m, text = c.good_text()
    c.write("surrogate.json", '{"title": "\\ud83d", "text": "' + text + '"}')
    c.expect("surrogate.json", 1, "lone surrogate escape in field 'title'")
    m, text = c.good_text()
    c.write("bigint.json", '[{"id": ' + "5" * 5000 + ', "text": "' + text + '"}]')
    c.expect("bigint.json", 1, "5000-digit number in field 'id'")
    m, text = c.good_text()
    c.write("bom.json", "\ufeff" + json.dumps([{"text": text}], ensure_ascii=False))


# ----------------------------------------------------------- encodings, formats
def _file_cases(c: Corpus) -> None:
    def article(keep: bool = True) -> tuple[str, str]:
        m, text = c.good_text(keep)
        return m, f"{m}号标题\n\n{text}\n会议强调，要抓好落实。"

    c.odd += ["gbk.txt", "gb18030.txt", "bom8.txt", "utf16le.txt", "utf16be.txt", "UPPER.TXT",
              "crlf.txt", "ansi.txt", "bell.txt", "formfeed.txt", "c1.txt", "nul1.txt",
              "latin1.txt", "charref.html", "front.md", "newlines.txt", "punct.txt"]
    c.write("gbk.txt", article()[1], "gbk")
    c.write("gb18030.txt", article()[1] + "𠀀", "gb18030")
    c.write("bom8.txt", "\ufeff" + article()[1])
    c.write("utf16le.txt", "\ufeff" + article()[1], "utf-16-le")
    c.write("utf16be.txt", "\ufeff" + article()[1], "utf-16-be")
    c.write("UPPER.TXT", article()[1])
    c.write("crlf.txt", article()[1].replace("\n", "\r\n"))
    c.write("cut_utf8.txt", article()[1].encode()[:-1])
    c.expect("cut_utf8.txt", None, "the file ends inside a character")
    c.write("cut_gbk.txt", article()[1].encode("gbk")[:-1])
    c.expect("cut_gbk.txt", None, "the file ends inside a character")
    c.write("cut_utf16.txt", ("\ufeff" + article()[1]).encode("utf-16-le")[:-1])
    c.expect("cut_utf16.txt", None, "the file ends inside a character")
    body = article()[1] * 20
    c.write("corrupt_byte.txt", body.encode()[:90] + b"\xff" + body.encode()[90:])
    c.expect("corrupt_byte.txt", None, "invalid UTF-8 byte sequence")
    for name, junk in (("ansi.txt", "\x1b[31m红色\x1b[0m\x1b]0;标题\x07"), ("bell.txt", "\x07\x07"),
                       ("formfeed.txt", "\x0c\x0b"), ("c1.txt", "\x85\x9b2J"), ("nul1.txt", "\x00")):
        m, text = article()
        c.no_escape.append(m)
        c.write(name, text.replace("会议强调", junk + "会议强调"))
    m, text = article(keep=False)
    c.write("utf16_nobom.txt", text + " ASCII words in UTF-16 are half NUL bytes" * 3, "utf-16-le")
    c.expect("utf16_nobom.txt", None, "binary file")
    c.write("random.txt", bytes(range(256)) * 8 + os.urandom(512))
    c.expect("random.txt", None, "binary file")
    c.write("png.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    c.expect("png.md", None, "binary file")
    c.write("nul_only.txt", b"\x00" * 1000)
    c.expect("nul_only.txt", None, "binary file")
    c.write("controls.txt", bytes(range(1, 9)) * 100)
    c.expect("controls.txt", None, "binary file")
    c.write("latin1.txt", "Le café est fermé à Noël, disait l'hôtelier.".encode("latin-1"))
    for name, content in (("empty.txt", b""), ("spaces.txt", b" \n\t\r\n"), ("bom_only.txt", b"\xef\xbb\xbf"),
                          ("empty.jsonl", b"\n\n"), ("empty.html", b"")):
        c.write(name, content)
        c.expect(name, None, "empty file")
    c.write("heading.md", "# 只有标题\n")
    c.expect("heading.md", None, "only a heading")
    c.write("script.html", "<html><script>var a = 1;</script></html>")
    c.expect("script.html", None, "no article text found in HTML")
    m, text = c.good_text()
    c.write("charref.html", f"<html><body><article><h1>标题&#xd83d;</h1><p>{text}&#xdc00;&#0;</p>"
                            "<p>会议强调，要抓好落实，推动各项工作取得实效。</p></article></body></html>")
    m, text = article()
    c.write("front.md", f"---\ntitle: \"{m}\"\ndate: 不是日期\n---\n# 标题\n\n{text}\n")
    for name, reason in (("scan.pdf", "not a readable PDF"), ("noext", "(no extension)"),
                         ("doc.docx", "not a Word .docx file"),
                         ("old.doc", "unsupported file type .doc")):
        c.write(name, b"PK\x03\x04")
        c.expect(name, None, reason)
    m, _ = c.good_text()
    c.write("huge_line.txt", m + "重复的句子没有标点" * (HUGE_LINE // 9))
    c.at_build.append(("huge_line.txt", None, "is too long: only its first 2000 passages"))
    m, text = article()
    c.write("newlines.txt", text + "\n" * 200_000)
    c.write("punct.txt", "。！？；" * 1000)


# ----------------------------------------------------------------- file system
def _fs_cases(c: Corpus) -> None:
    d = c.data
    os.symlink("self.txt", d / "self.txt")
    c.expect("self.txt", None, "symbolic link loop")
    os.symlink("loop_b.txt", d / "loop_a.txt")
    os.symlink("loop_a.txt", d / "loop_b.txt")
    c.expect("loop_a.txt", None, "symbolic link loop")
    c.expect("loop_b.txt", None, "symbolic link loop")
    os.symlink("nowhere.txt", d / "dangling.txt")
    c.expect("dangling.txt", None, "broken symbolic link (points at nowhere.txt")
    m, text = c.good_text()
    c.write("sub/inner.txt", f"{m}号标题\n\n{text}")
    os.symlink("..", d / "sub" / "up")
    c.expect("up", None, "folder loop")
    os.symlink("sub", d / "zz_alias")
    c.expect("zz_alias", None, "same folder as")
    os.mkfifo(d / "fifo.txt")
    c.expect("fifo.txt", None, "not a regular file (a named pipe (FIFO))")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(d / "sock.txt"))
    c.expect("sock.txt", None, "not a regular file (a socket)")
    os.symlink("/dev/null", d / "null.txt")
    c.expect("null.txt", None, "not a regular file (a character device)")
    c.write(".hidden.txt", GOOD.format(m="hidden"))
    c.expect(".hidden.txt", None, "hidden file not read")
    c.write(".git/config.txt", GOOD.format(m="hidden"))
    c.expect(".git", None, "hidden folder not read")
    (d / os.fsdecode(b"bad-\xff-name.txt")).write_text("正文。", encoding="utf-8")
    c.expect("bad-\ufffd-name.txt", None, "file name is not valid UTF-8")
    outside = c.root / "outside"
    outside.mkdir()
    m, text = c.good_text()
    (outside / "target.txt").write_text(f"{m}号标题\n\n{text}", encoding="utf-8")
    os.symlink(outside / "target.txt", d / "link_out.txt")
    c.odd.append("link_out.txt")
    # bad paths given on the command line
    for name, make, reason in (("root_loop", lambda p: os.symlink(p.name, p), "symbolic link loop"),
                               ("root_fifo.txt", os.mkfifo, "not a regular file (a named pipe"),
                               ("root_dangling", lambda p: os.symlink("gone", p), "broken symbolic link")):
        make(c.root / name)
        c.extra_roots.append(c.root / name)
        c.expect(name, None, reason)
