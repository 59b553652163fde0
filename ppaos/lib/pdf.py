"""Printable Thai PDFs: WeasyPrint with the Sarabun font embedded, reading the font files and
nothing else (no network, no other file). Used by the privacy access export and the
community data book."""

from pathlib import Path

import fontpkg_sarabun

FONT_DIR = Path(fontpkg_sarabun.__file__).parent / "files"
FONTS = {"regular": FONT_DIR / "Sarabun-Regular.ttf", "bold": FONT_DIR / "Sarabun-Bold.ttf"}


def font_urls() -> dict[str, str]:
    """file: URLs of the Sarabun faces, for the template's @font-face rules."""
    return {name: path.as_uri() for name, path in FONTS.items()}


def _fonts_only_fetcher():
    from weasyprint.urls import URLFetcher

    allowed = {path.as_uri() for path in FONTS.values()}

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"not fetched: {url[:80]!r}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols={"file"}, allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """Render a self-contained HTML document (inline SVG charts, Sarabun via `font_urls`)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(
        string=html, url_fetcher=_fonts_only_fetcher(), base_url=FONT_DIR.as_uri() + "/"
    ).write_pdf(font_config=FontConfiguration())
