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


def _check_package_url(url: str) -> None:
    if not url.startswith("file://"):
        raise FetchRefused(f"refused to fetch {url}")
    path = Path(url.removeprefix("file://")).resolve()
    if HERE not in path.parents:
        raise FetchRefused(f"refused to read {path}")


def package_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves only ``file:`` URLs inside this package.

    WeasyPrint 68 and later take a ``URLFetcher`` object (a plain function there fails every
    fetch, so the shipped fonts were silently replaced by system ones); earlier versions
    take a function. One fetcher per document: ``URLFetcher`` keeps per-request state.
    """
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:
        from weasyprint.urls import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            _check_package_url(url)
            return default_url_fetcher(url, *args, **kwargs)

        return fetch

    class PackageFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            _check_package_url(url)
            return super().fetch(url, headers)

    return PackageFetcher(allowed_protocols={"file"})


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

    document = HTML(string=html, base_url=HERE.as_uri() + "/", url_fetcher=package_fetcher())
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
