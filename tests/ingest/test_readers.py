"""Readers: every supported format, bad input reported (never raised), stable keys."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import SAMPLE
from rag.ingest.readers import read_paths

ARTICLE = "市总工会召开全委会\n\n本报讯（记者 王明）近日，市总工会召开全委会，部署明年工作。\n\n会议强调，要抓好落实。\n"


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def by_file(problems):
    return {(Path(p.path).name, p.line): p.reason for p in problems}


def test_jsonl_good_records_read_bad_lines_reported(tmp_path):
    lines = [
        json.dumps({"id": "a1", "title": "标题一", "text": "第一篇正文。", "time": "2023-07-20 10:02", "author": "张三"}),
        "{not json",
        json.dumps({"title": "没有正文", "tags": ["x"]}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"content": "第二篇正文。", "date": "2023年7月21日", "url": "https://news.example.cn/2"}),
        json.dumps({"body": "第三篇正文。", "published": 1689818520, "source": "北京日报"}),
    ]
    f = write(tmp_path / "news.jsonl", "\n".join(lines) + "\n")
    articles, problems = read_paths([tmp_path])
    assert [a.text for a in articles] == ["第一篇正文。", "第二篇正文。", "第三篇正文。"]
    reasons = by_file(problems)
    assert set(reasons) == {("news.jsonl", 2), ("news.jsonl", 3), ("news.jsonl", 4)}
    assert reasons[("news.jsonl", 2)].startswith("invalid JSON")
    assert "no text" in reasons[("news.jsonl", 3)]
    assert "not a JSON object" in reasons[("news.jsonl", 4)]
    assert all(p.path == str(f.resolve()) for p in problems)
    a1, a2, a3 = articles
    assert a1.key == f"{f.resolve()}#id=a1" and a1.title == "标题一" and a1.date == "2023-07-20"
    assert a1.metadata == {"author": "张三", "id": "a1"}
    assert a1.source == str(f.resolve()) and a1.path == str(f.resolve())
    assert a2.key == f"{f.resolve()}#5" and a2.date == "2023-07-21"
    assert a2.url == a2.source == "https://news.example.cn/2"
    assert a3.source == "北京日报" and a3.date == "2023-07-20"


def test_json_list_and_single_object(tmp_path):
    records = [{"id": 7, "title": "甲", "text": "甲的正文。", "category": "要闻"}, {"title": "乙", "content": "乙的正文。"}, 3]
    write(tmp_path / "list.json", json.dumps(records, ensure_ascii=False, indent=2))
    write(tmp_path / "one.json", json.dumps({"title": "丙", "body": "丙的正文。"}, ensure_ascii=False))
    articles, problems = read_paths([tmp_path])
    assert [(a.title, a.text) for a in articles] == [("甲", "甲的正文。"), ("乙", "乙的正文。"), ("丙", "丙的正文。")]
    assert articles[0].key.endswith("list.json#id=7") and articles[0].metadata == {"category": "要闻", "id": "7"}
    assert articles[1].key.endswith("list.json#2")
    [p] = problems
    assert Path(p.path).name == "list.json" and p.line is not None and p.line > 10 and "not a JSON object" in p.reason


def test_markdown_title_and_heading_markers(tmp_path):
    write(tmp_path / "note.md", "# 市总工会召开全委会\n\n本报讯（记者 王明）近日召开会议。\n\n## 会议要求\n\n要抓好落实。\n")
    [a], problems = read_paths([tmp_path / "note.md"])
    assert problems == []
    assert a.title == "市总工会召开全委会"
    assert a.text == "本报讯（记者 王明）近日召开会议。\n会议要求\n要抓好落实。"
    assert a.metadata["reporters"] == ["王明"]


def test_html_main_text_title_and_date(tmp_path):
    html = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>市总工会开展送温暖活动 - 北京日报</title>
<meta property="article:published_time" content="2023-12-28T08:00:00+08:00">
<script>var tracking = "脚本里的文字不能出现";</script><style>p{color:red}</style></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/about">关于我们</a></nav>
<article><h1>市总工会开展送温暖活动</h1>
<p>本报讯（记者 张三）近日，北京市总工会在全市范围内开展“两节”送温暖活动，为困难职工送去慰问品和慰问金。</p>
<p>此次活动覆盖全市十六个区，共慰问困难职工一万余人次，发放慰问金三千余万元。</p></article>
<footer>版权所有 © 北京日报 京ICP备12345号 联系我们</footer></body></html>"""
    write(tmp_path / "page.html", html)
    [a], problems = read_paths([tmp_path])
    assert problems == []
    assert a.title == "市总工会开展送温暖活动"
    assert a.text.startswith("本报讯（记者 张三）近日") and "一万余人次" in a.text
    for junk in ("脚本里的文字", "color:red", "关于我们", "京ICP备"):
        assert junk not in a.text
    assert a.date == "2023-12-28"
    assert a.metadata["reporters"] == ["张三"]


