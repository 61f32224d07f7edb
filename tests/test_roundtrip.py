"""Escaping round-trip: whatever staff type — markup characters, full-width punctuation, rare
characters — comes back exactly from the web page and (white space aside) from the PDFs."""

from __future__ import annotations

import dataclasses
import html
import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen import certificate, edition, pdf, stock
from docgen.outputs import certificate_batch, press

from .conftest import MINIMAL, squash

BASE = edition.load(MINIMAL)
TRICKY = "&<>\"'甲乙丙丁工会活动健康“”‘’《》（）：；，。、—·•﹒䶮龘〇ABCxyz0123{}%#!?"
texts = st.text(alphabet=TRICKY, min_size=1, max_size=30).map(str.strip).filter(bool)


def with_winner(unit: str, activity: str) -> edition.Loaded:
    awards = list(BASE.edition.awards)
    winner = awards[0].winners[0].model_copy(update={"unit": unit, "activity": activity})
    awards[0] = awards[0].model_copy(update={"winners": [winner]})
    return dataclasses.replace(BASE, edition=BASE.edition.model_copy(update={"awards": awards}))


def text_of(data: bytes, tmp: Path) -> str:
    path = tmp / "x.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return squash(out)


SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SLOW
@given(unit=texts, activity=texts)
def test_web_page_gives_back_exactly_what_was_typed(unit: str, activity: str) -> None:
    loaded = with_winner(unit, activity)
    page = next(a for a in press.render_web(loaded) if a.name.endswith("index.html"))
    cells = re.findall(r"<td>(.*?)</td>", (page.data or b"").decode("utf-8"), re.S)
    assert [html.unescape(c) for c in cells[0:2]] == [unit, activity]


@SLOW
@given(unit=texts, activity=texts)
def test_press_pdf_gives_back_what_was_typed(tmp_path: Path, unit: str, activity: str) -> None:
    text = text_of(press.render_pdf(with_winner(unit, activity)), tmp_path)
    assert squash(unit) in text
    assert squash(activity) in text


@SLOW
@given(unit=texts, activity=texts)
def test_certificate_gives_back_what_was_typed(tmp_path: Path, unit: str, activity: str) -> None:
    loaded = with_winner(unit, activity)
    batch = certificate_batch.Batch(loaded, certificate.build(loaded)[:1], tmp_path, stock.Plan())
    document, _ = batch.laid_out(batch.certs)
    text = text_of(pdf.write(document, "测试"), tmp_path)
    assert squash(unit) in text
    body = batch.certs[0].texts["body"].value  # the title inside “…”, its own “” turned to ‘’
    assert squash(body) in text
