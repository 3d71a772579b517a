"""PDF rendering with WeasyPrint from plain data through autoescaped templates.

Fonts ship inside the package (DejaVu, see fonts/LICENSE-DejaVu.txt), so a document looks the
same on every machine; the URL fetcher serves only files from this package, never the network
or the rest of the disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent
FONTS = HERE / "fonts"
TEMPLATES = HERE / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class FetchRefused(ValueError):
    """A document asked for something outside the package."""


def package_fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint URL fetcher: only ``file:`` URLs inside this package (fonts, images)."""
    from weasyprint.urls import default_url_fetcher

    if not url.startswith("file://"):
        raise FetchRefused(f"refused to fetch {url}")
    path = Path(url.removeprefix("file://")).resolve()
    if HERE not in path.parents:
        raise FetchRefused(f"refused to read {path}")
    return default_url_fetcher(url, *args, **kwargs)


def render_html(template: str, **context: Any) -> str:
    return _env.get_template(template).render(fonts=FONTS.as_uri(), **context)


def html_to_pdf(
    html: str,
    *,
    title: str,
    author: str,
    subject: str = "",
    attachments: list[Any] | None = None,
    pdf_variant: str | None = None,
) -> bytes:
    """Render HTML to PDF bytes with document metadata set."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=HERE.as_uri() + "/", url_fetcher=package_fetcher)
    rendered = document.render()
    rendered.metadata.title = title
    rendered.metadata.authors = [author]
    rendered.metadata.description = subject
    options: dict[str, Any] = {"attachments": attachments or []}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    return rendered.write_pdf(**options)


def render(template: str, *, title: str, author: str, subject: str = "", **context: Any) -> bytes:
    return html_to_pdf(
        render_html(template, title=title, **context), title=title, author=author, subject=subject
    )
