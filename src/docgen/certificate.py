"""One certificate's content: its texts filled from the wording, each fitted to its frame, and
what a proofreader must look at (text shrunk below normal size, characters from a fallback face).
Shared by the certificates output, the register and proof sheet, and `docgen check`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import context, fit, fonts, names, zh
from .certconfig import TextFrame
from .config import fill_wording
from .edition import Loaded
from .errors import Location, Problem, Severity, quote
from .source import field_name

VARIABLE = ("addressee", "body", "award", "closing", "serial")
"""Texts that differ from one certificate to the next (the text layer)."""
FIXED = ("title", "issuer", "date")
"""Texts that are the same on every certificate of an edition (the design layer)."""


@dataclass(frozen=True)
class Text:
    """A text set in its frame at a fitted size."""

    name: str
    value: str
    frame: TextFrame
    size_pt: float
    fits: bool = True

    @property
    def shrunk(self) -> bool:
        return self.size_pt < self.frame.size_pt


@dataclass(frozen=True)
class Certificate:
    """One winner's certificate, in print order (tiers in order, then rank)."""

    index: int
    serial: str
    unit: str
    award: str
    activity: str
    filename: str
    texts: dict[str, Text] = field(default_factory=dict)
    fallback_chars: str = ""
    """Characters drawn from a later face of their font chain (the proof sheet flags them)."""

    @property
    def shrunk(self) -> list[str]:
        return [t.name for t in self.texts.values() if t.shrunk]

    def smaller(self, name: str) -> Certificate:
        """The same certificate with text ``name`` one size step smaller (after an overflow)."""
        text = self.texts[name]
        size = max(text.frame.smallest_pt, round(text.size_pt - fit.STEP_PT, 2))
        return replace(self, texts={**self.texts, name: replace(text, size_pt=size)})


def build(loaded: Loaded) -> list[Certificate]:
    e, s = loaded.edition, loaded.settings
    serials, total, chains = loaded.serials(), e.winner_count, fonts.chains(s.branding)
    result: list[Certificate] = []
    for award in e.awards:
        wording = s.certificate.wording_by_award.get(award.name, s.certificate.wording)
        for winner in award.winners:
            i = len(result)
            values = {
                "unit": winner.unit,
                "activity": winner.activity_on_certificate,
                "award": award.name,
                "edition": context.edition_title(e),
            }
            raw = {
                key: fill_wording(getattr(wording, key), **values)
                for key in ("addressee", "body", "closing")
            }
            raw |= {"award": award.name, "serial": f"证书编号：{serials[i]}"}
            texts = {
                k: _fitted(k, v, getattr(s.certificate.layout, k), chains) for k, v in raw.items()
            }
            filename = names.certificate(i + 1, total, winner.unit, award.name)
            result.append(
                Certificate(
                    i,
                    serials[i],
                    winner.unit,
                    award.name,
                    values["activity"],
                    filename,
                    texts,
                    _fallbacks(texts, chains),
                )
            )
    names.ensure_unique([c.filename for c in result])
    return result


def fixed_texts(loaded: Loaded) -> dict[str, Text]:
    """Title, issuer and date: the same on every certificate of the edition."""
    s = loaded.settings
    chains = fonts.chains(s.branding)
    values = {
        "title": s.certificate.title,
        "issuer": s.issuer,
        "date": zh.date_characters(s.issue_date),
    }
    return {k: _fitted(k, v, getattr(s.certificate.layout, k), chains) for k, v in values.items()}


def _fitted(name: str, value: str, frame: TextFrame, chains: dict[str, fonts.Chain]) -> Text:
    result = fit.fit(value, frame, chains[frame.font])
    return Text(name, value, frame, result.size_pt, result.fits)


def _fallbacks(texts: dict[str, Text], chains: dict[str, fonts.Chain]) -> str:
    found = []
    for text in texts.values():
        chain = chains[text.frame.font]
        first = chain.regular_faces[0]
        found += [
            c
            for c in text.value
            if not c.isspace() and chain.face_for(c) not in (first, None) and c not in "“”‘’"
        ]  # quotes come from Noto by design (fonts.CJK_QUOTES)
    return "".join(dict.fromkeys(found))


def fit_problems(loaded: Loaded) -> Iterator[Problem]:
    """Texts that do not fit their frame even at the smallest size: located at the winner."""
    winners = [
        ("awards", a, "winners", w)
        for a, award in enumerate(loaded.edition.awards)
        for w in range(len(award.winners))
    ]
    for cert, path in zip(build(loaded), winners, strict=True):
        for text in cert.texts.values():
            if not text.fits:
                yield Problem(loaded.doc.locate(path), field_name(path), _too_long(text))
    config_file = Location(loaded.settings.root / "config" / "certificate.yaml")
    for text in fixed_texts(loaded).values():
        if not text.fits:
            yield Problem(config_file, f"layout.{text.name}", _too_long(text))


def _too_long(text: Text) -> str:
    frame = text.frame
    return (
        f"证书上的{LABELS[text.name]}“{quote(text.value)}”太长：缩到最小字号 {frame.smallest_pt} pt 仍超过 "
        f"{frame.lines} 行。请在 edition.yaml 中用 certificate_activity 写一个简短的名称，"
        "或在 config/certificate.yaml 中加宽这一栏、增加行数或调小 min_pt"
    )


LABELS = {
    "addressee": "抬头",
    "body": "正文",
    "award": "奖项",
    "closing": "结束语",
    "serial": "编号",
    "title": "标题",
    "issuer": "落款",
    "date": "日期",
}


PRINT_DPI = 300


def image_warnings(loaded: Loaded) -> Iterator[Problem]:
    """A raster logo or seal with fewer than 300 pixels per inch at its printed size would print
    soft on a certificate (vector SVG artwork never does)."""
    s = loaded.settings
    layout = s.certificate.layout
    for image, frame in ((s.logo, layout.logo), (s.seal, layout.seal)):
        if image is None or image.width_px is None:  # none, or vector artwork
            continue
        dpi = image.width_px / (frame.width / 25.4)
        if dpi < PRINT_DPI:
            msg = (
                f"{Path(image.name).name} 只有 {image.width_px} 像素宽，印在证书上 {frame.width:g} mm 宽时"
                f"约 {dpi:.0f} dpi，低于印刷需要的 {PRINT_DPI} dpi，会发虚；请换用更清晰的图片或 SVG"
            )
            yield Problem(image.where, image.field, msg, Severity.WARNING)