def test_encodings_gb18030_and_bom(tmp_path):
    write(tmp_path / "gb.txt", ARTICLE, encoding="gb18030")
    write(tmp_path / "bom.txt", "\ufeff" + ARTICLE)
    articles, problems = read_paths([tmp_path])
    assert problems == []
    assert [a.title for a in articles] == ["市总工会召开全委会"] * 2
    assert all(a.text.startswith("本报讯（记者 王明）近日，市总工会") for a in articles)


def test_bad_files_reported_and_skipped_rest_read(tmp_path):
    write(tmp_path / "good.txt", ARTICLE)
    write(tmp_path / "blob.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(64) + bytes(range(256)))
    write(tmp_path / "utf16.txt", ARTICLE.encode("utf-16-le"))
    write(tmp_path / "slides.pptx", b"PK\x03\x04")
    write(tmp_path / "empty.md", " \n\t\n")
    write(tmp_path / "sub" / "more.txt", ARTICLE)
    write(tmp_path / ".hidden" / "secret.txt", ARTICLE)
    write(tmp_path / ".notes.txt", ARTICLE)
    articles, problems = read_paths([tmp_path, tmp_path / "missing"])
    assert sorted(Path(a.path).name for a in articles) == ["good.txt", "more.txt"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    # hidden entries are not read, and said so
    assert set(reasons) == {"blob.txt", "utf16.txt", "slides.pptx", "empty.md", "missing",
                            ".hidden", ".notes.txt"}
    assert reasons["slides.pptx"] == ("unsupported file type .pptx "
                                      "(expected .txt, .md, .json, .jsonl, .html, .docx, .pdf)")
    assert "empty" in reasons["empty.md"]
    assert "binary" in reasons["blob.txt"] or "decode" in reasons["blob.txt"]


def test_dates_from_file_name_and_default(tmp_path):
    write(tmp_path / "2023-12-28_page.txt", ARTICLE)
    write(tmp_path / "undated.txt", ARTICLE)
    write(tmp_path / "header.txt", "2024年1月5日 星期五\n\n" + ARTICLE)
    articles, _ = read_paths([tmp_path], default_date="2024-02-01")
    dates = {Path(a.path).name: a.date for a in articles}
    assert dates == {"2023-12-28_page.txt": "2023-12-28", "undated.txt": "2024-02-01", "header.txt": "2024-01-05"}
    articles, _ = read_paths([tmp_path / "undated.txt"])
    assert articles[0].date is None


def test_single_article_txt_title_rules(tmp_path):
    write(tmp_path / "headed.txt", ARTICLE)
    write(tmp_path / "plain.txt", "今天天气很好，我们去公园散步。\n\n公园里人很多。\n")
    articles, _ = read_paths([tmp_path])
    by_name = {Path(a.path).name: a for a in articles}
    assert by_name["headed.txt"].title == "市总工会召开全委会"
    assert by_name["headed.txt"].metadata["reporters"] == ["王明"]
    assert by_name["plain.txt"].title == "plain"
    assert by_name["plain.txt"].text == "今天天气很好，我们去公园散步。\n公园里人很多。"


def test_keys_stable_across_reads(tmp_path):
    write(tmp_path / "page.txt", SAMPLE.read_text(encoding="utf-8"))
    write(tmp_path / "n.jsonl", '{"id": "x", "text": "正文。"}\n{"text": "另一篇。"}\n')
    first, _ = read_paths([tmp_path])
    second, _ = read_paths([str(tmp_path)])
    assert [a.key for a in first] == [a.key for a in second]
    assert [a.doc_id for a in first] == [a.doc_id for a in second]
    assert len({a.key for a in first}) == len(first) == 8
    assert [a.key.rsplit("#", 1)[1] for a in first if a.key.startswith(str((tmp_path / "page.txt").resolve()))] == [
        "1", "2", "3", "4", "5", "6",
    ]  # fmt: skip


def test_stray_control_characters_in_utf8_export_are_dropped_not_fatal(tmp_path):
    # Real exports (the CRUD corpus) carry the odd DEL or C1 character; the
    # file is still UTF-8 and every record must be read, without the junk.
    lines = [json.dumps({"id": f"r{i}", "text": ARTICLE + ("\x7f" if i == 3 else "")},
                        ensure_ascii=False) for i in range(20)]
    write(tmp_path / "export.jsonl", "\n".join(lines))
    articles, problems = read_paths([tmp_path])
    assert problems == []
    assert len(articles) == 20
    assert not any("\x7f" in a.text for a in articles)
