"""Markdown to safe HTML: Python-Markdown for the structure, nh3 to strip anything unsafe."""

from __future__ import annotations

import re

import markdown
import nh3

EXTENSIONS = [
    "tables",
    "footnotes",
    "admonition",
    "toc",
    "sane_lists",
    "attr_list",
    "def_list",
    "abbr",
]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sup",
    "sub",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "span",
    "section",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "abbr": {"title"},
    "div": {"class", "tabindex", "role", "aria-label"},
    "p": {"class"},
    "li": {"id"},
    "sup": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "th": {"scope", "align"},
    "td": {"align"},
    "ol": {"start"},
    "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _module_link(href: str, link_for_module: dict[str, str]) -> str:
    mid, _, anchor = href.removeprefix("module:").partition("#")
    base = link_for_module.get(mid)
    if base is None:
        return "#"
    return base + (f"/{anchor}" if anchor else "")


def render(
    markdown_text: str, link_for_module: dict[str, str] | None = None, id_prefix: str = ""
) -> str:
    """Render one section's Markdown to sanitised HTML.

    ``module:ID#anchor`` links become links to that module's section (``link_for_module`` maps
    a module id to the URL of its reader). Raw HTML, scripts, event handlers and
    ``javascript:`` URLs are removed by nh3 whatever the Markdown contains.
    """
    md = markdown.Markdown(
        extensions=EXTENSIONS,
        extension_configs={
            "toc": {"permalink": False},
            "footnotes": {"UNIQUE_IDS": True, "BACKLINK_TITLE": "Back to text"},
        },
        output_format="html",
    )
    html = md.convert(markdown_text)
    if link_for_module is not None:
        html = re.sub(
            r'href="(module:[^"]*)"',
            lambda m: f'href="{_module_link(m.group(1), link_for_module)}"',
            html,
        )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Wide tables scroll inside their own box instead of squeezing the page on a phone.
    cleaned = cleaned.replace(
        "<table>",
        '<div class="table-scroll" tabindex="0" role="region" '
        'aria-label="Table, scrolls sideways on small screens"><table>',
    ).replace("</table>", "</table></div>")
    if id_prefix:
        cleaned = re.sub(r'(id|href)="(#?)(fn|fnref)', rf'\1="\2{id_prefix}\3', cleaned)
    return cleaned


def render_inline(text: str) -> str:
    """Render a short piece (a stem, an option, a rationale) without block structure leaks."""
    return render(text)
