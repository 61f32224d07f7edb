"""The office's standing settings in config/: branding (names, logo, seal, colours, font roles) and
certificate defaults, validated like the edition and merged with its per-edition overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from . import located, source
from .certconfig import WORDING_FIELDS, CertificateDefaults
from .errors import DocgenError, Location, Problem
from .home import Home, find_home
from .model import Edition, Organiser, Strict, Text

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

    home: Home
    """The office folder over the packaged defaults: where every config/ file comes from."""
    branding: Branding
    organiser: Organiser
    issuer: str
    issue_date: date
    serial_pattern: str
    seal: Path | None
    certificate: CertificateDefaults
    """config/certificate.yaml: paper, layout, wording, QR code."""

    @property
    def logo(self) -> Path | None:
        return self.home.config_file(self.branding.logo) if self.branding.logo else None


def load_branding(home: Home | None = None) -> Branding:
    path = (home or find_home()).file("config/branding.yaml")
    return located.validate(Branding, source.read_strict(path))


def load_certificate_defaults(home: Home | None = None) -> CertificateDefaults:
    path = (home or find_home()).file("config/certificate.yaml")
    return located.validate(CertificateDefaults, source.read_strict(path))


def resolve(edition: Edition, doc: source.Document, home: Home) -> Settings:
    """Merge config/ defaults with the edition's overrides; located errors for bad values."""
    branding, defaults = load_branding(home), load_certificate_defaults(home)
    own = edition.certificates
    organiser = edition.organiser or branding.organiser
    pattern = own.serial_pattern or defaults.serial_pattern
    seal_choice = own.seal or defaults.seal
    problems = [
        *_pattern_problems(pattern, doc),
        *_seal_problems(seal_choice, branding, home, doc),
        *_wording_problems(defaults, home),
    ]
    if problems:
        raise DocgenError(problems)
    return Settings(
        home=home,
        branding=branding,
        organiser=organiser,
        issuer=own.issuer or defaults.issuer or organiser.name,
        issue_date=own.issue_date or edition.meeting.date,
        serial_pattern=pattern,
        seal=_seal_path(seal_choice, branding, home),
        certificate=defaults,
    )


SERIAL_FIELDS = ("year", "number", "award", "rank")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _pattern_problems(pattern: str, doc: source.Document) -> list[Problem]:
    where = doc.locate(("certificates", "serial_pattern"))
    for body in _PLACEHOLDER.findall(pattern):
        name, _, spec = body.partition(":")
        if name not in SERIAL_FIELDS or not re.fullmatch(r"0?\d*d?", spec):
            msg = f"编号格式中的 {{{body}}} 无法识别；可用 {{year}} {{number}} {{award}} {{rank}}，如 {{rank:02d}}"
            return [Problem(where, "certificates.serial_pattern", msg)]
    return []


def _wording_problems(defaults: CertificateDefaults, home: Home) -> list[Problem]:
    where = Location(home.file("config/certificate.yaml"))
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


def format_serial(pattern: str, **values: int | str) -> str:
    """Fill a serial pattern; only the four known names and an optional width like ``:02d``."""

    def fill(match: re.Match[str]) -> str:
        name, _, spec = match[1].partition(":")
        return format(values[name], spec) if spec else str(values[name])

    return _PLACEHOLDER.sub(fill, pattern)


def _seal_path(choice: str, branding: Branding, home: Home) -> Path | None:
    if choice == "none":
        return None
    if choice == "sample":
        return home.config_file(branding.seal) if branding.seal else None
    return home.config_file(choice)


def _seal_problems(
    choice: str, branding: Branding, home: Home, doc: source.Document
) -> list[Problem]:
    path = _seal_path(choice, branding, home)
    if path is None or path.is_file():
        return []
    where = (
        doc.locate(("certificates", "seal"))
        if ("certificates", "seal") in doc.values
        else Location(home.file("config/certificate.yaml"))
    )
    return [Problem(where, "certificates.seal", f"找不到印章图片 {path}")]
