"""The Word meeting report: templates/docx/report.docx (the office's copy, restyled in Word, else
the packaged default) rendered by docxtpl in the sandboxed, strict, autoescaping environment and
in the render worker, with photos from the shared pipeline."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import (
    context,
    docx_render,
    docx_template,
    photos,
    plain,
    render_worker,
    templating,
    zh,
    zips,
)
from ..artifacts import Artifact, Run
from ..edition import Loaded
from ..errors import raise_if_errors
from ..home import DEFAULTS

TEMPLATE = DEFAULTS / "templates" / "docx" / "report.docx"
"""The packaged template; an office's own templates/docx/report.docx comes first."""
TEXT_WIDTH_MM = 156.0
"""A4 minus the GB/T 9704 left and right margins (28 + 26 mm)."""
GAP_MM = 18.0
"""Room left between photos of a group, which share one paragraph separated by a space.
LibreOffice needs this much before it stops wrapping the second photo to its own line."""
MAX_HEIGHT_MM = 100.0
DPI = 220
"""Photos in an office report print fine at 220 dpi, and keep the file small enough to e-mail."""


def render(run: Run) -> Iterator[Artifact]:
    yield Artifact("report.docx", render_docx(run.loaded))


def template(loaded: Loaded) -> Path:
    return loaded.settings.home.file("templates/docx/report.docx", TEMPLATE)


def render_docx(loaded: Loaded) -> bytes:
    path = template(loaded)
    raise_if_errors(docx_template.preflight(path))  # before python-docx parses any of it
    data = template_context(loaded)
    plain.check(data.values, path.name)
    return zips.normalise(render_worker.run(path, _rendered, path, loaded, data))


def _rendered(path: Path, loaded: Loaded, data: docx_render.Context) -> bytes:
    """The report as docxtpl saves it (in the render worker)."""
    template = docx_render.Template(str(path))
    try:
        docx_render.render(template, data)
    except Exception as exc:
        raise templating.template_error(exc, path) from None
    _fix_properties(template, loaded)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def template_context(loaded: Loaded) -> docx_render.Context:
    """What report.docx receives: plain values, each photo a token of the context's photos."""
    data = docx_render.Context(context.base(loaded))
    figures: dict[str, list[dict[str, Any]]] = {part: [] for part in data.values["story"]["parts"]}
    for view in context.photo_groups(loaded):
        images = [_image(loaded, data, view, i) for i in range(len(view.photos))]
        figures[view.after].append({"caption": view.caption, "images": images})
    data.values["figures"] = figures
    data.values["headings"] = _headings(loaded)
    return data


def _image(loaded: Loaded, data: docx_render.Context, view: context.PhotoGroupView, i: int) -> str:
    n = len(view.photos)
    w, h = view.sizes[i]
    width_mm = min((TEXT_WIDTH_MM - GAP_MM * (n - 1)) / n, MAX_HEIGHT_MM * w / h)
    longest = photos.px_for(width_mm * max(1.0, h / w), DPI)
    prepared = context.prepare_photo(loaded, view.photos[i], longest)
    return data.photo(prepared.data, width_mm)


def _headings(loaded: Loaded) -> dict[str, str]:
    """Section numerals 一、二、…: 评委点评 is left out when there are no comments."""
    story = loaded.edition.story
    order = ["basics", "features"]
    if story.comments or story.comments_note:
        order.append("comments")
    order += ["results", "closing"]
    return {name: zh.numeral(i) for i, name in enumerate(order, start=1)}


def _fix_properties(template: docx_render.Template, loaded: Loaded) -> None:
    """Dates from the edition, never the clock; no trace of the machine or of python-docx."""
    props = template.docx.core_properties
    when = datetime.combine(loaded.edition.meeting.date, datetime.min.time())
    props.created = props.modified = when
    props.last_printed = when
    props.revision = 1
    props.last_modified_by = "docgen"
