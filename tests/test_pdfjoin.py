"""Joining chunk files into certificates.pdf, the print file and the proof, one part at a time."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from docgen import pdfjoin

from .conftest import pdftotext


def part(folder: Path, name: str, texts: list[str], *, inherit: bool = False) -> Path:
    """A small PDF with one page per text; with ``inherit`` the page tree, not the pages, holds
    the media box, the resources and the rotation, which PDF allows."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    for text in texts:
        pdf.add_blank_page(page_size=(300, 200))
        page = pdf.pages[-1]
        page.obj.Resources = resources
        page.obj.Contents = pdf.make_stream(f"BT /F1 24 Tf 20 100 Td ({text}) Tj ET".encode())
    if inherit:
        tree = pdf.Root.Pages
        tree.MediaBox = pikepdf.Array([0, 0, Decimal("300.5"), 200])
        tree.Resources = resources
        tree.Rotate = 90
        for page in pdf.pages:
            del page.obj["/MediaBox"]
            del page.obj["/Resources"]
    pdf.docinfo["/Title"] = f"{name} 标题"
    pdf.Root.Lang = pikepdf.String("zh-CN")
    path = folder / f"{name}.pdf"
    pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return path


def qpdf_check(path: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_in_order_with_the_first_parts_information_and_language(tmp_path: Path) -> None:
    parts = [
        part(tmp_path, "a", ["one", "two"]),
        part(tmp_path, "b", ["three"]),
        part(tmp_path, "c", ["four", "five"]),
    ]
    target = tmp_path / "joined.pdf"
    pdfjoin.join(parts, target)
    qpdf_check(target)
    pages = pdftotext(target).split("\f")
    assert [p.strip() for p in pages if p.strip()] == ["one", "two", "three", "four", "five"]
    with pikepdf.open(target) as joined:
        assert str(joined.docinfo.Title) == "a 标题"
        assert joined.Root.Lang == "zh-CN"
        assert joined.Root.Pages.Count == 5
        assert all(page.obj.Parent.objgen == joined.Root.Pages.objgen for page in joined.pages)


def test_what_pages_inherit_from_their_tree_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "joined.pdf"
    pdfjoin.join(
        [part(tmp_path, "plain", ["x"]), part(tmp_path, "tree", ["y"], inherit=True)], target
    )
    qpdf_check(target)
    with pikepdf.open(target) as joined:
        inherited = joined.pages[1].obj
        assert [float(v) for v in inherited.MediaBox] == [0, 0, 300.5, 200]
        assert inherited.Rotate == 90
        assert "/F1" in inherited.Resources.Font
        assert "/Rotate" not in joined.pages[0].obj
    assert "y" in pdftotext(target)


def test_shared_objects_are_written_once_per_part(tmp_path: Path) -> None:
    """The font all pages of a part use stays one object, as the chunks' shared artwork must."""
    target = tmp_path / "joined.pdf"
    pdfjoin.join([part(tmp_path, "a", ["1", "2", "3"]), part(tmp_path, "b", ["4", "5"])], target)
    with pikepdf.open(target) as joined:
        fonts = {page.obj.Resources.Font.F1.objgen for page in joined.pages}
    assert len(fonts) == 2


def test_same_parts_give_the_same_bytes(tmp_path: Path) -> None:
    parts = [part(tmp_path, "a", ["one"]), part(tmp_path, "b", ["two"])]
    pdfjoin.join(parts, tmp_path / "first.pdf")
    pdfjoin.join(parts, tmp_path / "second.pdf")
    assert (tmp_path / "first.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()


def test_nothing_to_join_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nothing to join"):
        pdfjoin.join([], tmp_path / "joined.pdf")
