"""HTML → PDF with WeasyPrint, confined: only bundled fonts, only allowed files, and every
WeasyPrint complaint (a missing image, a glyph no font has) fails the run instead of being logged."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import fonts
from .errors import DocgenError

fonts.configure_fontconfig()  # before WeasyPrint loads fontconfig
import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

from . import justify  # noqa: E402

justify.install()  # Chinese lines justify between characters (justify.py says why)

ASSET_SCHEME = "docgen-asset"
FONT_SCHEME = "docgen-font"
MIME = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
}


class Fetcher(URLFetcher):  # type: ignore[misc]
    """Serves in-memory assets and fonts, and files under the allowed folders; refuses the rest.

    Refused: http(s), ftp, file:// outside the roots (after resolving `..` and symlinks), UNC
    hosts. The refusal is a FatalURLFetchingError, so WeasyPrint stops instead of logging.
    """

    def __init__(
        self,
        roots: list[Path],
        memory: Mapping[str, bytes],
        fallbacks: Mapping[Path, Path] | None = None,
    ) -> None:
        super().__init__(allowed_protocols=None, allow_redirects=False, fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]
        self.memory = memory
        self.fallbacks = {k.resolve(): v.resolve() for k, v in (fallbacks or {}).items()}
        """A file missing under a key is looked for under its value: what the office has not
        copied comes from the packaged defaults (both are roots)."""
        self.refused: list[str] = []
        """Why each refused URL was refused. WeasyPrint swallows a refusal inside an SVG (it logs
        only "Failed to render SVG image"), so strict_weasyprint reports these by URL."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            return self._fetch(url)
        except FatalURLFetchingError as exc:
            self.refused.append(str(exc))
            raise

    def _fetch(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme in (ASSET_SCHEME, FONT_SCHEME):
            return self._from_memory(url, unquote(parts.path))
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            return self._from_file(url, Path(unquote(parts.path)))
        raise FatalURLFetchingError(f"不允许读取 {url}：只能使用本届文件夹、模板和内置字体中的文件")

    def _from_memory(self, url: str, name: str) -> URLFetcherResponse:
        if name not in self.memory:
            raise FatalURLFetchingError(f"模板引用了不存在的资源 {url}")
        mime = MIME.get(Path(name).suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, self.memory[name], {"Content-Type": mime})

    def _from_file(self, url: str, path: Path) -> URLFetcherResponse:
        # Where the path leads (symlinks followed) is judged before whether it exists, so a
        # refused path says "not allowed" whether or not the file is there: no existence oracle.
        # A NUL in the URL (%00) makes the OS calls raise ValueError: refused, naming the URL.
        try:
            real = self._fallback(path.resolve())
        except (OSError, ValueError):
            raise FatalURLFetchingError(f"不允许读取 {url}：路径无效") from None
        if not any(real.is_relative_to(root) for root in self.roots):
            raise FatalURLFetchingError(f"不允许读取 {url}：它不在允许的文件夹中")
        if not real.is_file():
            raise FatalURLFetchingError(f"找不到文件 {path}（{url}）")
        mime = MIME.get(real.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, real.read_bytes(), {"Content-Type": mime})

    def _fallback(self, real: Path) -> Path:
        # Only inside a folder with a fallback is existence asked before the roots are checked.
        for upper, lower in self.fallbacks.items():
            if real.is_relative_to(upper) and not real.exists():
                real = (lower / real.relative_to(upper)).resolve()
        return real


@dataclass
class Assets:
    """What one render may use: in-memory files (photos, subset fonts) and allowed folders."""

    roots: list[Path]
    memory: dict[str, bytes] = field(default_factory=dict)
    fallbacks: dict[Path, Path] = field(default_factory=dict)

    @classmethod
    def layered(cls, *stacks: list[Path]) -> Assets:
        """Folders as the office sees them (home.Home.layers: its copy, then the default): all
        of them allowed, and a file missing from one layer taken from the next."""
        fallbacks = {upper: lower for s in stacks for upper, lower in pairwise(s)}
        return cls(roots=[folder for s in stacks for folder in s], fallbacks=fallbacks)

    def add(self, name: str, data: bytes) -> str:
        self.memory[name] = data
        return f"{ASSET_SCHEME}:{name}"

    def fetcher(self) -> Fetcher:
        return Fetcher(self.roots, self.memory, self.fallbacks)


@dataclass
class FontSet:
    """Subsets of every bundled face for one run's text, and the @font-face CSS that loads them."""

    css: str
    memory: dict[str, bytes]
    config: FontConfiguration = field(default_factory=FontConfiguration)

    @classmethod
    def for_text(cls, text: str) -> FontSet:
        subsets = fonts.subset_all(text)
        return cls(
            css="\n".join(s.css for s in subsets),
            memory={s.name: s.data for s in subsets},
        )


BENIGN = ("Using fontTools instead of HarfBuzz-Subset",)
"""WeasyPrint warnings that do not change the document (the CLI says it once, with the fix)."""


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(BENIGN):
            self.messages.append(message)


@contextmanager
def strict_weasyprint(what: str, fetcher: Fetcher | None = None) -> Iterator[None]:
    """Turn WeasyPrint's logged warnings and errors, and fetch refusals, into a DocgenError."""
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    try:
        yield
    except FatalURLFetchingError as exc:
        reason = exc.__cause__ or exc
        raise DocgenError(f"{what}：{reason}") from None
    finally:
        logger.removeHandler(collector)
    if fetcher is not None and fetcher.refused:  # refused, then swallowed by WeasyPrint (SVG)
        raise DocgenError(f"{what}：{fetcher.refused[0]}")
    if collector.messages:
        details = "\n".join(f"  - {_translate(m)}" for m in dict.fromkeys(collector.messages))
        raise DocgenError(f"{what}：排版时出现问题，未生成文件：\n{details}")


def _translate(message: str) -> str:
    if message.startswith(".notdef glyph rendered"):
        return "有字符没有字体可以显示（缺字）：" + message.split(":", 1)[-1].strip()
    if "Failed to load image" in message or "Failed to load" in message:
        return "图片无法加载：" + message
    return message


# The few user-agent rules docgen's certificate and proof pages rely on. WeasyPrint cascades its
# whole HTML5 stylesheet (18 KB, hundreds of selectors) over every element of every page; for
# pages of absolutely placed paragraphs this was a fifth of the layout time.
MINIMAL_UA = """
head, title, meta, link, style, script { display: none }
html, body, section, article, header, div, p, h1, h2, h3, figure, figcaption { display: block }
h1 { font-size: 2em; font-weight: bold }
strong, b { font-weight: bold }
img { display: inline-block }
br::before { content: "\\A"; white-space: pre-line }
"""


class _MinimalHTML(weasyprint.HTML):  # type: ignore[misc]
    def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
        return [_minimal_ua()]


@cache
def _minimal_ua() -> Any:
    # A fetcher with no roots refuses every URL: no CSS( call ever gets WeasyPrint's default one.
    return weasyprint.CSS(string=MINIMAL_UA, url_fetcher=Fetcher([], {}))


def render(
    html: str, base: Path, assets: Assets, fontset: FontSet, what: str, *, minimal_ua: bool = False
) -> Any:
    """Lay out ``html`` (a weasyprint.Document); fonts come only from ``fontset``.

    ``minimal_ua``: cascade docgen's short user-agent stylesheet instead of WeasyPrint's HTML5
    one (for the certificate and proof pages, whose markup is a few absolutely placed blocks).
    """
    memory = {**assets.memory, **fontset.memory}
    fetcher = Fetcher(assets.roots, memory, assets.fallbacks)
    with strict_weasyprint(what, fetcher):
        kind = _MinimalHTML if minimal_ua else weasyprint.HTML
        document = kind(string=html, base_url=str(base) + "/", url_fetcher=fetcher)
        stylesheet = weasyprint.CSS(
            string=fontset.css, url_fetcher=fetcher, font_config=fontset.config
        )
        laid_out = document.render(stylesheets=[stylesheet], font_config=fontset.config)
    _refuse_attachments(laid_out, html, what)
    return laid_out


_ATTACHMENT_TAG = re.compile(r"<(?:link|a)\b[^>]*\brel=[\"']?attachment\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref=[\"']?([^\"'\s>]+)", re.IGNORECASE)


def _refuse_attachments(document: Any, html: str, what: str) -> None:
    """No file is ever embedded in a docgen PDF: a template's <link rel=attachment> or
    <a rel=attachment> would make WeasyPrint read a file and carry it to whoever gets the PDF."""
    links = [link for page in document.pages for link in page.links if link[0] == "attachment"]
    if document.metadata.attachments or links:
        hrefs = [m[1] for tag in _ATTACHMENT_TAG.findall(html) for m in _HREF.finditer(tag)]
        url = hrefs[0] if hrefs else "（附件）"
        raise DocgenError(
            f"{what}：模板要求把文件 {url} 作为附件放进 PDF；docgen 生成的 PDF 不带附件，请删去它"
        )


def write(
    document: Any, what: str, identifier: bytes | None = None, variant: str | None = None
) -> bytes:
    """Serialise a laid-out document (or a copy with some pages) to PDF bytes."""
    fetcher = getattr(document, "url_fetcher", None)
    with strict_weasyprint(what, fetcher if isinstance(fetcher, Fetcher) else None):
        data: bytes = document.write_pdf(pdf_identifier=identifier, pdf_variant=variant)
        return data


def identifier(*parts: str) -> bytes:
    """A stable /ID for a PDF, derived from what it contains (never from the clock)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32].encode()


def has_harfbuzz_subset() -> bool:
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None
