"""The app's upload log: one Chinese line per uploaded file saying what became of it.

The build reports problems in English for the CLI and the API (with the server's
paths); an uploader needs each of *their* files named once — indexed with how many
articles, or not indexed and why — in the app's language, without server paths.
Reasons are matched by their stable opening words; one not listed here is shown
after a Chinese lead-in rather than hidden.
"""

from __future__ import annotations

import re
from pathlib import Path

from rag.types import BuildReport, Problem

# (pattern of the English reason, Chinese); the first match wins
_ZH = [
    (r"^empty file", "文件是空的"),
    (r"^unsupported file type", "不支持的文件类型"),
    (r"^binary file", "看起来是二进制文件，不是文本"),
    (r"^cannot decode", "无法识别文字编码（请另存为 UTF-8）"),
    (r"^cannot read", "无法读取文件"),
    (r"^not a Word \.docx", "不是有效的 Word（.docx）文件；旧的 .doc 请另存为 .docx"),
    (r"^not a readable PDF", "无法读取的 PDF 文件"),
    (r"has no text layer", "有页面没有文字层（扫描件？），未读取"),
    (r"reads as an advertisement", "页面上的广告已略去"),
    (r"no headline found", "有页面找不到标题，未读取"),
    (r"^no article text", "没有找到正文"),
    (r"^invalid JSON", "JSON 格式错误"),
    (r"^the JSON list is not closed", "JSON 列表没有结束（文件可能被截断），之前的记录已保留"),
    (r"^unexpected text after the end of the JSON", "JSON 数据后面有多余内容，已忽略"),
    (r"^record is not a JSON object", "这条记录不是 JSON 对象，已跳过"),
    (r"^record has no (usable )?text", "这条记录没有正文（需要 text、content 或 body 字段），已跳过"),
    (r"nested too deeply", "这条记录嵌套过深，已跳过"),
    (r"^duplicate id", "id 与前面的记录重复，按位置区分"),
    (r"lone surrogate", "含有无效字符，已替换为 �"),
    (r"ends inside a character", "文件末尾被截断，已读取其余内容"),
    (r"invalid UTF-8 byte", "含有少量无效字节，已替换为 �"),
    (r"only its first \d+ passages", "文章过长，只索引了开头部分"),
    (r"could not be (split|read)", "无法读取这部分内容"),
]


def zh_reason(reason: str) -> str:
    for pattern, zh in _ZH:
        if re.search(pattern, reason):
            return zh
    return f"无法处理（{reason}）"


def upload_lines(files: dict[Path, str], report: BuildReport) -> list[str]:
    """A line per uploaded file (``files``: saved path -> the name the user gave)."""
    lines = []
    for path, shown in files.items():
        mine = [p for p in report.skipped if Path(p.path) == path]
        notes = "；".join(dict.fromkeys(_where(p) + zh_reason(p.reason) for p in mine))
        count = report.per_file.get(str(path), 0)
        if count:
            lines.append(f"✓ {shown}：已索引 {count} 篇文章" + (f"（{notes}）" if notes else ""))
        else:
            lines.append(f"✗ {shown}：未索引——{notes or '没有找到文章'}")
    return lines


def _where(p: Problem) -> str:
    return f"第 {p.line} 行：" if p.line else ""


_FETCH_ZH = [
    (r"^HTTP (\d+)", "网站返回错误（HTTP {0}）"),
    (r"robots\.txt", "网站的 robots.txt 不允许抓取"),
    (r"^cannot connect", "无法连接"),
    (r"no article text found on the page", "网页上没有找到正文"),
    (r"not an http\(s\) URL", "不是 http(s) 网址"),
    (r"a private or local address", "内网或本机地址，共享的应用不抓取"),
]


def fetch_lines(report) -> list[str]:
    """The failed URLs of a fetch in Chinese (the saved ones are reported by their build)."""
    lines = []
    for url, why in report.failed:
        zh = next((zh.format(*m.groups()) for pattern, zh in _FETCH_ZH
                   if (m := re.search(pattern, why))), f"抓取失败（{why}）")
        lines.append(f"✗ {url}：{zh}")
    if report.unchanged:
        lines.append(f"· {report.unchanged} 个网址或文章没有新内容")
    return lines
