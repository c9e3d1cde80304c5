"""Word manuscripts: real .docx files written with python-docx, read back as articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest.readers import read_paths

docx = pytest.importorskip("docx")


def manuscript(path: Path, *, heading: str | None, paragraphs: list[str],
               table: list[list[str]] | None = None, author: str = "") -> Path:
    doc = docx.Document()
    if heading is not None:
        doc.add_heading(heading, level=1)
    for i, text in enumerate(paragraphs):
        doc.add_paragraph(text)
        if table and i == 0:  # the table stands after the first paragraph
            grid = doc.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, cell in enumerate(row):
                    grid.cell(r, c).text = cell
    doc.core_properties.author = author
    doc.save(path)
    return path


def test_heading_paragraphs_and_table_in_order(tmp_path):
    manuscript(tmp_path / "2024-03-08_press.docx", heading="区总工会发布春季招聘会安排",
               paragraphs=["本报讯（记者 李明）区总工会今天发布春季招聘会安排。",
                           "招聘会共提供岗位3200个。"],
               table=[["场次", "日期", "岗位"], ["第一场", "3月15日", "1800个"]],
               author="区总工会宣传部")
    articles, problems = read_paths([tmp_path])
    assert problems == [] and len(articles) == 1
    a = articles[0]
    assert a.title == "区总工会发布春季招聘会安排" and a.date == "2024-03-08"
    assert a.text.split("\n") == ["本报讯（记者 李明）区总工会今天发布春季招聘会安排。",
                                  "场次 | 日期 | 岗位", "第一场 | 3月15日 | 1800个",
                                  "招聘会共提供岗位3200个。"]
    assert a.metadata["author"] == "区总工会宣传部" and a.metadata["reporters"] == ["李明"]


def test_title_from_a_short_first_line_else_the_file_name(tmp_path):
    manuscript(tmp_path / "a.docx", heading=None,
               paragraphs=["社区食堂开业", "金桥社区食堂今天开业，每天供应午餐460份。"])
    manuscript(tmp_path / "b.docx", heading=None, paragraphs=["社区食堂今天开业，每天供应午餐。"])
    articles, _ = read_paths([tmp_path])
    titles = {Path(a.path).name: (a.title, a.text) for a in articles}
    assert titles["a.docx"] == ("社区食堂开业", "金桥社区食堂今天开业，每天供应午餐460份。")
    assert titles["b.docx"] == ("b", "社区食堂今天开业，每天供应午餐。")


def test_broken_and_empty_word_files_are_reported(tmp_path):
    (tmp_path / "scan.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 legacy word")
    manuscript(tmp_path / "empty.docx", heading=None, paragraphs=[])
    manuscript(tmp_path / "ok.docx", heading="标题", paragraphs=["正文一段。"])
    articles, problems = read_paths([tmp_path])
    assert [Path(a.path).name for a in articles] == ["ok.docx"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons["scan.docx"].startswith("not a Word .docx file")
    assert reasons["old.doc"].startswith("unsupported file type .doc")
    assert reasons["empty.docx"] == "no article text found in the Word file"
