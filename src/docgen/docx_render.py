"""docxtpl's render of a Word template from plain data: each photo reaches the template as a text
token, and becomes its drawing only after Jinja has rendered the part the token is in.

docxtpl's own way hands the template an InlineImage, which carries the live DocxTemplate: every
public method of docxtpl and python-docx then runs from template code (save, write_xml and
replace_zipname read and wrote any file). A token is a string; the drawing is made here, by the
same InlineImage, outside Jinja.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from . import templating

PLACEHOLDER = "docgen-photo-{key}-{number}"
PLACEHOLDERS = re.compile(r"docgen-photo-[0-9a-f]{16}-\d+")


@dataclass(frozen=True)
class Photo:
    data: bytes
    width_mm: float


@dataclass
class Context:
    """What a Word template renders with: plain ``values``, where each photo is a token of
    ``photos``. The tokens carry a random key, so no edition text can be mistaken for one."""

    values: dict[str, Any]
    photos: dict[str, Photo] = field(default_factory=dict)
    key: str = field(default_factory=lambda: secrets.token_hex(8))

    def photo(self, data: bytes, width_mm: float) -> str:
        """The token to put into ``values`` where this photo goes."""
        token = PLACEHOLDER.format(key=self.key, number=len(self.photos) + 1)
        self.photos[token] = Photo(data, width_mm)
        return token


class Template(DocxTemplate):  # type: ignore[misc]  # docxtpl has no type hints
    """A DocxTemplate that turns photo tokens into drawings in each part it renders."""

    photos: dict[str, Photo] = {}  # noqa: RUF012 - replaced per render, never mutated

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        xml: str = super().render_xml_part(src_xml, part, context, jinja_env)
        return PLACEHOLDERS.sub(self._drawing, xml)

    def _drawing(self, token: re.Match[str]) -> str:
        photo = self.photos.get(token[0])
        if photo is None:  # typed into the template by hand: it stays text
            return token[0]
        # docxtpl's own markup, made in the part being rendered (body, header or footnotes),
        # which is where the picture's relationship must go.
        return str(InlineImage(self, io.BytesIO(photo.data), width=Mm(photo.width_mm)))


def render(template: Template, context: Context) -> None:
    """docxtpl's render, strict, sandboxed and autoescaping (run it in the render worker)."""
    template.photos = context.photos
    template.render(context.values, jinja_env=templating.environment(), autoescape=True)
