"""Layers stamped on many files: drawn once, copied per file, never accumulating."""

from __future__ import annotations

import pikepdf

from docgen import stamp


def layer() -> stamp.Layer:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 200))
    pdf.pages[0].obj.Contents = pdf.make_stream(b"0 0 1 rg 10 10 100 50 re f")
    return stamp.Layer(pdf)


def test_a_layer_put_on_many_files_does_not_grow() -> None:
    """One form per certificate used to be added to the layer itself: workers grew ~2 MB/chunk."""
    design = layer()
    before = len(design.pdf.objects)
    for _ in range(50):
        with pikepdf.new() as target:
            target.add_blank_page(page_size=(300, 200))
            form = design.form_in(target)
            stamp.place(target.pages[0], form, "DocgenUnder0", pikepdf.Rectangle(0, 0, 300, 200))
            assert form.Subtype == "/Form"
            assert form.read_bytes() == b"0 0 1 rg 10 10 100 50 re f"
    assert len(design.pdf.objects) <= before + 1  # the one form, made once
