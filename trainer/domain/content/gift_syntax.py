"""GIFT's text syntax, shared by reading (``gift``) and writing (``gift_export``): format
markers, backslash escapes, and HTML reduced to the plain text our Markdown bank holds."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from trainer.domain.content.checker import RAW_HTML_RE

FORMATS = ("html", "moodle", "plain", "markdown")
CATEGORY = "$CATEGORY:"
ESCAPABLE = ":#={}~"
HIDE = 0xF0000  # an escaped special character c is carried as chr(HIDE + ord(c))
HIDDEN = {HIDE + ord(c): c for c in ESCAPABLE}
HIDDEN_RANGE = re.compile("[\U000f0000-\U000f00ff]")
FORMAT_RE = re.compile(rf"^\[({'|'.join(FORMATS)})\]")
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


def hide_escapes(text: str) -> str:
    """Replace ``\\~``-style escapes by private characters, ``\\\\`` and ``\\n`` by their values."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        following = text[i + 1] if i + 1 < len(text) else ""
        if char == "\\" and following in ESCAPABLE and following:
            out.append(chr(HIDE + ord(following)))
            i += 2
        elif char == "\\" and following in ("\\", "n") and following:
            out.append("\\" if following == "\\" else "\n")
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def show_escapes(text: str) -> str:
    return text.translate(HIDDEN)


def split_format(text: str, default: str) -> tuple[str, str]:
    """``([html]x, ...)`` -> ``("html", "x")``; text without a known marker keeps ``default``."""
    text = text.strip()
    match = FORMAT_RE.match(text)
    return (match.group(1), text[match.end() :]) if match else (default, text)


def gift_text(text: str, fmt: str, problems: list[str]) -> str:
    """One text of a question as bank text: HTML reduced, escapes restored, trimmed."""
    if fmt == "html" or (fmt in ("moodle", "markdown") and RAW_HTML_RE.search(text)):
        text, images = html_to_text(text, collapse=fmt == "html")
        if images:
            problems.append("unsupported image (<img>) in the text: the bank holds text only")
    text = show_escapes(text).strip()
    tag = RAW_HTML_RE.search(text)
    if tag:
        problems.append(
            f"unsupported HTML in the text: {tag.group()!r} (the bank is Markdown without HTML)"
        )
    return text


class HtmlText(HTMLParser):
    """Collect the text of an HTML fragment: tags dropped, entities decoded."""

    def __init__(self, collapse: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.collapse = collapse
        self.parts: list[str] = []
        self.skipping = 0
        self.images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "img":
            self.images += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data) if self.collapse else data)


def html_to_text(fragment: str, collapse: bool) -> tuple[str, int]:
    """Text of an HTML fragment and its number of images. ``collapse``: HTML whitespace rules."""
    parser = HtmlText(collapse)
    parser.feed(fragment)
    parser.close()
    lines = [
        re.sub(r"[ \t]+", " ", line).strip() if collapse else line.strip()
        for line in "".join(parser.parts).split("\n")
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.images
