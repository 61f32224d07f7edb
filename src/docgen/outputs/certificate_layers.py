"""The certificate layers made once per run: the design (frame, logo, title, issuer, date) as a
print sheet with bleed and crop marks and cut to trim size, the seal, and a scan of blank stock."""

from __future__ import annotations

from dataclasses import dataclass

from .. import certificate, pdf, stamp, stock, templating
from ..artwork import Artwork
from ..certconfig import ImageFrame
from ..edition import Loaded
from . import certificate_page as page
from .certificate_page import TEMPLATE, TEMPLATES, WHAT


def _design_html(
    loaded: Loaded,
    env: templating.Environment,
    assets: pdf.Assets,
    bleed_mm: float,
    plan: stock.Plan,
) -> str:
    """The design layer. On preprinted stock only the texts it prints, no frame or logo."""
    s = loaded.settings
    context = page.base_context(loaded, "design")
    context["page"]["bleed"] = bleed_mm
    context["artwork"] = not plan.preprinted
    fixed = certificate.fixed_texts(loaded)
    names = tuple(n for n in certificate.FIXED if plan.shows(n))
    context["texts"] = page.texts_context(fixed, names)
    context["frame_css"] = page.frame_rules(loaded, names, {fixed[n].size_pt for n in names})
    logo = s.logo if not plan.preprinted else None
    context["logo"] = (
        {
            "src": assets.add(f"logo{logo.suffix}", logo.data),
            "style": page.image_style(s.certificate.layout.logo, s.certificate.page),
        }
        if logo
        else None
    )
    return templating.render(env, TEMPLATE, context)


def _seal_html(loaded: Loaded, env: templating.Environment, assets: pdf.Assets) -> str:
    s = loaded.settings
    assert s.seal is not None  # noqa: S101 - only called when there is a seal
    seal = {
        "src": assets.add(f"seal{s.seal.suffix}", s.seal.data),
        "style": page.image_style(s.certificate.layout.seal, s.certificate.page),
    }
    return templating.render(
        env, TEMPLATE, {**page.base_context(loaded, "seal"), "seal": seal, "frame_css": ""}
    )


@dataclass
class Layers:
    """The once-per-run layers: the design at trim size, the design as a print sheet (bleed and
    crop marks), and what goes over the text (the seal)."""

    design: stamp.Layer
    sheet: stamp.Layer
    over: list[stamp.Layer]
    bleed_mm: float
    scan: list[stamp.Layer]

    @classmethod
    def build(
        cls, loaded: Loaded, env: templating.Environment, assets: pdf.Assets, plan: stock.Plan
    ) -> Layers:
        bleed = loaded.settings.certificate.page.bleed_mm
        with_seal = loaded.settings.seal and not plan.preprinted  # stock is stamped by hand
        seal = [_layer(_seal_html(loaded, env, assets), assets)] if with_seal else []
        # One layout serves both: the print sheet, cut to its trim box, is the design.
        sheet = _layer(_design_html(loaded, env, assets, bleed, plan), assets)
        scan = [_layer(_scan_html(loaded, env, assets, plan.scan), assets)] if plan.scan else []
        return cls(sheet.trimmed(), sheet, seal, bleed, scan)

    @property
    def proof_under(self) -> list[stamp.Layer]:
        """Under a proof's thumbnails: the scan of the blank stock (never in a print file)."""
        return [*self.scan, self.design]

    def close(self) -> None:
        for layer in (self.design, self.sheet, *self.over, *self.scan):
            layer.close()

    def __enter__(self) -> Layers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scan_html(
    loaded: Loaded, env: templating.Environment, assets: pdf.Assets, scan: Artwork
) -> str:
    paper = loaded.settings.certificate.page
    frame = ImageFrame(left=0, top=0, width=paper.width_mm, height=paper.height_mm)
    picture = {
        "src": assets.add(f"scan{scan.suffix}", scan.data),
        "style": page.image_style(frame, paper),
    }
    return templating.render(
        env, TEMPLATE, {**page.base_context(loaded, "scan"), "scan": picture, "frame_css": ""}
    )


def _layer(html: str, assets: pdf.Assets) -> stamp.Layer:
    document = pdf.render(
        html, TEMPLATES, assets, pdf.FontSet.for_text(page.css_text() + html), WHAT, minimal_ua=True
    )
    return stamp.Layer.from_bytes(pdf.write(document, WHAT))
