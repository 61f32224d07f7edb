"""The office's standing settings in config/: branding (names, logo, seal, colours, font roles) and
certificate defaults, validated like the edition and merged with its per-edition overrides."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from . import artwork, located, source, stock
from .certconfig import WORDING_FIELDS, CertificateDefaults
from .errors import DocgenError, Location, Problem
from .model import Edition, Organiser, Strict, Text
from .source import FieldPath, field_name

ROOT = Path(os.environ.get("DOCGEN_HOME") or Path(__file__).resolve().parents[2])
"""The docgen checkout: templates/, fonts/ and config/ are the office's to edit, so docgen runs
from its folder (DOCGEN_HOME points elsewhere, e.g. for tests)."""

Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
FontRole = Literal["serif", "sans", "kai"]


class Colours(Strict):
    primary: Colour = "#9e1b20"
    """主色（标题、线条），如 #9e1b20。"""
    accent: Colour = "#b8912f"
    """辅色（证书边框、装饰）。"""
    text: Colour = "#1f1f1f"
    """正文颜色。"""


class Fonts(Strict):
    serif: list[Text] = Field(min_length=1)
    """宋体（衬线）角色使用的字体，按顺序回退。"""
    sans: list[Text] = Field(min_length=1)
    """黑体（无衬线）角色使用的字体。"""
    kai: list[Text] = Field(min_length=1)
    """楷体角色使用的字体。"""


class Branding(Strict):
    organiser: Organiser
    """默认的主办单位（每届文件可覆盖）。"""
    logo: Text | None = None
    """标志图片，相对于 config/ 文件夹（SVG 或 PNG）。"""
    seal: Text | None = None
    """示例印章图片，相对于 config/ 文件夹。"""
    colours: Colours = Colours()
    """颜色。"""
    fonts: Fonts
    """每个字体角色使用的内置字体。"""


@dataclass(frozen=True)
class Settings:
    """Everything the outputs need besides the edition, resolved once per run."""

    root: Path
    branding: Branding
    organiser: Organiser
    issuer: str
    issue_date: date
    serial_pattern: str
    certificate: CertificateDefaults
    """config/certificate.yaml: paper, layout, wording, QR code."""
    logo: artwork.Artwork | None = None
    seal: artwork.Artwork | None = None
    scan: artwork.Artwork | None = None
    """The scan of blank stock (stock.scan), for proofs on preprinted stock."""


def load_branding(root: Path = ROOT) -> Branding:
    return located.validate(Branding, _config_doc(root, "branding.yaml"))


def load_certificate_defaults(root: Path = ROOT) -> CertificateDefaults:
    return located.validate(CertificateDefaults, _config_doc(root, "certificate.yaml"))


def _config_doc(root: Path, name: str) -> source.Document:
    return source.read_strict(root / "config" / name)


def resolve(edition: Edition, doc: source.Document, root: Path = ROOT) -> Settings:
    """Merge config/ defaults with the edition's overrides; located errors for bad values."""
    docs = {name: _config_doc(root, f"{name}.yaml") for name in ("branding", "certificate")}
    branding = located.validate(Branding, docs["branding"])
    defaults = located.validate(CertificateDefaults, docs["certificate"])
    docs["edition"] = doc
    own = edition.certificates
    organiser = edition.organiser or branding.organiser
    pattern = own.serial_pattern or defaults.serial_pattern
    images, image_problems = artwork.load_all(root, _images(branding, defaults, own.seal, docs))
    problems = [
        *image_problems,
        *_printer_problems(defaults.stock.printer, root, docs["certificate"]),
        *_wording_problems(defaults, root),
    ]
    if problems:
        raise DocgenError(problems)
    return Settings(
        root=root,
        branding=branding,
        organiser=organiser,
        issuer=own.issuer or defaults.issuer or organiser.name,
        issue_date=own.issue_date or edition.meeting.date,
        serial_pattern=pattern,
        certificate=defaults,
        logo=images.get("logo"),
        seal=images.get("seal"),
        scan=images.get("scan"),
    )


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _wording_problems(defaults: CertificateDefaults, root: Path) -> list[Problem]:
    where = Location(root / "config" / "certificate.yaml")
    problems = []
    wordings = {"wording": defaults.wording}
    wordings |= {f"wording_by_award.{name}": w for name, w in defaults.wording_by_award.items()}
    for prefix, wording in wordings.items():
        for key in ("addressee", "body", "closing"):
            for body in _PLACEHOLDER.findall(getattr(wording, key)):
                if body not in WORDING_FIELDS:
                    msg = f"证书文字中的 {{{body}}} 无法识别；可用 {{unit}} {{activity}} {{award}} {{edition}}"
                    problems.append(Problem(where, f"{prefix}.{key}", msg))
    return problems


def fill_wording(pattern: str, **values: str) -> str:
    """Fill a wording pattern; a title set inside “…” gets its own “ ” turned into ‘ ’."""

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        value = values[name]
        start, end = match.start(), match.end()
        if pattern[start - 1 : start] == "“" and pattern[end : end + 1] == "”":
            value = value.replace("“", "‘").replace("”", "’")
        return value

    return _PLACEHOLDER.sub(fill, pattern)


# --- images and printers named in the settings: confined to config/, loaded here, once ---------


def _images(
    branding: Branding,
    defaults: CertificateDefaults,
    own_seal: str | None,
    docs: dict[str, source.Document],
) -> dict[str, artwork.Wanted | None]:
    """Which images the settings name, and the line of the file that names each."""

    def wanted(rel: str | None, doc: str, field: FieldPath, what: str) -> artwork.Wanted | None:
        where = docs[doc].locate(field)
        return artwork.Wanted(rel, where, field_name(field), what) if rel else None

    choice = own_seal or defaults.seal
    if choice == "sample":
        seal = wanted(branding.seal, "branding", ("seal",), "印章图片")
    elif choice != "none":
        seal_field = ("certificates", "seal") if own_seal else ("seal",)
        seal = wanted(choice, "edition" if own_seal else "certificate", seal_field, "印章图片")
    else:
        seal = None
    return {
        "logo": wanted(branding.logo, "branding", ("logo",), "标志图片"),
        "seal": seal,
        "scan": wanted(defaults.stock.scan, "certificate", ("stock", "scan"), "证书纸扫描图"),
    }


def _printer_problems(name: str | None, root: Path, doc: source.Document) -> list[Problem]:
    """stock.printer names a profile in config/printers/: checked and read now, not mid-run."""
    if name is None:
        return []
    where = doc.locate(("stock", "printer"))
    if why := stock.printer_problem(root, name):
        return [Problem(where, "stock.printer", why)]
    try:
        stock.load_profile(root, name)
    except DocgenError as exc:
        return list(exc.problems) or [Problem(where, "stock.printer", exc.text)]
    return []
