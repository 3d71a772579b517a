"""Documents embed the fonts shipped in the package and fetch nothing else.

A WeasyPrint upgrade once made the fetcher fail every fetch: certificates silently came out
in whatever fonts the machine had. These tests fail if that happens again.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from trainer.pdf import FONTS, FetchRefused, _check_package_url, html_to_pdf


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_the_shipped_fonts_are_embedded() -> None:
    html = f"""<style>
      @font-face {{ font-family: Doc; src: url("{FONTS.as_uri()}/DejaVuSerif-Italic.ttf"); }}
      p {{ font-family: Doc; }}
    </style><p>Peer Support Specialist</p>"""
    fonts = _fonts(html_to_pdf(html, title="t", author="a"))
    # the embedded font carries the @font-face family; a failed fetch falls back to a system
    # face (e.g. "/XKQQSR+DejaVu-Sans")
    assert len(fonts) == 1 and next(iter(fonts)).endswith("+Doc-Italic"), fonts


def test_a_missing_font_file_falls_back_visibly() -> None:
    html = f"""<style>
      @font-face {{ font-family: Doc; src: url("{FONTS.as_uri()}/Missing.ttf"); }}
      p {{ font-family: Doc; }}
    </style><p>Peer Support Specialist</p>"""
    assert not any("+Doc" in name for name in _fonts(html_to_pdf(html, title="t", author="a")))


@pytest.mark.parametrize(
    "url",
    ["http://example.org/x.css", "file:///etc/passwd", f"{FONTS.as_uri()}/../../../../etc/hosts"],
)
def test_nothing_outside_the_package_is_fetched(url: str) -> None:
    with pytest.raises(FetchRefused):
        _check_package_url(url)
    # in a document the refused resource is left out; rendering still succeeds
    html = f'<link rel="stylesheet" href="{url}"><img src="{url}" alt="x"><p>text</p>'
    assert html_to_pdf(html, title="t", author="a").startswith(b"%PDF")
