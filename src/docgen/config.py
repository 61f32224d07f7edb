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

from . import located, source, userfiles
from .certconfig import WORDING_FIELDS, CertificateDefaults
from .errors import DocgenError, Location, Problem
from .model import Edition, Organiser, Strict, Text

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
    seal: Path | None
    certificate: CertificateDefaults
    """config/certificate.yaml: paper, layout, wording, QR code."""

    @property
    def logo(self) -> Path | None:
        return self.root / "config" / self.branding.logo if self.branding.logo else None


def load_branding(root: Path = ROOT) -> Branding:
    return located.validate(Branding, source.read_strict(root / "config" / "branding.yaml"))


def load_certificate_defaults(root: Path = ROOT) -> CertificateDefaults:
    return located.validate(
        CertificateDefaults, source.read_strict(root / "config" / "certificate.yaml")
    )


def resolve(edition: Edition, doc: source.Document, root: Path = ROOT) -> Settings:
    """Merge config/ defaults with the edition's overrides; located errors for bad values."""
    branding, defaults = load_branding(root), load_certificate_defaults(root)
    own = edition.certificates
    organiser = edition.organiser or branding.organiser
    pattern = own.serial_pattern or defaults.serial_pattern
    seal_choice = own.seal or defaults.seal
    problems = [
        *_seal_problems(seal_choice, branding, root, doc),
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
        seal=_seal_path(seal_choice, branding, root),
        certificate=defaults,
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


def _seal_path(choice: str, branding: Branding, root: Path) -> Path | None:
    if choice == "none":
        return None
    if choice == "sample":
        return root / "config" / branding.seal if branding.seal else None
    return root / "config" / choice


def _seal_problems(
    choice: str, branding: Branding, root: Path, doc: source.Document
) -> list[Problem]:
    path = _seal_path(choice, branding, root)
    message = seal_path_problem(path)
    if message is None:
        return []
    where = (
        doc.locate(("certificates", "seal"))
        if ("certificates", "seal") in doc.values
        else Location(root / "config" / "certificate.yaml")
    )
    return [Problem(where, "certificates.seal", message)]


def seal_path_problem(path: Path | None) -> str | None:
    """Why the seal image ``path`` cannot be used (None when it can, or when there is none).
    The name is judged first: asking the disk about a 300-byte name raises ENAMETOOLONG."""
    if path is None:
        return None
    if why := userfiles.name_problem(path):
        return why
    return None if path.is_file() else f"找不到印章图片 {path}"
